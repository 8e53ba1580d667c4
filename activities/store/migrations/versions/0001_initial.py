"""Initial schema: every table of the store, and the database's own guards.

The audit log refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL); the refusal tally's
counts only grow. Both hold in the database itself, whoever issues the statement.

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


_SQLITE_GUARDS = (
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER refusal_tally_grows_only BEFORE UPDATE ON refusal_tally
       WHEN NEW.count < OLD.count
         OR (NEW.meeting_id, NEW.kind, NEW.minute, NEW.first_at, NEW.actor, NEW.channel,
             NEW.action, NEW.detail)
         IS NOT (OLD.meeting_id, OLD.kind, OLD.minute, OLD.first_at, OLD.actor, OLD.channel,
                 OLD.action, OLD.detail)
       BEGIN SELECT RAISE(ABORT, 'refusal_tally counts only grow'); END""",
    """CREATE TRIGGER refusal_tally_no_delete BEFORE DELETE ON refusal_tally
       BEGIN SELECT RAISE(ABORT, 'refusal_tally counts only grow'); END""",
)
_POSTGRES_GUARDS = (
    """CREATE FUNCTION rtm_audit_log_append_only() RETURNS trigger
       LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$""",
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION rtm_audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION rtm_audit_log_append_only()""",
    """CREATE FUNCTION rtm_refusal_tally_grows_only() RETURNS trigger
       LANGUAGE plpgsql AS $$ BEGIN
         IF TG_OP <> 'UPDATE' OR NEW.count < OLD.count
            OR ROW(NEW.meeting_id, NEW.kind, NEW.minute, NEW.first_at, NEW.actor, NEW.channel,
                   NEW.action, NEW.detail)
               IS DISTINCT FROM ROW(OLD.meeting_id, OLD.kind, OLD.minute, OLD.first_at,
                                    OLD.actor, OLD.channel, OLD.action, OLD.detail) THEN
           RAISE EXCEPTION 'refusal_tally counts only grow';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER refusal_tally_grows_only BEFORE UPDATE OR DELETE
       ON refusal_tally FOR EACH ROW EXECUTE FUNCTION rtm_refusal_tally_grows_only()""",
    """CREATE TRIGGER refusal_tally_no_truncate BEFORE TRUNCATE ON refusal_tally
       FOR EACH STATEMENT EXECUTE FUNCTION rtm_refusal_tally_grows_only()""",
)
_POSTGRES_FUNCTIONS = ("rtm_audit_log_append_only()", "rtm_refusal_tally_grows_only()")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


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

    op.create_table(
        "console_deactivated",
        sa.Column("participant_id", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("participant_id"),
    )
    op.create_table(
        "console_session",
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("participant_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("via", sa.String(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_console_session_participant_id", "console_session", ["participant_id"])

    op.create_table(
        "console_signin_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("client", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_console_signin_request_at", "console_signin_request", ["at"])
    op.create_index("ix_console_signin_request_client", "console_signin_request", ["client"])
    op.create_index("ix_console_signin_request_email", "console_signin_request", ["email"])

    op.create_table(
        "console_signin_token",
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("participant_id", sa.String(), nullable=False),
        sa.Column("nonce_hash", sa.String(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(
        "ix_console_signin_token_participant_id", "console_signin_token", ["participant_id"]
    )

    op.create_table(
        "feed_revocation",
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "subject", "serial"),
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
        "meeting_series",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("region", sa.String(), nullable=True),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("definition", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_meeting_series_region", "meeting_series", ["region"])

    op.create_table(
        "organisation",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("country", sa.String(), nullable=True),
        sa.Column("region", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_organisation_region", "organisation", ["region"])

    op.create_table(
        "outbox",
        sa.Column("meeting_id", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("meeting_id", "key"),
    )
    op.create_index("ix_outbox_sequence", "outbox", ["sequence"])

    op.create_table(
        "past_meeting",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("region", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("country", sa.String(), nullable=True),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("more_than", sa.Boolean(), nullable=False),
        sa.Column("countries", sa.String(), nullable=False),
        sa.Column("organisations", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_past_meeting_region", "past_meeting", ["region"])

    op.create_table(
        "project_idea",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("region", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_project_idea_recorded_at", "project_idea", ["recorded_at"])
    op.create_index("ix_project_idea_region", "project_idea", ["region"])
    op.create_index("ix_project_idea_status", "project_idea", ["status"])

    op.create_table(
        "refusal_tally",
        sa.Column("meeting_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("minute", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("detail", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("meeting_id", "kind", "minute"),
    )
    op.create_table(
        "region",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("secretariat_city", sa.String(), nullable=False),
        sa.Column("secretariat_email", sa.String(), nullable=False),
        sa.Column("zone", sa.String(), nullable=False),
        sa.Column("seat_country", sa.String(), nullable=True),
        sa.Column("coordination", sa.Boolean(), nullable=False),
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
        "series_allocation",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("series", sa.String(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_series_allocation_series", "series_allocation", ["series"])

    op.create_table(
        "country",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("region", sa.String(), nullable=False),
        sa.Column("calendar", sa.String(), nullable=False),
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
    for statement in _SQLITE_GUARDS if _sqlite() else _POSTGRES_GUARDS:
        op.execute(statement)


def downgrade() -> None:
    op.drop_index("ix_participant_organisation", table_name="participant")
    op.drop_index("ix_participant_email", table_name="participant")
    op.drop_index("ix_participant_country", table_name="participant")

    op.drop_table("participant")
    op.drop_index("ix_country_region", table_name="country")

    op.drop_table("country")
    op.drop_index("ix_series_allocation_series", table_name="series_allocation")

    op.drop_table("series_allocation")
    op.drop_index("ix_rtm_allocation_region", table_name="rtm_allocation")

    op.drop_table("rtm_allocation")
    op.drop_table("region")
    op.drop_table("refusal_tally")
    op.drop_index("ix_project_idea_status", table_name="project_idea")
    op.drop_index("ix_project_idea_region", table_name="project_idea")
    op.drop_index("ix_project_idea_recorded_at", table_name="project_idea")

    op.drop_table("project_idea")
    op.drop_index("ix_past_meeting_region", table_name="past_meeting")

    op.drop_table("past_meeting")
    op.drop_index("ix_outbox_sequence", table_name="outbox")

    op.drop_table("outbox")
    op.drop_index("ix_organisation_region", table_name="organisation")

    op.drop_table("organisation")
    op.drop_index("ix_meeting_series_region", table_name="meeting_series")

    op.drop_table("meeting_series")
    op.drop_index("ix_meeting_region", table_name="meeting")

    op.drop_table("meeting")
    op.drop_table("feed_revocation")
    op.drop_index("ix_console_signin_token_participant_id", table_name="console_signin_token")

    op.drop_table("console_signin_token")
    op.drop_index("ix_console_signin_request_email", table_name="console_signin_request")
    op.drop_index("ix_console_signin_request_client", table_name="console_signin_request")
    op.drop_index("ix_console_signin_request_at", table_name="console_signin_request")

    op.drop_table("console_signin_request")
    op.drop_index("ix_console_session_participant_id", table_name="console_session")

    op.drop_table("console_session")
    op.drop_table("console_deactivated")
    op.drop_index("ix_audit_log_meeting_id", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")

    op.drop_table("audit_log")
    op.drop_index("ix_action_item_status", table_name="action_item")
    op.drop_index("ix_action_item_region", table_name="action_item")
    op.drop_index("ix_action_item_owner_country", table_name="action_item")
    op.drop_index("ix_action_item_number", table_name="action_item")

    op.drop_table("action_item")
    if not _sqlite():
        for function in _POSTGRES_FUNCTIONS:
            op.execute(f"DROP FUNCTION {function}")
