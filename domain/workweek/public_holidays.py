"""Resolve a country's calendar over a window: the `holidays` package, then the directory.

Kept apart from `calendar` so that workflow code, which only reads resolved calendars,
never imports the `holidays` package.
"""

from __future__ import annotations

from datetime import date

import holidays

from domain.directory.models import Country
from domain.workweek.calendar import WorkCalendar


def resolve(country: Country, first: date, last: date) -> WorkCalendar:
    """`country`'s days off between `first` and `last` (inclusive): the public holidays the
    package knows for it, minus the directory's working days, plus the directory's holidays."""
    days_off: dict[date, str] = {}
    if country.public_holidays:
        try:
            public = holidays.country_holidays(country.code, years=range(first.year, last.year + 1))
        except NotImplementedError:  # a calendar the package does not have
            public = None
        if public is not None:
            days_off = {d: str(name) for d, name in sorted(public.items()) if first <= d <= last}
    for day in country.working_days:
        days_off.pop(day, None)
    for extra in country.holidays:
        if first <= extra.day <= last:
            days_off[extra.day] = extra.name
    return WorkCalendar(weekend=list(country.weekend), days_off=dict(sorted(days_off.items())))


def resolve_all(countries: list[Country], first: date, last: date) -> dict[str, WorkCalendar]:
    return {c.code: resolve(c, first, last) for c in countries}
