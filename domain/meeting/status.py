"""What the meeting answers: the status query (a summary and one page of participants)
and the short results of its updates. Each update result stays small (at most a few hundred
bytes) whatever the size of the meeting, because Temporal keeps every result in the history.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from pydantic import Field

from domain.common.base import Frozen
from domain.common.contracts import MeetingSummary, Phase
from domain.directory.models import Participant
from domain.followup.actions import ActionItem, ActionStatus
from domain.invitations.batches import Invitation, InvitationStatus
from domain.meeting.definition import MeetingDefinition, MeetingFormat
from domain.registration.answers import Answer, AnswerCounts, Attendance
from domain.registration.held import HeldReply
from domain.reminders.planning import PlannedReminder

MAX_PAGE = 500
NO_ANSWER = "none"


class ParticipantStatus(Frozen):
    """One row of the status: who, their invitation, and their answer."""

    participant_id: str
    name: str
    email: str
    affiliation: str
    zone: str = "UTC"
    languages: list[str] = Field(
        default_factory=list, description="the participant's, in order; mail uses the first"
    )
    invitation: Invitation
    attendance: Attendance | None = None
    answered_via: str | None = None


def participant_row(
    p: Participant, invitation: Invitation, answer: Answer | None
) -> ParticipantStatus:
    return ParticipantStatus(
        participant_id=p.id,
        name=p.name,
        email=p.email,
        affiliation=p.country or p.organisation or "",
        zone=p.zone,
        languages=p.languages,
        invitation=invitation,
        attendance=answer.attendance if answer else None,
        answered_via=answer.actor.channel.value if answer else None,
    )


class StatusPage(Frozen):
    """Which participants the status query lists: filters, then one page of them."""

    country: str | None = Field(default=None, description="country or organisation code")
    answer: Attendance | None = None
    unanswered: bool = Field(default=False, description="only those who have not answered")
    invitation: InvitationStatus | None = None
    participant_id: str | None = None
    email: str | None = Field(default=None, description="compared case-insensitively")
    attending: bool = Field(
        default=False, description="only those coming: in person, online or tentative (the desk)"
    )
    text: str | None = Field(
        default=None, max_length=100, description="in the name or the affiliation's code"
    )
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=100, ge=0, le=MAX_PAGE)

    @property
    def filtered(self) -> bool:
        return any(
            (
                self.country,
                self.answer,
                self.unanswered,
                self.invitation,
                self.participant_id,
                self.email,
                self.attending,
                self.text,
            )
        )

    def matches(self, p: Participant, invitation: Invitation, answer: Answer | None) -> bool:
        if self.participant_id is not None and p.id != self.participant_id:
            return False
        if self.email is not None and p.email.lower() != self.email.lower():
            return False
        if self.country is not None and self.country not in (p.country, p.organisation):
            return False
        if self.invitation is not None and invitation.status is not self.invitation:
            return False
        if self.unanswered and answer is not None:
            return False
        if self.attending and (answer is None or answer.attendance not in COMING):
            return False
        if self.text and not _contains(self.text, p):
            return False
        return self.answer is None or (answer is not None and answer.attendance is self.answer)


COMING = (Attendance.IN_PERSON, Attendance.ONLINE, Attendance.TENTATIVE)


def _contains(text: str, p: Participant) -> bool:
    wanted = text.casefold()
    return wanted in p.name.casefold() or wanted in (p.country or p.organisation or "").casefold()


class RegisterPage(Frozen):
    """Which presences the attendance query lists (its counts are always the whole)."""

    offset: int = Field(default=0, ge=0)
    limit: int | None = Field(default=None, ge=0, description="None: every presence")


class StatusSummary(Frozen):
    """Counts over the whole meeting: invitations by state, answers by mode and country."""

    participants: int = 0
    invitations: dict[str, int] = Field(default_factory=dict)
    answers: AnswerCounts = Field(default_factory=lambda: AnswerCounts(by_mode={}, by_country={}))


def summarise(
    invitees: dict[str, Participant],
    invitations: dict[str, Invitation],
    answers: dict[str, Answer],
    counts: AnswerCounts,
) -> StatusSummary:
    by_state = Counter(i.status.value for i in invitations.values())
    return StatusSummary(
        participants=len(invitees), invitations=dict(sorted(by_state.items())), answers=counts
    )


class MeetingStatus(Frozen):
    """What the `status` query answers: the meeting, its summary and one page of rows."""

    id: str
    title: str
    phase: Phase
    sequence: int
    meeting: MeetingDefinition
    summary: StatusSummary
    participants: list[ParticipantStatus] = Field(description="one page, in invitation order")
    matching: int = Field(description="participants matching the page's filters")
    page: StatusPage = Field(default_factory=StatusPage)
    reminders: list[PlannedReminder] = Field(default_factory=list, description="the next ones")
    reminders_total: int = 0
    minutes_recorded: bool = False
    agenda_version: int = 0
    agenda_published_version: int = 0
    attendance_summary: str | None = None
    actions: list[ActionItem] = Field(default_factory=list)
    held_replies: list[HeldReply] = Field(
        default_factory=list, description="calendar replies awaiting the secretariat's word"
    )

    @property
    def answers(self) -> AnswerCounts:
        return self.summary.answers

    @property
    def invitations(self) -> list[Invitation]:
        """The invitations of this page's participants."""
        return [p.invitation for p in self.participants]

    def count(self, status: InvitationStatus) -> int:
        """Invitations in `status` over the whole meeting."""
        return self.summary.invitations.get(status.value, 0)

    def participant(self, participant_id: str) -> ParticipantStatus:
        for p in self.participants:
            if p.participant_id == participant_id:
                return p
        raise KeyError(participant_id)

    @property
    def next_page(self) -> StatusPage | None:
        end = self.page.offset + len(self.participants)
        if end >= self.matching or not self.participants:
            return None
        return self.page.model_copy(update={"offset": end})


