"""`rtm db upgrade` is the only command that runs DDL: it builds the schema, a second run
changes nothing, and every other command against an empty database says to run it (exit 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from activities.store import Store, schema

pytestmark = pytest.mark.e2e  # runs `rtm` or the worker as processes

ROOT = Path(__file__).resolve().parent.parent


def rtm(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "starter.cli.main", *args],
        cwd=ROOT, env=os.environ | env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no schema: a SQLite file not yet made, or an empty PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'rtm.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def test_upgrade_builds_the_schema_and_a_second_run_changes_nothing(empty_url: str) -> None:
    env = {"DATABASE_URL": empty_url}
    first = rtm("db", "upgrade", env=env)
    assert first.returncode == 0, first.stderr
    assert f"schema upgraded from nothing to revision {schema.REVISION}" in first.stdout
    store = Store(empty_url)
    store.check_schema()
    tables = set(inspect(store.engine).get_table_names())
    second = rtm("db", "upgrade", env=env)
    assert second.returncode == 0, second.stderr
    assert f"schema already at revision {schema.REVISION}" in second.stdout
    assert set(inspect(store.engine).get_table_names()) == tables
    store.engine.dispose()


@pytest.mark.parametrize("command", [
    ["directory", "list"],
    ["actions", "list"],
    ["meeting", "plan", "starter/data/example-meeting.yaml"],
    ["worker"],
])  # fmt: skip
def test_other_commands_on_an_empty_database_say_to_upgrade(
    empty_url: str, command: list[str], tmp_path: Path
) -> None:
    done = rtm(*command, env={"DATABASE_URL": empty_url, "TEMPORAL_ADDRESS": "127.0.0.1:1"})
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "run `rtm db upgrade`" in done.stderr
    assert "Traceback" not in done.stderr
    if empty_url.startswith("sqlite"):
        assert not (tmp_path / "var").exists(), "nothing created the SQLite file"
    else:
        store = Store(empty_url)
        assert inspect(store.engine).get_table_names() == [], "no command but upgrade runs DDL"
        store.engine.dispose()
