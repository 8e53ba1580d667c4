"""Everything a meeting workflow knows: one object, held by the workflow and carried
whole through continue-as-new (no field is copied by hand anywhere).

A large meeting (every participant answering, checking in on each day) would otherwise
pass Temporal's 10,240-event warning at a few hundred participants.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer, model_validator

from domain.agenda.items import AgendaItem
from domain.attendance.register import Presence
from domain.common.contracts import Phase
from domain.directory.models import Participant
from domain.followup.actions import ActionItem
from domain.invitations.batches import Invitation
from domain.meeting.compact import Unpacker, pack, roster_of, unpack
from domain.meeting.definition import MeetingDefinition
from domain.registration.answers import Answer, Attendance
from domain.registration.held import HeldReply
from domain.reminders.policy import ReminderPolicy
from domain.workweek.calendar import WorkingCalendars

ENDED = (Phase.CLOSED, Phase.CANCELLED)


def presence_key(participant_id: str, day: date) -> str:
    """The register's key: one presence per participant and meeting day."""
    return f"{participant_id}/{day.isoformat()}"


class MeetingState(BaseModel):
    """The meeting's whole state. Mutable: the workflow's handlers change it in place."""

    model_config = ConfigDict(extra="forbid")

    meeting: MeetingDefinition
    phase: Phase = Phase.SCHEDULED
    sequence: int = 0
    invitees: dict[str, Participant] = Field(default_factory=dict)
    invitations: dict[str, Invitation] = Field(default_factory=dict)
    answers: dict[str, Answer] = Field(default_factory=dict)
    policy: ReminderPolicy = Field(default_factory=ReminderPolicy)
    secretariat_zone: str = "UTC"
    calendars: WorkingCalendars = Field(
        default_factory=WorkingCalendars, description="the invitees' working days"
    )
    horizon: datetime
    reminded: set[str] = Field(default_factory=set)
    adhoc: int = 0
    items: list[AgendaItem] = Field(default_factory=list)
    agenda_version: int = Field(default=1, description="the standing items are version 1")
    published_version: int = Field(default=0, description="0: never published")
    agenda_dirty_at: datetime | None = None
    presences: dict[str, Presence] = Field(default_factory=dict, description="by presence_key")
    minutes: str | None = None
    actions: dict[str, ActionItem] = Field(default_factory=dict)
    answers_version: int = 0
    runs: int = Field(default=1, description="how many runs this meeting has had")
    packed: str | None = Field(
        default=None,
        description="a continued run's roster and per-participant columns (domain.meeting."
        "compact); the participant records are loaded again from the directory",
    )
    held: dict[str, HeldReply] = Field(
        default_factory=dict, description="calendar replies awaiting confirmation, by id"
    )
    held_number: int = Field(default=0, description="the last held reply's number")

    @model_validator(mode="before")
    @classmethod
    def _from_lists(cls, data: Any) -> Any:
        """Read the state of runs that continued before it was one object (lists, not maps)."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for name, key in (("invitees", "id"), ("invitations", "participant_id")):
            if isinstance(data.get(name), list):
                data[name] = {row[key]: row for row in data[name]}
        if isinstance(data.get("presences"), list):
            data["presences"] = {
                presence_key(p["participant_id"], date.fromisoformat(str(p["day"]))): p
                for p in data.pop("presences")
            }
        return data

    @field_serializer("reminded")
    def _sorted(self, reminded: set[str]) -> list[str]:
        return sorted(reminded)

    def for_next_run(self) -> MeetingState:
        """What continue-as-new carries: everything but the participants, who travel as
        packed ids and enums."""
        packed = pack(
            list(self.invitees), self.invitations, self.answers, self.presences.values(),
            self.reminded,
        )  # fmt: skip
        return self.model_copy(
            update={
                "invitees": {},
                "invitations": {},
                "answers": {},
                "presences": {},
                "reminded": set(),
                "packed": packed,
                "runs": self.runs + 1,
            }
        )

    def roster(self) -> list[str]:
        """The ids to load again when this run started from a packed state."""
        return roster_of(self.packed) if self.packed else []

    def unpacker(self) -> Unpacker:
        """To rebuild the packed columns page by page, as the participants are loaded."""
        assert self.packed is not None
        return Unpacker(self.packed)

    def unpack(self, invitees: list[Participant], unpacker: Unpacker | None = None) -> None:
        """Back to the full state, with the participants the directory still knows
        (`unpacker`: the pages already added to it, else all of them now)."""
        assert self.packed is not None
        known = {p.id: p for p in invitees}
        roster = unpacker.roster if unpacker else self.roster()
        self.invitees = {pid: known[pid] for pid in roster if pid in known}
        columns = unpacker.finish() if unpacker else unpack(self.packed, self.invitees)
        self.invitations = columns.invitations
        self.answers = columns.answers
        self.presences = {presence_key(p.participant_id, p.day): p for p in columns.presences}
        self.reminded = columns.reminded
        self.packed = None

    @property
    def ended(self) -> bool:
        return self.phase in ENDED

    def attendances(self) -> dict[str, Attendance]:
        """Each participant's answer as an attendance (what the domain rules read)."""
        return {pid: a.attendance for pid, a in self.answers.items()}

    def presence(self, participant_id: str, day: date | None) -> Presence | None:
        return None if day is None else self.presences.get(presence_key(participant_id, day))
