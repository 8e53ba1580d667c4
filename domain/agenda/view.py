"""The agenda as a whole: items in running order with their slots."""

from __future__ import annotations

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
from domain.meeting.definition import MeetingDefinition


class AgendaView(Frozen):
    """What `rtm agenda show` prints: every item, and the timetable when the items fit."""

    meeting_id: str
    items: list[AgendaItem]
    running_order: list[str]
    slots: list[Slot] = Field(default_factory=list)
    problem: str | None = None
    published_version: int = 0
    version: int = 0


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
    try:
        slots, problem = timetable(meeting, items), None
    except AgendaDoesNotFit as exc:
        slots, problem = [], str(exc)
    return AgendaView(
        meeting_id=meeting.id,
        items=items,
        running_order=[i.id for i in running_order(items)],
        slots=slots,
        problem=problem,
        published_version=published,
        version=version,
    )
