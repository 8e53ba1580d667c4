"""Names and payloads shared by workflows, activities and the CLI.

Workflows call activities by these names so that they never import the activity
modules (and with them sqlmodel). Every payload is one pydantic model.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from domain.directory import Frozen, Participant
from domain.invitations import Invitation, InvitationStatus
from domain.meeting import MeetingDefinition

TASK_QUEUE = "rtm"

LOAD_PARTICIPANTS = "load_participants"
SEND_INVITATIONS = "send_invitations"
RECORD_MEETING = "record_meeting"


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
    participants: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    organisations: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, meeting: MeetingDefinition) -> ParticipantQuery:
        return cls(
            participants=meeting.participants,
            countries=meeting.countries,
            organisations=meeting.organisations,
        )


class ParticipantList(Frozen):
    participants: list[Participant] = Field(default_factory=list)


class MeetingRecord(Frozen):
    """A phase change for the meeting projection and the audit log."""

    meeting: MeetingDefinition
    phase: Phase
    actor: str = "engine"
    channel: str = "workflow"
    note: str = ""


class MeetingStatus(Frozen):
    """What the `status` query answers."""

    id: str
    title: str
    phase: Phase
    sequence: int
    invitations: list[Invitation]

    def count(self, status: InvitationStatus) -> int:
        return sum(1 for i in self.invitations if i.status is status)


class MeetingSummary(Frozen):
    """The workflow's result when it ends."""

    id: str
    phase: Phase
    invited: int
    failed: int
