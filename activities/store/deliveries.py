"""What was sent: every message of every kind, by (meeting, key), each with its audit row.

Why one table: invitations, reminders, notices and action mail are all "this message went to
this person, with this Message-ID, or failed with these words"; a send activity skips what is
recorded here as sent, whatever the kind.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Dialect, Engine, bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel, col

from activities.store.audit import AuditRow
from activities.store.engine import StoreBase, now
from domain.invitations.batches import DeliveryResult, InvitationStatus, invitation_key
from domain.outbox.delivery import OutboxEntry


class OutboxRow(SQLModel, table=True):
    """One message by its key; written right after the server accepted or refused it."""

    __tablename__ = "outbox"
    meeting_id: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    kind: str
    sequence: int | None = Field(default=None, index=True)
    participant_id: str = Field(index=True)  # "my meetings": which meetings invited them
    email: str
    message_id: str
    status: str
    error: str | None = None
    at: datetime = Field(default_factory=now)


def _result(row: Any) -> DeliveryResult:
    at: datetime = row.at
    return DeliveryResult(
        participant_id=row.participant_id,
        status=InvitationStatus(row.status),
        message_id=row.message_id,
        error=row.error,
        at=at if at.tzinfo else at.replace(tzinfo=UTC),
    )


def read(engine: Engine, meeting_id: str, keys: Sequence[str]) -> dict[str, DeliveryResult]:
    """The recorded outcome of each of `keys` that has one."""
    table = OutboxRow.__table__  # type: ignore[attr-defined]
    found: dict[str, DeliveryResult] = {}
    with engine.connect() as conn:
        for start in range(0, len(keys), 500):  # stay below every driver's parameter limit
            chunk = list(keys[start : start + 500])
            rows = conn.execute(
                select(table).where(table.c.meeting_id == meeting_id, table.c.key.in_(chunk))
            )
            found.update({r.key: _result(r) for r in rows})
    return found


def read_sequence(
    engine: Engine, meeting_id: str, kind: str, sequence: int
) -> dict[str, DeliveryResult]:
    """Every recorded message of one kind and sequence, by participant."""
    table = OutboxRow.__table__  # type: ignore[attr-defined]
    query = select(table).where(
        table.c.meeting_id == meeting_id,
        table.c.kind == kind,
        col(table.c.sequence) == sequence,
    )
    with engine.connect() as conn:
        return {r.participant_id: _result(r) for r in conn.execute(query)}


@cache
def _upsert(dialect_name: str) -> Any:
    """INSERT that replaces an earlier failure but never a sent message, returning the keys
    that changed (so that a write retried after a timeout adds no second audit row)."""
    table = OutboxRow.__table__  # type: ignore[attr-defined]
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    changed = {c: stmt.excluded[c] for c in ("message_id", "status", "error", "at", "email")}
    return stmt.on_conflict_do_update(
        index_elements=["meeting_id", "key"],
        set_=changed,
        where=(table.c.status != InvitationStatus.SENT.value)
        & (stmt.excluded.status != table.c.status),
    ).returning(table.c.meeting_id, table.c.key)


@dataclass(frozen=True)
class _Compiled:
    """A statement as the driver takes it (named parameters), with its fixed parameters and
    the column types' conversions: run on the driver's cursor, it skips SQLAlchemy's
    per-call work, which cost a send more than the database's own (0.45 against 0.29 CPU ms
    a message, measured on SQLite)."""

    sql: str
    fixed: dict[str, Any]
    convert: dict[str, Callable[[Any], Any]]

    def params(self, values: dict[str, Any]) -> dict[str, Any]:
        out = dict(self.fixed)
        for name, value in values.items():
            to_driver = self.convert.get(name)
            out[name] = value if to_driver is None or value is None else to_driver(value)
        return out


def _compiled(statement: Any, table: Any, dialect: Dialect) -> _Compiled:
    same_kind: Any = type(dialect)  # the dialect, with parameters by name for the driver
    named = same_kind(paramstyle="pyformat" if dialect.name == "postgresql" else "named")
    compiled = statement.compile(dialect=named)
    convert = {}
    for column in table.c:
        to_driver = column.type.dialect_impl(dialect).bind_processor(dialect)
        if to_driver is not None:
            convert[column.name] = to_driver
    fixed = {k: v for k, v in compiled.params.items() if v is not None}
    return _Compiled(sql=str(compiled), fixed=fixed, convert=convert)


@cache
def _statements(dialect: Dialect) -> tuple[_Compiled, _Compiled]:
    """The outbox upsert and the audit insert, compiled once per dialect."""
    audit = AuditRow.__table__  # type: ignore[attr-defined]
    columns = ("at", "meeting_id", "actor", "channel", "action", "detail")
    audit_insert = insert(audit).values({c: bindparam(c) for c in columns})
    outbox = OutboxRow.__table__  # type: ignore[attr-defined]
    return _compiled(_upsert(dialect.name), outbox, dialect), _compiled(
        audit_insert, audit, dialect
    )


def write(engine: Engine, entries: Sequence[OutboxEntry]) -> int:
    """Record `entries` and one audit row per new outcome, in one transaction."""
    if not entries:
        return 0
    # by meeting and key: one transaction carries the batches of several meetings at once
    by_slot = {(e.meeting_id, e.key): e for e in entries}
    upsert, audit = _statements(engine.dialect)
    with engine.begin() as conn:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            changed: list[tuple[str, str]] = []
            for e in by_slot.values():  # one statement each: RETURNING tells what changed
                cursor.execute(upsert.sql, upsert.params(_outbox_values(e)))
                changed += [(m, k) for m, k in cursor.fetchall()]
            if changed:
                rows = [audit.params(_audit(by_slot[slot])) for slot in changed]
                cursor.executemany(audit.sql, rows)
        finally:
            cursor.close()
    return len(changed)


def _outbox_values(e: OutboxEntry) -> dict[str, Any]:
    return {
        "meeting_id": e.meeting_id,
        "key": e.key,
        "kind": e.kind,
        "sequence": e.sequence,
        "participant_id": e.result.participant_id,
        "email": e.email,
        "message_id": e.result.message_id,
        "status": e.result.status.value,
        "error": e.result.error,
        "at": e.result.at,
    }


def _audit(entry: OutboxEntry) -> dict[str, Any]:
    r = entry.result
    # an invitation is named by its sequence, every other message by its key
    named = {"key": entry.key} if entry.sequence is None else {"sequence": entry.sequence}
    detail: dict[str, Any] = {
        **named,
        "participant": r.participant_id,
        "email": entry.email,
        "message_id": r.message_id,
        "error": r.error,
    }
    return {
        "at": r.at,
        "meeting_id": entry.meeting_id,
        "actor": "engine",
        "channel": "smtp",
        "action": f"{entry.kind}.{r.status.value}",
        "detail": json.dumps(detail),
    }


class DeliveryStore(StoreBase):
    """The idempotence records of every send: a retried batch skips what is recorded."""

    def deliveries(self, meeting_id: str, sequence: int) -> dict[str, DeliveryResult]:
        """Invitations of one (meeting, sequence) already accepted or refused by SMTP."""
        return read_sequence(self.engine, meeting_id, "invitation", sequence)

    def outbox(self, meeting_id: str, keys: list[str]) -> dict[str, DeliveryResult]:
        """Messages among `keys` already accepted or refused by SMTP."""
        return read(self.engine, meeting_id, keys)

    def record_entries(self, entries: Sequence[OutboxEntry]) -> int:
        """Outbox rows and their audit rows in one transaction; a repeat changes nothing."""
        return write(self.engine, entries)

    def record_outbox(
        self, meeting_id: str, key: str, email: str, kind: str, result: DeliveryResult
    ) -> None:
        """One message's outcome (reminders, notices, action mail)."""
        entry = OutboxEntry(meeting_id=meeting_id, key=key, kind=kind, email=email, result=result)
        self.record_entries([entry])

    def record_delivery(
        self, meeting_id: str, sequence: int, email: str, result: DeliveryResult
    ) -> None:
        """One invitation's outcome, under its outbox key."""
        entry = OutboxEntry(
            meeting_id=meeting_id,
            key=invitation_key(sequence, result.participant_id),
            kind="invitation",
            sequence=sequence,
            email=email,
            result=result,
        )
        self.record_entries([entry])
