"""A database that stops answering in the middle of a 400-invitation fan-out.

SQLite held locked, and PostgreSQL refusing connections (a proxy the test stops), each for
longer than the send activity's retry interval: every invitation is delivered, no recipient
gets a second copy (nothing crashed, so nothing was in flight twice), and the outbox catches
up once the database answers.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.invitations.batches import MAX_PARALLEL_BATCHES, InvitationStatus
from domain.meeting.status import StatusPage
from starter.devstack.catcher import SmtpCatcher
from tests.conftest import POSTGRES_URL, _postgres_reason
from tests.factories import meeting, synthetic_directory
from tests.harness import invited, plan, settings_for
from tests.ports import free_port
from tests.tcp_proxy import TcpProxy
from worker import build_worker
from workflows.meeting.workflow import MeetingWorkflow

N = 400
OUTAGE = 32.0  # seconds: past the activity's retry interval and the old 30 s SQLite wait


async def _fan_out_through_outage(
    env: WorkflowEnvironment,
    store: Store,
    outage: Callable[[], Awaitable[None]],
    recover: Callable[[], Awaitable[None]],
) -> None:
    with SmtpCatcher(port=free_port(), delay=0.01) as catcher:
        settings = settings_for(catcher.port, store.url)
        async with build_worker(env.client, settings, store):
            handle = await plan(env.client, meeting(organisations=[]), settings.task_queue)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 60
            while len(catcher.caught) < N // 4:
                assert loop.time() < deadline, "the fan-out never started"
                await asyncio.sleep(0.005)
            await outage()
            at_outage = len(catcher.caught)
            try:
                await asyncio.sleep(OUTAGE)
                during = len(catcher.caught)
                # the status shows what went out although no batch could finish meanwhile
                live = await handle.query(MeetingWorkflow.status, StatusPage(limit=0))
            finally:
                await recover()
            status = await invited(handle, timeout=180)
        caught = catcher.caught

    assert at_outage < N, "the outage has to begin in the middle of the fan-out"
    assert during > at_outage, f"mail went on while the database was away ({during}/{N})"
    sent_live = live.summary.invitations.get(InvitationStatus.SENT.value, 0)
    # while the outbox cannot record, each connection sends a message at a time and reports
    # it at once: the status may miss only the one whose report is still on its way
    lag = MAX_PARALLEL_BATCHES
    assert sent_live >= during - lag, f"status behind the facts: {sent_live} sent of {during}"
    assert status.count(InvitationStatus.SENT) == N
    copies = Counter(c.rcpt_tos[0] for c in caught)
    assert len(copies) == N, "every participant received the invitation"
    extra = {rcpt: n for rcpt, n in copies.items() if n > 1}
    assert extra == {}, f"{sum(extra.values()) - len(extra)} extra copies: {extra}"
    # (through to_thread: the PostgreSQL proxy runs on this event loop)
    recorded = await asyncio.to_thread(store.deliveries, status.id, 0)
    assert len(recorded) == N and {r.status for r in recorded.values()} == {InvitationStatus.SENT}
    audit = await asyncio.to_thread(store.audit, status.id)
    sent_rows = [a for a in audit if a.action == "invitation.sent"]
    assert len(sent_rows) == N, "one audit row per message, none written twice"


Outage = Callable[[], Awaitable[None]]


@asynccontextmanager
async def sqlite_to_lock(
    path: Path, participants: int, wait: float = 0
) -> AsyncIterator[tuple[Store, Outage, Outage]]:
    """A SQLite store at `path` holding a directory of `participants`, with how to lock it
    (a writer that takes it exclusively, waiting up to `wait` s for a write in progress)
    and how to unlock it."""
    store = Store(f"sqlite:///{path}")
    store.upgrade_schema()
    store.load_directory(synthetic_directory(participants))
    holder = sqlite3.connect(path, timeout=wait, isolation_level=None, check_same_thread=False)

    async def lock() -> None:
        holder.execute("BEGIN EXCLUSIVE")

    async def unlock() -> None:
        holder.execute("ROLLBACK")

    try:
        yield store, lock, unlock
    finally:
        holder.close()


async def test_sqlite_locked_mid_fan_out_sends_no_copy(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    # the lock waits for a write in progress (without it, BEGIN EXCLUSIVE may meet one)
    async with sqlite_to_lock(tmp_path / "rtm.db", N, wait=10) as (store, lock, unlock):
        await _fan_out_through_outage(dev_env, store, lock, unlock)


@asynccontextmanager
async def postgres_behind_proxy(participants: int) -> AsyncIterator[tuple[Store, TcpProxy]]:
    """A fresh schema of the PostgreSQL test database holding a directory of `participants`,
    reached through a TcpProxy; the store's URL names the schema (for a worker process)."""
    reason = _postgres_reason()
    if reason:
        pytest.skip(reason)
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    schema = f"rtm_outage_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    proxied = url.set(host="127.0.0.1", port=proxy.port)
    engine = create_engine(
        proxied,
        pool_pre_ping=True,
        pool_timeout=5,
        connect_args={
            "connect_timeout": 5,
            "options": f"-csearch_path={schema} -c statement_timeout=5000",
        },
    )
    named = proxied.update_query_dict({"options": f"-csearch_path={schema}"})
    store = Store(named.render_as_string(hide_password=False), engine=engine)
    await asyncio.to_thread(store.upgrade_schema)  # the proxy runs on this event loop
    await asyncio.to_thread(store.load_directory, synthetic_directory(participants))
    try:
        yield store, proxy
    finally:
        await proxy.stop()
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
async def proxied_postgres() -> AsyncIterator[tuple[Store, TcpProxy]]:
    async with postgres_behind_proxy(N) as found:
        yield found


@pytest.mark.postgres
async def test_postgres_refusing_connections_mid_fan_out_sends_no_copy(
    dev_env: WorkflowEnvironment, proxied_postgres: tuple[Store, TcpProxy]
) -> None:
    store, proxy = proxied_postgres
    await _fan_out_through_outage(dev_env, store, proxy.stop, proxy.start)
