"""Attendance: a check-in at the venue, a join online."""

from __future__ import annotations

from typing import TYPE_CHECKING

from temporalio.client import Client

from domain.attendance.register import CheckInCommand, JoinCommand, Presence
from starter.client.updates import update
from workflows.meeting.workflow import MeetingWorkflow as W

if TYPE_CHECKING:
    from activities.store import Store


async def check_in(
    client: Client, store: Store | None, meeting_id: str, c: CheckInCommand
) -> Presence:
    return await update(client, store, meeting_id, "check-in", W.check_in, c)


async def join_online(
    client: Client, store: Store | None, meeting_id: str, c: JoinCommand
) -> Presence:
    return await update(client, store, meeting_id, "join", W.join_online, c)
