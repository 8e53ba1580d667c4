"""Invitation state per participant, and the pure rules for sending them in batches.

Why batches: one activity per recipient costs about four history events and a third of
the plain SMTP rate; a batch activity with one SMTP connection keeps a 1,000-participant
meeting far below Temporal's 10,240-event warning and close to the plain rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Literal, Self, TypeVar

from pydantic import Field

from domain.common.packing import PackedRows
from domain.directory.models import Frozen
from domain.mail.builder import MailIdentity
from domain.mail.builder import message_id as _message_id
from domain.meeting.definition import MeetingDefinition
from domain.outbox.deferral import MailBatch, ToRecipients

T = TypeVar("T")

MAX_BATCH = 50
MAX_PARALLEL_BATCHES = 4
# Since "fan-out-whole-rounds": larger batches in whole rounds of MAX_PARALLEL_BATCHES. Each
# batch costs an activity, a workflow task and an SMTP session besides its messages; with
# every round full, no connection waits idle for the last batches of a large meeting.
ROUND_BATCH = 200


class InvitationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Invitation(Frozen):
    """Where one participant's invitation stands, as the workflow knows it."""

    participant_id: str
    email: str
    status: InvitationStatus = InvitationStatus.PENDING
    sequence: int = 0
    message_id: str | None = None
    error: str | None = None
    at: datetime | None = None


class DeliveryResult(Frozen):
    """What the send activity reports for one recipient."""

    participant_id: str
    status: InvitationStatus
    message_id: str
    error: str | None = None
    at: datetime


def invitation_key(sequence: int, participant_id: str) -> str:
    """The outbox key of an invitation (REQUEST or CANCEL) of one sequence."""
    return f"s{sequence}:invitation:{participant_id}"


class InvitationBatch(ToRecipients):
    """Input of the send activity: one SMTP connection's worth of recipients."""

    meeting: MeetingDefinition
    sequence: int
    method: Literal["REQUEST", "CANCEL"] = "REQUEST"
    previous: MeetingDefinition | None = Field(
        default=None, description="an update: the definition before it, to say what changed"
    )
    reason: str | None = Field(default=None, description="a cancellation: the reason given")

    def job_key(self, participant_id: str) -> str:
        return invitation_key(self.sequence, participant_id)

    def mail_kind(self) -> str:
        return "invitation"


class BatchResult(Frozen):
    """Each recipient's outcome, in the batch's order."""

    # each batch's outcomes stay in the history: 34 KB for 200, compressed 5 KB
    results: PackedRows[DeliveryResult] = Field(default_factory=list)

    def deferred_keys(self, batch: MailBatch) -> list[str]:
        return put_off(dict(zip(batch.job_keys(), self.results, strict=True)))


class DeliverySummary(Frozen):
    """What a send activity of reminders or notices answers: how many went out and which
    did not. The workflow reads no more, and the result stays in the history: a row per
    recipient came to 0.6 KB per participant of a large meeting (the outbox has them)."""

    results: dict[str, DeliveryResult] = Field(
        default_factory=dict, description="older workers: every outcome, by key"
    )
    sent: int = 0
    pending: int = Field(default=0, description="deferred (4xx): retried on their own")
    failed: dict[str, str] = Field(default_factory=dict, description="key -> the error")
    deferred: list[str] = Field(
        default_factory=list, description="the keys put off (4xx): each is sent again alone"
    )

    @classmethod
    def of(cls, results: dict[str, DeliveryResult]) -> Self:
        statuses = [r.status for r in results.values()]
        return cls(
            sent=statuses.count(InvitationStatus.SENT),
            pending=statuses.count(InvitationStatus.PENDING),
            failed={
                k: r.error or "failed"
                for k, r in results.items()
                if r.status is InvitationStatus.FAILED
            },
            deferred=put_off(results),
        )

    def deferred_keys(self, batch: MailBatch) -> list[str]:
        return self.deferred or put_off(self.results)


def put_off(outcomes: Mapping[str, DeliveryResult]) -> list[str]:
    """The keys of the messages the relay put off (a 4xx for their address: pending with
    the server's words): each is sent again on its own, with backoff, while the rest of its
    batch has gone on. The same rule for every kind of mail (`domain.outbox.deferral`)."""
    return [k for k, r in outcomes.items() if r.status is InvitationStatus.PENDING and r.error]


def message_id(
    meeting: MeetingDefinition,
    sequence: int,
    participant_id: str,
    identity: MailIdentity | None = None,
) -> str:
    """Deterministic Message-ID per (installation, meeting, sequence, recipient): a resend
    keeps it."""
    return _message_id(
        meeting.organiser.email, meeting.id, sequence, participant_id, identity=identity
    )


def batches(
    recipients: list[T],
    max_size: int = MAX_BATCH,
    parallel: int = MAX_PARALLEL_BATCHES,
    whole_rounds: bool = False,
) -> list[list[T]]:
    """Split recipients, in directory order, into even batches of at most `max_size`.

    Small meetings still get `parallel` batches so that several SMTP connections share
    the work; large ones get as many batches of `max_size` as they need, with
    `whole_rounds` a multiple of `parallel` of them (the last round as full as the first).
    """
    if not recipients:
        return []
    count = max(min(parallel, len(recipients)), -(-len(recipients) // max_size))
    if whole_rounds:
        count = min(len(recipients), -(-count // parallel) * parallel)
    per = -(-len(recipients) // count)
    return [recipients[i : i + per] for i in range(0, len(recipients), per)]
