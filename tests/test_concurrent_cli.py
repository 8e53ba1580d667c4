"""Many `rtm` processes at once: 60 parallel `rtm rsvp` calls, each a separate process as
an automation would start them, all recorded, none failing (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.registration.answers import Attendance
from starter.client import commands
from starter.devstack.catcher import SmtpCatcher
from tests.factories import meeting, synthetic_directory
from tests.harness import invited, plan, running_worker

pytestmark = pytest.mark.e2e  # runs `rtm` or the worker as processes

ROOT = Path(__file__).resolve().parent.parent
N = 60
PATIENCE = 500  # seconds per process: sixty start at once on a machine of two cores


async def _rsvp(env: dict[str, str], meeting_id: str, participant: str) -> tuple[int, str]:
    """One `rtm rsvp` process, as an automation would start it."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "starter.cli.main", "rsvp", meeting_id, participant,
        "--attend", "online", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        _, err = await asyncio.wait_for(proc.communicate(), timeout=PATIENCE)
    except TimeoutError:
        proc.kill()
        return -9, f"{participant}: no answer within {PATIENCE} s"
    return proc.returncode or 0, err.decode()


async def test_sixty_parallel_rsvps_are_all_recorded(
    dev_env: WorkflowEnvironment, any_store: Store, catcher: SmtpCatcher
) -> None:
    any_store.load_directory(synthetic_directory(N))
    m = meeting(organisations=[])
    async with running_worker(dev_env.client, any_store, catcher.port) as queue:
        before = await invited(await plan(dev_env.client, m, queue))
        people = [p.participant_id for p in before.participants]
        assert len(people) == N
        env = os.environ | {
            "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
            "DATABASE_URL": any_store.url,
        }
        async with asyncio.timeout(PATIENCE + 60):  # a failure, never a hang
            results = await asyncio.gather(*(_rsvp(env, m.id, p) for p in people))
        failed = [(p, code, err) for p, (code, err) in zip(people, results, strict=True) if code]
        assert failed == []
        assert all(err == "" for _, err in results)
        async with asyncio.timeout(60):
            status = await commands.full_status(dev_env.client, m.id)
    assert {p.participant_id: p.attendance for p in status.participants} == dict.fromkeys(
        people, Attendance.ONLINE
    )
    audited = [json.loads(a.detail) for a in any_store.audit(m.id) if a.action == "rsvp"]
    assert sorted((a["participant_id"], a["attendance"]) for a in audited) == [
        (p, "online") for p in sorted(people)
    ]
