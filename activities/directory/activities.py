"""Activities that read the participant directory and write the meeting projection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.store import Store
from domain.common.contracts import (
    ALLOCATE_RTM,
    LOAD_PARTICIPANTS,
    RECORD_MEETING,
    MeetingRecord,
    ParticipantList,
    ParticipantQuery,
)
from domain.cycle.next_meeting import Allocation, provisional_rtm
from domain.directory.models import Participant, Region
from domain.followup.minutes import carried_lines
from domain.ideas.models import idea_lines
from domain.meeting.definition import MeetingDefinition
from domain.series.models import MeetingKind
from domain.workweek.calendar import WorkingCalendars
from domain.workweek.public_holidays import resolve_all


class DirectoryActivities:
    """Bound to one store so the worker decides which database they use."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @activity.defn(name=LOAD_PARTICIPANTS)
    def load_participants(self, query: ParticipantQuery) -> ParticipantList:
        """Everyone the meeting invites; an unknown name is a permanent error, not a retry."""
        chosen, problems = self.store.resolve_participants(
            query.participants, query.countries, query.organisations
        )
        if problems:
            raise ApplicationError(
                "; ".join(problems), type="UnknownParticipant", non_retryable=True
            )
        region = self.store.region(query.region) if query.region else None
        calendars = self.calendars(chosen, region)
        if region is None:
            return ParticipantList(participants=chosen, calendars=calendars)
        ideas = self.store.ideas(region.code, open_only=True) if query.number is not None else []
        return ParticipantList(
            participants=chosen,
            secretariat_zone=region.zone,
            reminders=region.reminders,
            agenda_template=region.agenda_template,
            country_names={c.code: c.name for c in self.store.countries(region.code)},
            carried_actions=carried_lines(self.store.open_actions_before(region.code, query.number))
            if query.number is not None
            else [],
            carried_ideas=idea_lines(ideas),
            calendars=calendars,
        )

    def calendars(self, people: list[Participant], region: Region | None) -> WorkingCalendars:
        """The working days of everyone invited and of the secretariat, for two years: a
        person works by their country's calendar, organisation staff by their office's."""
        offices = {o.code: o.country for o in self.store.organisations()}
        works_in = {
            p.id: country
            for p in people
            if p.country is None and (country := offices.get(p.organisation or "")) is not None
        }
        if region is not None and region.seat_country is not None:
            works_in["secretariat"] = region.seat_country
        needed = {p.country for p in people if p.country} | set(works_in.values())
        countries = [c for c in self.store.countries() if c.code in needed]
        today = datetime.now(UTC).date()
        window = resolve_all(countries, today - timedelta(days=7), today + timedelta(days=800))
        return WorkingCalendars(countries=window, works_in=works_in)

    @activity.defn(name=ALLOCATE_RTM)
    def allocate_rtm(self, allocation: Allocation) -> MeetingDefinition:
        """The region's next RTM, numbered once per cycle run, in its planned form."""
        region = self.store.region(allocation.region)
        if region is None:
            raise ApplicationError(
                f"unknown region {allocation.region!r}", type="UnknownRegion", non_retryable=True
            )
        number = self.store.allocate_rtm_number(region.code, allocation.key)
        countries = [c.code for c in self.store.countries(region.code)]
        organisations = [o.code for o in self.store.organisations()]
        return provisional_rtm(region, number, countries, organisations, datetime.now(UTC).date())

    @activity.defn(name=RECORD_MEETING)
    def record_meeting(self, record: MeetingRecord) -> None:
        meeting = record.meeting
        self.store.record_meeting(
            meeting.id,
            meeting.region,
            meeting.title,
            record.phase.value,
            meeting.model_dump_json(),
            number=meeting.number if meeting.kind is MeetingKind.RTM else None,
        )
        self.store.append_audit(
            meeting.id,
            record.actor,
            record.channel,
            f"phase.{record.phase.value}",
            {"note": record.note} if record.note else {},
        )
