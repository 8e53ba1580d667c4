"""Each country's working week and holidays: the shipped network directory, the calendars
resolved from the `holidays` package and the directory, and reminder moments over a year.

The oracle is written apart from the code under test: the `holidays` package asked directly,
and the weekend rules as the law states them (Friday and Saturday in Saudi Arabia, Kuwait,
Qatar, Oman, Bahrain, Jordan and Algeria; the UAE on Saturday and Sunday since 2022).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.cycle.next_meeting import provisional_start
from domain.directory.models import Country, Directory
from domain.reminders.planning import ReminderKind, send_moment
from domain.reminders.policy import ReminderPolicy
from domain.workweek.calendar import Day, DayOff, WeekendRule, WorkCalendar, WorkingCalendars
from domain.workweek.conflicts import (
    DayConflict,
    conflict_lines,
    conflicts,
    first_common_working_days,
    meeting_days,
)
from domain.workweek.public_holidays import holiday_language, resolve
from starter.cli.inputs import read_directory
from starter.data import CENTRAL_ASIA, NETWORK
from tests.budget import examples
from tests.factories import plan_reminders

FRIDAY_SATURDAY = {"SA", "KW", "QA", "OM", "BH", "JO", "DZ"}
YEAR = 2027


@cache
def network() -> Directory:
    return read_directory(NETWORK)


def law_weekend(code: str, day: date) -> set[int]:
    if code in FRIDAY_SATURDAY or (code == "AE" and day < date(2022, 1, 1)):
        return {4, 5}
    return {5, 6}


@cache
def package_holidays(code: str) -> dict[date, str]:
    try:
        return dict(holidays.country_holidays(code, years=range(YEAR - 1, YEAR + 2)))
    except NotImplementedError:
        return {}


def off_by_law(code: str, day: date) -> bool:
    return day.weekday() in law_weekend(code, day) or day in package_holidays(code)


@cache
def calendar_of(code: str) -> WorkCalendar:
    country = next(c for c in network().countries if c.code == code)
    return resolve(country, date(YEAR - 1, 1, 1), date(YEAR + 1, 12, 31))


def zone_of(code: str) -> str:
    return next(p.zone for p in network().participants if p.country == code)


PARTNERS = sorted(
    c.code
    for c in network().countries
    if not next(r for r in network().regions if r.code == c.region).coordination
)


def test_the_network_has_eight_regions_and_the_coordination() -> None:
    d = network()
    regions = [r for r in d.regions if not r.coordination]
    assert [r.name for r in sorted(regions, key=lambda r: r.name)] == [
        "African Atlantic Façade",
        "Central Asia",
        "Eastern and Central Africa",
        "Gulf Cooperation Council Countries",
        "Middle East",
        "North Africa and Sahel",
        "South East Asia",
        "South East and Eastern Europe",
    ]
    seats = {r.code: r.secretariat_city for r in regions}
    assert seats["CA"] == "Tashkent" and seats["GCC"] == "Abu Dhabi"
    assert [r.code for r in d.regions if r.coordination] == ["INT"]
    for r in regions:
        partners = [c for c in d.countries if c.region == r.code]
        assert partners, r.code
        for c in partners:  # an NFP and a deputy per partner country, all fictitious
            people = [p for p in d.participants if p.country == c.code]
            assert {p.role.value for p in people} >= {"nfp", "deputy_nfp"}, c.code
        heads = [p for p in d.participants if p.organisation == f"SEC-{r.code}"]
        assert heads, r.code
        assert r.seat_country in {c.code for c in partners}, r.code
    assert all(p.email.endswith("@example.org") for p in d.participants)
    assert len(PARTNERS) >= 60
    assert {s.kind.value for s in d.series} == {"rtm", "heads", "technical", "preparatory"}
    assert {s.cadence.value for s in d.series} == {"six-monthly", "yearly", "none"}
    assert len([s for s in d.series if s.kind.value == "rtm"]) == 8


def test_central_asia_yaml_is_the_central_asia_part_of_the_network() -> None:
    small, whole = read_directory(CENTRAL_ASIA), network()
    ca = {c.code for c in small.countries}
    assert [c for c in whole.countries if c.region == "CA"] == small.countries
    assert [p for p in whole.participants if p.id in {q.id for q in small.participants}] == (
        small.participants
    )
    assert ca == {c.code for c in whole.countries if c.region == "CA"}


def test_weekends_follow_the_law() -> None:
    def off(code: str, day: date) -> str | None:
        return calendar_of(code).off(day)

    thursday, friday, saturday, sunday = (date(2027, 10, d) for d in (14, 15, 16, 17))
    for code in FRIDAY_SATURDAY:
        assert off(code, friday) == "weekend" and off(code, saturday) == "weekend", code
        assert off(code, sunday) is None and off(code, thursday) is None, code
    assert off("AE", friday) is None and off("AE", sunday) == "weekend"
    assert off("KZ", friday) is None and off("KZ", sunday) == "weekend"
    uae = next(c for c in network().countries if c.code == "AE")
    before = resolve(uae, date(2021, 1, 1), date(2021, 12, 31))
    assert before.off(date(2021, 6, 4)) == "weekend"  # a Friday before the switch
    assert before.off(date(2021, 6, 6)) is None  # a Sunday before the switch


def test_the_directory_overrides_the_public_calendar() -> None:
    country = Country(
        code="KZ",
        name="Kazakhstan",
        region="CA",
        holidays=[DayOff(day=date(2027, 6, 1), name="Secretariat retreat")],
        working_days=[date(2027, 1, 2)],
        weekend=[WeekendRule(days=[Day.SUN])],
    )
    cal = resolve(country, date(2027, 1, 1), date(2027, 12, 31))
    assert cal.off(date(2027, 6, 1)) == "Secretariat retreat"
    assert cal.off(date(2027, 1, 2)) is None  # New Year's second day, worked by decision
    assert cal.off(date(2027, 1, 1)) == "New Year's Day"
    assert cal.off(date(2027, 6, 5)) is None  # Saturday: the directory's weekend is Sunday
    assert cal.off(date(2027, 6, 6)) == "weekend"
    no_public = resolve(
        country.model_copy(update={"public_holidays": False}), date(2027, 1, 1), date(2027, 12, 31)
    )
    assert no_public.off(date(2027, 1, 1)) is None


@settings(max_examples=examples(400), deadline=None)
@given(
    code=st.sampled_from(PARTNERS),
    day=st.integers(0, 364),
    days=st.integers(1, 60),
    earlier=st.integers(0, 10),
)
def test_reminder_moments_per_country_over_a_year(
    code: str, day: int, days: int, earlier: int
) -> None:
    """Never on a weekend or public holiday of the recipient, at 10:00 their time, never more
    than the policy's days earlier than planned; later only when no earlier day works."""
    policy = ReminderPolicy(max_days_earlier=earlier)
    zone = zone_of(code)
    tz = ZoneInfo(zone)
    reference = datetime.combine(date(YEAR, 1, 1) + timedelta(days=day), time(9), tzinfo=tz)
    at = send_moment(reference.astimezone(UTC), days, zone, policy, calendar_of(code))
    local = at.astimezone(tz)
    target = reference.date() - timedelta(days=days)
    assert (local.hour, local.minute) == (10, 0)
    assert not off_by_law(code, local.date()), (code, local)
    assert local.date() >= target - timedelta(days=earlier), (code, local, target)
    if local.date() < target:  # moved back: every day in between is off
        gap = (target - local.date()).days
        assert all(off_by_law(code, target - timedelta(days=k)) for k in range(gap)), code
    if local.date() > target:  # moved forward: no day in the window worked
        window = [target - timedelta(days=k) for k in range(earlier + 1)]
        assert all(off_by_law(code, d) for d in window), (code, target)
        ahead = (local.date() - target).days
        assert all(off_by_law(code, target + timedelta(days=k)) for k in range(1, ahead))


