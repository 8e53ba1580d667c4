"""The meeting projection and the RTM numbers handed out per region."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, Session, SQLModel, col, select

from activities.store.deliveries import OutboxRow
from activities.store.engine import StoreBase, now, raise_to
from domain.common.contracts import Phase

# Meetings that may hold their invitees before any invitation of theirs is written.
LOADING = (Phase.SCHEDULED.value, Phase.INVITING.value)
ENDED = (Phase.CLOSED.value, Phase.CANCELLED.value)


class MeetingRow(SQLModel, table=True):
    """Projection of one meeting workflow, for listing and cross-meeting questions."""

    __tablename__ = "meeting"
    id: str = Field(primary_key=True)
    region: str = Field(index=True)
    title: str
    phase: str
    definition: str
    updated_at: datetime = Field(default_factory=now)


class RtmAllocationRow(SQLModel, table=True):
    """Which cycle run got which RTM number: a retried allocation returns the same one."""

    __tablename__ = "rtm_allocation"
    key: str = Field(primary_key=True)
    region: str = Field(index=True)
    number: int
    at: datetime = Field(default_factory=now)


def raise_last_rtm_number(s: Session, region: str, number: int) -> None:
    """The region's last RTM number becomes `number` if that is higher (never lower)."""
    raise_to(s, "region", "last_rtm_number", region, number)


class MeetingStore(StoreBase):
    """Which meetings exist, in which phase, and each region's RTM numbering."""

    def allocate_rtm_number(self, region: str, key: str) -> int:
        """The region's next RTM number, once per `key`; two runs never get the same one
        (`take_next` queues concurrent allocations)."""
        counter, unknown = ("region", "last_rtm_number", region), f"unknown region {region!r}"
        return self.allocate(RtmAllocationRow, key, counter, unknown, region=region)

    def latest_meeting(self, region: str) -> str | None:
        """The id of the region's most recently recorded meeting, if any."""
        with self.session() as s:
            q = select(MeetingRow).where(MeetingRow.region == region)
            rows = list(s.exec(q.order_by(col(MeetingRow.updated_at).desc())))
            return rows[0].id if rows else None

    def record_meeting(
        self,
        meeting_id: str,
        region: str,
        title: str,
        phase: str,
        definition: str,
        number: int | None = None,
    ) -> None:
        """The meeting's projection; an RTM's number also becomes the region's last one."""
        with self.session() as s:
            s.merge(
                MeetingRow(
                    id=meeting_id, region=region, title=title, phase=phase, definition=definition
                )
            )
            if number is not None:
                raise_last_rtm_number(s, region, number)
            s.commit()

    def meeting_phase(self, meeting_id: str) -> str | None:
        with self.session() as s:
            row = s.get(MeetingRow, meeting_id)
            return None if row is None else row.phase

    def meeting_region(self, meeting_id: str) -> str | None:
        """The region a meeting belongs to (its projection), for scoping who may see it."""
        with self.session() as s:
            row = s.get(MeetingRow, meeting_id)
            return None if row is None else row.region

    def meetings_inviting(self, ids: list[str]) -> dict[str, list[str]]:
        """The meetings not ended that invite any of `ids`, each with those it invites (by
        their invitations); a meeting loading or inviting its people with all of `ids`,
        since it may hold them before their invitations are written."""
        found: dict[str, list[str]] = {}
        with self.session() as s:
            loading = select(MeetingRow.id).where(col(MeetingRow.phase).in_(LOADING))
            for meeting_id in s.exec(loading):
                found[meeting_id] = list(ids)
            for start in range(0, len(ids), 500):  # below every driver's parameter limit
                q = (
                    select(OutboxRow.meeting_id, OutboxRow.participant_id)
                    .join(MeetingRow, col(MeetingRow.id) == col(OutboxRow.meeting_id))
                    .where(
                        col(OutboxRow.participant_id).in_(ids[start : start + 500]),
                        OutboxRow.kind == "invitation",
                        col(MeetingRow.phase).not_in(ENDED + LOADING),
                    )
                    .distinct()
                )
                for meeting_id, pid in s.exec(q):
                    found.setdefault(meeting_id, []).append(pid)
        return found
