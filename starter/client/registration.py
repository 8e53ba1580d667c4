"""Registration: a participant's answer, the secretariat's chase, and the calendar replies
held until the secretariat vouches for them or discards them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from temporalio.client import Client

from domain.meeting.status import ChangeAck, ParticipantStatus
from domain.registration.answers import RsvpCommand
from domain.registration.held import (
    ConfirmReplyCommand,
    DiscardReplyCommand,
    HeldReply,
    HoldReplyCommand,
)
from domain.reminders.planning import RemindCommand
from starter.client.updates import update
from workflows.meeting.workflow import MeetingWorkflow as W

if TYPE_CHECKING:
    from activities.store import Store


async def rsvp(
    client: Client, store: Store | None, meeting_id: str, c: RsvpCommand
) -> ParticipantStatus:
    """The participant's own row after the answer."""
    return await update(client, store, meeting_id, "rsvp", W.rsvp, c)


async def remind(
    client: Client, store: Store | None, meeting_id: str, c: RemindCommand
) -> ChangeAck:
    return await update(client, store, meeting_id, "remind", W.remind, c)


async def hold_reply(
    client: Client, store: Store | None, meeting_id: str, c: HoldReplyCommand
) -> HeldReply:
    """A calendar reply from an unauthenticated sender, kept for the secretariat (the
    workflow keeps the latest per participant; the audit log a count per sender and hour)."""
    sender = c.sender.lower()
    return await update(client, store, meeting_id, "reply.held", W.hold_reply, c, sender)


async def confirm_reply(
    client: Client, store: Store | None, meeting_id: str, c: ConfirmReplyCommand
) -> ParticipantStatus:
    """The secretariat vouches for a held reply: the participant's row after the answer."""
    return await update(client, store, meeting_id, "reply.confirmed", W.confirm_reply, c)


async def discard_reply(
    client: Client, store: Store | None, meeting_id: str, c: DiscardReplyCommand
) -> HeldReply:
    return await update(client, store, meeting_id, "reply.discarded", W.discard_reply, c)
