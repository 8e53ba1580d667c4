"""The reminder plan's parts, and the rules around it (who lacks an accepted NFP, when
the secretariat may chase by hand).

Reminders go out on the recipient's working day, at a fixed local hour in their own zone,
never after the meeting starts, and never for a moment that had already passed when the
plan was made (`domain.reminders.moments`); the plan is worked out by groups of
recipients who share those moments (`domain.reminders.groups`).
"""

from __future__ import annotations

from collections.abc import Collection, Container, Iterable
from datetime import datetime

from domain.common.refusals import Refusal
from domain.directory.models import Frozen, Participant, Role
from domain.meeting.definition import MeetingDefinition
from domain.registration.answers import Actor, Attendance
from domain.reminders.moments import ACCEPTED, WEEKEND, PlannedReminder, ReminderKind, send_moment

__all__ = [
    "ACCEPTED",
    "WEEKEND",
    "PlannedReminder",
    "RemindCommand",
    "ReminderKind",
    "countries_without_accepted_nfp",
    "remind_problem",
    "send_moment",
    "to_chase",
]


def countries_without_accepted_nfp(
    invitees: dict[str, Participant], answers: dict[str, Attendance]
) -> list[str]:
    """Invited countries where no NFP or deputy has accepted (in person or online)."""
    countries = sorted({p.country for p in invitees.values() if p.country})
    covered = {
        p.country
        for pid, p in invitees.items()
        if p.country and p.role in (Role.NFP, Role.DEPUTY_NFP) and answers.get(pid) in ACCEPTED
    }
    return [c for c in countries if c not in covered]


class RemindCommand(Frozen):
    """`rtm remind MEETING`: chase everyone who has not answered, now."""

    actor: Actor


def to_chase(
    invitees: Iterable[str], answered: Container[str], invited: Container[str] | None = None
) -> list[str]:
    """Who `rtm remind` chases: everyone who has not answered; while the invitations are
    still going out (`invited` given), only those whose invitation has gone out (the others
    get their invitation first, and a chaser that overtakes it would make no sense)."""
    return [pid for pid in invitees if pid not in answered and (invited is None or pid in invited)]


def remind_problem(
    meeting: MeetingDefinition,
    ended: bool,
    unanswered: Collection[str],
    now: datetime,
    inviting: bool = False,
) -> str | None:
    if ended:
        return Refusal("meeting.ended", meeting=meeting.id)
    if now >= meeting.start_utc():
        return Refusal("meeting.started", meeting=meeting.id)
    if not unanswered and inviting:
        return Refusal("remind.inviting")
    if not unanswered:
        return Refusal("remind.nobody")
    return None
