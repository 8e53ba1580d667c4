"""A meeting definition: what the secretariat plans, validated before anything starts.

Times are wall-clock times at the venue (naive) plus the venue's IANA zone, because a
pydantic aware datetime keeps only an offset and loses the zone across Temporal.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Self
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field, model_validator

from domain.agenda.slotting import Session
from domain.common.refusals import Refusal
from domain.common.validation import no_control_chars
from domain.common.wall_clock import wall_clock_problem
from domain.directory.models import Code, Email, Frozen, Language, Text, Zone
from domain.reminders.policy import ReminderPolicy
from domain.series.models import MeetingKind as MeetingKind  # re-exported: its old home

MeetingId = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$", max_length=64)]


def _https_link(value: str) -> str:
    no_control_chars(value)
    if not (value.startswith("https://") or value.startswith("http://")) or " " in value:
        raise ValueError(Refusal("input.link", value=value))
    return value


Link = Annotated[str, Field(max_length=2000), AfterValidator(_https_link)]


class MeetingFormat(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class Venue(Frozen):
    name: Text
    city: Text
    country: Text
    address: Text | None = None


class Organiser(Frozen):
    name: Text
    email: Email


Notes = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(no_control_chars)]


class MeetingTexts(Frozen):
    """A meeting's words in one more language; what is missing stays in English."""

    title: Text | None = None
    venue: Venue | None = None
    notes: Notes | None = None
    organiser: Text | None = Field(default=None, description="the organiser's name")


class Host(Frozen):
    """Who hosts the meeting when it is not the organiser (the GCC secretariat hosting the
    15th Central Asia RTM in Dubai): named in the invitation and the report."""

    name: Text
    organisation: Code | None = None


