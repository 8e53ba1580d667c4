"""An answer sent before the invitations are out is taken for someone on the meeting's
list, and refused with the true reason for someone who is not; the invitees come in pages
(over 1,000 of them here), and the one on the last page can answer early too."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.common.contracts import Phase
from domain.invitations.batches import InvitationStatus
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.client import commands
from starter.devstack.catcher import SmtpCatcher
from tests.factories import meeting, synthetic_directory
from tests.harness import invited, plan, settings_for
from tests.ports import free_port
from worker import build_worker

N = 1_050
LAST = f"p{N - 1:04d}"


def _answer(pid: str) -> RsvpCommand:
    return RsvpCommand(participant_id=pid, attendance=Attendance.ONLINE,
                       actor=Actor(id=pid, channel=Channel.LINK))  # fmt: skip


async def test_answers_before_the_invitations_are_out(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(synthetic_directory(N + 1))
    m = meeting(organisations=[], participants=[f"p{i:04d}" for i in range(N)], countries=[])
    with SmtpCatcher(port=free_port()) as catcher:
        settings = settings_for(catcher.port, store.url)
        handle = await plan(env.client, m, settings.task_queue)  # no worker yet: nothing loaded
        early = asyncio.create_task(commands.rsvp(env.client, store, m.id, _answer(LAST)))
        stranger = asyncio.create_task(commands.rsvp(env.client, store, m.id, _answer(f"p{N:04d}")))
        await asyncio.sleep(0.5)
        assert not early.done(), "the answer waits for the invitees"
        async with build_worker(env.client, settings, store):
            row = await asyncio.wait_for(early, 60)
            with pytest.raises(commands.CommandRefused, match=f"'p{N:04d}' is not invited"):
                await asyncio.wait_for(stranger, 60)
            status = await invited(handle)
            mine = await commands.participant(env.client, m.id, LAST)

    assert row.participant_id == LAST and row.attendance is Attendance.ONLINE
    assert status.phase is Phase.REGISTRATION
    assert status.summary.participants == N and status.count(InvitationStatus.SENT) == N
    assert status.answers.by_mode == {"none": N - 1, "online": 1}
    assert mine is not None and mine.attendance is Attendance.ONLINE
    assert mine.invitation.status is InvitationStatus.SENT
    refused = [r for r in store.audit(m.id) if r.action == "rsvp.refused"]
    assert [r.actor for r in refused] == [f"p{N:04d}"]