def test_plan_reminders_uses_each_recipients_calendar() -> None:
    """A chaser due on Friday 4 June 2027: the Saudi NFP gets it on Thursday (Friday is their
    weekend), the Emirati NFP on Friday, the Kazakh NFP on Friday."""
    people = {p.id: p for p in network().participants if p.id in {"sa-nfp", "ae-nfp", "kz-nfp"}}
    calendars = WorkingCalendars(countries={c: calendar_of(c) for c in ("SA", "AE", "KZ")})
    start = datetime(2027, 6, 11, 9, 0, tzinfo=ZoneInfo("Asia/Dubai")).astimezone(UTC)
    plan = plan_reminders(
        start_utc=start,
        agenda_deadline_utc=None,
        policy=ReminderPolicy(chaser_days=[7], pre_meeting_days=[], escalation_days=None),
        invitees=people,
        answers={},
        secretariat_zone="Asia/Dubai",
        sequence=0,
        horizon=datetime(2027, 1, 1, tzinfo=UTC),
        calendars=calendars,
    )
    days = {
        r.participant_id: r.at.astimezone(ZoneInfo(people[r.participant_id or ""].zone)).date()
        for r in plan
        if r.kind is ReminderKind.CHASER
    }
    assert days == {
        "sa-nfp": date(2027, 6, 3),
        "ae-nfp": date(2027, 6, 4),
        "kz-nfp": date(2027, 6, 4),
    }


def test_organisation_staff_work_by_their_office() -> None:
    calendars = WorkingCalendars(
        countries={"SA": calendar_of("SA")},
        works_in={"gcc-sec-head": "SA"},
    )
    assert calendars.of("gcc-sec-head", None).off(date(2027, 6, 4)) == "weekend"
    assert calendars.of("someone-else", None).off(date(2027, 6, 4)) is None


