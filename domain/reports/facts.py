"""What the engine recorded about one meeting, gathered in one value for the reports.

The adapter in `starter/client/reports.py` fills it from the workflow's queries and the
store; everything in `domain/reports` drafts from it without any I/O.
"""

from __future__ import annotations

from pydantic import Field

from domain.agenda.items import AgendaItem
from domain.attendance.register import Presence
from domain.common.base import Frozen
from domain.common.contracts import Phase
from domain.directory.models import Participant
from domain.followup.actions import ActionItem
from domain.meeting.definition import MeetingDefinition
from domain.registration.answers import Attendance


class MeetingFacts(Frozen):
    meeting: MeetingDefinition
    phase: Phase
    region_name: str
    countries: dict[str, str] = Field(description="code -> official name, directory order")
    organisations: dict[str, str] = Field(description="code -> name, directory order")
    participants: list[Participant] = Field(description="the invitees, directory order")
    answers: dict[str, Attendance] = Field(default_factory=dict)
    presences: list[Presence] = Field(default_factory=list)
    agenda: list[AgendaItem] = Field(default_factory=list, description="in running order")
    actions: list[ActionItem] = Field(default_factory=list)
