"""The append-only audit log: its table and the two ways in (append) and out (read)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel, col, select

from activities.store.engine import StoreBase, now


class AuditRow(SQLModel, table=True):
    """Append-only: the store offers no update or delete of these rows."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=now, index=True)
    meeting_id: str | None = Field(default=None, index=True)
    actor: str
    channel: str
    action: str
    detail: str = "{}"


class AuditStore(StoreBase):
    """Writes and reads of the audit log; the database refuses any change of a row."""

    def append_audit(
        self, meeting_id: str | None, actor: str, channel: str, action: str, detail: dict[str, Any]
    ) -> None:
        with self.session() as s:
            s.add(
                AuditRow(
                    meeting_id=meeting_id,
                    actor=actor,
                    channel=channel,
                    action=action,
                    detail=json.dumps(detail, default=str),
                )
            )
            s.commit()

    def audit(self, meeting_id: str) -> list[AuditRow]:
        with self.session() as s:
            q = select(AuditRow).where(AuditRow.meeting_id == meeting_id).order_by(col(AuditRow.id))
            return list(s.exec(q))
