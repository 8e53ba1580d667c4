"""What was sent: invitations and every other message, each with its audit row."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Field, SQLModel, col, select

from activities.store.audit import AuditRow
from activities.store.engine import StoreBase, now
from domain.invitations.batches import DeliveryResult, InvitationStatus


class InvitationRow(SQLModel, table=True):
    """One invitation message per (meeting, sequence, participant): also the send outbox.

    A row is written right after the SMTP server accepted (or permanently refused) the
    message, so a retried send activity skips everything already recorded.
    """

    __tablename__ = "invitation"
    meeting_id: str = Field(primary_key=True)
    sequence: int = Field(primary_key=True)
    participant_id: str = Field(primary_key=True)
    email: str
    message_id: str
    status: str
    error: str | None = None
    at: datetime = Field(default_factory=now)


class OutboxRow(SQLModel, table=True):
    """Every other message (reminders, ...) by its key: the idempotence record of a send."""

    __tablename__ = "outbox"
    meeting_id: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    kind: str
    participant_id: str
    email: str
    message_id: str
    status: str
    error: str | None = None
    at: datetime = Field(default_factory=now)


class DeliveryStore(StoreBase):
    """The idempotence records of every send: a retried batch skips what is recorded."""

    def deliveries(self, meeting_id: str, sequence: int) -> dict[str, DeliveryResult]:
        """Invitations of one (meeting, sequence) already accepted or refused by SMTP."""
        with self.session() as s:
            rows = s.exec(
                select(InvitationRow).where(
                    InvitationRow.meeting_id == meeting_id, InvitationRow.sequence == sequence
                )
            )
            return {
                r.participant_id: _result(r.participant_id, r.status, r.message_id, r.error, r.at)
                for r in rows
            }

    def outbox(self, meeting_id: str, keys: list[str]) -> dict[str, DeliveryResult]:
        """Messages among `keys` already accepted or refused by SMTP."""
        with self.session() as s:
            rows = s.exec(
                select(OutboxRow).where(
                    OutboxRow.meeting_id == meeting_id, col(OutboxRow.key).in_(keys)
                )
            )
            return {
                r.key: _result(r.participant_id, r.status, r.message_id, r.error, r.at)
                for r in rows
            }

    def record_outbox(
        self, meeting_id: str, key: str, email: str, kind: str, result: DeliveryResult
    ) -> None:
        """The outbox row and its audit row, in one transaction (plain INSERTs, as above)."""
        row = {
            "meeting_id": meeting_id,
            "key": key,
            "kind": kind,
            "participant_id": result.participant_id,
            "email": email,
            "message_id": result.message_id,
            "status": result.status.value,
            "error": result.error,
            "at": result.at,
        }
        detail = {
            "key": key,
            "participant": result.participant_id,
            "email": email,
            "message_id": result.message_id,
            "error": result.error,
        }
        self._insert_with_audit(
            OutboxRow, row, meeting_id, f"{kind}.{result.status.value}", detail, result.at
        )

    def record_delivery(
        self, meeting_id: str, sequence: int, email: str, result: DeliveryResult
    ) -> None:
        """The invitation row and its audit row, in one transaction.

        Plain INSERTs (no ORM merge): this runs once per message on the fan-out's hot path,
        and a message already recorded is never sent, so never recorded, again.
        """
        row = {
            "meeting_id": meeting_id,
            "sequence": sequence,
            "participant_id": result.participant_id,
            "email": email,
            "message_id": result.message_id,
            "status": result.status.value,
            "error": result.error,
            "at": result.at,
        }
        detail = {
            "participant": result.participant_id,
            "email": email,
            "sequence": sequence,
            "message_id": result.message_id,
            "error": result.error,
        }
        self._insert_with_audit(
            InvitationRow, row, meeting_id, f"invitation.{result.status.value}", detail, result.at
        )

    def _insert_with_audit(
        self,
        table: type[SQLModel],
        row: dict[str, Any],
        meeting_id: str,
        action: str,
        detail: dict[str, Any],
        at: datetime,
    ) -> None:
        audit = {
            "at": at,
            "meeting_id": meeting_id,
            "actor": "engine",
            "channel": "smtp",
            "action": action,
            "detail": json.dumps(detail),
        }
        with self.engine.begin() as conn:
            conn.execute(insert(table.__table__), row)  # type: ignore[attr-defined]
            conn.execute(insert(AuditRow.__table__), audit)  # type: ignore[attr-defined]


def _result(
    participant_id: str, status: str, message_id: str, error: str | None, at: datetime
) -> DeliveryResult:
    return DeliveryResult(
        participant_id=participant_id,
        status=InvitationStatus(status),
        message_id=message_id,
        error=error,
        at=at if at.tzinfo else at.replace(tzinfo=UTC),
    )
