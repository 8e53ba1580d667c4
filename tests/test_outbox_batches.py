"""Which messages of a batch are sent again, and which fail into a notice: the pure rules that
the outbox's retries and the failure notices follow (their workflows are in test_mail_deferral
and test_failure_notice)."""

from __future__ import annotations

import pytest

from domain.invitations.batches import (
    BatchResult,
    DeliveryResult,
    InvitationBatch,
    InvitationStatus,
    put_off,
)
from domain.mail.notices import NoticeResult
from domain.mail.reminder import ReminderBatch, ReminderItem, ReminderResult
from domain.meeting.notices import minutes_notice, schedule_request
from domain.outbox.delivery import FailedMessage
from domain.outbox.failures import failed_in, notice_key
from domain.reminders.planning import ReminderKind
from tests.factories import central_asia, meeting

REFUSAL = "550 5.1.1 mailbox unavailable"  # what the relay answers them (tests/relay.py)


def _result(pid: str, status: InvitationStatus, error: str | None = None) -> DeliveryResult:
    return DeliveryResult(participant_id=pid, status=status, message_id="", error=error,
                          at=meeting().start_utc())  # fmt: skip


def test_a_batch_of_any_kind_narrows_to_the_one_message_put_off() -> None:
    m, people = meeting(), central_asia().participants[:3]
    invitations = InvitationBatch(meeting=m, sequence=2, recipients=people)
    reminders = ReminderBatch(meeting=m, sequence=2, items=[
        ReminderItem(key=f"s2:adhoc-1:{p.id}", kind=ReminderKind.CHASER, days_before=0,
                     recipient=p) for p in people])  # fmt: skip
    for batch in (invitations, reminders):
        keys = batch.job_keys()
        outcomes = {
            keys[0]: _result(people[0].id, InvitationStatus.SENT),
            keys[1]: _result(people[1].id, InvitationStatus.PENDING, "451 4.7.1 greylisted"),
            keys[2]: _result(people[2].id, InvitationStatus.FAILED, "550 5.1.1 unavailable"),
        }
        assert put_off(outcomes) == [keys[1]], "only the 4xx is sent again"
        if isinstance(batch, InvitationBatch):
            answer = BatchResult(results=list(outcomes.values())).deferred_keys(batch)
        else:
            summary = ReminderResult.of(outcomes)
            assert (summary.sent, summary.pending, list(summary.failed)) == (1, 1, [keys[2]])
            answer = summary.deferred_keys(batch)
        assert answer == [keys[1]], "what the workflow reads from the activity's answer"
        one = batch.only(keys[1])
        assert one.alone and not batch.alone and one.job_keys() == [keys[1]]
    assert invitations.job_keys()[1] == f"s2:invitation:{people[1].id}"
    assert put_off({"k": _result("x", InvitationStatus.PENDING)}) == [], "not yet tried"
    with pytest.raises(ValueError):  # a result that does not match its batch is refused
        BatchResult(results=[]).deferred_keys(invitations)
    older = ReminderResult(results={"k": _result("x", InvitationStatus.PENDING, "451 later")})
    assert older.deferred_keys(reminders) == ["k"], "an older worker's answer is read too"


def test_every_kind_of_batch_names_its_failures_and_the_notice_never_itself() -> None:
    m, (kz, tj) = meeting(), central_asia().participants[:2]
    minutes = minutes_notice(m, "# Minutes", []).model_copy(update={"recipients": [kz, tj]})
    cycle = schedule_request(m).model_copy(update={"recipients": [kz, tj]})
    reminders = ReminderBatch(meeting=m, sequence=0, items=[
        ReminderItem(key=f"s0:adhoc-1:{p.id}", kind=ReminderKind.CHASER, days_before=0,
                     recipient=p) for p in (kz, tj)])  # fmt: skip
    for batch, kind in ((minutes, "minutes"), (cycle, "cycle"), (reminders, "reminder")):
        sent, failed = batch.job_keys()
        outcomes = {sent: _result(kz.id, InvitationStatus.SENT),
                    failed: _result(tj.id, InvitationStatus.FAILED, REFUSAL)}  # fmt: skip
        expected = [FailedMessage(name=tj.name, email=tj.email, error=REFUSAL, kind=kind,
                                  key=failed)]  # fmt: skip
        assert failed_in(batch, NoticeResult.of(outcomes)) == expected
        assert failed_in(batch, NoticeResult(results=outcomes)) == expected, "older workers"
        assert failed_in(batch, NoticeResult.of({sent: outcomes[sent]})) == []
    told = minutes.model_copy(update={"kind": "delivery-failed"})
    one = {told.job_keys()[0]: _result(kz.id, InvitationStatus.FAILED, REFUSAL)}
    assert failed_in(told, NoticeResult.of(one)) == [], "a failed notice is not told again"
    invitations = InvitationBatch(meeting=m, sequence=0, recipients=[kz])
    assert failed_in(invitations, BatchResult(results=list(one.values()))) == []


def test_each_notice_has_its_own_key_and_invitations_keep_theirs() -> None:
    invitation = FailedMessage(name="A", email="a@example.org", error=REFUSAL)
    chaser = invitation.model_copy(update={"kind": "reminder", "key": "s0:adhoc-1:a"})
    later = chaser.model_copy(update={"key": "s0:adhoc-2:a"})
    assert notice_key(0, [invitation]) == "s0:delivery-failed:a@example.org:1", "as before"
    keys = {notice_key(0, told) for told in ([invitation], [chaser], [later], [invitation, chaser])}
    assert len(keys) == 4, "the same person failing again is told again"
