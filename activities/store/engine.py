"""The database engine and the base every feature's part of the store builds on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol, Self, TypeVar

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine


def now() -> datetime:
    """The default of every `at`/`updated_at` column: aware UTC."""
    return datetime.now(UTC)


def aware(at: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; they were written as UTC."""
    return at if at is None or at.tzinfo else at.replace(tzinfo=UTC)


DB_TIMEOUT = 5.0  # seconds: no database call waits longer for a lock or a connection
REPORT_TIMEOUT = 120.0  # seconds: a report's queries (a whole region's years) may take longer


def make_engine(url: str, timeout: float = DB_TIMEOUT) -> Engine:
    """An engine for `url` whose every call gives up after `timeout` (lock, connect,
    statement), so that a stalled database never holds a worker thread for long; SQLite
    gets WAL so readers never block the sender."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            parsed, connect_args={"check_same_thread": False, "timeout": timeout}
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    millis = int(timeout * 1000)
    own = parsed.query.get("options", ())  # the URL's own (-csearch_path=...) are kept
    options = [own] if isinstance(own, str) else list(own)
    options.append(f"-c statement_timeout={millis} -c lock_timeout={millis}")
    return create_engine(
        parsed.difference_update_query(["options"]),
        pool_pre_ping=True,
        pool_timeout=timeout,
        connect_args={
            "connect_timeout": max(1, int(timeout)),
            "options": " ".join(options),
        },
    )


def take_next(s: Session, table: str, column: str, code: str) -> int | None:
    """`column` of `table`'s row `code`, plus one, returned. The UPDATE takes the write lock
    (SQLite) or the row lock (PostgreSQL) before reading, so concurrent takers queue up
    instead of both reading the same number. `table` and `column` are the code's own names."""
    taken = s.execute(
        text(f"UPDATE {table} SET {column} = {column} + 1 WHERE code = :code RETURNING {column}"),
        {"code": code},
    ).scalar_one_or_none()
    return None if taken is None else int(taken)


def raise_to(s: Session, table: str, column: str, code: str, number: int) -> None:
    """`column` of `table`'s row `code` becomes `number` if that is higher (never lower)."""
    s.execute(
        text(f"UPDATE {table} SET {column} = :n WHERE code = :code AND {column} < :n"),
        {"n": number, "code": code},
    )


class Allocation(Protocol):
    """A number given out once per key (an RTM's, a series meeting's), and to whom."""

    number: int

    def __init__(self, *, key: str, number: int, **owner: str) -> None: ...


A = TypeVar("A", bound=Allocation)


class StoreBase:
    """One engine and its sessions; each feature's store part is a subclass of this.

    The request path (commands, links, the worker) waits at most `timeout` for any call;
    reports read through `for_reports()`, an engine of their own with `report_timeout`, so
    that a long report neither fails at the request path's limit nor loosens it.
    """

    def __init__(
        self,
        url: str,
        engine: Engine | None = None,
        timeout: float = DB_TIMEOUT,
        report_timeout: float = REPORT_TIMEOUT,
    ) -> None:
        self.url = url
        self.engine = engine or make_engine(url, timeout)
        self.report_timeout = report_timeout
        self._reports: Self | None = None

    def for_reports(self) -> Self:
        """The same store over an engine whose calls may take `report_timeout` (made once)."""
        if self._reports is None:
            engine = make_engine(self.url, self.report_timeout)
            self._reports = type(self)(self.url, engine, self.report_timeout, self.report_timeout)
            self._reports._reports = self._reports
        return self._reports

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("select 1"))

    def allocate(
        self, kind: type[A], key: str, counter: tuple[str, str, str], unknown: str, **owner: str
    ) -> int:
        """The next number of `counter` (table, column, code), once per `key`, kept as a row
        of `kind` (with its `owner` columns); two runs never get the same one (`take_next`
        queues concurrent allocations). ValueError(`unknown`) when the table lacks the code."""
        table, column, code = counter
        with self.session() as s:
            existing = s.get(kind, key)
            if existing is not None:
                return existing.number
            number = take_next(s, table, column, code)
            if number is None:
                raise ValueError(unknown)
            s.add(kind(key=key, number=number, **owner))
            s.commit()
            return number
