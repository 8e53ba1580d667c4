"""How the meeting keeps its invitations in step with what the send activities report, and
what the secretariat's `resend` may send again.

Why pure: the workflow applies these rules to every batch result and progress signal, and a
resend must be decided the same way on every replay.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import Field

from domain.common.base import Frozen
from domain.common.refusals import Refusal
from domain.directory.models import Participant
from domain.invitations.batches import DeliveryResult, Invitation, InvitationStatus
from domain.outbox.delivery import FailedMessage
from domain.registration.answers import Actor


def applied(current: Invitation, result: DeliveryResult, sequence: int) -> Invitation | None:
    """The invitation after `result`, or None when it changes nothing: a report for another
    sequence, or one that arrives after the invitation's outcome is final."""
    if current.sequence != sequence or current.status is not InvitationStatus.PENDING:
        return None
    update = {"status": result.status, "error": result.error, "at": result.at}
    if result.message_id:
        update["message_id"] = result.message_id
    changed = current.model_copy(update=update)
    return None if changed == current else changed


def failures(
    results: Iterable[DeliveryResult], invitees: Mapping[str, Participant]
) -> list[FailedMessage]:
    """The failed messages among `results`, as the secretariat's notice names them."""
    return [
        FailedMessage(
            name=invitees[r.participant_id].name,
            email=invitees[r.participant_id].email,
            error=r.error or "",
        )
        for r in results
        if r.status is InvitationStatus.FAILED and r.participant_id in invitees
    ]


class ResendCommand(Frozen):
    """`rtm meeting resend ID [--failed] [--participant P]`: the current invitation (same
    sequence, same Message-ID) again, to whoever it failed for, or to one participant."""

    actor: Actor
    participant: str | None = Field(default=None, description="only this participant")
    failed_only: bool = Field(default=True, description="only messages that failed")


def resend_targets(command: ResendCommand, invitations: Mapping[str, Invitation]) -> list[str]:
    """Who gets the invitation again."""
    chosen = [command.participant] if command.participant else list(invitations)
    return [
        pid
        for pid in chosen
        if pid in invitations
        and (not command.failed_only or invitations[pid].status is InvitationStatus.FAILED)
    ]


def resend_problem(
    command: ResendCommand, invitations: Mapping[str, Invitation], closed: bool
) -> str | None:
    """Why the resend is refused, or None."""
    if closed:
        return Refusal("resend.closed")
    if command.participant is not None and command.participant not in invitations:
        return Refusal("resend.not_invited", field="participant", participant=command.participant)
    if not resend_targets(command, invitations):
        if command.participant:
            return Refusal("resend.not_failed", participant=command.participant)
        return Refusal("resend.none_failed")
    return None
