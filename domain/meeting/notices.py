"""What the meeting workflow mails besides invitations and reminders: who gets each notice
and what it says. Pure, so that the workflow only decides when."""

from __future__ import annotations

from collections.abc import Iterable

from domain.agenda.view import AgendaView
from domain.attendance.register import ACCEPTED
from domain.directory.models import Participant, Role
from domain.followup.actions import ActionItem
from domain.mail.notices import NoticeBatch
from domain.meeting.definition import MeetingDefinition
from domain.registration.answers import Answer, Attendance


def secretariat(meeting: MeetingDefinition, zone: str) -> Participant:
    """The organiser as a recipient (the cycle's request, escalations, action owners' boss)."""
    organiser = meeting.organiser
    return Participant(
        id="secretariat",
        name=organiser.name,
        email=organiser.email,
        role=Role.SECRETARIAT,
        organisation="SECRETARIAT",
        zone=zone,
    )


def schedule_request(meeting: MeetingDefinition) -> NoticeBatch:
    """The cycle planned `meeting`: ask the secretariat to set its dates, host and format
    (the template shows the command with the meeting's own provisional dates)."""
    return NoticeBatch(meeting=meeting, kind="cycle", key="planned", recipients=[])


def agenda_notice(meeting: MeetingDefinition, agenda: AgendaView, updated: bool) -> NoticeBatch:
    """The published timetable (or its update after edits went quiet)."""
    return NoticeBatch(
        meeting=meeting,
        kind="agenda",
        key=f"agenda-v{agenda.version}",
        agenda=agenda,
        updated=updated,
        recipients=[],
    )


def agenda_recipients(
    invitees: dict[str, Participant], answers: dict[str, Answer]
) -> list[Participant]:
    """The agenda goes to everyone who accepted (in person or online)."""
    return [
        p for pid, p in invitees.items() if pid in answers and answers[pid].attendance in ACCEPTED
    ]


def minutes_notice(
    meeting: MeetingDefinition, markdown: str, actions: list[ActionItem]
) -> NoticeBatch:
    return NoticeBatch(
        meeting=meeting,
        kind="minutes",
        key="minutes",
        minutes=markdown,
        actions=actions,
        recipients=[],
    )


def minutes_recipients(
    invitees: dict[str, Participant], answers: dict[str, Answer]
) -> list[Participant]:
    """The minutes go to everyone who did not decline."""
    return [
        p
        for pid, p in invitees.items()
        if pid not in answers or answers[pid].attendance is not Attendance.DECLINE
    ]


def next_proposal_id(ids: Iterable[str]) -> str:
    """P1, P2, ...: the number after the proposals so far."""
    return f"P{sum(1 for i in ids if i.startswith('P')) + 1}"


def action_ids(existing: int, count: int) -> list[str]:
    """A1, A2, ...: ids for `count` new actions after `existing` ones."""
    return [f"A{existing + i + 1}" for i in range(count)]
