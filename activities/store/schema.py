"""Creating the schema: every table, and the triggers that keep the audit log append-only."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from activities.store import refusals

# The audit log is append-only in the database itself, not only by convention: any UPDATE,
# DELETE (or TRUNCATE) of its rows fails, whoever issues it.
_SQLITE_APPEND_ONLY = (
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
)
_POSTGRES_APPEND_ONLY = (
    """CREATE OR REPLACE FUNCTION rtm_audit_log_append_only() RETURNS trigger
       LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$""",
    """CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION rtm_audit_log_append_only()""",
    """CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION rtm_audit_log_append_only()""",
)


def create_schema(engine: Engine) -> None:
    """Every table of the imported store modules, and the audit log's triggers."""
    if engine.url.get_backend_name() == "sqlite" and engine.url.database:
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    SQLModel.metadata.create_all(engine)
    sqlite = engine.url.get_backend_name() == "sqlite"
    statements = (
        _SQLITE_APPEND_ONLY + refusals.SQLITE_TRIGGERS
        if sqlite
        else _POSTGRES_APPEND_ONLY + refusals.POSTGRES_TRIGGERS
    )
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
