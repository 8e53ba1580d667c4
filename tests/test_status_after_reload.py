"""The status of a meeting that continued as new counts its invitations and answers once
its participants are loaded again, also when it was asked while they were being loaded (a
count cached then stayed at zero: "sent 0 of 10000" with every message out)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.invitations.batches import InvitationStatus
from domain.meeting.status import StatusPage
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.devstack.catcher import SmtpCatcher
from tests.factories import meeting, synthetic_directory
from tests.harness import invited, plan, running_worker
from tests.ports import free_port
from workflows.meeting.workflow import MeetingWorkflow

DESK = Actor(id="registration-desk", channel=Channel.CLI)
N = 20
SENT = StatusPage(invitation=InvitationStatus.SENT)


async def test_a_status_asked_while_reloading_counts_everyone_once_loaded(
    dev_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = dev_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(synthetic_directory(N))
    reloading, release = threading.Event(), threading.Event()
    resolve = store.resolve_page

    def held_reload(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("include_inactive"):  # a continued run reading its records again
            reloading.set()
            release.wait(60)
        return resolve(*args, **kwargs)

    monkeypatch.setattr(store, "resolve_page", held_reload)
    m = meeting(organisations=[], continue_after_events=120)
    modes = [Attendance.IN_PERSON, Attendance.ONLINE]
    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            handle = await plan(env.client, m, queue)
            await invited(handle)
            first = env.client.get_workflow_handle_for(
                MeetingWorkflow.run, m.id, run_id=(await handle.describe()).run_id
            )
            rounds = 0
            while not reloading.is_set() and rounds < 30:  # answers to the first run only
                for i in range(N):
                    try:
                        await first.execute_update(MeetingWorkflow.rsvp, RsvpCommand(
                            participant_id=f"p{i:04d}", attendance=modes[(i + rounds) % 2],
                            actor=DESK))  # fmt: skip
                    except (RPCError, WorkflowUpdateFailedError):  # it continued as new
                        break
                rounds += 1
            assert await asyncio.to_thread(reloading.wait, 60), "it continued as new"
            loading = await handle.query(MeetingWorkflow.status, StatusPage())
            loading_sent = await handle.query(MeetingWorkflow.status, SENT)
            release.set()
            for _ in range(300):
                status = await handle.query(MeetingWorkflow.status, StatusPage())
                if status.matching == N:
                    break
                await asyncio.sleep(0.1)
            sent = await handle.query(MeetingWorkflow.status, SENT)
            mail = len(catcher.caught)

    assert (loading.matching, loading.count(InvitationStatus.SENT)) == (0, 0)  # asked mid-load
    assert loading_sent.matching == 0
    assert mail >= N
    assert status.matching == N
    assert status.summary.participants == N
    assert status.count(InvitationStatus.SENT) == N
    assert sum(status.summary.answers.by_mode.values()) == N
    assert sent.matching == N
