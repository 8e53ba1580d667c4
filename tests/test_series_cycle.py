"""A yearly series' cycle on the dev server: each run numbers the next Heads of Regional
Secretariats meeting in its own series (10, 11, ...), planned by the coordination for the
secretariats of every region; the RTM numbers of the regions are untouched."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.common.contracts import Phase
from domain.meeting.definition import MeetingDefinition
from starter.cli.inputs import read_directory
from starter.cli.main import main
from starter.client import commands, cycle
from starter.data import NETWORK
from starter.devstack.catcher import SmtpCatcher
from tests.harness import running_worker


async def _planned(env: WorkflowEnvironment, meeting_id: str) -> MeetingDefinition:
    for _ in range(100):
        try:
            status = await commands.status(env.client, meeting_id)
            if status.phase is Phase.PLANNED:
                return status.meeting
        except commands.NoSuchMeeting:
            pass
        await asyncio.sleep(0.3)
    raise AssertionError(f"{meeting_id} was never planned")


async def test_a_yearly_series_cycle_numbers_its_own_meetings(
    dev_env: WorkflowEnvironment,
    store: Store,
    catcher: SmtpCatcher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = dev_env
    store.load_directory(read_directory(NETWORK))
    ca_before = store.region("CA")
    async with running_worker(env.client, store, catcher.port) as queue:
        await cycle.create(env.client, "INT", "Europe/Brussels", queue, (1,), series="HRS")
        try:
            with pytest.raises(cycle.CycleError, match="series HRS already has a cycle"):
                await cycle.create(env.client, "INT", "Europe/Brussels", queue, series="HRS")
            await cycle.trigger(env.client, "HRS")
            tenth = await _planned(env, "HRS-10")
            await cycle.trigger(env.client, "HRS")
            eleventh = await _planned(env, "HRS-11")
            view = await cycle.show(env.client, "HRS")
        finally:
            await cycle.delete(env.client, "HRS")
    assert tenth.title == "10th Meeting of the Heads of the Regional Secretariats"
    assert (tenth.kind.value, tenth.series, tenth.region, tenth.number) == (
        "heads",
        "HRS",
        "INT",
        10,
    )
    assert tenth.organiser.email == "coordination@example.org"
    assert "SEC-CA" in tenth.organisations and "SEC-GCC" in tenth.organisations
    assert eleventh.number == 11
    assert view.months == [1]
    heads = store.series("HRS")
    assert heads is not None and heads.last_number == 11
    assert store.region("CA") == ca_before  # the RTM numbering of a region is its own

    monkeypatch.setenv("TEMPORAL_ADDRESS", env.client.service_client.config.target_host)
    monkeypatch.setenv("DATABASE_URL", store.url)
    monkeypatch.setenv("RTM_USER", "ca-sec-head")
    assert await asyncio.to_thread(main, ["cycle", "show", "--series", "HRS"]) == 2
    assert await asyncio.to_thread(main, ["cycle", "show", "--series", "RTM-CA"]) == 2
    assert await asyncio.to_thread(main, ["cycle", "show", "--series", "NOPE"]) == 2
