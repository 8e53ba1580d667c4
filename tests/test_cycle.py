"""The six-monthly cycle on the dev server (the time-skipping server has no Schedules):
triggered runs plan RTM 16, 17, ...; a paused region starts nothing; a planned RTM is
scheduled by the secretariat and then invites the region."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from temporalio.client import ScheduleIntervalSpec, ScheduleSpec
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.common.contracts import Phase
from domain.meeting.changes import RescheduleCommand
from domain.registration.answers import Actor, Channel
from starter.client import commands, cycle
from starter.devstack.catcher import Caught, SmtpCatcher
from tests.harness import invited, running_worker

SECRETARIAT = Actor(id="secretariat.ca", channel=Channel.CLI)


async def _planned(env: WorkflowEnvironment, meeting_id: str, timeout: float = 30) -> Phase:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            status = await commands.status(env.client, meeting_id)
            if status.phase is not Phase.SCHEDULED:
                return status.phase
        except commands.NoSuchMeeting:
            pass
        assert loop.time() < deadline, f"{meeting_id} was never planned"
        await asyncio.sleep(0.3)


async def _asks(catcher: SmtpCatcher, n: int, timeout: float = 30) -> list[Caught]:
    """The cycle's requests to schedule caught so far, once there are `n` (or `timeout`)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        asks = [c for c in catcher.caught if str(c.message()["X-RTM-Notice"]) == "cycle"]
        if len(asks) >= n or loop.time() > deadline:
            return asks
        await asyncio.sleep(0.1)


async def _exists(env: WorkflowEnvironment, meeting_id: str) -> bool:
    try:
        await env.client.get_workflow_handle(meeting_id).describe()
        return True
    except Exception:
        return False


async def test_cycle_plans_numbered_rtms_and_a_paused_region_starts_nothing(
    dev_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher
) -> None:
    env = dev_env
    async with running_worker(env.client, store, catcher.port) as queue:
        await cycle.create(env.client, "CA", "Asia/Tashkent", queue)
        try:
            with pytest.raises(cycle.CycleError, match="already has a cycle"):
                await cycle.create(env.client, "CA", "Asia/Tashkent", queue)
            view = await cycle.show(env.client, "CA")
            assert (view.months, view.day, view.hour, view.zone) == ([1, 7], 1, 9, "Asia/Tashkent")
            assert not view.paused and view.next_runs

            # two triggers in a row: 16 and 17, never the same number twice
            await cycle.trigger(env.client, "CA")
            await cycle.trigger(env.client, "CA")
            assert await _planned(env, "RTM-CA-16") is Phase.PLANNED
            assert await _planned(env, "RTM-CA-17") is Phase.PLANNED
            planned = (await commands.status(env.client, "RTM-CA-17")).meeting
            assert planned.planned and planned.number == 17
            assert planned.title.startswith("17th Round-Table Meeting")
            asks = await _asks(catcher, 2)  # the request follows the phase PLANNED
            assert sorted(c.rcpt_tos[0] for c in asks) == ["secretariat.ca@example.org"] * 2

            # paused: a trigger is refused and the schedule itself starts nothing
            await cycle.pause(env.client, "CA", "summer break")
            with pytest.raises(cycle.CycleError, match="paused"):
                await cycle.trigger(env.client, "CA")
            assert (await cycle.show(env.client, "CA")).paused
            await cycle.delete(env.client, "CA")
            every_second = ScheduleSpec(
                intervals=[ScheduleIntervalSpec(every=timedelta(seconds=1))]
            )
            await cycle.create(env.client, "CA", "Asia/Tashkent", queue, spec=every_second,
                               paused=True)  # fmt: skip
            await asyncio.sleep(4)
            assert not await _exists(env, "RTM-CA-18"), "a paused region started a meeting"
            await cycle.resume(env.client, "CA", "back")
            assert await _planned(env, "RTM-CA-18") is Phase.PLANNED
            await cycle.pause(env.client, "CA", "test done")
        finally:
            await cycle.delete(env.client, "CA")
        with pytest.raises(cycle.CycleError, match="has no cycle"):
            await cycle.show(env.client, "CA")

        # the secretariat schedules RTM 16: invitations go to the region
        before = len(catcher.caught)
        start = planned.start + timedelta(days=7)
        command = RescheduleCommand(start=start, end=start + timedelta(days=1, hours=8),
                                    zone="Asia/Almaty", format="hybrid",
                                    venue={"name": "Rixos", "city": "Almaty",
                                           "country": "Kazakhstan"},
                                    join_link="https://meet.example.org/rtm-ca-16",
                                    actor=SECRETARIAT)  # fmt: skip
        await commands.schedule(env.client, store, "RTM-CA-16", command)
        status = await invited(env.client.get_workflow_handle("RTM-CA-16"))
        assert status.phase is Phase.REGISTRATION
        assert not status.meeting.planned and status.meeting.venue is not None
        invitations = [
            c for c in catcher.caught[before:]
            if str(c.message()["X-RTM-Meeting"]) == "RTM-CA-16" and not c.message()["X-RTM-Notice"]
        ]  # fmt: skip
        assert len(invitations) == len(status.participants) > 0
        with pytest.raises(commands.CommandRefused, match="already scheduled"):
            await commands.schedule(env.client, store, "RTM-CA-16", command)
        for extra in await commands.list_meetings(env.client, "CA", Phase.PLANNED):
            await env.client.get_workflow_handle(extra.id).terminate("test done")
