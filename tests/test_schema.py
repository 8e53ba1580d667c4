"""The schema comes from the migrations only: they build today's tables on SQLite and
PostgreSQL, a second upgrade changes nothing, and a database made before migrations existed
is adopted as the initial revision."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from activities.store import RegionRow, SchemaNotReady, Store, schema

pytestmark = (
    pytest.mark.integration
)  # the migrations, through Alembic, and the databases they build


def test_the_code_needs_the_one_newest_migration() -> None:
    heads = ScriptDirectory.from_config(schema.config()).get_heads()
    assert heads == [schema.REVISION], "one head (merge branches), and REVISION names it"


def test_a_fresh_store_is_at_the_newest_revision(any_store: Store) -> None:
    assert schema.current(any_store.engine) == schema.REVISION
    any_store.check_schema()


def test_upgrade_twice_changes_nothing(any_store: Store) -> None:
    head = schema.REVISION
    any_store.append_audit("RTM-CA-15", "engine", "workflow", "phase.planned", {})
    assert any_store.upgrade_schema() == (head, head)
    assert [r.action for r in any_store.audit("RTM-CA-15")] == ["phase.planned"]


def test_migrations_build_exactly_the_tables_of_the_code(any_store: Store) -> None:
    with any_store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert differences == []
    tables = set(inspect(any_store.engine).get_table_names())
    assert tables == set(SQLModel.metadata.tables) | {"alembic_version"}


def test_an_empty_database_is_refused_with_what_to_run(tmp_path: Path) -> None:
    missing = Store(f"sqlite:///{tmp_path / 'none' / 'rtm.db'}")
    with pytest.raises(SchemaNotReady, match=r"does not exist; run `rtm db upgrade`"):
        missing.check_schema()
    assert not (tmp_path / "none").exists(), "checking never creates the database"
    (tmp_path / "empty.db").touch()
    empty = Store(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(SchemaNotReady, match=r"no schema; run `rtm db upgrade`"):
        empty.check_schema()
    assert inspect(empty.engine).get_table_names() == []


def test_an_older_revision_is_refused_with_what_to_run(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    with pytest.raises(SchemaNotReady, match=r"at revision older, this version needs .*rtm db"):
        store.check_schema()


def test_a_database_made_before_migrations_is_adopted(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    SQLModel.metadata.create_all(store.engine)  # what every command used to run
    with store.session() as s:
        ca = RegionRow(
            code="CA",
            name="Central Asia",
            secretariat_city="Tashkent",
            secretariat_email="secretariat.ca@example.org",
            zone="Asia/Tashkent",
        )
        s.add(ca)
        s.commit()
    with pytest.raises(SchemaNotReady):
        store.check_schema()
    assert store.upgrade_schema() == (None, schema.REVISION)
    store.check_schema()
    assert [r.code for r in store.regions()] == ["CA"]


def test_people_deactivated_before_the_column_stay_deactivated(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    schema.upgrade(store.engine, "0001")
    with store.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO region (code, name, secretariat_city, secretariat_email, zone, "
            "coordination, last_rtm_number, reminders, agenda_template) "
            "VALUES ('CA', 'Central Asia', 'Tashkent', 's@example.org', 'Asia/Tashkent', "
            "false, 0, '{}', 'null')"))  # fmt: skip
        conn.execute(text("INSERT INTO country (code, name, region, calendar) "
                          "VALUES ('KZ', 'Kazakhstan', 'CA', '{}')"))  # fmt: skip
        for pid in ("kz-nfp", "kz-deputy"):
            conn.execute(text(
                "INSERT INTO participant (id, name, email, role, country, language, zone, "
                f"position) VALUES ('{pid}', 'N', '{pid}@example.org', 'nfp', 'KZ', 'en', "
                "'UTC', 0)"))  # fmt: skip
        conn.execute(text("INSERT INTO console_deactivated (participant_id, at, by) "
                          "VALUES ('kz-deputy', '2026-01-01', 'ca-sec-head')"))  # fmt: skip
    assert store.upgrade_schema() == ("0001", schema.REVISION)
    assert store.inactive() == {"kz-deputy"}
    assert "console_deactivated" not in inspect(store.engine).get_table_names()


_OLD_OUTBOX = (  # the outbox of a database adopted as 0001 before it held invitations
    "CREATE TABLE outbox (meeting_id VARCHAR NOT NULL, key VARCHAR NOT NULL, kind VARCHAR "
    "NOT NULL, participant_id VARCHAR NOT NULL, email VARCHAR NOT NULL, message_id VARCHAR "
    "NOT NULL, status VARCHAR NOT NULL, error VARCHAR, at TIMESTAMP WITH TIME ZONE NOT NULL, "
    "PRIMARY KEY (meeting_id, key))"
)
_OLD_INVITATIONS = (
    "CREATE TABLE invitation (meeting_id VARCHAR NOT NULL, sequence INTEGER NOT NULL, "
    "participant_id VARCHAR NOT NULL, email VARCHAR NOT NULL, message_id VARCHAR NOT NULL, "
    "status VARCHAR NOT NULL, error VARCHAR, at TIMESTAMP WITH TIME ZONE NOT NULL, "
    "PRIMARY KEY (meeting_id, sequence, participant_id))"
)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_invitations_sent_before_the_outbox_are_copied_into_it(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 'rtm.db'}"
    if backend == "postgres":
        url = request.getfixturevalue("postgres_url")
    store = Store(url)
    schema.upgrade(store.engine, "0003")
    rows = [  # (sequence, participant, message id, status, error)
        (0, "kz-nfp", "<a@x>", "sent", None),
        (0, "uz-nfp", "<b@x>", "failed", "550 5.1.1 mailbox unavailable"),
        (1, "kz-nfp", "<c@x>", "sent", None),
    ]
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE outbox"))
        conn.execute(text(_OLD_OUTBOX))
        conn.execute(text(_OLD_INVITATIONS))
        conn.execute(text("CREATE INDEX ix_outbox_participant_id ON outbox (participant_id)"))
        for seq, pid, mid, status, error in rows:
            conn.execute(
                text("INSERT INTO invitation VALUES ('M', :s, :p, :e, :m, :st, :err, :at)"),
                {"s": seq, "p": pid, "e": f"{pid}@example.org", "m": mid, "st": status,
                 "err": error, "at": "2026-05-01 10:00:00+00:00"},
            )  # fmt: skip
        conn.execute(text(  # already in the outbox under the same key: it wins
            "INSERT INTO outbox VALUES ('M', 's1:invitation:kz-nfp', 'invitation', 'kz-nfp', "
            "'kz-nfp@example.org', '<d@x>', 'sent', NULL, '2026-05-02 10:00:00+00:00')"
        ))  # fmt: skip

    assert store.upgrade_schema() == ("0003", schema.REVISION)
    store.check_schema()
    first = store.deliveries("M", 0)
    assert {p: (r.status.value, r.message_id, r.error) for p, r in first.items()} == {
        "kz-nfp": ("sent", "<a@x>", None),
        "uz-nfp": ("failed", "<b@x>", "550 5.1.1 mailbox unavailable"),
    }
    assert first["kz-nfp"].at.isoformat().startswith("2026-05-01T10:00:00")
    assert store.outbox("M", ["s1:invitation:kz-nfp"])["s1:invitation:kz-nfp"].message_id == (
        "<d@x>"
    ), "the outbox's own row wins"
    assert "invitation" not in inspect(store.engine).get_table_names()
    assert store.upgrade_schema() == (schema.REVISION, schema.REVISION)
    store.engine.dispose()
