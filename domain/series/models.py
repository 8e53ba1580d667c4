"""A meeting series: a region's RTMs, the Heads of Regional Secretariats meetings, the
technical round tables of one theme, their preparatory meetings. Each numbers its own."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import Field

from domain.common.base import Code, Frozen, Text
from domain.common.refusals import Refusal

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
        return [Refusal("series.unknown", field="series", series=repr(meeting.series))]
    problems: list[str] = []
    if meeting.kind is not series.kind:
        kind = f"series.kind.{series.kind.value}"
        problems.append(Refusal(kind, field="kind", series=series.code))
    if meeting.number is None:
        problems.append(Refusal("series.number", field="number", series=series.code))
    owner = series.region or series.organiser
    if meeting.region != owner:
        problems.append(Refusal("series.region", field="region", series=series.code, owner=owner))
    return problems
