"""Answers sent while a meeting continues as new are all applied, none lost: an update the
closing run accepted is finished before it continues (it waits for every handler), one it
had not yet accepted lands on the next run. Each answer is sent with a deadline, so a lost
one fails the test instead of hanging it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.attendance.register import CheckInCommand, JoinCommand
from domain.meeting.status import RegisterPage
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.client import commands
from starter.client.audit import chain
from starter.devstack.catcher import SmtpCatcher
from tests.factories import meeting, synthetic_directory
from tests.harness import advance_to, invited, plan, running_worker
from tests.ports import free_port

N = 24
PRESENT = 80  # check-ins of the first day: about four runs of the lowest setting
ROUNDS = 12
ANSWER_WITHIN = 60.0  # seconds: far beyond an answer's time, even on a loaded machine
MODES = [Attendance.IN_PERSON, Attendance.ONLINE, Attendance.DECLINE]
DESK = Actor(id="registration-desk", channel=Channel.CLI)


async def test_no_answer_is_lost_while_the_meeting_continues_as_new(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """The time-skipping server, where a 10,000-participant lifecycle once stalled."""
    await _answers_across_runs(skipping_env, tmp_path)


async def test_no_answer_is_lost_while_the_meeting_continues_as_new_on_the_dev_server(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    await _answers_across_runs(dev_env, tmp_path)


async def _answers_across_runs(env: WorkflowEnvironment, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(synthetic_directory(N))
    m = meeting(organisations=[], continue_after_events=100)  # the lowest setting allowed
    people = [f"p{i:04d}" for i in range(N)]

    async def answer(pid: str, mode: Attendance) -> Attendance:
        command = RsvpCommand(participant_id=pid, attendance=mode, actor=DESK)
        row = await asyncio.wait_for(commands.rsvp(env.client, None, m.id, command), ANSWER_WITHIN)
        assert row.participant_id == pid and row.attendance is not None
        return row.attendance

    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            handle = await plan(env.client, m, queue)
            await invited(handle)
            for r in range(ROUNDS):  # everyone at once, a round at a time
                wanted = [MODES[(i + r) % len(MODES)] for i in range(N)]
                got = await asyncio.gather(*map(answer, people, wanted))
                assert got == wanted, f"round {r}"
            status = await commands.status(env.client, m.id)
            for _ in range(100):  # a run that just continued lists nobody until reloaded
                if status.summary.participants == N:
                    break
                await asyncio.sleep(0.1)
                status = await commands.status(env.client, m.id)
            runs = await chain(env.client, m.id)

    assert len(runs) >= 3, "the answers spanned several runs"
    last = [MODES[(i + ROUNDS - 1) % len(MODES)].value for i in range(N)]
    expected = {mode: last.count(mode) for mode in set(last)}
    assert status.summary.answers.by_mode == expected


async def test_no_check_in_is_lost_while_the_meeting_continues_as_new(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """The first day's check-ins and joins, all at once: the 10,000-participant lifecycle
    stalled there once, under heavy load, while the meeting continued as new."""
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(synthetic_directory(PRESENT))
    m = meeting(organisations=[], continue_after_events=100)
    people = [f"p{i:04d}" for i in range(PRESENT)]

    async def present(i: int, pid: str) -> str:
        if i % 2:
            call = commands.check_in(env.client, None, m.id, CheckInCommand(
                participant_id=pid, actor=DESK))  # fmt: skip
        else:
            call = commands.join_online(env.client, None, m.id, JoinCommand(
                participant_id=pid, actor=DESK))  # fmt: skip
        presence = await asyncio.wait_for(call, ANSWER_WITHIN)
        return presence.participant_id

    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            handle = await plan(env.client, m, queue)
            await invited(handle)
            for i, pid in enumerate(people):
                mode = Attendance.IN_PERSON if i % 2 else Attendance.ONLINE
                await commands.rsvp(env.client, None, m.id, RsvpCommand(
                    participant_id=pid, attendance=mode, actor=DESK))  # fmt: skip
            before = len(await chain(env.client, m.id))
            await advance_to(env, m.start_utc() + timedelta(minutes=5))
            got = await asyncio.gather(*(present(i, pid) for i, pid in enumerate(people)))
            day = m.start.date().isoformat()
            for _ in range(100):  # a run that just continued counts nobody until reloaded
                register = await commands.attendance(env.client, m.id, RegisterPage(limit=0))
                if sum(register.counts.by_day.get(day, {}).values()) == PRESENT:
                    break
                await asyncio.sleep(0.1)
            after = len(await chain(env.client, m.id))

    assert got == people
    assert after - before >= 2, "the check-ins spanned several runs"
    assert register.counts.by_day.get(day) == {"in-person": PRESENT // 2, "online": PRESENT // 2}