class MeetingDefinition(Frozen):
    """What `rtm meeting plan FILE` reads and the meeting workflow starts from."""

    id: MeetingId
    region: Code
    kind: MeetingKind = MeetingKind.RTM
    number: int | None = Field(default=None, ge=1)
    title: Text
    format: MeetingFormat
    zone: Zone = Field(description="IANA zone of the venue (or of the organiser when online)")
    start: datetime = Field(description="first day's start, venue wall-clock time")
    end: datetime = Field(description="last day's end, venue wall-clock time")
    registration_deadline: datetime | None = Field(
        default=None, description="answers accepted until then (venue time); default the start"
    )
    agenda_deadline: datetime | None = Field(
        default=None, description="agenda proposals until then (venue time); default 14 days before"
    )
    reminders: ReminderPolicy | None = Field(
        default=None, description="overrides the region's reminder policy"
    )
    sessions: list[Session] | None = Field(
        default=None, description="each day's sessions (venue time); default 4 of 90 minutes"
    )
    agenda_quiet_minutes: int = Field(
        default=10, ge=0, le=1440, description="edits after publishing are mailed once quiet"
    )
    followup_days: int = Field(
        default=180, ge=1, le=3650, description="the meeting closes this long after its end"
    )
    continue_after_events: int = Field(
        default=3_800,
        ge=100,
        le=40_000,
        description="the workflow continues as new (same id, state carried) past this history;"
        " at most 3,800 (domain.meeting.timeline.CONTINUE_AT, below the server's suggestion)",
    )
    planned: bool = Field(
        default=False,
        description="started by the six-monthly cycle: dates, host and format still to be set",
    )
    venue: Venue | None = None
    join_link: Link | None = None
    organiser: Organiser
    notes: Notes | None = Field(default=None, description="a paragraph for the invitation")
    texts: dict[Language, MeetingTexts] = Field(
        default_factory=dict, description="title, venue, notes, organiser per language"
    )
    bilingual: bool = Field(
        default=False,
        description="mail in a participant's first two languages (e.g. Russian, then English)",
    )
    host: Host | None = None
    series: Code | None = Field(default=None, description="the series it is numbered in")
    participants: list[Code] = Field(default_factory=list, description="participant ids")
    countries: list[Code] = Field(
        default_factory=list, description="invite every directory participant of these countries"
    )
    organisations: list[Code] = Field(
        default_factory=list,
        description="invite every directory participant of these organisations",
    )

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError(Refusal("meeting.offset"))
        if self.end <= self.start:
            end, start = f"{self.end:%Y-%m-%d %H:%M}", f"{self.start:%Y-%m-%d %H:%M}"
            raise ValueError(Refusal("meeting.end_first", end=end, start=start))
        deadline = self.registration_deadline
        if deadline is not None and (deadline.tzinfo is not None or deadline > self.start):
            raise ValueError(Refusal("meeting.deadline_late", field="registration_deadline"))
        agenda = self.agenda_deadline
        if agenda is not None and (agenda.tzinfo is not None or agenda > self.start):
            raise ValueError(Refusal("meeting.deadline_late", field="agenda_deadline"))
        if self.end - self.start > timedelta(days=14):
            raise ValueError(Refusal("meeting.too_long"))
        if self.format in (MeetingFormat.IN_PERSON, MeetingFormat.HYBRID) and self.venue is None:
            raise ValueError(Refusal(f"meeting.needs.{self.format.value}", field="venue"))
        if self.format in (MeetingFormat.ONLINE, MeetingFormat.HYBRID) and self.join_link is None:
            raise ValueError(Refusal(f"meeting.needs.{self.format.value}", field="join_link"))
        for name, values in (
            ("participants", self.participants),
            ("countries", self.countries),
            ("organisations", self.organisations),
        ):
            dupes = sorted(v for v, n in Counter(values).items() if n > 1)  # linear in len
            if dupes:
                raise ValueError(Refusal("meeting.twice", field=name, values=", ".join(dupes)))
        if not (self.participants or self.countries or self.organisations):
            raise ValueError(Refusal("meeting.nobody", field="participants"))
        return self

    @property
    def host_name(self) -> str | None:
        """The host to name beside the organiser; None when the organiser hosts."""
        if self.host is None or self.host.name == self.organiser.name:
            return None
        return self.host.name

    @property
    def uid(self) -> str:
        """The iCalendar UID, stable for the meeting's whole life."""
        return f"{self.id.lower()}@{self.organiser.email.rpartition('@')[2]}"

    def start_utc(self) -> datetime:
        return to_utc(self.start, self.zone)

    def end_utc(self) -> datetime:
        return to_utc(self.end, self.zone)

    def registration_deadline_utc(self) -> datetime:
        return to_utc(self.registration_deadline or self.start, self.zone)

    def agenda_deadline_local(self) -> datetime:
        return self.agenda_deadline or self.start - timedelta(days=14)

    def agenda_deadline_utc(self) -> datetime:
        return to_utc(self.agenda_deadline_local(), self.zone)

    def registration_deadline_text(self) -> str:
        return f"{self.registration_deadline or self.start:%Y-%m-%d %H:%M} {self.zone}"


def localized(meeting: MeetingDefinition, lang: str) -> MeetingDefinition:
    """The meeting with its title, venue, notes and organiser's name in `lang` where the
    definition gives them (English where not)."""
    texts = meeting.texts.get(lang)
    if texts is None:
        return meeting
    changes: dict[str, object] = {}
    if texts.title:
        changes["title"] = texts.title
    if texts.venue and meeting.venue is not None:
        changes["venue"] = texts.venue
    if texts.notes:
        changes["notes"] = texts.notes
    if texts.organiser:
        changes["organiser"] = meeting.organiser.model_copy(update={"name": texts.organiser})
    return meeting.model_copy(update=changes)


def to_utc(local: datetime, zone: str) -> datetime:
    """Venue wall-clock time to an aware UTC datetime."""
    from datetime import UTC

    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def schedule_problems(meeting: MeetingDefinition, now: datetime) -> list[str]:
    """Rules that depend on the clock or the zone's rules, kept out of the model so that
    replays of running meetings stay stable."""
    times = {"start": meeting.start, "end": meeting.end,
             "registration_deadline": meeting.registration_deadline,
             "agenda_deadline": meeting.agenda_deadline}  # fmt: skip
    problems = [
        problem
        for name, local in times.items()
        if local is not None and (problem := wall_clock_problem(name, local, meeting.zone))
    ]
    if meeting.start_utc() <= now:
        when = f"{meeting.start:%Y-%m-%d %H:%M}"
        problems.append(Refusal("meeting.past", field="start", when=when, zone=meeting.zone))
    return problems
