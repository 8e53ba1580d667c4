"""`rtm db upgrade`: create the schema or bring it to this version's revision (Alembic)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from domain.common.marks import N_
from starter.cli.common import add
from starter.cli.errors import InputError
from starter.cli.say import say

if TYPE_CHECKING:
    from activities.config import Settings


UPGRADE_TIMEOUT = 300.0
"""Seconds a migration's statement may wait or run (a query's limit is RTM_DB_TIMEOUT)."""


async def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from activities.store import SchemaNotReady, Store, make_engine

    url = settings.database_url  # DDL may wait for locks longer than a query should
    store = Store(url, engine=make_engine(url, timeout=UPGRADE_TIMEOUT))
    try:
        before, after = store.upgrade_schema()
    except SchemaNotReady as exc:  # a database this upgrade cannot complete: nothing changed
        raise InputError([exc.refusal]) from exc
    where = store.engine.url.render_as_string()
    if before == after:
        say("%(database)s: schema already at revision %(revision)s", database=where, revision=after)
    elif before is None:
        say("%(database)s: schema upgraded from nothing to revision %(revision)s", database=where,
            revision=after)  # fmt: skip
    else:
        say("%(database)s: schema upgraded from %(before)s to revision %(revision)s",
            database=where, before=before, revision=after)  # fmt: skip
    return 0


def register(db: argparse.ArgumentParser) -> None:
    dsub = db.add_subparsers(dest="action", required=True)
    add(dsub, "upgrade", cmd_db_upgrade, N_("create or upgrade the schema (the only DDL)"))


PARSERS = {"db": register}
