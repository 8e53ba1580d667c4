"""The test oracle of an action item's mail: every moment of its plan up to a date."""

from __future__ import annotations

from datetime import datetime

from domain.followup.actions import ActionItem, ActionPolicy
from domain.followup.chasing import (
    ActionMoment,
    escalation_moment,
    overdue_moment,
    reminder_moment,
)


def action_schedule(item: ActionItem, policy: ActionPolicy, until: datetime) -> list[ActionMoment]:
    """Every moment of the plan from the action's opening up to `until`, earliest first,
    as if nothing was ever missed: what a test expects to see sent.

    Counts overdue chasers from the first one, not from where the engine's own look-ahead
    starts, so that it checks that shortcut rather than repeating it."""
    horizon = item.opened_at
    moments = [reminder_moment(item, policy), escalation_moment(item, policy)]
    n = 1
    while (m := overdue_moment(item, policy, n)).at <= until:
        moments.append(m)
        n += 1
    return sorted(
        (m for m in moments if (horizon is None or m.at >= horizon) and m.at <= until),
        key=lambda m: (m.at, m.key),
    )
