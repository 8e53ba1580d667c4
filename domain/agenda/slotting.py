"""Slotting accepted agenda items into the meeting's sessions, in venue wall-clock time.

Pure functions, no clock and no I/O, so a workflow can call them and replay them unchanged.
Items run in the order given (the agenda's order is the secretariat's decision); each one
sits entirely inside one session, because nobody wants a presentation cut by a coffee break.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Self

from pydantic import Field, model_validator

from domain.common.base import Frozen
from domain.common.refusals import Refusal


class Session(Frozen):
    """One block of a day in which items run back to back (between breaks)."""

    start: time
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError(Refusal("session.offset"))
        if self.start >= self.end:
            raise ValueError(
                Refusal("session.order", start=f"{self.start:%H:%M}", end=f"{self.end:%H:%M}")
            )
        return self

    def length(self) -> timedelta:
        """How long the session lasts; sessions never cross midnight."""
        return datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)


class SlotItem(Frozen):
    """What slotting needs to know of an agenda item: who it is and how long it takes."""

    id: str
    minutes: int = Field(ge=1)


class Slot(Frozen):
    """Where an item runs: one day, from start to end, inside one session."""

    item_id: str
    day: date
    start: time
    end: time


class AgendaDoesNotFit(ValueError):
    """The accepted items cannot all be placed; the message says which one and why."""

    def __init__(self, message: Refusal, item_id: str) -> None:
        super().__init__(message)
        self.item_id = item_id


def default_sessions() -> list[Session]:
    """The usual RTM day: two morning and two afternoon sessions around coffee and lunch."""
    return [
        Session(start=time(9, 0), end=time(10, 30)),
        Session(start=time(11, 0), end=time(12, 30)),
        Session(start=time(14, 0), end=time(15, 30)),
        Session(start=time(16, 0), end=time(17, 30)),
    ]


def meeting_days(first: datetime, last: datetime) -> list[date]:
    """Every calendar date the meeting touches, so each gets its sessions."""
    if first.tzinfo is not None or last.tzinfo is not None:
        raise ValueError(
            "meeting start and end are venue wall-clock times: give them without an offset"
        )
    if last < first:
        raise ValueError(
            f"the meeting ends ({last:%Y-%m-%d %H:%M}) before it starts ({first:%Y-%m-%d %H:%M})"
        )
    count = (last.date() - first.date()).days + 1
    return [first.date() + timedelta(days=n) for n in range(count)]


def day_sessions(
    day: date, days: list[date], sessions: list[Session], first_start: time, last_end: time
) -> list[Session]:
    """One day's sessions, clipped so nothing runs before the meeting opens or after it closes."""
    if day not in days:
        raise ValueError(f"{day:%Y-%m-%d} is not one of the meeting's days")
    clipped: list[Session] = []
    for session in sorted(sessions, key=lambda s: s.start):
        start, end = session.start, session.end
        if day == days[0]:
            start = max(start, first_start)
        if day == days[-1]:
            end = min(end, last_end)
        if start < end:
            clipped.append(Session(start=start, end=end))
    return clipped


def slot_items(
    items: list[SlotItem], days: list[date], sessions_by_day: dict[date, list[Session]]
) -> list[Slot]:
    """Place items greedily, in order, each inside one session; raise if they cannot all fit.

    An item starts where the previous one ended when it fits in the rest of that session,
    otherwise at the start of the next session (possibly on a later day). Days missing from
    `sessions_by_day` have no sessions; keys that are not in `days` are ignored.
    """
    if not items:
        return []
    blocks = _blocks(days, sessions_by_day)
    _reject_too_long(items, blocks)
    slots: list[Slot] = []
    index = 0
    cursor: datetime | None = None  # where the previous item ended
    for position, item in enumerate(items):
        need = timedelta(minutes=item.minutes)
        searched_from = index
        while index < len(blocks):
            begin, finish = blocks[index]
            start = begin if cursor is None else max(begin, cursor)
            if start + need <= finish:
                break
            index += 1
        else:
            raise AgendaDoesNotFit(
                _ran_out(items, position, blocks[searched_from:], cursor), item.id
            )
        cursor = start + need
        slots.append(Slot(item_id=item.id, day=start.date(), start=start.time(), end=cursor.time()))
    return slots


def _blocks(
    days: list[date], sessions_by_day: dict[date, list[Session]]
) -> list[tuple[datetime, datetime]]:
    """Every session of the meeting as (start, end) datetimes in running order."""
    for earlier, later in pairwise(days):
        if later <= earlier:
            raise ValueError(
                f"meeting days must be in order, each once: {later:%Y-%m-%d} after "
                f"{earlier:%Y-%m-%d}"
            )
    blocks: list[tuple[datetime, datetime]] = []
    for day in days:
        ordered = sorted(sessions_by_day.get(day, []), key=lambda s: s.start)
        for before, after in pairwise(ordered):
            if after.start < before.end:
                raise ValueError(
                    Refusal(
                        "session.overlap",
                        day=f"{day:%Y-%m-%d}",
                        first=f"{before.start:%H:%M}-{before.end:%H:%M}",
                        second=f"{after.start:%H:%M}-{after.end:%H:%M}",
                    )
                )
        blocks.extend(
            (datetime.combine(day, s.start), datetime.combine(day, s.end)) for s in ordered
        )
    return blocks


def _reject_too_long(items: list[SlotItem], blocks: list[tuple[datetime, datetime]]) -> None:
    """Name the first item no session can hold, before any placement, as that is the real cause."""
    longest = max((finish - begin for begin, finish in blocks), default=timedelta(0))
    for item in items:
        if timedelta(minutes=item.minutes) > longest:
            if not blocks:
                problem = Refusal("agenda.no_session", item=repr(item.id), minutes=item.minutes)
                raise AgendaDoesNotFit(problem, item.id)
            problem = Refusal(
                "agenda.too_long", item=repr(item.id), minutes=item.minutes,
                longest=_minutes(longest),
            )  # fmt: skip
            raise AgendaDoesNotFit(problem, item.id)


def _ran_out(
    items: list[SlotItem],
    position: int,
    rest: list[tuple[datetime, datetime]],
    cursor: datetime | None,
) -> Refusal:
    """Explain running out of sessions: not enough time left, or left only in short pieces."""
    item = items[position]
    remaining = sum(i.minutes for i in items[position:])
    left = _minutes(
        sum(
            (
                max(finish - (begin if cursor is None else max(begin, cursor)), timedelta(0))
                for begin, finish in rest
            ),
            timedelta(0),
        )
    )
    about = {"item": repr(item.id), "minutes": item.minutes, "remaining": remaining, "left": left}
    if remaining > left:
        return Refusal("agenda.over", more=remaining - left, **about)
    return Refusal("agenda.pieces", **about)


def _minutes(span: timedelta) -> int:
    """Whole minutes, for messages."""
    return int(span.total_seconds() // 60)
