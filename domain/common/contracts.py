"""Names and payloads shared by workflows, activities and the CLI.

Workflows call activities by these names so that they never import the activity
modules (and with them sqlmodel). Every payload is one pydantic model.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, field_serializer, field_validator

from domain.agenda.template import TemplateItem, default_template
from domain.common.packing import pack_json, unpack_json
from domain.directory.columns import PACK_FROM, from_columns, to_columns
from domain.directory.models import Frozen, Participant
from domain.meeting.definition import MeetingDefinition
from domain.reminders.policy import ReminderPolicy
from domain.workweek.calendar import WorkingCalendars

TASK_QUEUE = "rtm"

LOAD_PARTICIPANTS = "load_participants"
SEND_INVITATIONS = "send_invitations"
RECORD_MEETING = "record_meeting"
SEND_REMINDERS = "send_reminders"
SEND_NOTICES = "send_notices"
ALLOCATE_RTM = "allocate_rtm"
RECORD_ACTION = "record_action"  # domain.followup.actions.ActionRecord -> None
SEND_ACTION_MAIL = "send_action_mail"  # followup.actions.ActionMail -> mail.notices.NoticeResult


class Phase(StrEnum):
    """Where a meeting stands in its lifecycle (DESIGN.md)."""

    PLANNED = "planned"
    SCHEDULED = "scheduled"
    INVITING = "inviting"
    REGISTRATION = "registration"
    HELD = "held"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ParticipantQuery(Frozen):
    region: str | None = None
    number: int | None = Field(default=None, description="an RTM's number: carry-over")
    participants: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    organisations: list[str] = Field(default_factory=list)
    offset: int = Field(default=0, ge=0, description="a page of the invitees: the first")
    limit: int | None = Field(default=None, ge=1, description="a page: how many at most")
    known_only: bool = Field(
        default=False, description="reloading a continued run: skip ids no longer known"
    )

    @field_validator("participants", mode="before")
    @classmethod
    def _unpacked(cls, value: Any) -> Any:
        return unpack_json(value) if isinstance(value, str) else value

    @field_serializer("participants", when_used="json")
    def _packed(self, ids: list[str]) -> list[str] | str:
        """A continued run's reload names a page of ids per activity, each in the history:
        compressed from PACK_FROM ids (a list still reads)."""
        return pack_json(ids) if len(ids) >= PACK_FROM else ids

    @classmethod
    def of(cls, meeting: MeetingDefinition) -> ParticipantQuery:
        return cls(
            region=meeting.region,
            number=meeting.number if meeting.kind.value == "rtm" else None,
            participants=meeting.participants,
            countries=meeting.countries,
            organisations=meeting.organisations,
        )


class ParticipantList(Frozen):
    """The invitees, with what the region adds: its secretariat's zone and reminder policy.
    The participants cross the payload as columns (`domain.directory.columns`)."""

    participants: list[Participant] = Field(default_factory=list)

    @field_validator("participants", mode="before")
    @classmethod
    def _from_columns(cls, value: Any) -> Any:
        return from_columns(value)

    @field_serializer("participants", when_used="json")
    def _as_columns(self, people: list[Participant]) -> dict[str, Any]:
        return to_columns(people)

    secretariat_zone: str = "UTC"
    reminders: ReminderPolicy = Field(default_factory=ReminderPolicy)
    agenda_template: list[TemplateItem] = Field(default_factory=default_template)
    country_names: dict[str, str] = Field(default_factory=dict)
    carried_actions: list[str] = Field(
        default_factory=list, description="open actions of the region's previous RTM"
    )
    carried_ideas: list[str] = Field(
        default_factory=list, description="the region's project ideas not decided yet"
    )
    calendars: WorkingCalendars = Field(
        default_factory=WorkingCalendars, description="the invitees' working days"
    )
    total: int | None = Field(
        default=None, description="how many the query chooses in all (a page tells the rest)"
    )


class MeetingRecord(Frozen):
    """A phase change for the meeting projection and the audit log."""

    meeting: MeetingDefinition
    phase: Phase
    actor: str = "engine"
    channel: str = "workflow"
    note: str = ""


STATUS_REMINDERS = 100  # keeps the status answer small for a 1,000-participant meeting


class MeetingSummary(Frozen):
    """The workflow's result when it ends."""

    id: str
    phase: Phase
    invited: int
    failed: int
    actions: int = 0
    actions_done: int = 0
