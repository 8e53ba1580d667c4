"""The reminder plan by groups, for a meeting of any size.

Recipients who share a zone, a working calendar and an answer state get the same
reminders at the same moments, so the plan is worked out once per such group and kept as
(kind, day count, moment, recipient ids): a 10,000-person meeting has a few dozen groups,
not 40,000 objects to build and sort on every change. The expanded reminders, in the same
order as before, are produced only for what is shown or sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from domain.directory.models import Participant
from domain.registration.answers import Attendance
from domain.reminders.moments import (
    ACCEPTED,
    MomentMemo,
    PlannedReminder,
    ReminderKind,
    key_prefix,
    recipient_key,
)
from domain.reminders.policy import ReminderPolicy
from domain.workweek.calendar import WorkCalendar, WorkingCalendars


@dataclass(frozen=True, slots=True)
class ReminderGroup:
    """Reminders of one kind and day count at one moment, to these recipients (None: the
    secretariat), ordered by key."""

    kind: ReminderKind
    days_before: int
    at: datetime
    recipients: tuple[str | None, ...]
    prefix: str  # the key without the recipient

    def key(self, participant_id: str | None) -> str:
        return self.prefix + recipient_key(participant_id)

    def reminder(self, participant_id: str | None) -> PlannedReminder:
        return PlannedReminder.model_construct(  # trusted fields: skip validation
            key=self.key(participant_id),
            kind=self.kind,
            days_before=self.days_before,
            participant_id=participant_id,
            at=self.at,
        )


Keep = Callable[[ReminderGroup, str | None], bool]


@dataclass(frozen=True, slots=True)
class GroupedPlan:
    """Every reminder still to send, as groups in (moment, key) order."""

    groups: tuple[ReminderGroup, ...] = ()

    def __len__(self) -> int:
        return sum(len(g.recipients) for g in self.groups)

    @property
    def first_at(self) -> datetime | None:
        return self.groups[0].at if self.groups else None

    def due(self, now: datetime) -> GroupedPlan:
        """The groups whose moment has come."""
        return GroupedPlan(tuple(g for g in self.groups if g.at <= now))

    def pairs(self, keep: Keep | None = None) -> Iterator[tuple[ReminderGroup, str | None]]:
        """(group, recipient) in plan order, lazily; `keep` filters."""
        for g in self.groups:
            for pid in g.recipients:
                if keep is None or keep(g, pid):
                    yield g, pid

    def reminders(
        self, limit: int | None = None, keep: Keep | None = None
    ) -> list[PlannedReminder]:
        """The first `limit` reminders (all when None) as objects."""
        return [g.reminder(pid) for g, pid in islice(self.pairs(keep), limit)]

    def count(self, keep: Keep | None = None) -> int:
        if keep is None:
            return len(self)
        return sum(1 for _ in self.pairs(keep))


def _calls_for(
    answer: Attendance | None, policy: ReminderPolicy, has_deadline: bool
) -> Iterable[tuple[ReminderKind, int, bool]]:
    """(kind, days, from the agenda deadline) that a recipient with `answer` is owed."""
    if answer is None:
        yield from ((ReminderKind.CHASER, d, False) for d in policy.chaser_days)
    if answer in ACCEPTED:
        yield from ((ReminderKind.PRE_MEETING, d, False) for d in policy.pre_meeting_days)
    if answer is not Attendance.DECLINE and policy.agenda_days is not None and has_deadline:
        yield ReminderKind.AGENDA, policy.agenda_days, True


def plan_groups(
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
    memo: MomentMemo | None = None,
) -> GroupedPlan:
    """Every reminder still to send for the current sequence, grouped, earliest first.

    `horizon` is when the current dates were set: reminders due before it are skipped.
    `calendars` say each recipient's working days (none: Saturday and Sunday off). Two day
    counts of one kind moved onto the same day make one reminder (the first day count),
    also once it has been sent. `memo` keeps send moments between calls.
    """
    calendars = calendars or WorkingCalendars()
    memo = memo or MomentMemo()
    # one pass over the ids: recipients by (zone, calendar, answer)
    classes: dict[tuple[str, int, Attendance | None], list[str | None]] = {}
    calendar_of: dict[int, WorkCalendar] = {}
    for pid, p in invitees.items():
        calendar = calendars.of(pid, p.country)
        calendar_of[id(calendar)] = calendar
        classes.setdefault((p.zone, id(calendar), answers.get(pid)), []).append(pid)
    merged: dict[tuple[datetime, str], tuple[ReminderKind, int, list[str | None]]] = {}

    def add(kind: ReminderKind, days: int, at: datetime, members: list[str | None]) -> None:
        prefix = key_prefix(sequence, kind, days)
        if sent:
            members = [pid for pid in members if prefix + recipient_key(pid) not in sent]
        if members:
            merged.setdefault((at, prefix), (kind, days, []))[2].extend(members)

    has_deadline = agenda_deadline_utc is not None
    for (zone, calendar_id, answer), members in classes.items():
        seen: set[tuple[ReminderKind, datetime]] = set()
        for kind, days, from_deadline in _calls_for(answer, policy, has_deadline):
            ref = agenda_deadline_utc if from_deadline else start_utc
            assert ref is not None
            at = memo.at(ref, days, zone, policy, calendar_of[calendar_id])
            if horizon <= at < start_utc and (kind, at) not in seen:
                seen.add((kind, at))
                add(kind, days, at, members)
    if policy.escalation_days is not None:
        calendar = calendars.of("secretariat", None)
        at = memo.at(start_utc, policy.escalation_days, secretariat_zone, policy, calendar)
        if horizon <= at < start_utc:
            add(ReminderKind.ESCALATION, policy.escalation_days, at, [None])
    groups = [
        ReminderGroup(
            kind=kind,
            days_before=days,
            at=at,
            recipients=tuple(sorted(members, key=recipient_key)),
            prefix=prefix,
        )
        for (at, prefix), (kind, days, members) in merged.items()
    ]
    groups.sort(key=lambda g: (g.at, g.prefix))
    return GroupedPlan(tuple(groups))
