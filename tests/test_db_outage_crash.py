"""A worker killed while the database does not answer (SQLite held locked, PostgreSQL
refusing connections), in the middle of a fan-out: after a new worker takes over, every
invitation is delivered, nothing is lost, and nobody gets a second copy beyond the one
message in flight on each connection, though the outbox could record nothing since the
database went away: what was sent is in the activities' heartbeat details."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.invitations.batches import InvitationStatus
from starter.devstack.catcher import SmtpCatcher
from tests.factories import meeting
from tests.harness import LINK_KEY, invited, plan, settings_for
from tests.ports import free_port
from tests.test_db_outage import Outage, postgres_behind_proxy, sqlite_to_lock
from tests.test_worker_kill import _worker, copies_beyond_the_first
from worker import build_worker

N = 60


async def _killed_during_outage(
    dev_env: WorkflowEnvironment,
    store: Store,
    outage: Outage,
    recover: Outage,
) -> None:
    """Kill the worker process while the database is away mid fan-out, start another
    (in this process) while it is still away, then let the database answer again."""
    url, queue = store.url, f"rtm-outage-kill-{uuid.uuid4().hex[:8]}"
    loop = asyncio.get_running_loop()
    with SmtpCatcher(port=free_port(), delay=0.05) as catcher:
        env = os.environ | {
            "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
            "DATABASE_URL": url,
            "SMTP_PORT": str(catcher.port),
            "RTM_TASK_QUEUE": queue,
            "RTM_DB_TIMEOUT": "1",
            "RTM_LINK_KEY": LINK_KEY.decode(),  # one installation: the same Message-IDs
        }
        first = _worker(env)
        try:
            handle = await plan(dev_env.client, meeting(organisations=[]), queue)
            deadline = loop.time() + 60
            while len(catcher.caught) < N // 6:
                assert loop.time() < deadline, "the fan-out never started"
                await asyncio.sleep(0.005)
            await outage()  # the database stops answering
            at_lock = len(catcher.caught)
            # mail goes on meanwhile, unrecorded (on a loaded machine, not at once)
            deadline = loop.time() + 30
            while len(catcher.caught) < at_lock + 3 and loop.time() < deadline:
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)
            first.send_signal(signal.SIGKILL)
            first.wait()
            at_kill = len(catcher.caught)
        finally:
            if first.poll() is None:
                first.kill()
        assert at_lock < at_kill < N, "the kill lands mid fan-out, after mail went on unrecorded"

        # the new worker (in this process: it starts at once) while the database is still away
        settings = settings_for(catcher.port, url, queue).model_copy(update={"db_timeout": 1})
        async with build_worker(dev_env.client, settings, store):
            await asyncio.sleep(1.5)
            await recover()
            status = await invited(handle, timeout=120)
        caught = catcher.caught

    assert status.count(InvitationStatus.SENT) == N
    twice = copies_beyond_the_first(caught, N)
    # (through to_thread: the PostgreSQL proxy runs on this event loop)
    recorded = await asyncio.to_thread(store.deliveries, status.id, 0)
    assert len(recorded) == N, "the outbox caught up once the database answered"
    print(f"away at {at_lock}, killed at {at_kill}/{N}; {len(twice)} sent twice")


async def test_a_worker_killed_during_a_database_outage_sends_nothing_twice(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    # the lock waits for a write of the worker in progress, then holds every other writer off
    async with sqlite_to_lock(tmp_path / "rtm.db", N, wait=10) as (store, lock, unlock):
        await _killed_during_outage(dev_env, store, lock, unlock)


@pytest.mark.postgres
async def test_a_worker_killed_while_postgres_refuses_connections_sends_nothing_twice(
    dev_env: WorkflowEnvironment,
) -> None:
    async with postgres_behind_proxy(N) as (store, proxy):
        await _killed_during_outage(dev_env, store, proxy.stop, proxy.start)
