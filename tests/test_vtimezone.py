"""VTIMEZONE rules checked against zoneinfo, by our own evaluator and by vobject's parser.

A wrong rule sends Outlook users to the meeting an hour early or late, so every
zone the initiative uses is compared with zoneinfo every six hours over three
years and one minute either side of each change of offset.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from domain.invitations.vtimezone import vtimezone
from tests.budget import spread
from tests.oracles.vtimezone import offset_at

ZONES = [
    "Asia/Tashkent",
    "Asia/Almaty",
    "Asia/Bishkek",
    "Asia/Dushanbe",
    "Asia/Karachi",
    "Asia/Ulaanbaatar",
    "Asia/Kabul",
    "Asia/Dubai",
    "Europe/Brussels",
    "Europe/Rome",
    "Europe/Luxembourg",
    "America/New_York",
    "Australia/Sydney",
    "UTC",
]
DST_ZONES = {"Europe/Brussels", "Europe/Rome", "Europe/Luxembourg", "America/New_York"}
DST_ZONES |= {"Australia/Sydney"}
YEARS = [2026, 2027, 2028]
# Not used by the initiative, but their rules are awkward: midnight changes, half-hour DST,
# a "negative" DST in tzdata, and the international date line.
OTHER_ZONES = ["America/Santiago", "Australia/Lord_Howe", "Europe/Dublin", "Pacific/Chatham"]
H = timedelta(hours=1)


@cache
def _vtz(zone: str, year: int = 2026) -> icalendar.Timezone:
    """Built once per zone, like the engine does for a meeting's year."""
    return vtimezone(zone, year)


def _zoneinfo_offset(zone: str, moment: datetime) -> timedelta:
    offset = moment.astimezone(ZoneInfo(zone)).utcoffset()
    assert offset is not None
    return offset


def _changes(zone: str, start: datetime, end: datetime) -> list[datetime]:
    """UTC instants where zoneinfo changes offset, to the second (scanned independently)."""
    found: list[datetime] = []
    left = start
    while left < end:
        right = left + H
        if _zoneinfo_offset(zone, left) != _zoneinfo_offset(zone, right):
            lo, hi = left, right
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if _zoneinfo_offset(zone, mid) == _zoneinfo_offset(zone, left):
                    lo = mid
                else:
                    hi = mid
            found.append(hi)
        left = right
    return found


def _subs(vtz: icalendar.Timezone, name: str) -> list[Any]:
    return [sub for sub in vtz.subcomponents if sub.name == name]


