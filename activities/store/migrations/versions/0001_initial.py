"""Initial schema: directory, meetings, deliveries, action items, the append-only audit log.

The audit log refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) in the database itself,
whoever issues them.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_SQLITE_APPEND_ONLY = (
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
)
_POSTGRES_APPEND_ONLY = (
    """CREATE FUNCTION rtm_audit_log_append_only() RETURNS trigger
       LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$""",
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION rtm_audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION rtm_audit_log_append_only()""",
)


def _append_only_audit_log() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _SQLITE_APPEND_ONLY if sqlite else _POSTGRES_APPEND_ONLY:
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "action_item",
        sa.Column("meeting_id", sa.String(), nullable=False),
        sa.Column("action_id", sa.String(), nullable=False),
        sa.Column("region", sa.String(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("meeting_title", sa.String(), nullable=False),
        sa.Column("what", sa.String(), nullable=False),
        sa.Column("owner_kind", sa.String(), nullable=False),
        sa.Column("owner_code", sa.String(), nullable=False),
        sa.Column("owner_name", sa.String(), nullable=True),
        sa.Column("owner_country", sa.String(), nullable=True),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("zone", sa.String(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(), nullable=True),
        sa.Column("done_via", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("meeting_id", "action_id"),
    )
    op.create_index("ix_action_item_number", "action_item", ["number"])
    op.create_index("ix_action_item_owner_country", "action_item", ["owner_country"])
    op.create_index("ix_action_item_region", "action_item", ["region"])
    op.create_index("ix_action_item_status", "action_item", ["status"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("meeting_id", sa.String(), nullable=True),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("detail", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_meeting_id", "audit_log", ["meeting_id"])
    _append_only_audit_log()

    op.create_table(
        "invitation",
        sa.Column("meeting_id", sa.String(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("meeting_id", "sequence", "participant_id"),
    )
    op.create_table(
        "meeting",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("region", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("phase", sa.String(), nullable=False),
        sa.Column("definition", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_meeting_region", "meeting", ["region"])

    op.create_table(
        "organisation",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "outbox",
        sa.Column("meeting_id", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("participant_id", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("meeting_id", "key"),
    )
    op.create_table(
        "region",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("secretariat_city", sa.String(), nullable=False),
        sa.Column("secretariat_email", sa.String(), nullable=False),
        sa.Column("zone", sa.String(), nullable=False),
        sa.Column("last_rtm_number", sa.Integer(), nullable=False),
        sa.Column("reminders", sa.String(), nullable=False),
        sa.Column("agenda_template", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "rtm_allocation",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("region", sa.String(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_rtm_allocation_region", "rtm_allocation", ["region"])

    op.create_table(
        "country",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("region", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region"],
            ["region.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_country_region", "country", ["region"])

    op.create_table(
        "participant",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("country", sa.String(), nullable=True),
        sa.Column("organisation", sa.String(), nullable=True),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("zone", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["country"],
            ["country.code"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation"],
            ["organisation.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_participant_country", "participant", ["country"])
    op.create_index("ix_participant_email", "participant", ["email"])
    op.create_index("ix_participant_organisation", "participant", ["organisation"])


def downgrade() -> None:
    op.drop_index("ix_participant_organisation", table_name="participant")
    op.drop_index("ix_participant_email", table_name="participant")
    op.drop_index("ix_participant_country", table_name="participant")

    op.drop_table("participant")
    op.drop_index("ix_country_region", table_name="country")

    op.drop_table("country")
    op.drop_index("ix_rtm_allocation_region", table_name="rtm_allocation")

    op.drop_table("rtm_allocation")
    op.drop_table("region")
    op.drop_table("outbox")
    op.drop_table("organisation")
    op.drop_index("ix_meeting_region", table_name="meeting")

    op.drop_table("meeting")
    op.drop_table("invitation")
    op.drop_index("ix_audit_log_meeting_id", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")

    op.drop_table("audit_log")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION rtm_audit_log_append_only()")
    op.drop_index("ix_action_item_status", table_name="action_item")
    op.drop_index("ix_action_item_region", table_name="action_item")
    op.drop_index("ix_action_item_owner_country", table_name="action_item")
    op.drop_index("ix_action_item_number", table_name="action_item")

    op.drop_table("action_item")
