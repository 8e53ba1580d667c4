"""The audit log is append-only: no code path updates or deletes it, and the database
itself refuses any UPDATE, DELETE or TRUNCATE of its rows (SQLite and PostgreSQL)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

import activities.store
from activities.store import AuditRow, Store


def _rows(store: Store) -> list[tuple[int | None, str, str]]:
    return [(r.id, r.action, r.detail) for r in store.audit("RTM-CA-15")]


@pytest.mark.integration  # it reads the store's modules, which load SQLAlchemy
def test_no_code_path_updates_or_deletes_audit_rows() -> None:
    modules = [
        importlib.import_module(f"activities.store.{m.name}")
        for m in pkgutil.iter_modules(activities.store.__path__)
    ]
    assert len(modules) > 3
    source = "\n".join(inspect.getsource(m) for m in [activities.store, *modules])
    assert not re.search(r"(update|delete)\(\s*AuditRow", source)
    assert not re.search(r"audit_log\s+(SET|WHERE)", source.replace("\n", " "), re.I)
    assert [n for n in dir(Store) if "audit" in n and not n.startswith("_")] == [
        "append_audit",
        "audit",
    ]


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET action = 'forged' WHERE meeting_id = 'RTM-CA-15'",
    "DELETE FROM audit_log WHERE meeting_id = 'RTM-CA-15'",
])  # fmt: skip
def test_the_database_refuses_to_alter_earlier_rows(any_store: Store, statement: str) -> None:
    any_store.append_audit("RTM-CA-15", "secretariat.ca", "cli", "rsvp", {"participant": "kz-nfp"})
    any_store.append_audit("RTM-CA-15", "kz-nfp", "link", "rsvp", {"attendance": "online"})
    before = _rows(any_store)
    with pytest.raises(DBAPIError, match="append-only"), any_store.engine.begin() as conn:
        conn.execute(text(statement))
    assert _rows(any_store) == before
    any_store.append_audit("RTM-CA-15", "engine", "workflow", "phase.held", {})
    after = _rows(any_store)
    assert after[:2] == before and after[2][1] == "phase.held"
    with any_store.session() as s:
        assert s.get(AuditRow, before[0][0]) is not None


def test_postgres_refuses_truncate(postgres_store: Store) -> None:
    postgres_store.append_audit("RTM-CA-15", "engine", "workflow", "phase.scheduled", {})
    with pytest.raises(DBAPIError, match="append-only"), postgres_store.engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_log"))
    assert len(_rows(postgres_store)) == 1
