"""Everything a meeting workflow knows, so that it can continue as new with it.

A large meeting (every participant answering, checking in on each day) would otherwise
pass Temporal's 10,240-event warning at a few hundred participants.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from domain.agenda.items import AgendaItem
from domain.attendance.register import Presence
from domain.common.base import Frozen
from domain.common.contracts import Phase
from domain.directory.models import Participant
from domain.followup.actions import ActionItem
from domain.invitations.batches import Invitation
from domain.meeting.definition import MeetingDefinition
from domain.registration.answers import Answer
from domain.reminders.policy import ReminderPolicy


class MeetingState(Frozen):
    meeting: MeetingDefinition
    phase: Phase
    sequence: int
    invitees: list[Participant]
    invitations: list[Invitation]
    answers: dict[str, Answer]
    policy: ReminderPolicy
    secretariat_zone: str
    horizon: datetime
    reminded: list[str]
    adhoc: int
    items: list[AgendaItem]
    agenda_version: int
    published_version: int
    agenda_dirty_at: datetime | None
    presences: list[Presence]
    minutes: str | None
    actions: dict[str, ActionItem]
    answers_version: int
    runs: int = Field(default=1, description="how many runs this meeting has had")
