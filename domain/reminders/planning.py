"""Reminder policy and the pure planning function that decides who is reminded when.

Reminders go out on a working day, at a fixed local hour in the recipient's own zone
(no mail at 3 a.m. in Ulaanbaatar), never after the meeting starts, and never for a
moment that had already passed when the plan was made (no burst for late planning).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.directory.models import Frozen, Participant, Role
from domain.meeting.definition import MeetingDefinition
from domain.registration.answers import Actor, Attendance
from domain.reminders.policy import ReminderPolicy

WEEKEND = (5, 6)  # Saturday, Sunday
ACCEPTED = (Attendance.IN_PERSON, Attendance.ONLINE)


class ReminderKind(StrEnum):
    CHASER = "chaser"  # to those who have not answered
    PRE_MEETING = "pre-meeting"  # to those who accepted
    ESCALATION = "escalation"  # to the secretariat: countries without an accepted NFP
    AGENDA = "agenda-deadline"  # to everyone not declined: proposals are due


class PlannedReminder(Frozen):
    """One reminder to one recipient (participant id, or None for the secretariat)."""

    key: str
    kind: ReminderKind
    days_before: int
    participant_id: str | None
    at: datetime


def send_moment(
    reference_utc: datetime, days_before: int, zone: str, policy: ReminderPolicy
) -> datetime:
    """`days_before` the reference's local date in `zone`, at the policy's local hour,
    moved back a day while that falls on a weekend or in a DST gap. Returns UTC."""
    tz = ZoneInfo(zone)
    local_day = reference_utc.astimezone(tz).date() - timedelta(days=days_before)
    while True:
        local = datetime.combine(local_day, time(policy.send_hour), tzinfo=tz)
        exists = local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local.replace(
            tzinfo=None
        )
        if local_day.weekday() not in WEEKEND and exists:
            return local.astimezone(UTC)
        local_day -= timedelta(days=1)


def plan_reminders(
    *,
    start_utc: datetime,
    agenda_deadline_utc: datetime | None,
    policy: ReminderPolicy,
    invitees: dict[str, Participant],
    answers: dict[str, Attendance],
    secretariat_zone: str,
    sequence: int,
    horizon: datetime,
    sent: frozenset[str] | set[str] = frozenset(),
) -> list[PlannedReminder]:
    """Every reminder still to send for the current sequence, earliest first.

    `horizon` is when the current dates were set: reminders due before it are skipped.
    """
    planned: list[PlannedReminder] = []
    seen: set[tuple[ReminderKind, str | None, datetime]] = set()

    def add(kind: ReminderKind, days: int, pid: str | None, zone: str, ref: datetime) -> None:
        at = send_moment(ref, days, zone, policy)
        key = f"s{sequence}:{kind.value}:{days}:{pid or 'secretariat'}"
        moment = (kind, pid, at)  # two day counts moved onto the same Friday: one is enough
        if horizon <= at < start_utc and key not in sent and moment not in seen:
            seen.add(moment)
            planned.append(
                PlannedReminder(key=key, kind=kind, days_before=days, participant_id=pid, at=at)
            )

    for pid, p in invitees.items():
        answer = answers.get(pid)
        if answer is None:
            for days in policy.chaser_days:
                add(ReminderKind.CHASER, days, pid, p.zone, start_utc)
        if answer in ACCEPTED:
            for days in policy.pre_meeting_days:
                add(ReminderKind.PRE_MEETING, days, pid, p.zone, start_utc)
        if (
            answer is not Attendance.DECLINE
            and policy.agenda_days is not None
            and agenda_deadline_utc is not None
        ):
            add(ReminderKind.AGENDA, policy.agenda_days, pid, p.zone, agenda_deadline_utc)
    if policy.escalation_days is not None:
        add(ReminderKind.ESCALATION, policy.escalation_days, None, secretariat_zone, start_utc)
    planned.sort(key=lambda r: (r.at, r.key))
    return planned


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


def within_working_hours(moment: datetime, zone: str, policy: ReminderPolicy) -> bool:
    local = moment.astimezone(ZoneInfo(zone))
    start, end = policy.working_hours
    return local.weekday() not in WEEKEND and start <= local.hour < end


class RemindCommand(Frozen):
    """`rtm remind MEETING`: chase everyone who has not answered, now."""

    actor: Actor


def remind_problem(
    meeting: MeetingDefinition, ended: bool, unanswered: set[str], now: datetime
) -> str | None:
    if ended:
        return f"meeting {meeting.id} is cancelled or closed"
    if now >= meeting.start_utc():
        return f"meeting {meeting.id} has started"
    if not unanswered:
        return "everyone has answered: nobody to remind"
    return None
