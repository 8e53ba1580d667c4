"""What every command module shares: the handler type, the actor, the store, the client.

Heavy imports (the ORM, the Temporal client) happen inside these helpers, on first use,
so that `rtm --help` and commands that need neither stay fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from domain.common.refusals import Refusal
from starter.cli.errors import InputError

if TYPE_CHECKING:
    from temporalio.client import Client

    from activities.config import Settings
    from activities.store import Store
    from domain.registration.answers import Actor

Handler = Callable[[argparse.Namespace, "Settings"], Coroutine[Any, Any, int]]
"""A command: parsed arguments and settings in, exit code out."""

Register = Callable[[argparse.ArgumentParser], None]
"""Adds a top-level command's arguments and sub-commands to its parser."""


def add(parent: Any, name: str, fn: Handler, help: str) -> argparse.ArgumentParser:
    """A sub-command `name` of `parent` (a subparsers action) that runs `fn`."""
    cmd: argparse.ArgumentParser = parent.add_parser(name, help=help)
    cmd.set_defaults(fn=fn)
    return cmd


def actor(settings: Settings) -> Actor:
    """Who the CLI acts as (RTM_USER), on the CLI channel."""
    from domain.registration.answers import Actor, Channel

    return Actor(id=settings.cli_user, channel=Channel.CLI)


def open_store(settings: Settings, reports: bool = False) -> Store:
    """The store, once its schema is at the code's revision (else exit 2: `rtm db upgrade`).
    Its calls wait at most RTM_DB_TIMEOUT; a report's (`reports`) RTM_REPORT_TIMEOUT."""
    from sqlalchemy.exc import OperationalError

    from activities.store import SchemaNotReady, Store

    store = Store(settings.database_url, None, settings.db_timeout, settings.report_timeout)
    if reports:
        store = store.for_reports()
    try:
        store.check_schema()
    except SchemaNotReady as exc:
        raise InputError([exc.refusal]) from exc
    except OperationalError as exc:
        where = store.engine.url.render_as_string()
        raise RuntimeError(Refusal("peer.database", database=where, error=exc.orig)) from exc
    return store


async def connect(settings: Settings) -> Client:
    from starter.client import connection

    return await connection.connect(settings)


def print_json(value: Any) -> None:
    """`--json` output of a read command: models and lists of them, as JSON, UTF-8 kept."""
    import json

    from pydantic_core import to_jsonable_python

    print(json.dumps(to_jsonable_python(value), indent=2, ensure_ascii=False))


Row = TypeVar("Row")


def print_rows(
    args: argparse.Namespace,
    rows: Sequence[Row],
    line: Callable[[Row], str],
    count: Callable[[int], None],
) -> int:
    """A listing: the rows as JSON with `--json`, else one `line` each, then `count` says
    how many there are."""
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        print(line(row))
    count(len(rows))
    return 0
