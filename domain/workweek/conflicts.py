"""Which partner countries do not work on a meeting's days, and which days they all do."""

from __future__ import annotations

from datetime import date, timedelta

from domain.common import i18n
from domain.common.base import Frozen
from domain.common.marks import N_
from domain.workweek.calendar import WorkCalendar

WEEKEND = N_("weekend")


class DayConflict(Frozen):
    """`country` does not work on `day`: `reason` is "weekend" or the holiday's name."""

    day: date
    country: str
    reason: str


def meeting_days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def conflicts(days: list[date], calendars: dict[str, WorkCalendar]) -> list[DayConflict]:
    """Every (day, country) pair where the country is off, by day then country."""
    found = []
    for day in days:
        for code in sorted(calendars):
            reason = calendars[code].off(day)
            if reason is not None:
                found.append(DayConflict(day=day, country=code, reason=reason))
    return found


def conflict_lines(
    found: list[DayConflict], names: dict[str, str], lang: str = i18n.DEFAULT
) -> list[str]:
    """One warning line per day: 'Mon 04 Jan 2027: Kazakhstan (New Year's Day (observed))',
    the date and "weekend" in `lang` (a holiday's name as the calendar gives it)."""
    by_day: dict[date, list[str]] = {}
    for c in found:
        reason = i18n.gettext(lang, WEEKEND) if c.reason == "weekend" else c.reason
        by_day.setdefault(c.day, []).append(f"{names.get(c.country, c.country)} ({reason})")
    return [f"{i18n.format_date(day, lang)}: {', '.join(who)}"
            for day, who in sorted(by_day.items())]  # fmt: skip


def first_common_working_days(
    earliest: date, length: int, calendars: dict[str, WorkCalendar], search_days: int = 120
) -> date | None:
    """The first day from `earliest` that starts `length` days every country works."""
    for offset in range(search_days):
        start = earliest + timedelta(days=offset)
        days = meeting_days(start, start + timedelta(days=length - 1))
        if not conflicts(days, calendars):
            return start
    return None
