"""Test oracle: the UTC offset a VTIMEZONE's rules give at an instant, evaluated without
zoneinfo, so that tests can check `domain.invitations.vtimezone` against zoneinfo."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TypeVar

import icalendar

__all__ = ["offset_at"]

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_P = TypeVar("_P")
_BYDAY = re.compile(r"^([+-]?[1-5])(MO|TU|WE|TH|FR|SA|SU)$")


@dataclass(frozen=True)
class _Rule:
    """A yearly 'n-th weekday of a month at a wall time' rule (``n`` = -1 is the last)."""

    month: int
    nth: int
    weekday: int  # Monday = 0, as in datetime
    wall_time: timedelta  # since local midnight

    @cache  # noqa: B019 - a handful of rules, each asked for the same few years thousands of times
    def occurrence(self, year: int) -> datetime | None:
        """Naive wall time of the rule in `year`, or None when that year has no such day."""
        days = [
            d
            for d, wd in calendar.Calendar().itermonthdays2(year, self.month)
            if d and wd == self.weekday
        ]
        index = self.nth - 1 if self.nth > 0 else self.nth
        if not -len(days) <= index < len(days):
            return None
        return datetime(year, self.month, days[index]) + self.wall_time


@dataclass(frozen=True)
class _Observance:
    """One STANDARD/DAYLIGHT sub-component read back from a VTIMEZONE."""

    start: datetime  # naive local, in the `before` offset
    before: timedelta
    after: timedelta
    rule: _Rule | None
    until_utc: datetime | None

    @cache  # noqa: B019 - see _Rule.occurrence
    def onsets_utc(self, years: range) -> list[datetime]:
        """UTC instants of this observance's onsets in `years` (DTSTART included)."""
        walls = [self.start]
        if self.rule is not None:
            for year in years:
                wall = self.rule.occurrence(year)
                if wall is not None and wall > self.start:
                    walls.append(wall)
        onsets = [(wall - self.before).replace(tzinfo=UTC) for wall in walls]
        if self.until_utc is not None:
            onsets = [o for o in onsets if o <= self.until_utc]
        return onsets


def _parse_rrule(text: str, start: datetime) -> tuple[_Rule, datetime | None]:
    """Read a ``FREQ=YEARLY;BYMONTH=m;BYDAY=nXX[;UNTIL=...]`` rule; reject anything richer."""
    parts = dict(part.split("=", 1) for part in text.upper().split(";") if part)
    unsupported = set(parts) - {"FREQ", "BYMONTH", "BYDAY", "UNTIL", "INTERVAL", "WKST"}
    if parts.get("FREQ") != "YEARLY" or parts.get("INTERVAL", "1") != "1" or unsupported:
        raise ValueError(f"unsupported VTIMEZONE RRULE {text!r}")
    byday = _BYDAY.match(parts.get("BYDAY", ""))
    if byday is None or not parts.get("BYMONTH", "").isdigit():
        raise ValueError(f"unsupported VTIMEZONE RRULE {text!r}")
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    rule = _Rule(int(parts["BYMONTH"]), int(byday[1]), _WEEKDAYS.index(byday[2]), start - midnight)
    until: datetime | None = None
    if "UNTIL" in parts:
        raw = parts["UNTIL"]
        if raw.endswith("Z"):
            until = datetime.strptime(raw, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        elif "T" in raw:
            until = datetime.strptime(raw, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        else:
            until = datetime.strptime(raw, "%Y%m%d").replace(tzinfo=UTC) + timedelta(days=1)
    return rule, until


def _property(sub: icalendar.Component, name: str, kind: type[_P]) -> _P:
    """Property `name` of `sub`, which must be there once and of the expected type."""
    value = sub.get(name)
    if not isinstance(value, kind):
        raise ValueError(f"{sub.name} needs exactly one {name}, got {value!r}")
    return value


_READ: dict[int, tuple[icalendar.Timezone, list[_Observance]]] = {}


def _observances(vtz: icalendar.Timezone) -> list[_Observance]:
    """The STANDARD/DAYLIGHT sub-components of `vtz`, read once per object (the object is
    kept, so its id is not reused; a test asks about a few dozen zones thousands of times)."""
    if id(vtz) not in _READ:
        _READ[id(vtz)] = (vtz, _read_observances(vtz))
    return _READ[id(vtz)][1]


def _read_observances(vtz: icalendar.Timezone) -> list[_Observance]:
    """The STANDARD/DAYLIGHT sub-components of `vtz` in a form that can be evaluated."""
    found: list[_Observance] = []
    for sub in vtz.subcomponents:
        if sub.name not in ("STANDARD", "DAYLIGHT"):
            continue
        start = _property(sub, "DTSTART", icalendar.vDDDTypes).dt
        if not isinstance(start, datetime) or start.tzinfo is not None:
            raise ValueError(f"{sub.name} DTSTART must be a local date-time, got {start!r}")
        before = _property(sub, "TZOFFSETFROM", icalendar.vUTCOffset).td
        after = _property(sub, "TZOFFSETTO", icalendar.vUTCOffset).td
        rule: _Rule | None = None
        until: datetime | None = None
        if "RRULE" in sub:
            to_ical: Callable[[], bytes] = _property(sub, "RRULE", icalendar.vRecur).to_ical
            rule, until = _parse_rrule(to_ical().decode(), start)
        found.append(_Observance(start, before, after, rule, until))
    if not found:
        raise ValueError("VTIMEZONE has no STANDARD or DAYLIGHT sub-component")
    return found


def offset_at(vtz: icalendar.Timezone, moment_utc: datetime) -> timedelta:
    """UTC offset that the VTIMEZONE rules give at an aware UTC instant (independent of zoneinfo).

    The latest onset at or before the instant wins; before the first onset the
    TZOFFSETFROM of the earliest observance applies, as RFC 5545 implies.
    """
    if moment_utc.tzinfo is None:
        raise ValueError("offset_at needs an aware datetime")
    moment = moment_utc.astimezone(UTC)
    years = range(moment.year - 1, moment.year + 2)
    latest: tuple[datetime, timedelta] | None = None
    earliest: tuple[datetime, timedelta] | None = None
    for obs in _observances(vtz):
        for onset in obs.onsets_utc(years):
            if onset <= moment and (latest is None or onset > latest[0]):
                latest = (onset, obs.after)
            if earliest is None or onset < earliest[0]:
                earliest = (onset, obs.before)
    if latest is not None:
        return latest[1]
    assert earliest is not None
    return earliest[1]
