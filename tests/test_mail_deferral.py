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

from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.agenda.items import PublishCommand
from domain.followup.actions import ActionInput, Owner, OwnerKind
from domain.invitations.batches import (
    InvitationStatus,
)
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from domain.reminders.planning import RemindCommand
from starter.client import commands
from tests.action_schedule import action_schedule
from tests.factories import meeting
from tests.harness import advance_to, invited, plan, settings_for
from tests.relay import CertificateAuthority, Relay
from tests.test_action_items import _start
from tests.test_action_rules import _input
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
