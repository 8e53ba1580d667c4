"""VTIMEZONE components built from zoneinfo, in the rule form that Outlook understands.

Outlook ignores the zone name and reads only the STANDARD/DAYLIGHT rules: one
yearly ``BYMONTH``/``BYDAY`` rule per observance and no list of RDATEs. So the
rules are derived from the transitions that zoneinfo gives for one year, and
:func:`offset_at` evaluates them independently of zoneinfo so that tests can check
the two against each other.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar

__all__ = ["offset_at", "vtimezone"]

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_SAMPLE = timedelta(hours=6)  # no zone changes offset twice within six hours
_RULE_BASE_YEAR = 1970  # rules start here so that every year from `year` on is covered
_LOOKAHEAD_YEARS = 10  # years after `year` used to pick between "4th" and "last" weekday
_P = TypeVar("_P")
_BYDAY = re.compile(r"^([+-]?[1-5])(MO|TU|WE|TH|FR|SA|SU)$")


@dataclass(frozen=True)
class _Transition:
    """One change of UTC offset: the instant, the offsets around it and the new name."""

    at_utc: datetime
    before: timedelta
    after: timedelta
    name: str

    @property
    def wall(self) -> datetime:
        """Naive local time of the change in the old offset, as RFC 5545 DTSTART wants."""
        return (self.at_utc + self.before).replace(tzinfo=None)


@dataclass(frozen=True)
class _Rule:
    """A yearly 'n-th weekday of a month at a wall time' rule (``n`` = -1 is the last)."""

    month: int
    nth: int
    weekday: int  # Monday = 0, as in datetime
    wall_time: timedelta  # since local midnight

    @property
    def byday(self) -> str:
        """The RRULE BYDAY value, e.g. ``-1SU`` or ``2SU``."""
        return f"{self.nth}{_WEEKDAYS[self.weekday]}"

    def occurrence(self, year: int) -> datetime | None:
        """Naive wall time of the rule in `year`, or None when that year has no such day."""
        day = _nth_weekday(year, self.month, self.weekday, self.nth)
        if day is None:
            return None
        return datetime(year, self.month, day) + self.wall_time


def _zone(zone: str) -> ZoneInfo:
    """ZoneInfo for `zone`, with every failure turned into one clear ValueError."""
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown IANA time zone {zone!r}") from exc


def _offset(tz: ZoneInfo, moment_utc: datetime) -> timedelta:
    """zoneinfo's UTC offset at an aware instant (never None for a ZoneInfo)."""
    offset = moment_utc.astimezone(tz).utcoffset()
    assert offset is not None
    return offset


def _transitions(tz: ZoneInfo, year: int) -> list[_Transition]:
    """Offset changes whose instant falls in local `year`, found by sampling and bisection."""
    start = datetime(year, 1, 1, tzinfo=tz).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=tz).astimezone(UTC)
    found: list[_Transition] = []
    left, left_offset = start, _offset(tz, start)
    while left < end:
        right = min(left + _SAMPLE, end)
        right_offset = _offset(tz, right)
        if right_offset != left_offset:
            # Bisect to the second: `lo` keeps the old offset, `hi` has the new one.
            lo, hi = left, right
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) // 2
                mid = mid.replace(microsecond=0)
                if mid <= lo:
                    mid = lo + timedelta(seconds=1)
                if _offset(tz, mid) == left_offset:
                    lo = mid
                else:
                    hi = mid
            name = hi.astimezone(tz).tzname() or ""
            found.append(_Transition(hi, left_offset, _offset(tz, hi), name))
        left, left_offset = right, right_offset
    return found


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> int | None:
    """Day of month of the `nth` (1..5, or -1..-5 from the end) `weekday`, if it exists."""
    days = calendar.monthrange(year, month)[1]
    if nth > 0:
        first = (weekday - date(year, month, 1).weekday()) % 7 + 1
        day = first + 7 * (nth - 1)
    else:
        last = days - (date(year, month, days).weekday() - weekday) % 7
        day = last - 7 * (-nth - 1)
    return day if 1 <= day <= days else None


def _matches(tz: ZoneInfo, rule: _Rule, change: _Transition, year: int) -> bool:
    """Whether zoneinfo really changes offset where `rule` says it does in `year`."""
    wall = rule.occurrence(year)
    if wall is None:
        return False
    at_utc = (wall - change.before).replace(tzinfo=UTC)
    return (
        _offset(tz, at_utc - timedelta(seconds=1)) == change.before
        and _offset(tz, at_utc) == change.after
    )


