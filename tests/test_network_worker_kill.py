"""Two workers share the task queue of a small network (two regions' RTMs) on the
time-skipping server: a worker process that has begun the invitations, and one in this
process that joins it; the first is killed (SIGKILL) in the middle of the invitations
(on SQLite and on PostgreSQL).
Every invitee is invited, every planned reminder arrives once, nothing arrives under a second
Message-ID, and the outbox and the relay agree. What the dead worker's connections had got
accepted but not yet recorded arrives a second time, as the same message (same Message-ID)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.meeting.definition import MeetingDefinition
from starter.cli.inputs import read_directory
from starter.data import NETWORK
from starter.devstack.catcher import SmtpCatcher
from tests.factories import meeting
from tests.harness import LINK_KEY, advance_to, invited, plan, settings_for
from tests.mail_ledger import balance, ledger
from tests.ports import free_port
from tests.test_cli_db import empty_url
from worker import build_worker

pytestmark = pytest.mark.e2e  # runs the worker as processes

ROOT = Path(__file__).resolve().parent.parent
__all__ = ["empty_url"]  # the fixture: an empty database on each backend
REGIONS = {"ME": ["IQ", "JO", "LB"], "GCC": ["AE", "BH", "KW", "OM", "QA", "SA"]}


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(ROOT / "worker.py")], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def _rtm(region: str, start: datetime) -> MeetingDefinition:
    local = start.replace(tzinfo=None, hour=9, minute=0, second=0, microsecond=0)
    return meeting(
        region=region, number=30, format="online", zone="Asia/Dubai", venue=None,
        title=f"30th Round-Table Meeting of National Focal Points ({region})",
        start=local.isoformat(), end=(local + timedelta(hours=6)).isoformat(),
        countries=REGIONS[region], organisations=[f"SEC-{region}"],
    )  # fmt: skip


async def test_a_worker_killed_mid_fan_out_loses_nothing_and_sends_nothing_twice(
    skipping_env: WorkflowEnvironment, tmp_path: Path, empty_url: str
) -> None:
    env = skipping_env
    url = empty_url  # SQLite, then PostgreSQL
    store = Store(url)
    store.upgrade_schema()
    queue = f"rtm-kill-{uuid.uuid4().hex[:8]}"
    with SmtpCatcher(port=free_port(), delay=0.2) as catcher:
        worker_env = os.environ | {
            "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
            "DATABASE_URL": url, "SMTP_PORT": str(catcher.port), "RTM_TASK_QUEUE": queue,
            "RTM_LINK_KEY": LINK_KEY.decode(), "RTM_VAR_DIR": str(tmp_path / "var"),
            "RTM_PUBLIC_URL": "http://127.0.0.1:8000",  # as settings_for gives the other worker
            "RTM_WORKFLOW_CACHE": "0",  # the test server never moves a dead worker's sticky tasks
        }  # fmt: skip
        victim = _worker(worker_env)  # it starts while the data loads and the other is built
        store.load_directory(read_directory(NETWORK))
        other = build_worker(env.client, settings_for(catcher.port, url, queue), store)
        now = await env.get_current_time()
        rtms = [_rtm(region, now + timedelta(days=9 + i)) for i, region in enumerate(REGIONS)]
        try:
            handles = [await plan(env.client, m, queue) for m in rtms]
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 60
            while not catcher.caught:  # the process alone: the fan-out is its
                assert loop.time() < deadline and victim.poll() is None, "the fan-out never began"
                await asyncio.sleep(0.02)
            # the second worker joins the queue (here, in this process), then the first dies
            async with other:
                while len(catcher.caught) < 3:
                    await asyncio.sleep(0.02)
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                at_kill = len(catcher.caught)
                catcher.handler.delay = 0.0
                statuses = [await invited(h, timeout=120) for h in handles]
                pairs = zip(rtms, statuses, strict=True)
                planned = {(m.id, r.key) for m, s in pairs for r in s.reminders}
                assert all(s.reminders_total == len(s.reminders) for s in statuses)
                await advance_to(env, max(m.end_utc() for m in rtms) + timedelta(hours=1))
        finally:
            if victim.poll() is None:
                victim.kill()
                victim.wait(timeout=30)
        book = ledger(catcher.caught)

    invitees = sum(s.summary.participants for s in statuses)
    assert at_kill < invitees, "the kill has to land in the middle of the invitations"
    for m in rtms:
        chosen, _ = store.resolve_participants([], m.countries, m.organisations)
        expected = {p.email for p in chosen}
        assert book.to(m.id, "invitation") == expected, "every invitee invited"
    reminders = [k for k in book.received if k[2].startswith("reminder:")]
    reminded = {(m, moment) for (m, _, _, moment) in reminders}
    assert planned and reminded == planned, "every planned reminder arrived, nothing else"
    assert not book.twice(), f"sent twice under two Message-IDs: {book.twice()}"
    resent = book.resent()  # accepted by the relay, not yet recorded when the worker died
    assert {k[2] for k in resent} <= {"invitation"} and set(resent.values()) <= {1}, resent
    outbox = balance(book, store)
    assert outbox.even, f"outbox and relay disagree: {outbox}"
