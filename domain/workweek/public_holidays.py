"""Resolve a country's calendar over a window: the `holidays` package, then the directory.

Kept apart from `calendar` so that workflow code, which only reads resolved calendars,
never imports the `holidays` package.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import holidays

from domain.common import i18n
from domain.directory.models import Country
from domain.workweek.calendar import WorkCalendar


def holiday_language(supported: Sequence[str], lang: str) -> str | None:
    """The package's language for a reader of `lang` ("ru" -> "ru", or "ru_KG" for the
    Kyrgyz calendar), else its English; None when it has neither (the country's own)."""
    for wanted in (lang, i18n.DEFAULT):
        for code in supported:
            if code == wanted or code.split("_")[0] == wanted:
                return code
    return None


def resolve(country: Country, first: date, last: date, lang: str = i18n.DEFAULT) -> WorkCalendar:
    """`country`'s days off between `first` and `last` (inclusive): the public holidays the
    package knows for it, minus the directory's working days, plus the directory's holidays.
    The package's names in `lang` where it has them, else in English: never in the language
    the process's environment happens to name (the package's default)."""
    days_off: dict[date, str] = {}
    if country.public_holidays:
        years = range(first.year, last.year + 1)
        try:
            public = holidays.country_holidays(country.code, years=years)
        except NotImplementedError:  # a calendar the package does not have
            public = None
        language = holiday_language(public.supported_languages, lang) if public else None
        if public is not None and language is not None:
            public = holidays.country_holidays(country.code, years=years, language=language)
        if public is not None:
            days_off = {d: str(name) for d, name in sorted(public.items()) if first <= d <= last}
    for day in country.working_days:
        days_off.pop(day, None)
    for extra in country.holidays:
        if first <= extra.day <= last:
            days_off[extra.day] = extra.name
    return WorkCalendar(weekend=list(country.weekend), days_off=dict(sorted(days_off.items())))


def resolve_all(
    countries: list[Country], first: date, last: date, lang: str = i18n.DEFAULT
) -> dict[str, WorkCalendar]:
    return {c.code: resolve(c, first, last, lang) for c in countries}
