"""A worker killed while the database does not answer (SQLite held locked), in the middle of
a fan-out: after a new worker takes over, every invitation is delivered, nothing is lost,
and nobody gets a second copy beyond the one message in flight on each connection, though
the outbox could record nothing since the lock began: what was sent is in the activities'
heartbeat details."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import uuid
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.invitations.batches import InvitationStatus
from starter.devstack.catcher import SmtpCatcher
from tests.factories import meeting, synthetic_directory
from tests.harness import invited, plan, settings_for
from tests.ports import free_port
from tests.test_worker_kill import _worker, copies_beyond_the_first
from worker import build_worker

N = 60


async def test_a_worker_killed_during_a_database_outage_sends_nothing_twice(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    path = tmp_path / "rtm.db"
    url = f"sqlite:///{path}"
    store = Store(url)
    store.upgrade_schema()
    store.load_directory(synthetic_directory(N))
    queue = f"rtm-outage-kill-{uuid.uuid4().hex[:8]}"
    # waits for a write of the worker in progress, then holds every other writer off
    holder = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    loop = asyncio.get_running_loop()
    with SmtpCatcher(port=free_port(), delay=0.05) as catcher:
        env = os.environ | {
            "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
            "DATABASE_URL": url,
            "SMTP_PORT": str(catcher.port),
            "RTM_TASK_QUEUE": queue,
            "RTM_DB_TIMEOUT": "1",
        }
        first = _worker(env)
        try:
            handle = await plan(dev_env.client, meeting(organisations=[]), queue)
            deadline = loop.time() + 60
            while len(catcher.caught) < N // 6:
                assert loop.time() < deadline, "the fan-out never started"
                await asyncio.sleep(0.005)
            holder.execute("BEGIN EXCLUSIVE")  # the database stops answering
            at_lock = len(catcher.caught)
            await asyncio.sleep(2)  # mail goes on meanwhile, unrecorded
            first.send_signal(signal.SIGKILL)
            first.wait()
            at_kill = len(catcher.caught)
        finally:
            if first.poll() is None:
                first.kill()
        assert at_lock < at_kill < N, "the kill lands mid fan-out, after mail went on unrecorded"

        # the new worker (in this process: it starts at once) while the database is still away
        settings = settings_for(catcher.port, url, queue).model_copy(update={"db_timeout": 1})
        try:
            async with build_worker(dev_env.client, settings, Store(url)):
                await asyncio.sleep(1.5)
                holder.execute("ROLLBACK")
                status = await invited(handle, timeout=120)
        finally:
            holder.close()
        caught = catcher.caught

    assert status.count(InvitationStatus.SENT) == N
    twice = copies_beyond_the_first(caught, N)
    recorded = store.deliveries(status.id, 0)
    assert len(recorded) == N, "the outbox caught up once the database answered"
    print(f"locked at {at_lock}, killed at {at_kill}/{N}; {len(twice)} sent twice")
