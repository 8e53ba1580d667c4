"""Working calendars read from the directory: for a meeting's invitees (reminders) and for
its partner countries (warnings when planning, the cycle's proposed dates)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from activities.store import Store
from domain.common import i18n
from domain.directory.models import Participant, Region
from domain.meeting.definition import MeetingDefinition
from domain.workweek.calendar import WorkCalendar, WorkingCalendars
from domain.workweek.conflicts import DayConflict, conflicts, meeting_days
from domain.workweek.public_holidays import resolve_all

HORIZON = timedelta(days=800)  # reminders are planned at most a year ahead of a meeting


def invitee_calendars(
    store: Store, people: list[Participant], region: Region | None
) -> WorkingCalendars:
    """Everyone's working days from a week ago to two years ahead: a person works by their
    country's calendar, organisation staff by their office's, the secretariat by its seat's."""
    offices = {o.code: o.country for o in store.organisations()}
    works_in = {
        p.id: country
        for p in people
        if p.country is None and (country := offices.get(p.organisation or "")) is not None
    }
    if region is not None and region.seat_country is not None:
        works_in["secretariat"] = region.seat_country
    needed = {p.country for p in people if p.country} | set(works_in.values())
    today = datetime.now(UTC).date()
    countries = [c for c in store.countries() if c.code in needed]
    window = resolve_all(countries, today - timedelta(days=7), today + HORIZON)
    return WorkingCalendars(countries=window, works_in=works_in)


def partner_calendars(
    store: Store, countries: list[str], first: date, last: date, lang: str = i18n.DEFAULT
) -> dict[str, WorkCalendar]:
    """The partner countries' calendars between `first` and `last` (holidays named in `lang`
    where the calendar has it)."""
    wanted = set(countries)
    return resolve_all([c for c in store.countries() if c.code in wanted], first, last, lang)


def partner_countries(store: Store, meeting: MeetingDefinition) -> list[str]:
    """The countries a meeting invites, by name or through the people it names."""
    named = {p.country for p in store.participants() if p.id in meeting.participants}
    return sorted(set(meeting.countries) | {c for c in named if c})


def meeting_conflicts(
    store: Store, meeting: MeetingDefinition, lang: str = i18n.DEFAULT
) -> list[DayConflict]:
    """The meeting's (venue) days on which a partner country has a weekend or holiday (its
    name in `lang` where the calendar has it)."""
    days = meeting_days(meeting.start.date(), meeting.end.date())
    partners = partner_countries(store, meeting)
    calendars = partner_calendars(store, partners, days[0], days[-1], lang)
    return conflicts(days, calendars)
