"""A busy meeting continues as new (same workflow id, state carried) instead of growing
one history past Temporal's limits; answers, register and actions survive the runs."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.attendance.register import CheckInCommand, JoinCommand
from domain.common.contracts import MeetingSummary, Phase
from domain.followup.actions import ActionSpec, DoneCommand, Owner, OwnerKind
from domain.followup.minutes import MinutesCommand
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.client import commands
from starter.devstack.catcher import SmtpCatcher
from tests.factories import meeting, synthetic_directory
from tests.harness import advance_to, invited, plan, running_worker
from tests.ports import free_port

DESK = Actor(id="registration-desk", channel=Channel.CLI)
N = 40


async def test_a_busy_meeting_continues_as_new_and_keeps_its_state(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(synthetic_directory(N))
    m = meeting(organisations=[], continue_after_events=120, followup_days=60)
    ids = [f"p{i:04d}" for i in range(N)]
    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            handle = await plan(env.client, m, queue)
            await invited(handle)
            first_run = (await handle.describe()).run_id
            for i, pid in enumerate(ids):
                mode = Attendance.IN_PERSON if i % 2 else Attendance.ONLINE
                await commands.rsvp(env.client, None, m.id, RsvpCommand(
                    participant_id=pid, attendance=mode, actor=DESK))  # fmt: skip
            await advance_to(env, m.start_utc() + timedelta(minutes=5))
            for i, pid in enumerate(ids):
                if i % 2:
                    await commands.check_in(env.client, None, m.id, CheckInCommand(
                        participant_id=pid, actor=DESK))  # fmt: skip
                else:
                    await commands.join_online(env.client, None, m.id, JoinCommand(
                        participant_id=pid, actor=DESK))  # fmt: skip
            status = await commands.status(env.client, m.id)
            register = await commands.attendance(env.client, m.id)
            last_run = (await handle.describe()).run_id
            first = await env.client.get_workflow_handle(m.id, run_id=first_run).fetch_history()

            # the continued run records minutes and closes when its action is done
            await advance_to(env, m.end_utc() + timedelta(hours=1))
            await commands.record_minutes(env.client, None, m.id, MinutesCommand(
                markdown="# Minutes", actions=[ActionSpec(
                    what="Send the list of national experts",
                    owner=Owner(kind=OwnerKind.COUNTRY, code="KZ"),
                    due=m.end.date() + timedelta(days=20))], actor=DESK))  # fmt: skip
            await commands.mark_action_done(env.client, None, f"{m.id}-A1",
                                            DoneCommand(actor=DESK))  # fmt: skip
            summary = await asyncio.wait_for(
                env.client.get_workflow_handle(m.id, result_type=MeetingSummary).result(), 60
            )

    assert last_run != first_run, "the meeting continued as new"
    assert first.events[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
    assert len(first.events) < 200
    assert status.answers.by_mode == {"in-person": N // 2, "online": N // 2}
    assert status.phase is Phase.HELD
    assert register.counts.participants == N
    assert register.counts.by_mode == {"in-person": N // 2, "online": N // 2}
    assert summary.phase is Phase.CLOSED and (summary.actions, summary.actions_done) == (1, 1)
