"""Slotting agenda items into sessions: examples from a real RTM, and properties checked
against a minute-counting model of the greedy rule."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.agenda.slotting import (
    AgendaDoesNotFit,
    Session,
    Slot,
    SlotItem,
    day_sessions,
    default_sessions,
    meeting_days,
    slot_items,
)
from tests.budget import examples

DAY1 = date(2022, 3, 21)
DAY2 = date(2022, 3, 22)


def _t(text: str) -> time:
    """'14:45' as a time, so expectations read like an agenda."""
    return time.fromisoformat(text)


def _sessions_for(first: datetime, last: datetime) -> dict[date, list[Session]]:
    """Default sessions on every meeting day, clipped to the meeting's opening and closing."""
    days = meeting_days(first, last)
    return {
        day: day_sessions(day, days, default_sessions(), first.time(), last.time()) for day in days
    }


def _rtm15_items() -> list[SlotItem]:
    """The 15th RTM agenda shape: opening, six national updates, reviews, plan, AOB, closing."""
    countries = ["KZ", "KG", "MN", "TJ", "UZ", "AF"]
    return [
        SlotItem(id="opening", minutes=30),
        *(SlotItem(id=f"update-{c}", minutes=20) for c in countries),
        SlotItem(id="action-review", minutes=45),
        SlotItem(id="project-reviews", minutes=60),
        SlotItem(id="action-plan", minutes=60),
        SlotItem(id="aob", minutes=15),
        SlotItem(id="closing", minutes=15),
    ]


# --- examples ---------------------------------------------------------------------------


def test_default_sessions() -> None:
    assert [(s.start, s.end) for s in default_sessions()] == [
        (_t("09:00"), _t("10:30")),
        (_t("11:00"), _t("12:30")),
        (_t("14:00"), _t("15:30")),
        (_t("16:00"), _t("17:30")),
    ]


def test_session_must_end_after_it_starts() -> None:
    with pytest.raises(ValidationError, match="must end after it starts: 10:00 to 09:00"):
        Session(start=_t("10:00"), end=_t("09:00"))
    with pytest.raises(ValidationError, match="must end after it starts"):
        Session(start=_t("10:00"), end=_t("10:00"))


def test_meeting_days_are_inclusive() -> None:
    assert meeting_days(datetime(2022, 3, 21, 9), datetime(2022, 3, 22, 17, 30)) == [DAY1, DAY2]
    assert meeting_days(datetime(2022, 3, 21, 9), datetime(2022, 3, 21, 12)) == [DAY1]
    with pytest.raises(ValueError, match=r"ends .* before it starts"):
        meeting_days(datetime(2022, 3, 22, 9), datetime(2022, 3, 21, 9))


def test_rtm15_two_days() -> None:
    first, last = datetime(2022, 3, 21, 9), datetime(2022, 3, 22, 17, 30)
    slots = slot_items(_rtm15_items(), meeting_days(first, last), _sessions_for(first, last))
    by_id = {s.item_id: s for s in slots}
    assert [s.item_id for s in slots] == [i.id for i in _rtm15_items()]
    assert by_id["opening"] == Slot(item_id="opening", day=DAY1, start=_t("09:00"), end=_t("09:30"))
    assert (by_id["update-KZ"].start, by_id["update-KZ"].end) == (_t("09:30"), _t("09:50"))
    # the third update ends exactly at the coffee break; the fourth waits for 11:00
    assert (by_id["update-MN"].start, by_id["update-MN"].end) == (_t("10:10"), _t("10:30"))
    assert (by_id["update-TJ"].start, by_id["update-TJ"].end) == (_t("11:00"), _t("11:20"))
    assert (by_id["update-AF"].start, by_id["update-AF"].end) == (_t("11:40"), _t("12:00"))
    # 45 minutes do not fit in the 30 left before lunch
    assert by_id["action-review"] == Slot(
        item_id="action-review", day=DAY1, start=_t("14:00"), end=_t("14:45")
    )
    # 60 minutes do not fit in the 45 left before the afternoon break
    assert by_id["project-reviews"] == Slot(
        item_id="project-reviews", day=DAY1, start=_t("16:00"), end=_t("17:00")
    )
    # nor in the 30 left on day one: the plan opens day two
    assert by_id["action-plan"] == Slot(
        item_id="action-plan", day=DAY2, start=_t("09:00"), end=_t("10:00")
    )
    assert by_id["closing"] == Slot(item_id="closing", day=DAY2, start=_t("10:15"), end=_t("10:30"))


