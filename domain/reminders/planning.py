"""Reminder policy and the pure planning function that decides who is reminded when.

Reminders go out on the recipient's working day (their country's weekend and public
holidays), at a fixed local hour in their own zone (no mail at 3 a.m. in Ulaanbaatar),
never after the meeting starts, and never for a moment that had already passed when the
plan was made (no burst for late planning).
"""

from __future__ import annotations

from collections.abc import Collection, Container, Iterable
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.directory.models import Frozen, Participant, Role
from domain.meeting.definition import MeetingDefinition
from domain.registration.answers import Actor, Attendance
from domain.reminders.policy import ReminderPolicy
from domain.workweek.calendar import SATURDAY_SUNDAY_ONLY, WorkCalendar, WorkingCalendars

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
    reference_utc: datetime,
    days_before: int,
    zone: str,
    policy: ReminderPolicy,
    calendar: WorkCalendar = SATURDAY_SUNDAY_ONLY,
) -> datetime:
    """`days_before` the reference's local date in `zone`, at the policy's local hour, on a
    working day of `calendar`: moved back to the previous one (at most the policy's
    `max_days_earlier`), else forward to the next one; a DST gap counts as a day off.
    Returns UTC."""
    tz = ZoneInfo(zone)
    target = reference_utc.astimezone(tz).date() - timedelta(days=days_before)

    def moment(day: date) -> datetime | None:
        local = datetime.combine(day, time(policy.send_hour), tzinfo=tz)
        exists = local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local.replace(
            tzinfo=None
        )
        return local.astimezone(UTC) if exists and calendar.works(day) else None

    for back in range(policy.max_days_earlier + 1):
        found = moment(target - timedelta(days=back))
        if found is not None:
            return found
    for ahead in range(1, 367):  # a calendar always has working days within a year
        found = moment(target + timedelta(days=ahead))
        if found is not None:
            return found
    raise ValueError(f"no working day within a year of {target}")


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
    calendars: WorkingCalendars | None = None,
) -> list[PlannedReminder]:
    """Every reminder still to send for the current sequence, earliest first.

    `horizon` is when the current dates were set: reminders due before it are skipped.
    `calendars` say each recipient's working days (none: Saturday and Sunday off).
    """
    calendars = calendars or WorkingCalendars()
    planned: list[PlannedReminder] = []
    seen: set[tuple[ReminderKind, str | None, datetime]] = set()
    # participants in one zone under one calendar share their send moments: compute once
    moments: dict[tuple[datetime, int, str, int], datetime] = {}

    def add(kind: ReminderKind, days: int, pid: str | None, zone: str, ref: datetime) -> None:
        country = invitees[pid].country if pid is not None else None
        calendar = calendars.of(pid or "secretariat", country)
        same = (ref, days, zone, id(calendar))
        at = moments.get(same)
        if at is None:
            at = moments[same] = send_moment(ref, days, zone, policy, calendar)
        key = f"s{sequence}:{kind.value}:{days}:{pid or 'secretariat'}"
        moment = (kind, pid, at)  # two day counts moved onto the same Friday: one is enough,
        if horizon <= at < start_utc and moment not in seen:  # also once it has been sent
            seen.add(moment)
            if key not in sent:
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
        return f"meeting {meeting.id} is cancelled or closed"
    if now >= meeting.start_utc():
        return f"meeting {meeting.id} has started"
    if not unanswered and inviting:
        return (
            "nobody to remind yet: the invitations are still going out and everyone "
            "who has one has answered"
        )
    if not unanswered:
        return "everyone has answered: nobody to remind"
    return None
