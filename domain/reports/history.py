"""Past meetings the engine did not run, loaded with their published counts (the 14th and
15th RTMs for Central Asia), so that numbering continues after them and the year-over-year
charts start from real data."""

from __future__ import annotations

from datetime import date
from typing import Self

from pydantic import Field, model_validator

from domain.common.base import Code, Frozen, Text
from domain.common.refusals import Refusal
from domain.meeting.definition import MeetingFormat, MeetingId, MeetingKind


class PastMeeting(Frozen):
    id: MeetingId
    region: Code
    kind: MeetingKind = MeetingKind.RTM
    number: int | None = Field(default=None, ge=1)
    title: Text
    city: Text | None = None
    country: Text | None = Field(default=None, description="the host country's name")
    start: date
    end: date
    format: MeetingFormat
    participants: int = Field(ge=0, description="as published: 'more than 60' is 60")
    more_than: bool = Field(default=False, description="the release said 'more than'")
    countries: list[Code] = Field(default_factory=list, description="partner countries present")
    organisations: list[Code] = Field(default_factory=list)
    source: Text | None = Field(default=None, description="where the counts were published")

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.end < self.start:
            raise ValueError(Refusal("history.end_first", end=self.end, start=self.start))
        if self.kind is MeetingKind.RTM and self.number is None:
            raise ValueError(Refusal("history.number"))
        dupes = sorted({c for c in self.countries if self.countries.count(c) > 1})
        if dupes:
            raise ValueError(Refusal("meeting.twice", field="countries", values=", ".join(dupes)))
        return self


class History(Frozen):
    """What `rtm history load FILE` reads."""

    meetings: list[PastMeeting] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        ids = [m.id for m in self.meetings]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(Refusal("meeting.twice", field="meetings", values=", ".join(dupes)))
        return self


def history_problems(history: History, regions: set[str], countries: set[str]) -> list[str]:
    """References to regions or countries the directory does not have."""
    problems: list[str] = []
    for i, m in enumerate(history.meetings):
        if m.region not in regions:
            field = f"meetings[{i}].region"
            problems.append(Refusal("input.unknown_region", field=field, region=repr(m.region)))
        problems += [
            Refusal("input.unknown_country", field=f"meetings[{i}].countries", country=repr(c))
            for c in m.countries
            if c not in countries
        ]
    return problems
