"""The action tracker across meetings: the read model's action items filtered by region,
country, owner, state and overdue, as one table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from domain.common.base import Frozen
from domain.followup.actions import ActionItem, ActionStatus, days_overdue
from domain.reports.tables import Cell, Table

Gettext = Callable[[str], str]


class State(StrEnum):
    OPEN = "open"
    DONE = "done"
    OVERDUE = "overdue"


class TrackerFilter(Frozen):
    region: str | None = None
    country: str | None = None
    owner: str | None = None
    state: State | None = None
    overdue: bool = False


def state_of(item: ActionItem, now: datetime) -> State:
    if item.status is ActionStatus.DONE:
        return State.DONE
    return State.OVERDUE if days_overdue(item, now) > 0 else State.OPEN


def owner_matches(item: ActionItem, owner: str) -> bool:
    """An owner given as CODE or KIND:CODE (country:KZ, organisation:JRC, participant:kz-nfp)."""
    kind, _, code = owner.rpartition(":")
    if kind and kind != item.owner.kind.value:
        return False
    return code.lower() == item.owner.code.lower()


def select(items: list[ActionItem], f: TrackerFilter, now: datetime) -> list[ActionItem]:
    """The items `f` asks for, by due date then meeting; an open state includes overdue ones."""
    chosen = []
    for item in items:
        state = state_of(item, now)
        if f.region and item.region != f.region:
            continue
        if f.country and item.owner_country != f.country:
            continue
        if f.owner and not owner_matches(item, f.owner):
            continue
        if f.state is State.DONE and state is not State.DONE:
            continue
        if f.state is State.OPEN and state is State.DONE:
            continue
        if (f.overdue or f.state is State.OVERDUE) and state is not State.OVERDUE:
            continue
        chosen.append(item)
    return sorted(chosen, key=lambda i: (i.due, i.meeting_id, i.id))


def tracker_table(items: list[ActionItem], now: datetime, _: Gettext) -> Table:
    rows: list[list[Cell]] = []
    for i in items:
        state = state_of(i, now)
        rows.append([
            i.region, i.meeting_id, i.number, i.id, i.what, i.owner.kind.value, i.owner.code,
            _(i.owner.name) if i.owner.name else i.owner.name, i.owner_country, i.due,
            _(state.value),
            days_overdue(i, now) if state is State.OVERDUE else 0,
            i.done_at, i.done_by.id if i.done_by else None,
        ])  # fmt: skip
    header = [_("region"), _("meeting"), _("RTM"), _("action"), _("what"), _("owner kind"),
              _("owner"), _("owner name"), _("country"), _("due"), _("state"),
              _("days overdue"), _("done at"), _("done by")]  # fmt: skip
    return Table(name=_("Actions"), header=header, rows=rows)
