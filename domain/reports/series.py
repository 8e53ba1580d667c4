"""The numbers behind the charts, from what the engine recorded: answers since the
invitations went out, attendance per day, actions by state over time, and participants
and countries per RTM over the years."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.attendance.register import Mode
from domain.common.base import Frozen
from domain.followup.actions import ActionItem
from domain.registration.answers import Attendance
from domain.reports.charts import Chart, Series, Style
from domain.reports.facts import MeetingFacts
from domain.reports.history import PastMeeting
from domain.reports.register import days_of
from domain.reports.wording import ordinal

Gettext = Callable[[str], str]
ANSWER_ORDER = (Attendance.IN_PERSON, Attendance.ONLINE, Attendance.TENTATIVE,
                Attendance.DECLINE)  # fmt: skip
MAX_DAYS = 400


class AnswerEvent(Frozen):
    at: datetime
    participant_id: str
    attendance: Attendance


class RtmCount(Frozen):
    """One RTM's size: from the register (the engine's) or as published (history)."""

    number: int
    year: int
    participants: int
    countries: int


def answer_events(
    audit: Iterable[tuple[datetime, str, dict[str, Any]]],
) -> tuple[datetime | None, list[AnswerEvent]]:
    """From the meeting's audit rows (at, action, detail): when the first invitation was
    sent, and every answer recorded, whatever its channel."""
    first: datetime | None = None
    events = []
    for at, action, detail in audit:
        if action == "invitation.sent" and first is None:
            first = at
        elif action == "rsvp":
            try:
                attendance = Attendance(detail.get("attendance", ""))
            except ValueError:
                continue
            events.append(AnswerEvent(at=at, participant_id=str(detail.get("participant_id")),
                                      attendance=attendance))  # fmt: skip
    return first, sorted(events, key=lambda e: e.at)


def answers_chart(
    invited_at: datetime | None, events: list[AnswerEvent], zone: str, _: Gettext
) -> Chart:
    """Cumulative answers by mode at the end of each day since the invitations went out;
    a changed answer moves from its old mode to the new one."""
    tz = ZoneInfo(zone)
    start = invited_at or (events[0].at if events else None)
    labels: list[str] = []
    values: dict[Attendance, list[int]] = {a: [] for a in ANSWER_ORDER}
    if start is not None:
        first = start.astimezone(tz).date()
        last = max([first, *[e.at.astimezone(tz).date() for e in events]])
        last = min(last, first + timedelta(days=MAX_DAYS))
        day = first
        while day <= last:
            end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
            latest: dict[str, Attendance] = {}
            for e in events:
                if e.at < end:
                    latest[e.participant_id] = e.attendance
            labels.append(day.isoformat())
            for a in ANSWER_ORDER:
                values[a].append(sum(1 for v in latest.values() if v is a))
            day += timedelta(days=1)
    return Chart(id="answers", title=_("Answers since the invitations went out"),
                 x_label=_("day"), y_label=_("participants"), labels=labels,
                 series=[Series(name=_(a.value), values=values[a]) for a in ANSWER_ORDER],
                 style=Style.LINE)  # fmt: skip


def attendance_chart(facts: MeetingFacts, _: Gettext) -> Chart:
    days = days_of(facts)
    series = [
        Series(name=_(mode.value), values=[
            sum(1 for p in facts.presences if p.day == d and p.mode is mode) for d in days
        ])
        for mode in (Mode.IN_PERSON, Mode.ONLINE)
    ]  # fmt: skip
    return Chart(id="attendance", title=_("Attendance per day by mode"), x_label=_("day"),
                 y_label=_("participants"), labels=[d.isoformat() for d in days],
                 series=series, style=Style.BARS)  # fmt: skip


def _state_on(item: ActionItem, day: date) -> str | None:
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=ZoneInfo(item.zone))
    if item.opened_at is not None and item.opened_at >= end:
        return None
    if item.done_at is not None and item.done_at < end:
        return "done"
    return "overdue" if day > item.due else "open"


def actions_chart(actions: list[ActionItem], today: date, _: Gettext, weeks: int = 26) -> Chart:
    """Actions open, overdue and done at the end of each week up to `today`."""
    opened = [a.opened_at.date() for a in actions if a.opened_at is not None]
    first = max(min(opened, default=today), today - timedelta(weeks=weeks))
    days = []
    day = today
    while day >= first:
        days.append(day)
        day -= timedelta(weeks=1)
    days.reverse()
    states = ("open", "overdue", "done")
    series = [
        Series(name=_(state), values=[
            sum(1 for a in actions if _state_on(a, d) == state) for d in days
        ])
        for state in states
    ]  # fmt: skip
    return Chart(id="actions", title=_("Actions by state over time"), x_label=_("week ending"),
                 y_label=_("actions"), labels=[d.isoformat() for d in days], series=series,
                 style=Style.STACKED)  # fmt: skip


def rtm_counts(past: list[PastMeeting], live: list[RtmCount]) -> list[RtmCount]:
    """Every RTM once, by number: the engine's own register over a loaded past count."""
    by_number = {
        m.number: RtmCount(number=m.number, year=m.start.year, participants=m.participants,
                           countries=len(m.countries))
        for m in past if m.number is not None and m.kind.value == "rtm"
    }  # fmt: skip
    by_number.update({c.number: c for c in live})
    return [by_number[n] for n in sorted(by_number)]


def years_chart(counts: list[RtmCount], language: str, _: Gettext) -> Chart:
    labels = [f"{ordinal(c.number, language)} ({c.year})" for c in counts]
    series = [
        Series(name=_("participants"), values=[c.participants for c in counts]),
        Series(name=_("countries"), values=[c.countries for c in counts]),
    ]
    return Chart(id="years", title=_("Participants and countries per RTM"), x_label=_("RTM"),
                 y_label=_("count"), labels=labels, series=series, style=Style.BARS)  # fmt: skip
