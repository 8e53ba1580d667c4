"""A database made by the first release of revision 0001, or by `create_all` before there
were migrations, lacks what 0001 gained later (the console's tables, the refusal tally and its
guards, series, ideas, past meetings; columns of region, country and organisation).
`rtm db upgrade` brings it to exactly today's schema, keeping its rows and guards."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import exc, inspect, text
from sqlmodel import SQLModel

from activities.store import Store, schema
from tests.early_schema import make_early
from tests.test_cli_db import empty_url, rtm

pytestmark = pytest.mark.e2e  # runs `rtm db upgrade` as a process
__all__ = ["empty_url"]  # the fixture: a database with no schema, on each backend


def _rows(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO region (code, name, secretariat_city, secretariat_email, zone, "
            "last_rtm_number, reminders, agenda_template) VALUES ('CA', 'Central Asia', "
            "'Tashkent', 's@example.org', 'Asia/Tashkent', 15, '{}', 'null')"))  # fmt: skip
        conn.execute(text("INSERT INTO country (code, name, region) "
                          "VALUES ('KZ', 'Kazakhstan', 'CA')"))  # fmt: skip
        conn.execute(text("INSERT INTO organisation (code, name) VALUES ('ISTC', 'ISTC')"))
        conn.execute(text(
            "INSERT INTO audit_log (at, meeting_id, actor, channel, action, detail) VALUES "
            "('2026-05-01 10:00:00+00:00', 'RTM-CA-15', 'engine', 'workflow', 'phase.planned', "
            "'{}')"))  # fmt: skip


@pytest.mark.parametrize("stamped", [True, False], ids=["early-0001", "before-migrations"])
def test_upgrade_completes_a_database_adopted_at_an_early_0001(
    empty_url: str, stamped: bool
) -> None:
    url = empty_url
    store = Store(url)
    make_early(store.engine, stamped=stamped)
    _rows(store)
    assert "refusal_tally" not in inspect(store.engine).get_table_names()

    done = rtm("db", "upgrade", env={"DATABASE_URL": url})
    assert done.returncode == 0, done.stderr
    assert f"to revision {schema.REVISION}" in done.stdout
    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert differences == [], "exactly today's tables, columns and indexes"
    tables = set(inspect(store.engine).get_table_names())
    assert tables == set(SQLModel.metadata.tables) | {"alembic_version"}

    # the rows are kept, with the value the code gives a column they did not have
    store.check_schema()
    with store.engine.connect() as conn:
        region = conn.execute(text("SELECT code, last_rtm_number, coordination FROM region"))
        assert [tuple(r) for r in region] == [("CA", 15, False)]
        assert conn.execute(text("SELECT calendar FROM country")).scalars().all() == ["{}"]
        assert conn.execute(text("SELECT region FROM organisation")).scalars().all() == [None]
    assert [r.action for r in store.audit("RTM-CA-15")] == ["phase.planned"]

    # the guards hold: the old audit log's and the new tally's
    with pytest.raises(exc.DatabaseError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))
    with store.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO refusal_tally VALUES ('RTM-CA-15', 'link', '2026-05-01 10:00:00+00:00', "
            "3, '2026-05-01 10:00:00+00:00', '2026-05-01 10:00:30+00:00', 'x', 'web', "
            "'link.refused', '{}')"))  # fmt: skip
    with pytest.raises(exc.DatabaseError, match="only grow"), store.engine.begin() as conn:
        conn.execute(text("UPDATE refusal_tally SET count = 1"))

    again = rtm("db", "upgrade", env={"DATABASE_URL": url})
    assert again.returncode == 0, again.stderr
    assert f"schema already at revision {schema.REVISION}" in again.stdout
    store.engine.dispose()


def test_a_column_it_cannot_fill_is_refused_and_nothing_changes(empty_url: str) -> None:
    url = empty_url
    store = Store(url)
    make_early(store.engine)
    _rows(store)
    with store.engine.begin() as conn:  # a NOT NULL column 0001 has, missing under a row
        conn.execute(text("ALTER TABLE region DROP COLUMN reminders"))
    done = rtm("db", "upgrade", env={"DATABASE_URL": url})
    assert done.returncode == 2, done.stderr
    assert "table region lacks column reminders (NOT NULL)" in done.stderr
    assert "Traceback" not in done.stderr
    assert schema.current(store.engine) == "0001", "the upgrade changed nothing"
    found = inspect(store.engine)
    assert "refusal_tally" not in found.get_table_names()
    assert "active" not in {c["name"] for c in found.get_columns("participant")}, "nor 0002"
    store.engine.dispose()
