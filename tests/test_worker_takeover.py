"""A meeting started on the workflow as it was before the package (and continued as new
with its old-shaped state) carries on under today's worker: answers kept, registration,
held, follow-up and closed as before, no workflow task failing on the way."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.attendance.register import CheckInCommand, JoinCommand
from domain.common.contracts import MeetingSummary, Phase
from domain.followup.actions import ActionSpec, DoneCommand, Owner, OwnerKind
from domain.followup.minutes import MinutesCommand
from domain.invitations.batches import InvitationStatus
from domain.meeting.definition import MeetingDefinition
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.client import commands
from starter.devstack.catcher import SmtpCatcher
from tests.factories import meeting, synthetic_directory
from tests.harness import advance_to, settings_for
from tests.legacy.meeting_v1 import MeetingWorkflowV1
from tests.ports import free_port
from worker import build_worker
from workflows.common import search_attributes
from workflows.followup.action_item import ActionItemWorkflow

DESK = Actor(id="registration-desk", channel=Channel.CLI)
N = 40


def _mode(i: int) -> Attendance:
    return Attendance.IN_PERSON if i % 2 else Attendance.ONLINE


async def _answer(client: Client, store: Store, m: MeetingDefinition, ids: range) -> None:
    for i in ids:
        await commands.rsvp(client, store, m.id, RsvpCommand(
            participant_id=f"p{i:04d}", attendance=_mode(i), actor=DESK))  # fmt: skip


async def _runs(client: Client, meeting_id: str) -> int:
    query = f"WorkflowId = '{meeting_id}'"
    return len([wf async for wf in client.list_workflows(query)])


async def test_a_running_meeting_carries_on_after_the_new_worker_takes_over(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(synthetic_directory(N))
    m = meeting(organisations=[], continue_after_events=100, followup_days=60)
    with SmtpCatcher(port=free_port()) as catcher:
        settings = settings_for(catcher.port, store.url)
        old = build_worker(  # no cache: nothing of it is left sticky when it goes away
            env.client,
            settings,
            store,
            workflows=[MeetingWorkflowV1, ActionItemWorkflow],
            max_cached_workflows=0,
        )
        async with old:
            handle = await env.client.start_workflow(
                "MeetingWorkflow", m, id=m.id, task_queue=settings.task_queue,
                search_attributes=search_attributes.initial(m.region, m.number, "scheduled"),
            )  # fmt: skip
            for _ in range(600):
                if "phase.registration" in {r.action for r in store.audit(m.id)}:
                    break
                await asyncio.sleep(0.1)
            first_run = (await handle.describe()).run_id
            await _answer(env.client, store, m, range(N // 2))
            await asyncio.sleep(1)  # the old code continues as new past 100 events
            old_last_run = (await handle.describe()).run_id

        async with build_worker(env.client, settings, store):
            await _answer(env.client, store, m, range(N // 2, N))
            status = await commands.status(env.client, m.id)
            await advance_to(env, m.start_utc() + timedelta(minutes=5))
            held = await commands.status(env.client, m.id)
            for i in range(N):
                if i % 2:
                    await commands.check_in(env.client, store, m.id, CheckInCommand(
                        participant_id=f"p{i:04d}", actor=DESK))  # fmt: skip
                else:
                    await commands.join_online(env.client, store, m.id, JoinCommand(
                        participant_id=f"p{i:04d}", actor=DESK))  # fmt: skip
            register = await commands.attendance(env.client, m.id)
            await advance_to(env, m.end_utc() + timedelta(hours=1))
            await commands.record_minutes(env.client, store, m.id, MinutesCommand(
                markdown="# Minutes", actions=[ActionSpec(
                    what="Send the list of national experts",
                    owner=Owner(kind=OwnerKind.COUNTRY, code="KZ"),
                    due=m.end.date() + timedelta(days=20))], actor=DESK))  # fmt: skip
            await commands.mark_action_done(env.client, store, f"{m.id}-A1",
                                            DoneCommand(actor=DESK))  # fmt: skip
            summary = await asyncio.wait_for(
                env.client.get_workflow_handle(m.id, result_type=MeetingSummary).result(), 60
            )
            last = await env.client.get_workflow_handle(m.id).fetch_history()

    assert old_last_run != first_run, "the old code continued as new with its own state"
    assert status.phase is Phase.REGISTRATION and status.count(InvitationStatus.SENT) == N
    assert status.answers.by_mode == {"in-person": N // 2, "online": N // 2}
    assert all(r.attendance is _mode(int(r.participant_id[1:])) for r in status.participants)
    assert held.phase is Phase.HELD
    assert register.counts.by_mode == {"in-person": N // 2, "online": N // 2}
    assert summary.phase is Phase.CLOSED and (summary.actions, summary.actions_done) == (1, 1)
    assert summary.invited == N
    failed = [e for e in last.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED]
    assert failed == []
    phases = [r.action for r in store.audit(m.id) if r.action.startswith("phase.")]
    assert phases == ["phase.scheduled", "phase.registration", "phase.held",
                      "phase.follow_up", "phase.closed"]  # fmt: skip
