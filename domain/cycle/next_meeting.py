"""The six-monthly cycle: what a region's next RTM looks like before anyone set its dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pydantic import Field

from domain.common.base import Code, Frozen
from domain.directory.models import Region
from domain.meeting.definition import MeetingDefinition, MeetingFormat, Organiser
from domain.series.models import Series
from domain.workweek.calendar import WorkCalendar
from domain.workweek.conflicts import first_common_working_days


class CycleInput(Frozen):
    """What a Schedule starts: one cycle run for a region's RTMs, or for a series (the
    Heads of Regional Secretariats meetings, yearly) organised by `region`."""

    region: Code
    series: Code | None = None


class Allocation(Frozen):
    """A number handed out once per cycle run (`key`), even if the activity is retried."""

    region: Code
    key: str = Field(min_length=1, max_length=300)
    series: Code | None = None


class CycleRun(Frozen):
    meeting_id: str
    number: int


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def provisional_start(today: date, calendars: dict[str, WorkCalendar]) -> date:
    """Three months ahead: the first Monday then, or the first two days after it on which
    every partner country works (no weekend, no public holiday)."""
    monday = today + timedelta(days=91 + (7 - today.weekday()) % 7)
    return first_common_working_days(monday, 2, calendars) or monday


def provisional_rtm(
    region: Region,
    number: int,
    countries: list[str],
    organisations: list[str],
    today: date,
    calendars: dict[str, WorkCalendar] | None = None,
) -> MeetingDefinition:
    """The next RTM, planned: provisional dates three months ahead (two days every partner
    country works, in the secretariat's zone), online; the secretariat sets the real ones
    with `schedule`."""
    monday = provisional_start(today, calendars or {})
    return MeetingDefinition(
        id=f"RTM-{region.code}-{number}",
        region=region.code,
        number=number,
        title=f"{ordinal(number)} Round-Table Meeting of National Focal Points for {region.name}",
        format=MeetingFormat.ONLINE,
        zone=region.zone,
        start=datetime.combine(monday, time(9)),
        end=datetime.combine(monday + timedelta(days=1), time(17, 30)),
        join_link=f"https://meet.example.org/rtm-{region.code.lower()}-{number}",
        organiser=Organiser(
            name=f"CBRN CoE Regional Secretariat for {region.name}",
            email=region.secretariat_email,
        ),
        countries=countries,
        organisations=organisations,
        planned=True,
    )


def provisional_in_series(
    series: Series,
    organiser: Region,
    number: int,
    invitees: tuple[list[str], list[str], list[str]],
    today: date,
    calendars: dict[str, WorkCalendar] | None = None,
) -> MeetingDefinition:
    """The series' next meeting, planned like an RTM (three months ahead, on days every
    partner country works, online), organised by its organiser's secretariat.
    `invitees` are the series' (countries, organisations, participants)."""
    countries, organisations, participants = invitees
    start = provisional_start(today, calendars or {})
    return MeetingDefinition(
        id=series.meeting_id(number),
        region=series.region or series.organiser,
        kind=series.kind,
        series=series.code,
        number=number,
        title=series.title.replace("{ordinal}", ordinal(number)),
        format=MeetingFormat.ONLINE,
        zone=organiser.zone,
        start=datetime.combine(start, time(9)),
        end=datetime.combine(start + timedelta(days=1), time(17, 30)),
        join_link=f"https://meet.example.org/{series.meeting_id(number).lower()}",
        organiser=Organiser(name=organiser.name, email=organiser.secretariat_email),
        countries=countries,
        organisations=organisations,
        participants=participants,
        planned=True,
    )
