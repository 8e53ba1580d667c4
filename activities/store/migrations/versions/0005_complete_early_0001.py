"""What revision 0001 gained after its first release, for a database that lacks it.

Revision 0001 grew after it first shipped (the console's tables, the refusal tally and its
guards, series, ideas, past meetings; columns of region, country and organisation). A database
made by that first 0001, or made by `create_all` before there were migrations and adopted as
0001, lacks them, and 0002-0004 add none of them: the commands that use them then fail. This
runs 0001 once more with an `op` that creates only what the database does not have (tables,
columns, indexes, guards); a database that today's 0001 built is left as it is.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op

from activities.store.schema import UPGRADE, SchemaNotReady
from domain.common.refusals import Refusal

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GONE = {"console_deactivated"}  # made by 0001, folded into participant.active by 0002
_FILL: dict[tuple[str, str], Any] = {  # what rows that predate a NOT NULL column hold in it
    ("region", "coordination"): sa.false(),
    ("country", "calendar"): sa.text("'{}'"),
}
_GUARD = re.compile(r"CREATE (TRIGGER|FUNCTION) (\w+)")
_EXISTS = {
    ("sqlite", "TRIGGER"): "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = :n",
    ("postgresql", "TRIGGER"): (
        "SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = :n AND c.relnamespace = current_schema()::regnamespace"
    ),
    ("postgresql", "FUNCTION"): (
        "SELECT 1 FROM pg_proc WHERE proname = :n AND pronamespace = current_schema()::regnamespace"
    ),
}


class _OnlyWhatIsMissing:
    """The `op` that revision 0001 sees here: each of its statements runs only where the
    database lacks what it makes."""

    def __init__(self, real: Any) -> None:
        self._op = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._op, name)

    def _inspector(self) -> sa.Inspector:
        """Afresh each time: the statement before may have changed what it saw."""
        inspector: sa.Inspector = sa.inspect(self._op.get_bind())
        return inspector

    def create_table(self, name: str, *items: Any, **kw: Any) -> None:
        if name in _GONE:
            return
        inspector = self._inspector()
        if not inspector.has_table(name):
            self._op.create_table(name, *items, **kw)
            return
        have = {c["name"] for c in inspector.get_columns(name)}
        for column in items:
            if isinstance(column, sa.Column) and column.name not in have:
                self._op.add_column(name, self._addable(name, column))

    def _addable(self, table: str, column: sa.Column[Any]) -> sa.Column[Any]:
        added = column._copy()
        if not added.nullable and added.server_default is None:
            if (table, column.name) not in _FILL:
                raise SchemaNotReady(Refusal("schema.column", table=table, column=column.name,
                                             command=UPGRADE))  # fmt: skip
            added.server_default = sa.DefaultClause(_FILL[(table, column.name)])
        return added

    def create_index(self, name: str, table: str, columns: list[str], **kw: Any) -> None:
        if table not in _GONE and name not in {
            i["name"] for i in self._inspector().get_indexes(table)
        }:
            self._op.create_index(name, table, columns, **kw)

    def execute(self, statement: str) -> None:
        guard = _GUARD.search(statement)
        if guard is not None:
            bind = self._op.get_bind()
            exists = _EXISTS.get((bind.dialect.name, guard[1]))
            if exists and bind.execute(sa.text(exists), {"n": guard[2]}).first():
                return
        self._op.execute(statement)


def _initial() -> Any:
    """Revision 0001's module, a copy of its own: its `op` is replaced, not alembic's."""
    path = Path(__file__).with_name("0001_initial.py")
    spec = importlib.util.spec_from_file_location("rtm_revision_0001_again", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    initial = _initial()
    initial.op = _OnlyWhatIsMissing(op)
    initial.upgrade()


def downgrade() -> None:
    """Nothing to undo: what this adds is what revision 0001 has."""
