"""A project idea: a technical round table's project proposal, or what an RTM's
"brainstorming on new project ideas" produced. It is tracked by itself and listed on the
agenda of each next RTM of its region, like open actions, until someone decides it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from domain.common.base import Code, Frozen, Text
from domain.common.refusals import Refusal

Summary = Annotated[str, Field(max_length=4000)]


class IdeaStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class NewIdea(Frozen):
    """`rtm ideas add`: what the secretariat records."""

    region: Code
    title: Text
    summary: Summary = ""
    origin: Code | None = Field(default=None, description="the meeting it came from")
    proposed_by: Code | None = Field(default=None, description="a country, organisation or person")


class ProjectIdea(Frozen):
    id: Code
    region: Code
    title: Text
    summary: Summary = ""
    origin: Code | None = None
    proposed_by: Code | None = None
    status: IdeaStatus = IdeaStatus.OPEN
    recorded_at: datetime
    recorded_by: str
    decided_at: datetime | None = None
    decided_by: str | None = None
    decided_in: Code | None = Field(default=None, description="the meeting that decided it")
    note: Summary | None = None


class IdeaDecision(Frozen):
    """`rtm ideas decide`: accepted (becomes a project) or rejected, with a note."""

    idea_id: Code
    status: IdeaStatus
    decided_in: Code | None = None
    note: Summary | None = None


def decision_problem(idea: ProjectIdea | None, decision: IdeaDecision) -> str | None:
    if idea is None:
        return Refusal("idea.unknown", field="idea", idea=repr(decision.idea_id))
    if decision.status is IdeaStatus.OPEN:
        return Refusal("idea.undecided")
    if idea.status is not IdeaStatus.OPEN:
        return Refusal("idea.decided", idea=idea.id, status=idea.status.value)
    return None


def idea_lines(ideas: list[ProjectIdea]) -> list[str]:
    """What the next RTM's agenda lists under the project review, one line per open idea."""
    lines = []
    for idea in ideas:
        where = f" (from {idea.origin})" if idea.origin else ""
        who = f", proposed by {idea.proposed_by}" if idea.proposed_by else ""
        lines.append(f"{idea.id}: {idea.title}{where}{who} - to be decided")
    return lines
