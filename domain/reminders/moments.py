"""When one reminder goes out: the kinds, one planned reminder, and the send moment.

Reminders go out on the recipient's working day (their country's weekend and public
holidays), at a fixed local hour in their own zone (no mail at 3 a.m. in Ulaanbaatar),
never after the meeting starts, and never for a moment that had already passed when the
plan was made (no burst for late planning).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.directory.models import Frozen
from domain.registration.answers import Attendance
from domain.reminders.policy import ReminderPolicy
from domain.workweek.calendar import SATURDAY_SUNDAY_ONLY, WorkCalendar

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


def key_prefix(sequence: int, kind: ReminderKind, days_before: int) -> str:
    """A reminder's key without its recipient: "s{sequence}:{kind}:{days}:"."""
    return f"s{sequence}:{kind.value}:{days_before}:"


def recipient_key(participant_id: str | None) -> str:
    """The recipient part of a reminder's key (the secretariat has no participant id)."""
    return participant_id or "secretariat"


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


class MomentMemo:
    """`send_moment` remembered per (reference, days, zone, calendar, policy): a meeting's
    recipients share a handful of zones and calendars, and a plan made again after an
    answer asks the same questions. Pure: a hit returns what the call would."""

    def __init__(self) -> None:
        self._known: dict[tuple[object, ...], tuple[WorkCalendar, datetime]] = {}

    def __len__(self) -> int:
        return len(self._known)

    def at(
        self,
        reference_utc: datetime,
        days_before: int,
        zone: str,
        policy: ReminderPolicy,
        calendar: WorkCalendar,
    ) -> datetime:
        key = (reference_utc, days_before, zone, id(calendar), policy.send_hour,
               policy.max_days_earlier)  # fmt: skip
        hit = self._known.get(key)
        if hit is not None and hit[0] is calendar:  # the same object, not a reused id
            return hit[1]
        found = send_moment(reference_utc, days_before, zone, policy, calendar)
        if len(self._known) > 4096:  # a long-lived memo over many frames stays bounded
            self._known.clear()
        self._known[key] = (calendar, found)
        return found
