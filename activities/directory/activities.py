"""Activities that read the participant directory and write the meeting projection."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.directory.calendars import invitee_calendars, partner_calendars
from activities.store import Store
from domain.common.contracts import (
    ALLOCATE_RTM,
    LOAD_PARTICIPANTS,
    RECORD_MEETING,
    MeetingRecord,
    ParticipantList,
    ParticipantQuery,
)
from domain.cycle.next_meeting import Allocation, provisional_in_series, provisional_rtm
from domain.directory.models import Region
from domain.followup.minutes import carried_lines
from domain.ideas.models import idea_lines
from domain.meeting.definition import MeetingDefinition
from domain.series.models import MeetingKind


class DirectoryActivities:
    """Bound to one store so the worker decides which database they use."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @activity.defn(name=LOAD_PARTICIPANTS)
    def load_participants(self, query: ParticipantQuery) -> ParticipantList:
        """Everyone the meeting invites; an unknown name is a permanent error, not a retry."""
        chosen, problems, total = self.store.resolve_page(
            query.participants,
            query.countries,
            query.organisations,
            include_inactive=query.known_only,  # a continued run keeps whom it invited
            offset=query.offset,
            limit=query.limit,
        )
        if problems and not query.known_only:
            raise ApplicationError(
                "; ".join(problems), type="UnknownParticipant", non_retryable=True
            )
        if query.known_only:  # a continued run reloads its records: it carries the rest
            return ParticipantList(participants=chosen)  # (its pages stay in the history)
        region = self.store.region(query.region) if query.region else None
        calendars = invitee_calendars(self.store, chosen, region)
        if region is None:
            return ParticipantList(participants=chosen, calendars=calendars, total=total)
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
            total=total,
        )

    @activity.defn(name=ALLOCATE_RTM)
    def allocate_rtm(self, allocation: Allocation) -> MeetingDefinition:
        """The region's next RTM, numbered once per cycle run, in its planned form."""
        region = self.store.region(allocation.region)
        if region is None:
            raise ApplicationError(
                f"unknown region {allocation.region!r}", type="UnknownRegion", non_retryable=True
            )
        today = datetime.now(UTC).date()
        if allocation.series is not None:
            return self.allocate_in_series(allocation.series, allocation.key, region, today)
        number = self.store.allocate_rtm_number(region.code, allocation.key)
        countries = [c.code for c in self.store.countries(region.code)]
        organisations = [o.code for o in self.store.organisations()]
        calendars = partner_calendars(self.store, countries, today, today + timedelta(days=240))
        return provisional_rtm(region, number, countries, organisations, today, calendars)

    def allocate_in_series(
        self, code: str, key: str, organiser: Region, today: date
    ) -> MeetingDefinition:
        series = self.store.series(code)
        if series is None:
            raise ApplicationError(
                f"unknown series {code!r}", type="UnknownSeries", non_retryable=True
            )
        number = self.store.allocate_series_number(code, key)
        calendars = partner_calendars(
            self.store, series.countries, today, today + timedelta(days=240)
        )
        invitees = (series.countries, series.organisations, series.participants)
        return provisional_in_series(series, organiser, number, invitees, today, calendars)

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
        if meeting.series is not None and meeting.number is not None:
            self.store.note_series_number(meeting.series, meeting.number)
        self.store.append_audit(
            meeting.id,
            record.actor,
            record.channel,
            f"phase.{record.phase.value}",
            {"note": record.note} if record.note else {},
        )
