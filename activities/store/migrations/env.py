"""Alembic's entry: migrate the connection the engine hands over, or DATABASE_URL's.

`rtm db upgrade` passes its connection in `config.attributes["connection"]`; the
`alembic` command line (`alembic -c activities/store/alembic.ini ...`) uses DATABASE_URL.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection, text
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from activities.store.engine import make_engine
from activities.store.schema import import_tables

# One upgrade at a time on PostgreSQL: a second one waits, then finds nothing to do.
_PG_LOCK = "SELECT pg_advisory_xact_lock(724310001)"


def _render_item(kind: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Autogenerate writes plain SQLAlchemy types, so revisions never depend on sqlmodel's."""
    if kind == "type" and isinstance(obj, AutoString):
        return "sa.String()"
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _migrate(connection: Connection) -> None:
    import_tables()  # every table in SQLModel.metadata, for autogenerate
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=_render_item,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text(_PG_LOCK))
        context.run_migrations()


def _run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    from activities.config import load_settings

    url = context.config.get_main_option("sqlalchemy.url") or load_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _migrate(conn)
    engine.dispose()


_run()
