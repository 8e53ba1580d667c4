"""The agenda: items proposed, decided, and the agenda published."""

from __future__ import annotations

from typing import TYPE_CHECKING

from temporalio.client import Client

from domain.agenda.items import AgendaItem, DecideCommand, ProposeCommand, PublishCommand
from domain.meeting.status import AgendaPublished
from starter.client.updates import update
from workflows.meeting.workflow import MeetingWorkflow as W

if TYPE_CHECKING:
    from activities.store import Store


async def propose_item(
    client: Client, store: Store | None, meeting_id: str, c: ProposeCommand
) -> AgendaItem:
    return await update(client, store, meeting_id, "agenda.propose", W.propose_item, c)


async def decide_item(
    client: Client, store: Store | None, meeting_id: str, c: DecideCommand
) -> AgendaItem:
    return await update(client, store, meeting_id, "agenda.decide", W.decide_item, c)


async def publish_agenda(
    client: Client, store: Store | None, meeting_id: str, c: PublishCommand
) -> AgendaPublished:
    return await update(client, store, meeting_id, "agenda.publish", W.publish_agenda, c)
