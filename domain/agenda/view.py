"""The agenda as a whole: items in running order with their slots."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from domain.agenda.items import AgendaItem, running_order
from domain.agenda.slotting import (
    AgendaDoesNotFit,
    Slot,
    SlotItem,
    day_sessions,
    default_sessions,
    meeting_days,
    slot_items,
)
from domain.common.base import Frozen
from domain.common.refusals import Refusal, refusal_of
from domain.meeting.definition import MeetingDefinition


class AgendaView(Frozen):
    """What `rtm agenda show` prints: every item, and the timetable when the items fit."""

    meeting_id: str
    items: list[AgendaItem]
    running_order: list[str]
    slots: list[Slot] = Field(default_factory=list)
    problem: str | None = None
    # the problem's code and parameters (Refusal.detail), for the reader's language
    problem_detail: dict[str, Any] | None = None
    published_version: int = 0
    version: int = 0

    def why(self) -> Refusal | None:
        """Why the items do not fit, as a refusal (its code when the view carries one)."""
        return refusal_of(self.problem, self.problem_detail) if self.problem else None


def timetable(meeting: MeetingDefinition, items: list[AgendaItem]) -> list[Slot]:
    """Slots of the standing and accepted items over the meeting days; AgendaDoesNotFit."""
    days = meeting_days(meeting.start, meeting.end)
    sessions = meeting.sessions or default_sessions()
    by_day = {
        d: day_sessions(d, days, sessions, meeting.start.time(), meeting.end.time()) for d in days
    }
    order = running_order(items)
    return slot_items([SlotItem(id=i.id, minutes=i.minutes) for i in order], days, by_day)


def view(
    meeting: MeetingDefinition, items: list[AgendaItem], version: int, published: int
) -> AgendaView:
    detail: dict[str, Any] | None = None
    try:
        slots, problem = timetable(meeting, items), None
    except AgendaDoesNotFit as exc:
        slots, problem = [], str(exc)
        cause = exc.args[0] if exc.args else None
        detail = cause.detail() if isinstance(cause, Refusal) else None
    return AgendaView(
        meeting_id=meeting.id,
        items=items,
        running_order=[i.id for i in running_order(items)],
        slots=slots,
        problem=problem,
        problem_detail=detail,
        published_version=published,
        version=version,
    )