def test_clipping_first_and_last_day() -> None:
    first, last = datetime(2022, 3, 21, 14), datetime(2022, 3, 23, 12)
    days = meeting_days(first, last)
    assert len(days) == 3

    def clipped(day: date) -> list[tuple[time, time]]:
        sessions = day_sessions(day, days, default_sessions(), first.time(), last.time())
        return [(s.start, s.end) for s in sessions]

    assert clipped(days[0]) == [(_t("14:00"), _t("15:30")), (_t("16:00"), _t("17:30"))]
    assert clipped(days[1]) == [(s.start, s.end) for s in default_sessions()]
    assert clipped(days[2]) == [(_t("09:00"), _t("10:30")), (_t("11:00"), _t("12:00"))]


def test_clipping_inside_a_session_and_on_a_single_day() -> None:
    days = [DAY1]
    sessions = day_sessions(DAY1, days, default_sessions(), _t("09:45"), _t("15:00"))
    assert [(s.start, s.end) for s in sessions] == [
        (_t("09:45"), _t("10:30")),
        (_t("11:00"), _t("12:30")),
        (_t("14:00"), _t("15:00")),
    ]
    # a start inside a break removes the session before it; ending at 10:30 keeps nothing after
    sessions = day_sessions(DAY1, days, default_sessions(), _t("10:45"), _t("10:30"))
    assert sessions == []
    with pytest.raises(ValueError, match="not one of the meeting's days"):
        day_sessions(DAY2, days, default_sessions(), _t("09:00"), _t("17:30"))


def test_meeting_opening_at_14_00_starts_the_agenda_then() -> None:
    first, last = datetime(2022, 3, 21, 14), datetime(2022, 3, 22, 17, 30)
    slots = slot_items(_rtm15_items(), meeting_days(first, last), _sessions_for(first, last))
    assert slots[0] == Slot(item_id="opening", day=DAY1, start=_t("14:00"), end=_t("14:30"))
    assert all(s.day == DAY1 for s in slots[:7])
    assert slots[-1].day == DAY2


def test_item_longer_than_every_session() -> None:
    first, last = datetime(2022, 3, 21, 9), datetime(2022, 3, 22, 17, 30)
    items = [SlotItem(id="opening", minutes=30), SlotItem(id="workshop", minutes=120)]
    with pytest.raises(AgendaDoesNotFit, match=r"'workshop'.*too long for any session") as info:
        slot_items(items, meeting_days(first, last), _sessions_for(first, last))
    assert info.value.item_id == "workshop"
    assert "longest session lasts 90 minutes" in str(info.value)


def test_too_many_items() -> None:
    first, last = datetime(2022, 3, 21, 9), datetime(2022, 3, 21, 17, 30)
    items = [SlotItem(id=f"talk-{n}", minutes=45) for n in range(10)]
    with pytest.raises(AgendaDoesNotFit) as info:
        slot_items(items, meeting_days(first, last), _sessions_for(first, last))
    # 4 sessions of 90 minutes hold 8 talks; two remain, and no time is left
    assert info.value.item_id == "talk-8"
    assert str(info.value) == (
        "item 'talk-8' (45 minutes) does not fit: 90 minutes of items remain unplaced from it on, "
        "90 minutes more than the 0 minutes left in the meeting's sessions"
    )


def test_time_left_only_in_short_pieces() -> None:
    sessions = {DAY1: [Session(start=_t("09:00"), end=_t("10:00"))]}
    sessions[DAY2] = [Session(start=_t("09:00"), end=_t("09:25"))]
    items = [SlotItem(id="a", minutes=40), SlotItem(id="b", minutes=30)]
    with pytest.raises(AgendaDoesNotFit, match=r"45 minutes are left.*no session left has 30"):
        slot_items(items, [DAY1, DAY2], sessions)


def test_no_items_and_no_sessions() -> None:
    assert slot_items([], [DAY1], {}) == []
    with pytest.raises(AgendaDoesNotFit, match=r"'x'.*no session time at all"):
        slot_items([SlotItem(id="x", minutes=5)], [DAY1], {})


def test_overlapping_sessions_are_refused() -> None:
    sessions = [
        Session(start=_t("09:00"), end=_t("10:30")),
        Session(start=_t("10:00"), end=_t("11:00")),
    ]
    with pytest.raises(ValueError, match="overlap"):
        slot_items([SlotItem(id="x", minutes=5)], [DAY1], {DAY1: sessions})


# --- properties -------------------------------------------------------------------------

Plan = tuple[list[date], dict[date, list[Session]]]


