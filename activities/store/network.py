"""Tables and queries of the network beyond one region: meeting series with their own
numbering, and the project ideas that travel to a region's next RTMs until decided.

A mixin of `Store` so that every caller keeps one store object; kept apart from `db` so
each module stays about one thing.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import Field, Session, SQLModel, col, select

from domain.ideas.models import IdeaDecision, IdeaStatus, NewIdea, ProjectIdea
from domain.series.models import Series


def _now() -> datetime:
    return datetime.now(UTC)


class SeriesRow(SQLModel, table=True):
    __tablename__ = "meeting_series"
    code: str = Field(primary_key=True)
    region: str | None = Field(default=None, index=True)
    last_number: int = 0
    definition: str = "{}"


class SeriesAllocationRow(SQLModel, table=True):
    """Which run got which number of a series: a retried allocation returns the same one."""

    __tablename__ = "series_allocation"
    key: str = Field(primary_key=True)
    series: str = Field(index=True)
    number: int
    at: datetime = Field(default_factory=_now)


class ProjectIdeaRow(SQLModel, table=True):
    __tablename__ = "project_idea"
    id: str = Field(primary_key=True)
    region: str = Field(index=True)
    status: str = Field(index=True)
    recorded_at: datetime = Field(default_factory=_now, index=True)
    data: str


class NetworkQueries:
    """Series and project ideas; `session` comes from the store."""

    def session(self) -> AbstractContextManager[Session]:  # pragma: no cover - Store's
        raise NotImplementedError

    # --- series ----------------------------------------------------------------------

    def merge_series(self, s: Session, series: list[Series]) -> None:
        """Insert or update series in the caller's transaction; a reload never lowers the
        last number handed out."""
        for one in series:
            stored = s.get(SeriesRow, one.code)
            last = max(one.last_number, stored.last_number if stored else 0)
            s.merge(
                SeriesRow(
                    code=one.code,
                    region=one.region,
                    last_number=last,
                    definition=one.model_dump_json(exclude={"last_number"}),
                )
            )

    def all_series(self, region: str | None = None) -> list[Series]:
        with self.session() as s:
            q = select(SeriesRow).order_by(col(SeriesRow.code))
            if region is not None:
                q = q.where(SeriesRow.region == region)
            return [_series(r) for r in s.exec(q)]

    def series(self, code: str) -> Series | None:
        with self.session() as s:
            row = s.get(SeriesRow, code)
            return None if row is None else _series(row)

    def allocate_series_number(self, code: str, key: str) -> int:
        """The series' next number, once per `key` (the same locking as RTM numbers)."""
        with self.session() as s:
            existing = s.get(SeriesAllocationRow, key)
            if existing is not None:
                return existing.number
            number = s.execute(
                text(
                    "UPDATE meeting_series SET last_number = last_number + 1 "
                    "WHERE code = :code RETURNING last_number"
                ),
                {"code": code},
            ).scalar_one_or_none()
            if number is None:
                raise ValueError(f"unknown series {code!r}")
            s.add(SeriesAllocationRow(key=key, series=code, number=int(number)))
            s.commit()
            return int(number)

    # --- project ideas ---------------------------------------------------------------

    def record_idea(self, idea: NewIdea, actor: str) -> ProjectIdea:
        """A new tracked idea, numbered per region: PI-CA-1, PI-CA-2, ..."""
        with self.session() as s:
            taken = s.exec(select(ProjectIdeaRow.id).where(ProjectIdeaRow.region == idea.region))
            number = 1 + max((int(i.rpartition("-")[2]) for i in taken), default=0)
            stored = ProjectIdea(
                id=f"PI-{idea.region}-{number}",
                recorded_at=_now(),
                recorded_by=actor,
                **idea.model_dump(),
            )
            s.add(_idea_row(stored))
            s.commit()
            return stored

    def idea(self, idea_id: str) -> ProjectIdea | None:
        with self.session() as s:
            row = s.get(ProjectIdeaRow, idea_id)
            return None if row is None else ProjectIdea.model_validate_json(row.data)

    def ideas(self, region: str | None = None, open_only: bool = False) -> list[ProjectIdea]:
        with self.session() as s:
            q = select(ProjectIdeaRow)
            if region is not None:
                q = q.where(ProjectIdeaRow.region == region)
            if open_only:
                q = q.where(ProjectIdeaRow.status == IdeaStatus.OPEN.value)
            q = q.order_by(col(ProjectIdeaRow.recorded_at), col(ProjectIdeaRow.id))
            return [ProjectIdea.model_validate_json(r.data) for r in s.exec(q)]

    def decide_idea(self, decision: IdeaDecision, actor: str) -> ProjectIdea:
        with self.session() as s:
            row = s.get(ProjectIdeaRow, decision.idea_id)
            if row is None:
                raise ValueError(f"unknown project idea {decision.idea_id!r}")
            decided = ProjectIdea.model_validate_json(row.data).model_copy(
                update={
                    "status": decision.status,
                    "decided_at": _now(),
                    "decided_by": actor,
                    "decided_in": decision.decided_in,
                    "note": decision.note,
                }
            )
            s.merge(_idea_row(decided))
            s.commit()
            return decided


def _series(row: SeriesRow) -> Series:
    return Series.model_validate(json.loads(row.definition) | {"last_number": row.last_number})


def _idea_row(idea: ProjectIdea) -> ProjectIdeaRow:
    return ProjectIdeaRow(
        id=idea.id,
        region=idea.region,
        status=idea.status.value,
        recorded_at=idea.recorded_at,
        data=idea.model_dump_json(),
    )


__all__ = ["NetworkQueries", "ProjectIdeaRow", "SeriesAllocationRow", "SeriesRow"]