def _rrule(sub: Any) -> str:
    rrule: Any = sub["RRULE"]
    text = rrule.to_ical().decode()
    assert isinstance(text, str)
    return text


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def _check_against_zoneinfo(zone: str, vtz: icalendar.Timezone, year: int) -> int:
    """Compare every six hours (a day apart in the quick run, tests/budget.py) and around
    each change; return how many changes there were."""
    start, end = _year_bounds(year)
    for moment in spread([start + 6 * H * i for i in range((end - start) // (6 * H))], 366):
        assert offset_at(vtz, moment) == _zoneinfo_offset(zone, moment), (zone, moment)
    changes = _changes(zone, start - H, end + H)
    for change in changes:
        for moment in (change - timedelta(minutes=1), change, change + timedelta(minutes=1)):
            assert offset_at(vtz, moment) == _zoneinfo_offset(zone, moment), (zone, moment)
    return len(changes)


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("zone", ZONES)
def test_rules_match_zoneinfo(zone: str, year: int) -> None:
    changes = _check_against_zoneinfo(zone, _vtz(zone), year)
    assert changes == (2 if zone in DST_ZONES else 0)


@pytest.mark.parametrize("zone", OTHER_ZONES)
def test_awkward_rules_match_zoneinfo(zone: str) -> None:
    for year in YEARS:
        assert _check_against_zoneinfo(zone, _vtz(zone), year) == 2


def test_almaty_is_plus_five_throughout() -> None:
    vtz = _vtz("Asia/Almaty")
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC)
    moment = start
    while moment < end:
        assert offset_at(vtz, moment) == 5 * H, moment
        moment += 6 * H
    (std,) = _subs(vtz, "STANDARD")
    assert std["TZOFFSETFROM"].td == std["TZOFFSETTO"].td == 5 * H
    assert b"TZOFFSETTO:+0500" in vtz.to_ical()


def test_almaty_2024_keeps_the_offset_before_its_change() -> None:
    vtz = vtimezone("Asia/Almaty", 2024)
    (std,) = _subs(vtz, "STANDARD")
    assert not _subs(vtz, "DAYLIGHT")
    assert std["DTSTART"].dt == datetime(2024, 3, 1, 0, 0)
    assert (std["TZOFFSETFROM"].td, std["TZOFFSETTO"].td) == (6 * H, 5 * H)
    assert _check_against_zoneinfo("Asia/Almaty", vtz, 2024) == 1
    assert _check_against_zoneinfo("Asia/Almaty", vtz, 2025) == 0


@pytest.mark.parametrize("zone", ZONES + OTHER_ZONES)
def test_structure(zone: str) -> None:
    vtz = _vtz(zone)
    assert vtz.name == "VTIMEZONE"
    assert str(vtz["TZID"]) == zone
    standard, daylight = _subs(vtz, "STANDARD"), _subs(vtz, "DAYLIGHT")
    assert len(standard) == 1
    assert len(daylight) == (1 if zone in DST_ZONES | set(OTHER_ZONES) else 0)
    for sub in standard + daylight:
        assert sub["DTSTART"].dt.tzinfo is None
        assert sub["DTSTART"].dt.year <= 2026
        assert str(sub["TZNAME"])
        if daylight:
            parts = dict(p.split("=") for p in _rrule(sub).split(";"))
            assert parts["FREQ"] == "YEARLY"
            assert set(parts) == {"FREQ", "BYMONTH", "BYDAY"}
        else:
            assert "RRULE" not in sub
            assert sub["TZOFFSETFROM"].td == sub["TZOFFSETTO"].td
    if daylight:
        assert daylight[0]["TZOFFSETTO"].td > standard[0]["TZOFFSETTO"].td
        assert daylight[0]["TZOFFSETFROM"].td == standard[0]["TZOFFSETTO"].td
        assert standard[0]["TZOFFSETFROM"].td == daylight[0]["TZOFFSETTO"].td


def test_brussels_rules_are_the_eu_rules() -> None:
    vtz = _vtz("Europe/Brussels")
    (std,), (dst,) = _subs(vtz, "STANDARD"), _subs(vtz, "DAYLIGHT")
    assert dict(p.split("=") for p in _rrule(dst).split(";")) == {
        "FREQ": "YEARLY",
        "BYMONTH": "3",
        "BYDAY": "-1SU",
    }
    assert dict(p.split("=") for p in _rrule(std).split(";")) == {
        "FREQ": "YEARLY",
        "BYMONTH": "10",
        "BYDAY": "-1SU",
    }
    assert dst["DTSTART"].dt.time() == datetime(2000, 1, 1, 2).time()
    assert std["DTSTART"].dt.time() == datetime(2000, 1, 1, 3).time()
    assert (dst["TZOFFSETFROM"].td, dst["TZOFFSETTO"].td) == (H, 2 * H)
    assert (std["TZOFFSETFROM"].td, std["TZOFFSETTO"].td) == (2 * H, H)
    assert (str(dst["TZNAME"]), str(std["TZNAME"])) == ("CEST", "CET")


def test_new_york_uses_nth_sunday() -> None:
    vtz = _vtz("America/New_York")
    (std,), (dst,) = _subs(vtz, "STANDARD"), _subs(vtz, "DAYLIGHT")
    assert "BYDAY=2SU" in _rrule(dst) and "BYMONTH=3" in _rrule(dst)
    assert "BYDAY=1SU" in _rrule(std) and "BYMONTH=11" in _rrule(std)


def test_friday_rule_uses_friday() -> None:
    """Israel starts summer time on a Friday; BYDAY must say FR, not SU."""
    (dst,) = _subs(vtimezone("Asia/Jerusalem", 2026), "DAYLIGHT")
    assert _rrule(dst).endswith("FR") or "FR;" in _rrule(dst)
    assert dst["DTSTART"].dt.weekday() == 4


@pytest.mark.parametrize(
    ("zone", "moment", "expected"),
    [
        ("Europe/Brussels", datetime(2027, 7, 1, 12, tzinfo=UTC), 2 * H),
        ("Europe/Brussels", datetime(2027, 1, 15, 12, tzinfo=UTC), H),
        ("America/New_York", datetime(2027, 7, 1, 12, tzinfo=UTC), -4 * H),
        ("America/New_York", datetime(2027, 1, 15, 12, tzinfo=UTC), -5 * H),
        ("Australia/Sydney", datetime(2027, 1, 15, 12, tzinfo=UTC), 11 * H),
        ("Australia/Sydney", datetime(2027, 7, 1, 12, tzinfo=UTC), 10 * H),
        ("Asia/Kabul", datetime(2027, 7, 1, 12, tzinfo=UTC), 4.5 * H),
    ],
)
def test_summer_and_winter_are_not_swapped(
    zone: str, moment: datetime, expected: timedelta
) -> None:
    assert offset_at(_vtz(zone), moment) == expected


def test_vobject_reads_brussels_the_same_as_zoneinfo() -> None:
    text = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rtm//test//EN\r\n"
        + _vtz("Europe/Brussels").to_ical()
        + b"END:VCALENDAR\r\n"
    )
    cal = vobject.readOne(text.decode())
    tz = cal.vtimezone.gettzinfo()
    zi = ZoneInfo("Europe/Brussels")
    # Unambiguous wall times either side of both 2027 changes, and mid-season.
    for wall in (
        datetime(2027, 1, 15, 12),
        datetime(2027, 3, 28, 1, 30),
        datetime(2027, 3, 28, 3, 30),
        datetime(2027, 7, 1, 12),
        datetime(2027, 10, 31, 1, 30),
        datetime(2027, 10, 31, 3, 30),
        datetime(2027, 12, 15, 12),
    ):
        assert wall.replace(tzinfo=tz).utcoffset() == wall.replace(tzinfo=zi).utcoffset(), wall
    # And instants a minute either side of the changes (01:00 UTC both times).
    for change in (datetime(2027, 3, 28, 1, tzinfo=UTC), datetime(2027, 10, 31, 1, tzinfo=UTC)):
        for moment in (change - timedelta(minutes=1), change + timedelta(minutes=1)):
            assert moment.astimezone(tz).utcoffset() == moment.astimezone(zi).utcoffset()


@pytest.mark.parametrize("zone", ["Nope/Zone", "Europe", "", "../etc/passwd", "europe/brussels"])
def test_unknown_zone_raises(zone: str) -> None:
    with pytest.raises(ValueError, match="unknown IANA time zone"):
        vtimezone(zone, 2026)


def test_too_many_changes_raise() -> None:
    """London had double summer time in 1945: three changes, no single rule pair."""
    with pytest.raises(ValueError, match="cannot be written"):
        vtimezone("Europe/London", 1945)


def test_permanent_summer_time_is_one_standard() -> None:
    """Turkey kept summer time in 2016: a single change, still written as a STANDARD."""
    vtz = vtimezone("Europe/Istanbul", 2016)
    assert len(_subs(vtz, "STANDARD")) == 1 and not _subs(vtz, "DAYLIGHT")
    assert _check_against_zoneinfo("Europe/Istanbul", vtz, 2017) == 0


def test_offset_at_needs_an_aware_instant() -> None:
    with pytest.raises(ValueError, match="aware"):
        offset_at(_vtz("UTC"), datetime(2027, 1, 1))


def test_vobject_reads_sydney_summer_at_the_start_of_the_year() -> None:
    """Rules start before `year`, so a parser that knows no earlier onset still gets January."""
    text = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rtm//test//EN\r\n"
        + _vtz("Australia/Sydney").to_ical()
        + b"END:VCALENDAR\r\n"
    )
    tz = vobject.readOne(text.decode()).vtimezone.gettzinfo()
    for wall in (datetime(2026, 1, 15, 12), datetime(2026, 7, 1, 12), datetime(2027, 1, 15, 12)):
        assert (
            wall.replace(tzinfo=tz).utcoffset()
            == wall.replace(tzinfo=ZoneInfo("Australia/Sydney")).utcoffset()
        )
