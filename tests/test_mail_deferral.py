"""Every kind of mail, not only invitations, through the same per-address outcomes: a relay
answering 451 for one address retries that message alone (the rest of its batch, the
command and the workflow go on), a 550 fails its message with an audit row, everyone else
gets it exactly once. The relay is aiosmtpd on 127.0.0.1 (tests/relay.py)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.agenda.items import PublishCommand
from domain.followup.actions import ActionInput, Owner, OwnerKind
from domain.invitations.batches import (
    BatchResult,
    DeliveryResult,
    InvitationBatch,
    InvitationStatus,
    put_off,
)
from domain.mail.reminder import ReminderBatch, ReminderItem, ReminderResult
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from domain.reminders.planning import RemindCommand, ReminderKind
from starter.client import commands
from tests.action_schedule import action_schedule
from tests.factories import central_asia, meeting
from tests.harness import advance_to, invited, plan, settings_for
from tests.relay import CertificateAuthority, Relay
from tests.test_action_items import _input, _start
from worker import build_worker
from workflows.followup.action_item import ActionItemWorkflow

SECRETARIAT = Actor(id="secretariat.ca", channel=Channel.CLI)
SLOW, REFUSED = "nfp.kz@example.org", "deputy.tj@example.org"


def _got(relay: Relay, header: str, value: str | None = None) -> Counter[str]:
    """How many messages carrying `header` (with `value`, if given) each address received."""
    return Counter(
        c.rcpt_tos[0]
        for c in relay.caught
        if header in c.message() and value in (None, c.message()[header])
    )


async def _until(check: Callable[[], bool], timeout: float = 60) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.1)


def _failed(store: Store, meeting_id: str, action: str = ".failed") -> list[str]:
    """The addresses of the audit rows whose action is `action` (by default any failure)."""
    rows = store.audit(meeting_id)
    return [json.loads(a.detail)["email"] for a in rows if a.action.endswith(action)]


async def test_reminders_and_notices_defer_one_address_and_fail_another(
    skipping_env: WorkflowEnvironment, store: Store, tmp_path: Path
) -> None:
    env, m = skipping_env, meeting()
    with Relay(CertificateAuthority(tmp_path), tls="none") as relay:
        settings = settings_for(relay.port, store.url)
        async with build_worker(env.client, settings, store):
            first = await invited(await plan(env.client, m, settings.task_queue))
            everyone = {i.email for i in first.invitations}
            assert first.count(InvitationStatus.SENT) == len(everyone) == 17
            relay.handler.defer = {SLOW}  # type: ignore[attr-defined]  # until told otherwise
            relay.handler.refuse = {REFUSED}

            # the secretariat's chaser answers at once, and the others have theirs
            remind = commands.remind(env.client, store, m.id, RemindCommand(actor=SECRETARIAT))
            ack = await asyncio.wait_for(remind, 30)
            assert ack.chased == 17
            others = everyone - {SLOW, REFUSED}
            await _until(lambda: set(_got(relay, "X-RTM-Reminder")) == others)
            await _until(lambda: _failed(store, m.id, "reminder.failed") == [REFUSED])

            # the agenda to those who accepted: the same for a notice
            for pid in ("kz-nfp", "tj-deputy", "uz-nfp"):
                answer = RsvpCommand(
                    participant_id=pid, attendance=Attendance.ONLINE, actor=SECRETARIAT
                )
                await commands.rsvp(env.client, store, m.id, answer)
            publish = commands.publish_agenda(
                env.client, store, m.id, PublishCommand(actor=SECRETARIAT)
            )
            published = await asyncio.wait_for(publish, 30)
            assert published.recipients == 3
            await _until(
                lambda: set(_got(relay, "X-RTM-Notice", "agenda")) == {"nfp.uz@example.org"}
            )
            await _until(lambda: _failed(store, m.id, "agenda.failed") == [REFUSED])
            assert SLOW not in _got(relay, "X-RTM-Reminder") | _got(relay, "X-RTM-Notice", "agenda")
            put_off = relay.handler.deferred  # type: ignore[attr-defined]
            assert put_off >= 2

            # once the relay takes it, the slow address gets each message once, on a retry
            relay.handler.stop_deferring()  # type: ignore[attr-defined]
            await env.sleep(timedelta(minutes=20))
            await _until(lambda: _got(relay, "X-RTM-Notice", "agenda")[SLOW] == 1)
            await _until(lambda: _got(relay, "X-RTM-Reminder")[SLOW] == 1)
            await env.sleep(timedelta(hours=1))
    reminders, notices = _got(relay, "X-RTM-Reminder"), _got(relay, "X-RTM-Notice", "agenda")
    assert reminders == Counter(everyone - {REFUSED}), "each chaser exactly once"
    assert notices == Counter({"nfp.uz@example.org": 1, SLOW: 1}), "the agenda exactly once"
    assert _failed(store, m.id, "reminder.failed") == [REFUSED]
    assert _failed(store, m.id, "agenda.failed") == [REFUSED]
    assert sorted(_failed(store, m.id)) == [REFUSED, REFUSED], "nobody else failed"
    told = _got(relay, "X-RTM-Notice", "delivery-failed")
    assert told == Counter({m.organiser.email: 2}), "the secretariat: the chaser, the agenda"


@asynccontextmanager
async def action_reminder_due(
    env: WorkflowEnvironment, store: Store, tmp_path: Path, **shape: Any
) -> AsyncIterator[tuple[Relay, ActionInput]]:
    """An action of Kazakhstan (its NFP and deputy own it) whose first reminder has just
    fallen due, on a relay of `shape` (`tests.relay.Relay`'s arguments) and a worker."""
    m, now = meeting(), await env.get_current_time()
    kz = Owner(kind=OwnerKind.COUNTRY, code="KZ", name="Republic of Kazakhstan")
    inp = _input(m, "A1", kz, (now + timedelta(days=12)).date())
    store.record_meeting(m.id, m.region, m.title, "followup", m.model_dump_json())
    with Relay(CertificateAuthority(tmp_path), tls="none", **shape) as relay:
        settings = settings_for(relay.port, store.url)
        async with build_worker(env.client, settings, store):
            handle = await _start(env.client, inp, settings.task_queue)
            opened = await handle.query(ActionItemWorkflow.status)
            (due,) = [
                mo
                for mo in action_schedule(opened, inp.policy, now + timedelta(days=12))
                if mo.key == "due-7"
            ]
            await advance_to(env, due.at + timedelta(minutes=30))
            yield relay, inp


async def test_an_actions_reminder_waits_for_one_owner_alone(
    skipping_env: WorkflowEnvironment, store: Store, tmp_path: Path
) -> None:
    env = skipping_env
    async with action_reminder_due(env, store, tmp_path, defer={SLOW}) as (relay, _):
        await _until(lambda: set(_got(relay, "X-RTM-Action")) == {"deputy.kz@example.org"})
        assert relay.handler.deferred >= 1  # type: ignore[attr-defined]
        relay.handler.stop_deferring()  # type: ignore[attr-defined]
        await env.sleep(timedelta(minutes=20))
        await _until(lambda: _got(relay, "X-RTM-Action")[SLOW] == 1)
        await env.sleep(timedelta(hours=1))
    assert _got(relay, "X-RTM-Action") == Counter({"deputy.kz@example.org": 1, SLOW: 1}), (
        "each owner once"
    )


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
