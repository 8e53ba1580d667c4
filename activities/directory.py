"""Activities that read the participant directory and write the meeting projection."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.db import Store
from domain.contracts import (
    LOAD_PARTICIPANTS,
    RECORD_MEETING,
    MeetingRecord,
    ParticipantList,
    ParticipantQuery,
)


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
        if region is None:
            return ParticipantList(participants=chosen)
        return ParticipantList(
            participants=chosen,
            secretariat_zone=region.zone,
            reminders=region.reminders,
            agenda_template=region.agenda_template,
            country_names={c.code: c.name for c in self.store.countries(region.code)},
        )

    @activity.defn(name=RECORD_MEETING)
    def record_meeting(self, record: MeetingRecord) -> None:
        meeting = record.meeting
        self.store.record_meeting(
            meeting.id, meeting.region, meeting.title, record.phase.value, meeting.model_dump_json()
        )
        self.store.append_audit(
            meeting.id,
            record.actor,
            record.channel,
            f"phase.{record.phase.value}",
            {"note": record.note} if record.note else {},
        )
