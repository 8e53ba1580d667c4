"""A real kill of the worker process in the middle of a 200-participant fan-out, on SQLite
and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections import defaultdict
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.invitations.batches import MAX_PARALLEL_BATCHES, InvitationStatus
from starter.devstack.catcher import Caught, SmtpCatcher
from tests.factories import meeting, synthetic_directory
from tests.harness import invited, plan
from tests.ports import free_port
from tests.test_cli_db import empty_url

pytestmark = pytest.mark.e2e  # runs `rtm` or the worker as processes

ROOT = Path(__file__).resolve().parent.parent
N = 200
__all__ = ["copies_beyond_the_first", "empty_url"]  # empty_url: the fixture, on each backend


def copies_beyond_the_first(caught: list[Caught], n: int) -> dict[str, list[str]]:
    """The recipients that got a second copy, checked against what a crash may cost: each of
    the `n` got the invitation, none got three, at most one per open connection was sent
    twice, and a second copy keeps its Message-ID."""
    copies: dict[str, list[str]] = defaultdict(list)
    for c in caught:
        copies[c.rcpt_tos[0]].append(c.message_id)
    assert len(copies) == n, "every participant received the invitation"
    twice = {rcpt: ids for rcpt, ids in copies.items() if len(ids) > 1}
    assert len(caught) - n == len(twice), "no participant got three copies"
    assert len(twice) <= MAX_PARALLEL_BATCHES, f"at most one per open connection: {twice}"
    for ids in twice.values():
        assert len(set(ids)) == 1, "a resent copy carries the same Message-ID"
    return twice


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "worker.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def test_killed_worker_resumes_and_duplicates_only_in_flight_messages(
    dev_env: WorkflowEnvironment, empty_url: str
) -> None:
    url = empty_url  # SQLite, then PostgreSQL
    store = Store(url)
    store.upgrade_schema()
    store.load_directory(synthetic_directory(N))
    queue = f"rtm-kill-{uuid.uuid4().hex[:8]}"
    with SmtpCatcher(port=free_port(), delay=0.02) as catcher:
        env = os.environ | {
            "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
            "DATABASE_URL": url,
            "SMTP_PORT": str(catcher.port),
            "RTM_TASK_QUEUE": queue,
        }
        first = _worker(env)
        try:
            handle = await plan(dev_env.client, meeting(organisations=[]), queue)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 60
            while len(catcher.caught) < N // 4:
                assert loop.time() < deadline, "the fan-out never started"
                await asyncio.sleep(0.005)
            first.send_signal(signal.SIGKILL)
            first.wait()
            at_kill = len(catcher.caught)
        finally:
            if first.poll() is None:
                first.kill()
        assert at_kill < N, "the kill has to land in the middle of the fan-out"

        second = _worker(env)
        try:
            status = await invited(handle, timeout=120)
        finally:
            second.terminate()
            second.wait(timeout=30)
        caught = catcher.caught

    assert status.count(InvitationStatus.SENT) == N
    duplicates = copies_beyond_the_first(caught, N)
    print(f"killed at {at_kill}/{N} messages; {len(duplicates)} duplicate(s)")
