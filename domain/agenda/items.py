"""The agenda: standing items from the region's template, proposals from participants,
the secretariat's decisions, and the order in which accepted items run."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from domain.agenda.template import SECTION_ORDER, ItemKind, ItemStatus, TemplateItem
from domain.common.base import Code, Frozen, Text
from domain.common.refusals import Refusal
from domain.directory.models import Participant
from domain.registration.answers import Actor


class AgendaItem(Frozen):
    id: str
    title: Text
    kind: ItemKind
    minutes: int = Field(ge=5, le=240)
    status: ItemStatus
    presenter: str | None = None
    country: str | None = None
    project: Text | None = None
    proposed_by: str | None = None
    reason: str | None = None
    details: list[str] = Field(default_factory=list, description="e.g. carried-over actions")


class ProposeCommand(Frozen):
    title: Text
    presenter: Code
    minutes: int = Field(ge=5, le=240)
    kind: ItemKind = ItemKind.OTHER
    project: Text | None = None
    actor: Actor


class Decision(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    EDIT = "edit"


class DecideCommand(Frozen):
    """The secretariat's decision on an item: accept, reject with a reason, or edit."""

    item_id: str
    decision: Decision
    reason: Text | None = None
    title: Text | None = None
    minutes: int | None = Field(default=None, ge=5, le=240)
    kind: ItemKind | None = None
    presenter: Code | None = None
    actor: Actor


class PublishCommand(Frozen):
    actor: Actor


def standing_items(
    template: list[TemplateItem],
    countries: list[tuple[str, str]],
    carried: list[str] | None = None,
    ideas: list[str] | None = None,
) -> list[AgendaItem]:
    """The template expanded for the meeting's countries (code, name), ids S1, S2, ...;
    the open actions of the previous RTM (`carried`) are listed under the action review,
    the region's undecided project ideas (`ideas`) under the project review (a standing
    item of its own when the template has none)."""
    if ideas and not any(t.kind is ItemKind.PROJECT_REVIEW for t in template):
        template = [*template, TemplateItem(
            title="Project ideas to decide", kind=ItemKind.PROJECT_REVIEW, minutes=30
        )]  # fmt: skip
    details = {ItemKind.ACTION_REVIEW: carried or [], ItemKind.PROJECT_REVIEW: ideas or []}
    items: list[AgendaItem] = []
    for t in template:
        for code, name in countries if t.per_country else [(None, None)]:
            items.append(
                AgendaItem(
                    id=f"S{len(items) + 1}",
                    title=t.title.replace("{country}", name or ""),
                    kind=t.kind,
                    minutes=t.minutes,
                    status=ItemStatus.STANDING,
                    country=code,
                    details=details.get(t.kind, []),
                )
            )
    return items


def running_order(items: list[AgendaItem]) -> list[AgendaItem]:
    """Standing and accepted items by section, standing before proposals, then arrival;
    a proposal tied to a country follows that country's standing national update."""
    anchors = {
        it.country: i
        for i, it in enumerate(items)
        if it.kind is ItemKind.NATIONAL_UPDATE and it.status is ItemStatus.STANDING
    }

    def key(pair: tuple[int, AgendaItem]) -> tuple[int, int, int]:
        index, item = pair
        section = SECTION_ORDER.index(item.kind)
        if item.kind is ItemKind.NATIONAL_UPDATE and item.country in anchors:
            return section, anchors[item.country], index
        return section, 0 if item.status is ItemStatus.STANDING else 1, index

    live = [
        (i, it)
        for i, it in enumerate(items)
        if it.status in (ItemStatus.STANDING, ItemStatus.ACCEPTED)
    ]
    return [it for _, it in sorted(live, key=key)]


def propose_problem(
    command: ProposeCommand,
    invitees: dict[str, Participant],
    deadline_utc: datetime,
    ended: bool,
    now: datetime,
    deadline_text: str,
) -> str | None:
    if ended:
        return Refusal("meeting.over")
    if now >= deadline_utc:
        return Refusal("agenda.deadline", deadline=deadline_text)
    if command.presenter not in invitees:
        return Refusal("agenda.presenter", presenter=command.presenter)
    return None


def decide_problem(command: DecideCommand, items: dict[str, AgendaItem], ended: bool) -> str | None:
    if ended:
        return Refusal("meeting.over")
    item = items.get(command.item_id)
    if item is None:
        return Refusal("agenda.no_item", item=command.item_id)
    if command.decision is Decision.REJECT:
        if item.status is not ItemStatus.PROPOSED:
            return Refusal("agenda.reject_decided", item=item.id, status=item.status.value)
        if not command.reason:
            return Refusal("agenda.no_reason", field="reason")
    if command.decision is Decision.ACCEPT and item.status is not ItemStatus.PROPOSED:
        return Refusal("agenda.accept_decided", item=item.id, status=item.status.value)
    if command.decision is Decision.EDIT and not any(
        v is not None for v in (command.title, command.minutes, command.kind, command.presenter)
    ):
        return Refusal("agenda.empty_edit", fields="title, minutes, kind, presenter")
    return None


def invited_countries(listed: list[str], participants: list[Participant]) -> list[str]:
    """The meeting's countries in its own order, then any other invitee's country."""
    extra = [p.country for p in participants if p.country and p.country not in listed]
    return list(dict.fromkeys([*listed, *extra]))


def decided(item: AgendaItem, command: DecideCommand, presenter_name: str | None) -> AgendaItem:
    if command.decision is Decision.ACCEPT:
        return item.model_copy(update={"status": ItemStatus.ACCEPTED})
    if command.decision is Decision.REJECT:
        return item.model_copy(update={"status": ItemStatus.REJECTED, "reason": command.reason})
    changes = {
        k: v
        for k, v in {"title": command.title, "minutes": command.minutes, "kind": command.kind,
                     "presenter": presenter_name}.items()
        if v is not None
    }  # fmt: skip
    return item.model_copy(update=changes)
