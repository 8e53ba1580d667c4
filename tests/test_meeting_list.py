"""`rtm meeting list --region --phase` is a visibility query over search attributes that
the workflow keeps current."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.common.contracts import Phase
from domain.meeting.changes import CancelCommand
from domain.registration.answers import Actor, Channel
from starter.cli.main import main
from starter.client import commands
from starter.devstack.catcher import SmtpCatcher
from tests.factories import meeting, unique_id
from tests.harness import invited, plan, running_worker


async def _until(check: object, timeout: float = 20) -> None:
    """Visibility is eventually consistent: poll the listing until `check` holds."""
    assert callable(check)
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "visibility never caught up"
        await asyncio.sleep(0.3)


async def test_meetings_listed_by_region_and_phase(
    dev_env: WorkflowEnvironment,
    store: Store,
    catcher: SmtpCatcher,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = dev_env.client
    held, cancelled = meeting(number=16), meeting(number=17)
    elsewhere = meeting(id=unique_id("RTM-SEEE-9"), region="SEEE", number=9)
    async with running_worker(client, store, catcher.port) as queue:
        for m in (held, cancelled, elsewhere):
            await invited(await plan(client, m, queue))
        await commands.cancel(client, store, cancelled.id, CancelCommand(
            actor=Actor(id="secretariat.ca", channel=Channel.CLI)))  # fmt: skip
    ours = {held.id, cancelled.id, elsewhere.id}

    async def listed(region: str | None, phase: Phase | None) -> set[str]:
        return {m.id for m in await commands.list_meetings(client, region, phase)} & ours

    async def settled() -> bool:
        return await listed("CA", Phase.CANCELLED) == {cancelled.id}

    await _until(settled)
    assert await listed("CA", None) == {held.id, cancelled.id}
    assert await listed("SEEE", None) == {elsewhere.id}
    assert await listed("CA", Phase.REGISTRATION) == {held.id}
    assert await listed(None, Phase.REGISTRATION) == {held.id, elsewhere.id}
    numbers = {m.id: m.number for m in await commands.list_meetings(client, "CA")}
    assert numbers[held.id] == 16 and numbers[cancelled.id] == 17

    monkeypatch.setenv("TEMPORAL_ADDRESS", client.service_client.config.target_host)
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["meeting", "list", "--region", "CA", "--phase",
                                          "cancelled"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert cancelled.id in out and held.id not in out
    assert await asyncio.to_thread(main, ["meeting", "list", "--region", "CA' OR 1=1"]) == 2
    assert "not a region code" in capsys.readouterr().err
