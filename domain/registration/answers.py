"""Answers to an invitation (RSVPs) and the rules that accept or refuse them.

Three channels (CLI, signed link, calendar reply) all become the same RSVP command;
these pure functions decide, so the workflow's update validators stay one line.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from domain.common.refusals import Refusal
from domain.directory.models import Code, Frozen, Participant, Text
from domain.meeting.definition import MeetingDefinition, MeetingFormat


class Attendance(StrEnum):
    IN_PERSON = "in-person"
    ONLINE = "online"
    TENTATIVE = "tentative"
    DECLINE = "decline"


class Channel(StrEnum):
    CLI = "cli"
    LINK = "link"
    CALENDAR = "calendar-reply"
    WORKFLOW = "workflow"
    WEB = "web"  # the console, as the signed-in person


class Actor(Frozen):
    """Who issued a command and through which channel (kept for the auditor)."""

    id: Text
    channel: Channel


class RsvpCommand(Frozen):
    participant_id: Code
    attendance: Attendance
    actor: Actor
    sequence: int | None = Field(
        default=None, ge=0, description="SEQUENCE the answer refers to (calendar replies)"
    )


class Answer(Frozen):
    attendance: Attendance
    at: datetime
    actor: Actor
    sequence: int


def rsvp_problem(
    meeting: MeetingDefinition,
    invitees: dict[str, Participant],
    current_sequence: int,
    cancelled: bool,
    command: RsvpCommand,
    now: datetime,
) -> str | None:
    """Why `command` must be refused, or None when it can be applied."""
    if cancelled:
        return Refusal("meeting.cancelled", meeting=meeting.id)
    if command.participant_id not in invitees:
        return Refusal("rsvp.not_invited", participant=command.participant_id, meeting=meeting.id)
    if command.sequence is not None and command.sequence < current_sequence:
        return Refusal("rsvp.stale", sequence=command.sequence, current=current_sequence)
    if command.sequence is not None and command.sequence > current_sequence:
        return Refusal("rsvp.never_sent", sequence=command.sequence, current=current_sequence)
    if now >= meeting.registration_deadline_utc():
        deadline = meeting.registration_deadline_text()
        return Refusal("rsvp.closed", meeting=meeting.id, deadline=deadline)
    if command.attendance is Attendance.IN_PERSON and meeting.format is MeetingFormat.ONLINE:
        return Refusal("rsvp.online_only", meeting=meeting.id)
    if command.attendance is Attendance.ONLINE and meeting.format is MeetingFormat.IN_PERSON:
        return Refusal("rsvp.in_person_only", meeting=meeting.id)
    return None


def calendar_attendance(
    partstat: str, meeting: MeetingDefinition, previous: Attendance | None
) -> Attendance | None:
    """A calendar reply's PARTSTAT as an attendance; None for PARTSTATs that answer nothing.

    A calendar "Accept" cannot say how: keep an earlier online/in-person choice, else the
    meeting's natural mode (in person unless the meeting is online only).
    """
    value = partstat.upper()
    if value == "DECLINED":
        return Attendance.DECLINE
    if value == "TENTATIVE":
        return Attendance.TENTATIVE
    if value != "ACCEPTED":
        return None
    if previous in (Attendance.IN_PERSON, Attendance.ONLINE):
        return previous
    return Attendance.ONLINE if meeting.format is MeetingFormat.ONLINE else Attendance.IN_PERSON


class AnswerCounts(Frozen):
    by_mode: dict[str, int]
    by_country: dict[str, dict[str, int]]


def count_answers(invitees: dict[str, Participant], answers: dict[str, Answer]) -> AnswerCounts:
    """Answers by mode (no answer counted as 'none'), and by country or organisation and mode."""
    by_mode: Counter[str] = Counter()
    by_country: dict[str, Counter[str]] = {}
    for pid, p in invitees.items():
        mode = answers[pid].attendance.value if pid in answers else "none"
        by_mode[mode] += 1
        key = p.country or p.organisation or "?"
        by_country.setdefault(key, Counter())[mode] += 1
    return AnswerCounts(
        by_mode=dict(sorted(by_mode.items())),
        by_country={k: dict(sorted(v.items())) for k, v in sorted(by_country.items())},
    )
