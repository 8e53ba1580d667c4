"""A meeting continues as new because its own event count asks for it, below the count at
which the server suggests it (4,096 events on a Temporal server's defaults): a meeting
planned with the old setting of 9,000 continued only at the server's suggestion."""

from __future__ import annotations

from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.meeting.timeline import CONTINUE_AT, SERVER_SUGGESTS_AT
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.client import commands
from starter.devstack.catcher import SmtpCatcher
from tests.factories import meeting, synthetic_directory
from tests.harness import invited, plan, running_worker
from tests.ports import free_port

DESK = Actor(id="registration-desk", channel=Channel.CLI)
N = 20


async def test_a_run_continues_on_its_own_count_before_the_server_suggests_it(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = dev_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(synthetic_directory(N))
    m = meeting(organisations=[], continue_after_events=9_000)  # as meetings were planned
    modes = [Attendance.IN_PERSON, Attendance.ONLINE]
    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            handle = await plan(env.client, m, queue)
            await invited(handle)
            first_run = (await handle.describe()).run_id
            rounds = 0
            while (await handle.describe()).run_id == first_run and rounds < 60:
                for i in range(N):  # everyone changes their answer, a round at a time
                    await commands.rsvp(env.client, None, m.id, RsvpCommand(
                        participant_id=f"p{i:04d}", attendance=modes[(i + rounds) % 2],
                        actor=DESK))  # fmt: skip
                rounds += 1
            first = await env.client.get_workflow_handle(m.id, run_id=first_run).fetch_history()
            status = await commands.status(env.client, m.id)

    last = first.events[-1]
    assert last.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
    task = EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED
    started = [e for e in first.events if e.event_type == task]
    assert not started[-1].workflow_task_started_event_attributes.suggest_continue_as_new
    assert CONTINUE_AT <= len(first.events) < SERVER_SUGGESTS_AT
    assert status.summary.answers.by_mode  # the continued run has its answers
    assert sum(status.summary.answers.by_mode.values()) == N
