"""Mail of every kind that will not go out, as the secretariat's "delivery failed" notice
names it: who, what kind of message, and the relay's answer.

Why here: invitations are tracked one by one in the meeting's state
(`domain.outbox.tracking.failures`), but reminders, notices and action mail come back as a
summary by outbox key; this turns such a summary into the same `FailedMessage`s, so one
notice tells them all, each once.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.invitations.batches import DeliverySummary, InvitationStatus
from domain.outbox.deferral import MailBatch
from domain.outbox.delivery import FailedMessage

NOTICE = "delivery-failed"  # its own failure is audited, never told again (it would loop)


def failed_in(batch: MailBatch, result: object) -> list[FailedMessage]:
    """The messages of `batch` that failed for good, by its send activity's `result`
    (invitations answer per recipient and are told by the meeting itself: none here)."""
    if not isinstance(result, DeliverySummary) or batch.mail_kind() == NOTICE:
        return []
    failed = result.failed or {
        k: r.error or "failed"
        for k, r in result.results.items()
        if r.status is InvitationStatus.FAILED
    }
    to, kind = batch.addressees(), batch.mail_kind()
    return [
        FailedMessage(name=to[k].name, email=to[k].email, error=error, kind=kind, key=k)
        for k, error in failed.items()
        if k in to
    ]


def notice_key(sequence: int, told: Sequence[FailedMessage]) -> str:
    """The outbox key of the notice telling `told`: unique for each notice, since each
    failed message is told once (invitations alone keep the key they always had)."""
    other = next((f for f in told if f.kind != "invitation"), None)
    if other is None:
        return f"s{sequence}:{NOTICE}:{told[0].email}:{len(told)}"
    return f"s{sequence}:{NOTICE}:{other.key}:{len(told)}"
