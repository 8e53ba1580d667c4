"""A meeting series: a region's RTMs, the Heads of Regional Secretariats meetings, the
technical round tables of one theme, their preparatory meetings. Each numbers its own."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import Field

from domain.common.base import Code, Frozen, Text

if TYPE_CHECKING:
    from domain.meeting.definition import MeetingDefinition


class MeetingKind(StrEnum):
    RTM = "rtm"
    TECHNICAL = "technical"
    HEADS_OF_SECRETARIATS = "heads"
    PREPARATORY = "preparatory"


class Cadence(StrEnum):
    SIX_MONTHLY = "six-monthly"
    YEARLY = "yearly"
    NONE = "none"

    @property
    def months(self) -> int | None:
        return {"six-monthly": 6, "yearly": 12}.get(self.value)


class Series(Frozen):
    """Meetings numbered together: ids are `{code}-{number}` (RTM-CA-16, HRS-10)."""

    code: Code
    kind: MeetingKind
    title: Text = Field(description="with {ordinal}: '{ordinal} Meeting of the Heads of ...'")
    cadence: Cadence = Cadence.NONE
    region: Code | None = Field(
        default=None, description="the region whose meetings these are; None: interregional"
    )
    organiser: Code = Field(description="the region (or the coordination) that organises them")
    theme: Text | None = None
    last_number: int = Field(default=0, ge=0)
    countries: list[Code] = Field(default_factory=list, description="invited by default")
    organisations: list[Code] = Field(default_factory=list, description="invited by default")
    participants: list[Code] = Field(default_factory=list, description="invited by default")

    def meeting_id(self, number: int) -> str:
        return f"{self.code}-{number}"


def series_problems(meeting: MeetingDefinition, series: Series | None) -> list[str]:
    """A meeting numbered in `series` is of its kind, has a number, and belongs to the
    series' region (or, for an interregional series, to its organiser)."""
    if series is None:
        return [f"series: unknown series {meeting.series!r}"]
    problems = []
    if meeting.kind is not series.kind:
        problems.append(f"kind: series {series.code} holds {series.kind.value} meetings")
    if meeting.number is None:
        problems.append(f"number: a meeting of series {series.code} has its number")
    if meeting.region != (series.region or series.organiser):
        problems.append(f"region: series {series.code} is {series.region or series.organiser}'s")
    return problems
