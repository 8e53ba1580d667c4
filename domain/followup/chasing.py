"""The chasing plan of an action item: when to remind its owners and when to escalate.

Kept apart from the action's models (domain.followup.actions) because only the action's
workflow plans: moments are instants in UTC from the due date's local day in the venue
zone, at the policy's local hour, on working days; `action_mail` says what each sends.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import Field

from domain.common.base import Frozen
from domain.followup.actions import (
    ActionInput,
    ActionItem,
    ActionMail,
    ActionPolicy,
    ActionStatus,
    days_overdue,
    local_day,
)
from domain.reminders.moments import WEEKEND, send_moment
from domain.reminders.policy import ReminderPolicy

NEXT_FEW = 3  # the overdue series never ends: plan this many future moments at a time


# --- the moments --------------------------------------------------------------------


class MomentKind(StrEnum):
    REMINDER = "reminder"  # to the owners, before the due date
    OVERDUE = "overdue"  # to the owners, after it, every few days
    ESCALATION = "escalation"  # to the secretariat, once, after the grace period


class ActionMoment(Frozen):
    key: str = Field(description='deterministic: "due-7", "overdue-1", ..., "escalation"')
    kind: MomentKind
    at: datetime


def _working_moment_on_or_after(day: date, zone: str, hour: int) -> datetime:
    """`hour` local on `day`, moved forward a day while that is a weekend or a DST gap."""
    tz = ZoneInfo(zone)
    while True:
        local = datetime.combine(day, time(hour), tzinfo=tz)
        exists = local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local.replace(
            tzinfo=None
        )
        if day.weekday() not in WEEKEND and exists:
            return local.astimezone(UTC)
        day += timedelta(days=1)


def reminder_moment(item: ActionItem, policy: ActionPolicy) -> ActionMoment:
    """`remind_days_before` the due day, at the sending hour; a weekend moves it earlier
    (domain.reminders.planning.send_moment)."""
    reference = datetime.combine(item.due, time(12), tzinfo=ZoneInfo(item.zone)).astimezone(UTC)
    hour = policy.send_hour
    at = send_moment(
        reference,
        policy.remind_days_before,
        item.zone,
        ReminderPolicy(send_hour=hour),
    )
    return ActionMoment(key=f"due-{policy.remind_days_before}", kind=MomentKind.REMINDER, at=at)


def overdue_moment(item: ActionItem, policy: ActionPolicy, n: int) -> ActionMoment:
    """The n-th overdue reminder (n >= 1): the day after the due day, then every
    `overdue_every_days`; a weekend moves it later, never back onto the due day."""
    day = item.due + timedelta(days=1 + (n - 1) * policy.overdue_every_days)
    at = _working_moment_on_or_after(day, item.zone, policy.send_hour)
    return ActionMoment(key=f"overdue-{n}", kind=MomentKind.OVERDUE, at=at)


def escalation_moment(item: ActionItem, policy: ActionPolicy) -> ActionMoment:
    """`escalate_after_days` after the due day; a weekend moves it later."""
    day = item.due + timedelta(days=policy.escalate_after_days)
    at = _working_moment_on_or_after(day, item.zone, policy.send_hour)
    return ActionMoment(key="escalation", kind=MomentKind.ESCALATION, at=at)


def _first_overdue_index(item: ActionItem, policy: ActionPolicy, since: datetime | None) -> int:
    """An overdue index whose moment is no later than `since` (or 1): where to start looking."""
    if since is None:
        return 1
    days = (local_day(since, item.zone) - item.due).days - 1
    return max(1, days // policy.overdue_every_days - 1)


def next_action_moments(
    item: ActionItem,
    policy: ActionPolicy,
    sent: set[str] | frozenset[str],
    now: datetime,
    ahead: int = NEXT_FEW,
) -> list[ActionMoment]:
    """What is still to send, earliest first: moments due now (`at <= now`) and the next
    `ahead` owner reminders after now, plus the escalation while it has not gone out.

    Nothing before the action's opening is sent. Of the owner reminders that are due but
    unsent (a worker down for weeks), only the latest goes out: one mail, not a burst.
    A done action has nothing left to send.
    """
    if item.status is ActionStatus.DONE:
        return []
    horizon = item.opened_at

    def counts(m: ActionMoment) -> bool:
        return horizon is None or m.at >= horizon

    owner_moments = [reminder_moment(item, policy)]
    n = _first_overdue_index(item, policy, horizon)
    future = 0
    while future < ahead:
        m = overdue_moment(item, policy, n)
        owner_moments.append(m)
        future += m.at > now
        n += 1
    owner_moments = sorted((m for m in owner_moments if counts(m)), key=lambda m: m.at)
    past = [m for m in owner_moments if m.at <= now]
    planned = [m for m in owner_moments if m.at > now and m.key not in sent][:ahead]
    if past and past[-1].key not in sent:
        planned.append(past[-1])
    escalation = escalation_moment(item, policy)
    if counts(escalation) and escalation.key not in sent:
        planned.append(escalation)
    return sorted(planned, key=lambda m: (m.at, m.key))


# --- what each moment sends ----------------------------------------------------------


def action_mail(inp: ActionInput, moment: ActionMoment, now: datetime) -> ActionMail:
    """The mail for `moment`: reminders to the owners, the escalation to the secretariat."""
    escalation = moment.kind is MomentKind.ESCALATION
    return ActionMail(
        item=inp.item,
        organiser_name=inp.organiser_name,
        organiser_email=inp.organiser_email,
        key=moment.key,
        kind="action-escalation" if escalation else "action-reminder",
        at=moment.at,
        days_late=days_overdue(inp.item, now),
        owners=list(inp.owners) if escalation else [],
        recipients=[inp.secretariat] if escalation else list(inp.owners),
    )