def test_the_calendars_of_pages_read_one_by_one_are_those_of_every_page() -> None:
    """A large meeting's invitees come in pages, each with its own people's calendars: a
    country or office that only a later page brings is kept."""
    first = WorkingCalendars(countries={"KZ": calendar_of("KZ")}, works_in={"secretariat": "UZ"})
    later = WorkingCalendars(
        countries={"SA": calendar_of("SA"), "UZ": calendar_of("UZ")},
        works_in={"gcc-sec-head": "SA"},
    )
    both = WorkingCalendars.merged([first, later])
    assert both.countries == {**first.countries, **later.countries}
    assert both.works_in == {"secretariat": "UZ", "gcc-sec-head": "SA"}
    assert both.of("gcc-sec-head", None).off(date(2027, 6, 4)) == "weekend"
    assert first.of("gcc-sec-head", None).off(date(2027, 6, 4)) is None
    assert WorkingCalendars.merged([]) == WorkingCalendars()


def test_the_demo_rtm_on_4_january_2027_warns_of_new_year_holidays() -> None:
    """The demo plans Central Asia's RTM for Monday 4 and Tuesday 5 January 2027."""
    partners = ["KZ", "KG", "MN", "PK", "TJ", "UZ"]
    calendars = {c: calendar_of(c) for c in partners}
    days = meeting_days(date(2027, 1, 4), date(2027, 1, 5))
    found = conflicts(days, calendars)
    assert {(c.day, c.country) for c in found} == {
        (date(2027, 1, 4), "KZ"),
        (date(2027, 1, 4), "KG"),
        (date(2027, 1, 5), "KG"),
    }
    names = {c.code: c.name for c in network().countries}
    assert conflict_lines(found, names) == [
        "Mon 04 Jan 2027: Kyrgyz Republic (New Year Holidays), "
        "Republic of Kazakhstan (New Year's Day (observed))",
        "Tue 05 Jan 2027: Kyrgyz Republic (New Year Holidays)",
    ]
    weekend = [DayConflict(day=date(2027, 1, 9), country="KZ", reason="weekend")]
    assert conflict_lines(weekend, names, "ru") == [
        "сб, 9 янв. 2027\u202fг.: Republic of Kazakhstan (выходные)"
    ]  # the date and the weekend in the reader's language


def test_the_cycle_proposes_two_days_every_partner_works() -> None:
    """Three months after 1 December 2026 is Monday 8 March 2027: Women's Day in Central Asia,
    then Eid al-Fitr (9-12 March in Pakistan), the weekend, and a holiday in Kazakhstan on
    the 15th; the first two days that every partner works are 16-17 March."""
    partners = ["KZ", "KG", "MN", "PK", "TJ", "UZ"]
    calendars = {c: calendar_of(c) for c in partners}
    start = provisional_start(date(2026, 12, 1), calendars)
    assert start == date(2027, 3, 16)
    assert not conflicts(meeting_days(start, start + timedelta(days=1)), calendars)
    assert conflicts([date(2027, 3, 8)], calendars)
    assert provisional_start(date(2026, 12, 1), {}) == date(2027, 3, 8)
    gulf = {c: calendar_of(c) for c in ("AE", "SA")}  # Sat+Sun and Fri+Sat: Mon-Thu for both
    assert first_common_working_days(date(2027, 10, 14), 2, gulf) == date(2027, 10, 18)


def test_holidays_are_named_in_the_readers_language_where_the_calendar_has_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Kyrgyzstan's calendar has Russian, Kazakhstan's has not (English then); the names do
    not follow the process's own locale (the package's default for a Russian LANG is the
    country's language: Kazakh, Kyrgyz)."""
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    partners = {c.code: c for c in network().countries if c.code in ("KZ", "KG")}
    days = meeting_days(date(2027, 1, 4), date(2027, 1, 5))
    calendars = {code: resolve(c, days[0], days[-1], "ru") for code, c in partners.items()}
    names = {code: c.name for code, c in partners.items()}
    assert conflict_lines(conflicts(days, calendars), names, "ru") == [
        "пн, 4 янв. 2027\u202fг.: Kyrgyz Republic (Новогодние каникулы), "
        "Republic of Kazakhstan (New Year's Day (observed))",
        "вт, 5 янв. 2027\u202fг.: Kyrgyz Republic (Новогодние каникулы)",
    ]
    english = {code: resolve(c, days[0], days[-1]) for code, c in partners.items()}
    assert english["KG"].off(days[0]) == "New Year Holidays"
    assert english["KZ"].off(days[0]) == "New Year's Day (observed)"
    assert holiday_language(("en_US", "ky", "ru_KG"), "ru") == "ru_KG"
    assert holiday_language(("en_US", "kk", "uk"), "ru") == "en_US"
    assert holiday_language(("ar", "fr"), "ru") is None  # the country's own, as given
