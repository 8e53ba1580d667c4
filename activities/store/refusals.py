"""Refused links and unconfirmed calendar replies, counted: one row per meeting, kind and
window (a minute for links, an hour for replies), with a count.

Anyone can send a bad link, thousands a second, or mail forged replies. One audit row each
would let them grow a table that can never be cleaned, so a refusal for a meeting the store
does not know writes nothing, and repeats of one kind within the window raise one row's
count. The row keeps the first request's detail as it came; its count and last time can only
grow (the database refuses any other change, and every delete).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel, col, select

from activities.store.audit import AuditRow, AuditStore
from activities.store.engine import aware, now
from activities.store.meetings import MeetingRow


class RefusalRow(SQLModel, table=True):
    """The refusals of one kind for one meeting within one window (UTC; `minute` is the
    window's start)."""

    __tablename__ = "refusal_tally"
    meeting_id: str = Field(primary_key=True)
    kind: str = Field(primary_key=True, description="route and HTTP status, e.g. rsvp 403")
    minute: datetime = Field(primary_key=True)
    count: int = 1
    first_at: datetime
    last_at: datetime
    actor: str
    channel: str
    action: str
    detail: str = "{}"


NO_MEETING = ""  # the key of refusals of links that name no meeting
MINUTE = timedelta(minutes=1)


def window_start(at: datetime, per: timedelta) -> datetime:
    """The start of the window of length `per` (a divisor of a day) that holds `at`."""
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    return day + per * ((at - day) // per)


def _insert(engine: Engine) -> Any:
    return sqlite_insert if engine.url.get_backend_name() == "sqlite" else pg_insert


class RefusalStore(AuditStore):
    """Counting refused links, and reading the counts back with the audit log."""

    def audit(self, meeting_id: str) -> list[AuditRow]:
        """The meeting's audit log rows in order, then its counted refusals."""
        return super().audit(meeting_id) + self.refusals(meeting_id)

    def tally_refusal(
        self,
        meeting_id: str | None,
        kind: str,
        actor: str,
        channel: str,
        action: str,
        detail: dict[str, Any],
        at: datetime | None = None,
        per: timedelta = MINUTE,
    ) -> bool:
        """Count one refusal within its window of `per`; False (and nothing written) when
        the meeting is unknown.

        A link or reply that names no meeting (a calendar feed's) is counted under NO_MEETING.
        """
        at = at or now()
        minute = window_start(at, per)
        with self.session() as s:
            if meeting_id is not None and s.get(MeetingRow, meeting_id) is None:
                return False
            table = RefusalRow.__table__  # type: ignore[attr-defined]
            stmt = _insert(self.engine)(table).values(
                meeting_id=meeting_id or NO_MEETING, kind=kind, minute=minute, count=1, first_at=at,
                last_at=at, actor=actor, channel=channel, action=action,
                detail=json.dumps(detail, default=str, ensure_ascii=False),
            )  # fmt: skip
            stmt = stmt.on_conflict_do_update(
                index_elements=["meeting_id", "kind", "minute"],
                set_={"count": table.c.count + 1, "last_at": stmt.excluded.last_at},
            )
            s.execute(stmt)
            s.commit()
        return True

    def refusals(self, meeting_id: str | None) -> list[AuditRow]:
        """The meeting's counted refusals (None: those naming no meeting) as audit rows
        (detail: the first request's, plus `kind`, `count` and `last_at`), oldest first."""
        with self.session() as s:
            q = select(RefusalRow).where(RefusalRow.meeting_id == (meeting_id or NO_MEETING))
            rows = list(s.exec(q.order_by(col(RefusalRow.minute), col(RefusalRow.kind))))
        return [
            AuditRow(
                at=aware(r.first_at) or r.first_at,
                meeting_id=r.meeting_id or None,
                actor=r.actor,
                channel=r.channel,
                action=r.action,
                detail=json.dumps(
                    json.loads(r.detail)
                    | {"kind": r.kind, "count": r.count, "last_at": aware(r.last_at)},
                    default=str,
                    ensure_ascii=False,
                ),
            )
            for r in rows
        ]
