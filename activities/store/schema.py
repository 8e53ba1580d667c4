"""The schema's version: upgrading it (Alembic, `rtm db upgrade`) and checking it.

Only the upgrade runs DDL; every other process checks that the database is at the
revision this code needs (`REVISION`) and says what to do when it is not. The check reads
one row with SQLAlchemy alone: importing Alembic would double a CLI command's start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from domain.common.refusals import Refusal

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"

REVISION = "0005"
"""The newest migration, which this code needs; a new revision updates it (a test checks)."""

INITIAL = "0001"
"""The revision equal to the schema that `create_all` made before there were migrations."""


UPGRADE = "`rtm db upgrade`"


class SchemaNotReady(Exception):
    """The database has no schema yet, or another one: `rtm db upgrade` fixes it. Says so by
    its code (each door writes it in its reader's language)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal)
        self.refusal = refusal


def import_tables() -> None:
    """Import every part of the store, so that SQLModel.metadata holds all their tables."""
    import importlib
    import pkgutil

    import activities.store

    for part in pkgutil.iter_modules(activities.store.__path__):
        if part.name != "migrations":
            importlib.import_module(f"activities.store.{part.name}")


def config() -> Config:
    """Alembic's configuration, without an ini file."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _current(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def current(engine: Engine) -> str | None:
    """The database's revision, None when it has no schema."""
    with engine.connect() as conn:
        return _current(conn)


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Create or upgrade the schema to `revision`; (before, after). Safe to run again."""
    from alembic import command

    if engine.url.get_backend_name() == "sqlite" and engine.url.database:
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    alembic = config()
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":  # pysqlite runs DDL outside its transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # one transaction, all or nothing
        before = _current(conn)
        alembic.attributes["connection"] = conn
        if before is None and inspect(conn).has_table("audit_log"):
            command.stamp(alembic, INITIAL)  # made before migrations: it is the initial one
        command.upgrade(alembic, revision)
        after = _current(conn)
    return before, after or ""


def check(engine: Engine) -> None:
    """Raise SchemaNotReady unless the database is at the revision this code needs."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        raise SchemaNotReady(Refusal("schema.no_file", database=url.database, command=UPGRADE))
    at = current(engine)
    where = url.render_as_string()
    if at is None:
        raise SchemaNotReady(Refusal("schema.none", database=where, command=UPGRADE))
    if at != REVISION:
        raise SchemaNotReady(Refusal("schema.revision", database=where, at=at, needed=REVISION,
                                     command=UPGRADE))  # fmt: skip
