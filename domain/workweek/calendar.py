"""A country's working week and days off, as data the workflows can plan with.

The directory says which days are a country's weekend (and since when: the UAE moved from
Friday+Saturday to Saturday+Sunday in 2022) and may add or remove holidays; the `holidays`
package supplies the public holidays it knows. Both are resolved once, by an activity or
the CLI, into a `WorkCalendar`, so a replayed workflow never recomputes them.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from domain.common.base import Frozen, Text


class Day(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def weekday(self) -> int:
        """Python's `date.weekday()` number of this day (Monday 0)."""
        return list(Day).index(self)


class WeekendRule(Frozen):
    """The weekend days from `since` on (from the beginning when None)."""

    days: list[Day] = Field(min_length=1, max_length=3)
    since: date | None = None


class DayOff(Frozen):
    """A holiday the directory adds to (or names differently than) the public calendar."""

    day: date
    name: Text


SATURDAY_SUNDAY = (WeekendRule(days=[Day.SAT, Day.SUN]),)


def weekend_on(rules: list[WeekendRule] | tuple[WeekendRule, ...], day: date) -> frozenset[int]:
    """The weekday numbers that are weekend on `day`: the latest rule in force then."""
    rules = rules or SATURDAY_SUNDAY
    in_force = [r for r in rules if r.since is None or r.since <= day]
    if not in_force:
        in_force = [min(rules, key=lambda r: r.since or date.min)]
    rule = max(in_force, key=lambda r: r.since or date.min)
    return frozenset(d.weekday for d in rule.days)


class WorkCalendar(Frozen):
    """One country's weekend rules and its dated days off over a window."""

    weekend: list[WeekendRule] = Field(default_factory=list, description="empty: Sat+Sun")
    days_off: dict[date, str] = Field(default_factory=dict, description="day -> holiday name")

    def off(self, day: date) -> str | None:
        """Why `day` is not a working day ("weekend" or the holiday's name), or None."""
        if day in self.days_off:
            return self.days_off[day]
        if day.weekday() in weekend_on(self.weekend, day):
            return "weekend"
        return None

    def works(self, day: date) -> bool:
        return self.off(day) is None


SATURDAY_SUNDAY_ONLY = WorkCalendar()


class WorkingCalendars(Frozen):
    """The calendars a meeting's invitees work by: by country, and which country applies to
    whom when it is not their own (organisation staff work where their office is)."""

    countries: dict[str, WorkCalendar] = Field(default_factory=dict)
    works_in: dict[str, str] = Field(
        default_factory=dict, description="participant id (or 'secretariat') -> country"
    )

    def of(self, participant_id: str, country: str | None) -> WorkCalendar:
        code = self.works_in.get(participant_id, country)
        if code is None:
            return SATURDAY_SUNDAY_ONLY
        return self.countries.get(code, SATURDAY_SUNDAY_ONLY)

    @classmethod
    def merged(cls, parts: list[WorkingCalendars]) -> WorkingCalendars:
        """The calendars of a meeting whose invitees were read a page at a time: each page
        brings the countries and offices of its own people."""
        countries: dict[str, WorkCalendar] = {}
        works_in: dict[str, str] = {}
        for part in parts:
            countries.update(part.countries)
            works_in.update(part.works_in)
        return cls(countries=countries, works_in=works_in)
