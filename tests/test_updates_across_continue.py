"""Answers sent while a meeting continues as new are all applied, none lost: an update the
closing run accepted is finished before it continues (it waits for every handler), one it
had not yet accepted lands on the next run. Each answer is sent with a deadline, so a lost
one fails the test instead of hanging it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.client import commands
from starter.client.audit import chain
from starter.devstack.catcher import SmtpCatcher
from tests.factories import meeting, synthetic_directory
from tests.harness import invited, plan, running_worker
from tests.ports import free_port

N = 24
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
