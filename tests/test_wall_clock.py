"""Meeting times that a venue's zone skips or repeats are refused, naming the local time, the
zone and (in a gap) the nearest valid time: by the model's checks, `rtm meeting plan`, and
a reschedule."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from domain.common.wall_clock import gap, is_repeated, wall_clock_problem
from domain.meeting.changes import RescheduleCommand, reschedule_problem
from domain.meeting.definition import schedule_problems
from domain.registration.answers import Actor, Channel
from starter.cli.main import main
from tests.factories import meeting, meeting_data

if TYPE_CHECKING:  # the one end-to-end test's server: not loaded for `pytest -m unit`
    from temporalio.testing import WorkflowEnvironment

BRUSSELS = "Europe/Brussels"
NOW = datetime.now(UTC)


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def _next(month: int) -> date:
    """The next last Sunday of `month` (3: clocks forward, 10: back) at least 3 weeks ahead."""
    year = NOW.year
    while (day := _last_sunday(year, month)) < NOW.date() + timedelta(days=21):
        year += 1
    return day


SPRING = _next(3)
AUTUMN = _next(10)


def at(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def test_gaps_and_folds_of_a_zone() -> None:
    assert gap(at(SPRING, 2, 30), BRUSSELS) == (at(SPRING, 1, 59), at(SPRING, 3, 0))
    assert gap(at(SPRING, 3, 0), BRUSSELS) is None
    assert gap(at(SPRING, 1, 59), BRUSSELS) is None
    assert is_repeated(at(AUTUMN, 2, 30), BRUSSELS)
    assert not is_repeated(at(AUTUMN, 3, 0), BRUSSELS)
    assert not is_repeated(at(AUTUMN, 1, 59), BRUSSELS)
    assert wall_clock_problem("start", at(SPRING, 9, 0), "Asia/Dubai") is None
    # half-hour rule changes exist too (Lord Howe Island)
    lord_howe = gap(datetime(2027, 10, 3, 2, 15), "Australia/Lord_Howe")
    assert lord_howe == (datetime(2027, 10, 3, 1, 59), datetime(2027, 10, 3, 2, 30))


def test_the_messages_name_the_time_the_zone_and_the_nearest_valid_time() -> None:
    late = wall_clock_problem("start", at(SPRING, 2, 30), BRUSSELS)
    assert late == (
        f"start: {SPRING} 02:30 does not exist in {BRUSSELS} (the clocks skip from 02:00 to "
        f"03:00 that day); the nearest valid time is {SPRING} 03:00"
    )
    early = wall_clock_problem("start", at(SPRING, 2, 10), BRUSSELS)
    assert early is not None and early.endswith(f"the nearest valid time is {SPRING} 01:59")
    twice = wall_clock_problem("end", at(AUTUMN, 2, 30), BRUSSELS)
    assert twice == (
        f"end: {AUTUMN} 02:30 happens twice in {BRUSSELS} (the clocks go back that night): "
        "choose a time that happens once"
    )


def _definition(start: datetime, end: datetime, **more: object) -> dict[str, object]:
    return meeting_data(zone=BRUSSELS, start=start.isoformat(), end=end.isoformat(), **more)


@pytest.mark.parametrize(
    ("start", "end", "deadline", "words"),
    [
        (at(SPRING, 2, 30), at(SPRING, 17, 0), None, f"start: {SPRING} 02:30 does not exist"),
        (at(SPRING, 1, 0), at(SPRING, 2, 45), None, f"end: {SPRING} 02:45 does not exist"),
        (at(AUTUMN, 2, 15), at(AUTUMN, 17, 0), None, f"start: {AUTUMN} 02:15 happens twice"),
        (
            at(AUTUMN, 9, 0),
            at(AUTUMN, 17, 0),
            at(AUTUMN, 2, 0),
            f"registration_deadline: {AUTUMN} 02:00 happens twice",
        ),
    ],
)
def test_a_definition_at_a_missing_or_double_time_is_refused(
    start: datetime, end: datetime, deadline: datetime | None, words: str
) -> None:
    more = {"registration_deadline": deadline.isoformat()} if deadline else {}
    m = meeting(**_definition(start, end, **more))
    problems = schedule_problems(m, NOW)
    assert any(words in p and BRUSSELS in p for p in problems), problems


def test_a_reschedule_into_a_gap_is_refused() -> None:
    m = meeting(**_definition(at(SPRING, 9, 0), at(SPRING, 17, 0)))
    assert schedule_problems(m, NOW) == []
    command = RescheduleCommand(
        start=at(SPRING, 2, 30),
        end=at(SPRING, 17, 0),
        actor=Actor(id="secretariat.ca", channel=Channel.CLI),
    )
    problem = reschedule_problem(m, False, command, NOW)
    assert problem is not None and f"{SPRING} 02:30 does not exist in {BRUSSELS}" in problem
    assert f"nearest valid time is {SPRING} 03:00" in problem


async def test_rtm_meeting_plan_refuses_a_time_in_a_gap(
    cli_env: WorkflowEnvironment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _definition(at(SPRING, 2, 30), at(SPRING, 17, 0))
    path = tmp_path / "meeting.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    code = await asyncio.to_thread(main, ["meeting", "plan", str(path)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"start: {SPRING} 02:30 does not exist in {BRUSSELS}" in err, err
    assert f"the nearest valid time is {SPRING} 03:00" in err
