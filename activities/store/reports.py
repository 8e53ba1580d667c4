"""The reports' part of the store: past meetings loaded with their published counts, and
revoked calendar-feed links; plus the read-model questions the feeds ask."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Field, SQLModel, col, select

from activities.store.deliveries import OutboxRow
from activities.store.engine import StoreBase, aware, now
from activities.store.meetings import MeetingRow, raise_last_rtm_number
from domain.meeting.definition import MeetingDefinition
from domain.reports.feeds import FeedMeeting
from domain.reports.history import History, PastMeeting


class PastMeetingRow(SQLModel, table=True):
    """A meeting held before the engine ran it, with the counts its release published."""

    __tablename__ = "past_meeting"
    id: str = Field(primary_key=True)
    region: str = Field(index=True)
    kind: str
    number: int | None = None
    title: str
    city: str | None = None
    country: str | None = None
    start: date
    end: date
    format: str
    participants: int
    more_than: bool = False
    countries: str = "[]"
    organisations: str = "[]"
    source: str | None = None


class FeedRevocationRow(SQLModel, table=True):
    """A calendar-feed link that no longer answers (410); the next link gets serial + 1."""

    __tablename__ = "feed_revocation"
    kind: str = Field(primary_key=True)
    subject: str = Field(primary_key=True)
    serial: int = Field(primary_key=True)
    revoked_at: datetime = Field(default_factory=now)
    revoked_by: str


class ReportsStore(StoreBase):
    # --- past meetings -----------------------------------------------------------------

    def load_history(self, history: History) -> int:
        """Insert or replace each past meeting; an RTM's number becomes the region's last
        one if it is higher, so the cycle numbers the next RTM after it."""
        with self.session() as s:
            for m in history.meetings:
                data = m.model_dump(mode="json", exclude={"countries", "organisations"})
                data["start"], data["end"] = m.start, m.end
                s.merge(
                    PastMeetingRow(
                        **data,
                        countries=json.dumps(m.countries),
                        organisations=json.dumps(m.organisations),
                    )
                )
                if m.number is not None and m.kind.value == "rtm":
                    raise_last_rtm_number(s, m.region, m.number)
            s.commit()
        return len(history.meetings)

    def past_meetings(self, region: str | None = None) -> list[PastMeeting]:
        with self.session() as s:
            q = select(PastMeetingRow).order_by(col(PastMeetingRow.start))
            if region is not None:
                q = q.where(PastMeetingRow.region == region)
            return [
                PastMeeting.model_validate(
                    r.model_dump(exclude={"countries", "organisations"})
                    | {
                        "countries": json.loads(r.countries),
                        "organisations": json.loads(r.organisations),
                    }
                )
                for r in s.exec(q)
            ]

    # --- feed links --------------------------------------------------------------------

    def feed_serial(self, kind: str, subject: str) -> int:
        """The serial of the feed link in force: one more than the last one revoked."""
        with self.session() as s:
            last = s.exec(
                select(func.max(FeedRevocationRow.serial)).where(
                    FeedRevocationRow.kind == kind, FeedRevocationRow.subject == subject
                )
            ).one()
            return (last or 0) + 1

    def revoke_feed(self, kind: str, subject: str, by: str) -> int:
        """Revoke the link in force; returns the serial of the link that replaces it."""
        serial = self.feed_serial(kind, subject)
        with self.session() as s:
            s.merge(FeedRevocationRow(kind=kind, subject=subject, serial=serial, revoked_by=by))
            s.commit()
        return serial + 1

    def feed_revoked(self, kind: str, subject: str, serial: int) -> datetime | None:
        with self.session() as s:
            row = s.get(FeedRevocationRow, (kind, subject, serial))
            return None if row is None else aware(row.revoked_at)

    # --- what the feeds show -----------------------------------------------------------

    def feed_meetings(
        self, region: str | None = None, participant: str | None = None
    ) -> list[FeedMeeting]:
        """Meetings from the projection: a region's, or those a participant is invited to."""
        with self.session() as s:
            q = select(MeetingRow)
            if region is not None:
                q = q.where(MeetingRow.region == region)
            if participant is not None:
                invited = select(OutboxRow.meeting_id).where(
                    OutboxRow.participant_id == participant, OutboxRow.kind == "invitation"
                )
                q = q.where(col(MeetingRow.id).in_(invited))
            rows = list(s.exec(q.order_by(col(MeetingRow.id))))
        return [
            FeedMeeting(
                meeting=MeetingDefinition.model_validate_json(r.definition),
                phase=r.phase,
                updated_at=aware(r.updated_at) or now(),
            )
            for r in rows
        ]
