"""Project ideas: tracked by themselves, listed on each next RTM of their region until
someone decides them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, col, select

from activities.store.engine import StoreBase, now
from domain.ideas.models import IdeaDecision, IdeaStatus, NewIdea, ProjectIdea


class ProjectIdeaRow(SQLModel, table=True):
    __tablename__ = "project_idea"
    id: str = Field(primary_key=True)
    region: str = Field(index=True)
    status: str = Field(index=True)
    recorded_at: datetime = Field(default_factory=now, index=True)
    data: str


class IdeaStore(StoreBase):
    """Recording, listing and deciding project ideas."""

    def record_idea(self, idea: NewIdea, actor: str) -> ProjectIdea:
        """A new tracked idea, numbered per region: PI-CA-1, PI-CA-2, ..."""
        with self.session() as s:
            taken = s.exec(select(ProjectIdeaRow.id).where(ProjectIdeaRow.region == idea.region))
            number = 1 + max((int(i.rpartition("-")[2]) for i in taken), default=0)
            stored = ProjectIdea(
                id=f"PI-{idea.region}-{number}",
                recorded_at=now(),
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
                    "decided_at": now(),
                    "decided_by": actor,
                    "decided_in": decision.decided_in,
                    "note": decision.note,
                }
            )
            s.merge(_idea_row(decided))
            s.commit()
            return decided


def _idea_row(idea: ProjectIdea) -> ProjectIdeaRow:
    return ProjectIdeaRow(
        id=idea.id,
        region=idea.region,
        status=idea.status.value,
        recorded_at=idea.recorded_at,
        data=idea.model_dump_json(),
    )