class ChangeAck(Frozen):
    """The result of schedule, reschedule, cancel and remind: where the meeting now stands."""

    id: str
    phase: Phase
    sequence: int
    start: datetime
    end: datetime
    zone: str
    format: MeetingFormat
    invitations: dict[str, int] = Field(default_factory=dict, description="by state")
    chased: int = Field(default=0, description="reminders sent by this command")

    def count(self, status: InvitationStatus) -> int:
        return self.invitations.get(status.value, 0)


def change_ack(
    meeting: MeetingDefinition,
    phase: Phase,
    sequence: int,
    invitations: dict[str, Invitation],
    chased: int = 0,
) -> ChangeAck:
    by_state = Counter(i.status.value for i in invitations.values())
    return ChangeAck(
        id=meeting.id,
        phase=phase,
        sequence=sequence,
        start=meeting.start,
        end=meeting.end,
        zone=meeting.zone,
        format=meeting.format,
        invitations=dict(sorted(by_state.items())),
        chased=chased,
    )


class AgendaPublished(Frozen):
    meeting_id: str
    published_version: int
    recipients: int


class MinutesRecorded(Frozen):
    meeting_id: str
    actions: list[str] = Field(description="ids of the action items started")
    recipients: int


def meeting_summary(
    meeting_id: str,
    phase: Phase,
    invitations: dict[str, Invitation],
    actions: dict[str, ActionItem],
) -> MeetingSummary:
    """The workflow's result when the meeting ends."""
    failed = sum(1 for i in invitations.values() if i.status is InvitationStatus.FAILED)
    return MeetingSummary(
        id=meeting_id,
        phase=phase,
        invited=len(invitations) - failed,
        failed=failed,
        actions=len(actions),
        actions_done=sum(1 for a in actions.values() if a.status is ActionStatus.DONE),
    )
