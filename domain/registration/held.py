"""Calendar replies held for the secretariat: those whose sender is not authenticated.

Anyone can write `From: nfp.uz@example.org`. A reply that no MTA verdict and no DKIM
signature vouches for changes nothing by itself: it is held, shown in the meeting's status,
and applied only when the secretariat confirms it (or dropped when they discard it). Only
the latest unconfirmed reply of each participant is kept, so holding cannot grow without end.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from domain.common.refusals import Refusal
from domain.directory.models import Code, Email, Frozen, Text
from domain.registration.answers import Actor, Attendance, RsvpCommand

HeldId = Annotated[str, Field(pattern=r"^H[1-9][0-9]{0,8}$", description="H1, H2, ...")]
OutsideText = Annotated[str, Field(max_length=500)]  # as it came: shown escaped, never obeyed


class HoldReplyCommand(Frozen):
    """The inbound endpoint: this reply would answer for `participant_id`, unverified."""

    participant_id: Code
    attendance: Attendance
    sequence: int | None = Field(default=None, ge=0)
    sender: Email = Field(description="the From address, which matches the ATTENDEE")
    envelope_from: OutsideText = Field(description="the SMTP MAIL FROM, as given")
    reason: OutsideText = Field(description="why the sender is not authenticated")
    actor: Actor


class HeldReply(Frozen):
    """One reply awaiting the secretariat's confirmation."""

    id: HeldId
    participant_id: str
    attendance: Attendance
    sequence: int | None
    sender: str
    envelope_from: str
    reason: str
    received_at: datetime


class ConfirmReplyCommand(Frozen):
    """The secretariat vouches for the held reply: apply it as the participant's answer."""

    reply_id: HeldId
    actor: Actor


class DiscardReplyCommand(Frozen):
    reply_id: HeldId
    reason: Text = "discarded by the secretariat"
    actor: Actor


def hold(held: dict[str, HeldReply], command: HoldReplyCommand, number: int, now: datetime
         ) -> HeldReply:  # fmt: skip
    """The held reply `command` makes (id H<number>), replacing the participant's earlier one."""
    for key, earlier in list(held.items()):
        if earlier.participant_id == command.participant_id:
            del held[key]
    reply = HeldReply(
        id=f"H{number}",
        participant_id=command.participant_id,
        attendance=command.attendance,
        sequence=command.sequence,
        sender=command.sender,
        envelope_from=command.envelope_from,
        reason=command.reason,
        received_at=now,
    )
    held[reply.id] = reply
    return reply


def held_problem(held: dict[str, HeldReply], reply_id: str) -> str | None:
    if reply_id not in held:
        if not held:
            return Refusal("held.none", reply=reply_id)
        return Refusal("held.unknown", reply=reply_id, waiting=", ".join(sorted(held)))
    return None


def confirmed_answer(reply: HeldReply, actor: Actor) -> RsvpCommand:
    """The answer a confirmed reply gives: the participant's, vouched for by `actor`."""
    return RsvpCommand(
        participant_id=reply.participant_id,
        attendance=reply.attendance,
        actor=actor,
        sequence=reply.sequence,
    )