def _clock(minute: int) -> time:
    return time(minute // 60, minute % 60)


def _minute(at: time) -> int:
    return at.hour * 60 + at.minute


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    """1..4 consecutive days, each with sorted, non-overlapping random sessions (maybe none)."""
    start = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
    days = [start + timedelta(days=n) for n in range(draw(st.integers(1, 4)))]
    by_day: dict[date, list[Session]] = {}
    for day in days:
        points = sorted(draw(st.lists(st.integers(0, 1439), max_size=10, unique=True)))
        by_day[day] = [
            Session(start=_clock(a), end=_clock(b))
            for a, b in zip(points[0::2], points[1::2], strict=False)
        ]
    return days, by_day


item_lists = st.lists(st.integers(5, 200), min_size=1, max_size=15).map(
    lambda minutes: [SlotItem(id=f"item-{n}", minutes=m) for n, m in enumerate(minutes)]
)


def _model(items: list[SlotItem], plan: Plan) -> list[tuple[int, int, int]] | None:
    """The greedy rule on plain minutes since the first day's midnight; None when it fails."""
    days, by_day = plan
    blocks = [
        (n * 1440 + _minute(s.start), n * 1440 + _minute(s.end))
        for n, day in enumerate(days)
        for s in by_day[day]
    ]
    placed: list[tuple[int, int, int]] = []
    index, cursor = 0, 0
    for item in items:
        while index < len(blocks):
            begin = max(blocks[index][0], cursor)
            if begin + item.minutes <= blocks[index][1]:
                break
            index += 1
        else:
            return None
        cursor = begin + item.minutes
        placed.append((begin // 1440, begin % 1440, cursor % 1440))
    return placed


@settings(max_examples=examples(200), deadline=None)
@given(plan=plans(), items=item_lists)
def test_slots_respect_order_sessions_and_lengths(plan: Plan, items: list[SlotItem]) -> None:
    days, by_day = plan
    expected = _model(items, plan)
    try:
        slots = slot_items(items, days, by_day)
    except AgendaDoesNotFit as exc:
        assert expected is None, f"the greedy model places them all, yet: {exc}"
        assert exc.item_id in {i.id for i in items}
        assert repr(exc.item_id) in str(exc)
        return
    assert expected is not None
    assert [s.item_id for s in slots] == [i.id for i in items]
    assert [(days.index(s.day), _minute(s.start), _minute(s.end)) for s in slots] == expected
    for slot, item in zip(slots, items, strict=True):
        assert _minute(slot.end) - _minute(slot.start) == item.minutes
        assert any(s.start <= slot.start and slot.end <= s.end for s in by_day[slot.day]), (
            f"{slot} lies in no session of its day"
        )
    assert sorted(slots, key=lambda s: (s.day, s.start)) == slots
    for before, after in pairwise(slots):
        assert (before.day, before.end) <= (after.day, after.start), "slots overlap"


@settings(max_examples=examples(200), deadline=None)
@given(plan=plans(), items=item_lists)
def test_an_item_longer_than_every_session_always_raises(plan: Plan, items: list[SlotItem]) -> None:
    days, by_day = plan
    longest = max((_minute(s.end) - _minute(s.start) for d in days for s in by_day[d]), default=0)
    too_long = [i for i in items if i.minutes > longest]
    if not too_long:
        return
    with pytest.raises(AgendaDoesNotFit) as info:
        slot_items(items, days, by_day)
    assert info.value.item_id == too_long[0].id


@st.composite
def fitting_first(draw: st.DrawFn) -> tuple[Plan, list[SlotItem]]:
    """Items whose total fits in the first session, which is followed by random others."""
    items = draw(item_lists.filter(lambda i: sum(x.minutes for x in i) <= 1400))
    total = sum(i.minutes for i in items)
    days, by_day = draw(plans())
    begin = draw(st.integers(0, 1439 - max(total, 1)))
    end = draw(st.integers(begin + max(total, 1), 1439))
    first = Session(start=_clock(begin), end=_clock(end))
    by_day = {**by_day, days[0]: [first, *(s for s in by_day[days[0]] if s.start >= first.end)]}
    return (days, by_day), items


@settings(max_examples=examples(200), deadline=None)
@given(case=fitting_first())
def test_items_fitting_in_the_first_session_never_raise(
    case: tuple[Plan, list[SlotItem]],
) -> None:
    (days, by_day), items = case
    first = by_day[days[0]][0]
    slots = slot_items(items, days, by_day)
    assert all(s.day == days[0] and first.start <= s.start and s.end <= first.end for s in slots)
    assert sum(_minute(s.end) - _minute(s.start) for s in slots) == sum(i.minutes for i in items)
