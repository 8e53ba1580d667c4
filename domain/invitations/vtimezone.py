"""VTIMEZONE components built from zoneinfo, in the rule form that Outlook understands.

Outlook ignores the zone name and reads only the STANDARD/DAYLIGHT rules: one
yearly ``BYMONTH``/``BYDAY`` rule per observance and no list of RDATEs. So the
rules are derived from the transitions that zoneinfo gives for one year (the tests
evaluate them independently of zoneinfo and check the two against each other).
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:  # imported where a calendar is written (not by the workflows or the CLI)
    import icalendar

__all__ = ["vtimezone"]

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_SAMPLE = timedelta(hours=6)  # no zone changes offset twice within six hours
_RULE_BASE_YEAR = 1970  # rules start here so that every year from `year` on is covered
_LOOKAHEAD_YEARS = 10  # years after `year` used to pick between "4th" and "last" weekday


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
    import icalendar

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
    import icalendar

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
