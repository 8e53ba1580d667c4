"""The schema of a database made by the first release of revision 0001 (before the console,
the refusal tally, series, ideas and reports were added to it): ten tables, the audit log's
guards, stamped 0001. Written out here as that release made it, so a test can upgrade it."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from activities.store import schema

TZ = sa.DateTime(timezone=True)


def _str(name: str, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _metadata() -> sa.MetaData:
    meta = sa.MetaData()
    sa.Table(
        "action_item",
        meta,
        _str("meeting_id"),
        _str("action_id"),
        _str("region"),
        sa.Column("number", sa.Integer()),
        _str("meeting_title"),
        _str("what"),
        _str("owner_kind"),
        _str("owner_code"),
        _str("owner_name", True),
        _str("owner_country", True),
        sa.Column("due", sa.Date(), nullable=False),
        _str("zone"),
        sa.Column("opened_at", TZ),
        _str("status"),
        sa.Column("done_at", TZ),
        _str("done_by", True),
        _str("done_via", True),
        _str("note", True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("meeting_id", "action_id"),
        sa.Index("ix_action_item_number", "number"),
        sa.Index("ix_action_item_owner_country", "owner_country"),
        sa.Index("ix_action_item_region", "region"),
        sa.Index("ix_action_item_status", "status"),
    )
    sa.Table(
        "audit_log",
        meta,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", TZ, nullable=False),
        _str("meeting_id", True),
        _str("actor"),
        _str("channel"),
        _str("action"),
        _str("detail"),
        sa.Index("ix_audit_log_at", "at"),
        sa.Index("ix_audit_log_meeting_id", "meeting_id"),
    )
    sa.Table(
        "invitation",
        meta,
        _str("meeting_id"),
        sa.Column("sequence", sa.Integer(), nullable=False),
        _str("participant_id"),
        _str("email"),
        _str("message_id"),
        _str("status"),
        _str("error", True),
        sa.Column("at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("meeting_id", "sequence", "participant_id"),
    )
    sa.Table(
        "meeting",
        meta,
        _str("id"),
        _str("region"),
        _str("title"),
        _str("phase"),
        _str("definition"),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_meeting_region", "region"),
    )
    sa.Table("organisation", meta, _str("code"), _str("name"), sa.PrimaryKeyConstraint("code"))
    sa.Table(
        "outbox",
        meta,
        _str("meeting_id"),
        _str("key"),
        _str("kind"),
        _str("participant_id"),
        _str("email"),
        _str("message_id"),
        _str("status"),
        _str("error", True),
        sa.Column("at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("meeting_id", "key"),
    )
    sa.Table(
        "region",
        meta,
        _str("code"),
        _str("name"),
        _str("secretariat_city"),
        _str("secretariat_email"),
        _str("zone"),
        sa.Column("last_rtm_number", sa.Integer(), nullable=False),
        _str("reminders"),
        _str("agenda_template"),
        sa.PrimaryKeyConstraint("code"),
    )
    sa.Table(
        "rtm_allocation",
        meta,
        _str("key"),
        _str("region"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("key"),
        sa.Index("ix_rtm_allocation_region", "region"),
    )
    sa.Table(
        "country",
        meta,
        _str("code"),
        _str("name"),
        _str("region"),
        sa.ForeignKeyConstraint(["region"], ["region.code"]),
        sa.PrimaryKeyConstraint("code"),
        sa.Index("ix_country_region", "region"),
    )
    sa.Table(
        "participant",
        meta,
        _str("id"),
        _str("name"),
        _str("email"),
        _str("role"),
        _str("country", True),
        _str("organisation", True),
        _str("language"),
        _str("zone"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["country"], ["country.code"]),
        sa.ForeignKeyConstraint(["organisation"], ["organisation.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_participant_country", "country"),
        sa.Index("ix_participant_email", "email"),
        sa.Index("ix_participant_organisation", "organisation"),
    )
    return meta


def _audit_guards(sqlite: bool) -> list[str]:
    """The first release's guards: the audit log's only (today's 0001 has the tally's too)."""
    initial = ScriptDirectory.from_config(schema.config()).get_revision("0001")
    assert initial is not None and initial.module is not None
    guards: tuple[str, ...] = (
        initial.module._SQLITE_GUARDS if sqlite else initial.module._POSTGRES_GUARDS
    )
    return [g for g in guards if "refusal_tally" not in g]


def make_early(engine: Engine, stamped: bool = True) -> None:
    """The first 0001's schema in `engine`'s empty database; `stamped=False`: as `create_all`
    made it before there were migrations (no version row: `rtm db upgrade` adopts it)."""
    sqlite = engine.dialect.name == "sqlite"
    if sqlite and engine.url.database:
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    _metadata().create_all(engine)
    with engine.begin() as conn:
        for statement in _audit_guards(sqlite):
            conn.execute(sa.text(statement))
        if stamped:
            conn.execute(
                sa.text(
                    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
                )
            )
            conn.execute(sa.text("INSERT INTO alembic_version VALUES ('0001')"))