def _rule_for(tz: ZoneInfo, change: _Transition, year: int) -> _Rule:
    """The BYDAY rule for one change, preferring 'last' unless later years say otherwise."""
    wall = change.wall
    midnight = wall.replace(hour=0, minute=0, second=0, microsecond=0)
    days = calendar.monthrange(wall.year, wall.month)[1]
    candidates: list[_Rule] = []
    if wall.day > days - 7:
        candidates.append(_Rule(wall.month, -1, wall.weekday(), wall - midnight))
    if wall.day <= 28:
        candidates.append(
            _Rule(wall.month, (wall.day - 1) // 7 + 1, wall.weekday(), wall - midnight)
        )

    def score(rule: _Rule) -> int:
        later = range(year + 1, year + 1 + _LOOKAHEAD_YEARS)
        return sum(_matches(tz, rule, change, y) for y in later)

    # max() keeps the first of equal scores, so "last" wins ties (the EU way of writing rules).
    return max(candidates, key=score)


def _observance(
    change: _Transition, start: datetime, rule: _Rule | None
) -> icalendar.TimezoneStandard | icalendar.TimezoneDaylight:
    """DAYLIGHT for the rule that puts clocks forward, STANDARD otherwise (and if alone)."""
    sub: icalendar.TimezoneStandard | icalendar.TimezoneDaylight
    if rule is not None and change.after > change.before:
        sub = icalendar.TimezoneDaylight()
    else:
        sub = icalendar.TimezoneStandard()
    sub.add("dtstart", start)
    if rule is not None:
        sub.add("rrule", {"freq": "yearly", "bymonth": rule.month, "byday": rule.byday})
    sub.add("tzoffsetfrom", change.before)
    sub.add("tzoffsetto", change.after)
    if change.name:
        sub.add("tzname", change.name)
    return sub


@functools.lru_cache(maxsize=256)
def vtimezone(zone: str, year: int) -> icalendar.Timezone:
    """VTIMEZONE for IANA `zone` in the rule form Outlook reads, valid for `year` onwards.

    A zone with summer time in `year` gets one STANDARD and one DAYLIGHT rule
    starting in 1970 (so the rules cover all of `year` whichever hemisphere), a zone
    without it one fixed STANDARD. The rules copy `year`: later changes to the zone's
    law, or rules that no single weekday rule expresses (Israel, Egypt, Morocco,
    Chile, Greenland), are not followed beyond it.
    """
    tz = _zone(zone)
    if not 2 <= year <= 9997:
        raise ValueError(f"year {year} is out of range")
    changes = _transitions(tz, year)
    vtz = icalendar.Timezone()
    vtz.add("tzid", zone)

    if not changes:
        start = datetime(year, 1, 1)
        offset = _offset(tz, start.replace(tzinfo=tz).astimezone(UTC))
        name = start.replace(tzinfo=tz).tzname() or ""
        fixed = _Transition(start.replace(tzinfo=UTC) - offset, offset, offset, name)
        vtz.add_component(_observance(fixed, start, None))
        return vtz

    if len(changes) == 1:
        # A permanent change of offset during `year` (Almaty's in 2024): one observance
        # whose TZOFFSETFROM still tells the offset before it.
        if _transitions(tz, year + 1):
            raise ValueError(
                f"{zone} changes offset once in {year} but again in {year + 1}; "
                "that cannot be written as one yearly rule pair"
            )
        vtz.add_component(_observance(changes[0], changes[0].wall, None))
        return vtz

    first, second = changes[0], changes[-1]
    if (
        len(changes) > 2
        or first.before != second.after
        or first.after != second.before
        or first.before == first.after
    ):
        raise ValueError(
            f"{zone} has {len(changes)} offset changes in {year} that are not one "
            "yearly there-and-back pair; it cannot be written as one STANDARD and one DAYLIGHT rule"
        )
    base = min(_RULE_BASE_YEAR, year - 1)
    for change in sorted(changes, key=lambda c: c.after > c.before):  # STANDARD first
        rule = _rule_for(tz, change, year)
        onset = rule.occurrence(base)
        assert onset is not None  # nth is 1..4 or -1, which every month has
        vtz.add_component(_observance(change, onset, rule))
    return vtz


@dataclass(frozen=True)
class _Observance:
    """One STANDARD/DAYLIGHT sub-component read back from a VTIMEZONE."""

    start: datetime  # naive local, in the `before` offset
    before: timedelta
    after: timedelta
    rule: _Rule | None
    until_utc: datetime | None

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


def _observances(vtz: icalendar.Timezone) -> list[_Observance]:
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
