"""The console's timeline of a meeting that continued as new: the same entries as
`rtm audit`, each closed run fetched and decoded once (later reads take it from memory),
and the decoding done off the event loop, so that other pages are served meanwhile."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.client import commands
from starter.client.audit import TimelineEntry, chain, history_entries, timeline
from starter.devstack.catcher import SmtpCatcher
from starter.web.console import timeline as console_timeline
from starter.web.console.timeline import Timeline, Timelines
from tests.factories import meeting, synthetic_directory
from tests.harness import invited, plan, running_worker
from tests.ports import free_port

N = 40


async def answer_all(
    env: WorkflowEnvironment, store: Store, meeting_id: str, how: Attendance
) -> None:
    for i in range(N):
        pid = f"p{i:04d}"
        command = RsvpCommand(
            participant_id=pid, attendance=how, actor=Actor(id=pid, channel=Channel.LINK)
        )
        await commands.rsvp(env.client, store, meeting_id, command)


async def cli_view(env: WorkflowEnvironment, store: Store, meeting_id: str) -> list[TimelineEntry]:
    """What `rtm audit` shows: every run read and decoded anew."""
    histories = [json.loads(h.to_json()) for h in await chain(env.client, meeting_id)]
    return await timeline(histories, store.audit(meeting_id), env.client.data_converter)


async def read_settled(
    read: Callable[[], Awaitable[Timeline]], view: Callable[[], Awaitable[list[TimelineEntry]]]
) -> Timeline:
    """The reader's timeline once the meeting holds still around it (an answer's last
    events, or the continue-as-new it causes, may land a moment later): equal to the
    CLI's view taken just before and just after."""
    for _ in range(20):
        before = await view()
        found = await read()
        if before == await view():
            assert found.entries == before
            return found
        await asyncio.sleep(0.2)
    raise AssertionError("the meeting's history kept moving")


async def test_closed_runs_are_read_once_and_decoded_off_the_loop(
    skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(synthetic_directory(N))
    m = meeting(organisations=[], continue_after_events=100)
    fetched: list[str] = []  # the runs the reader fetched (by id; "latest" without one)
    original = WorkflowHandle.fetch_history
    reader = Timelines(env.client, store)

    async def counted(self: WorkflowHandle[Any, Any], **kwargs: Any) -> WorkflowHistory:
        fetched.append(self.run_id or "latest")
        return await original(self, **kwargs)

    async def read() -> Timeline:
        monkeypatch.setattr(WorkflowHandle, "fetch_history", counted)
        try:
            return await reader.read(m.id)
        finally:
            monkeypatch.setattr(WorkflowHandle, "fetch_history", original)

    decoded_on: list[bool] = []

    async def watched(*args: Any) -> list[TimelineEntry]:
        decoded_on.append(threading.current_thread() is threading.main_thread())
        return await history_entries(*args)

    monkeypatch.setattr(console_timeline, "history_entries", watched)
    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            await invited(await plan(env.client, m, queue))
            await answer_all(env, store, m.id, Attendance.ONLINE)
            first = await read_settled(read, lambda: cli_view(env, store, m.id))
            first_fetches = [r for r in fetched if r != "latest"]
            fetched.clear()
            runs = {e.run for e in first.entries}
            assert len(runs) >= 2, "the meeting continued as new"
            await answer_all(env, store, m.id, Attendance.IN_PERSON)
            second = await read_settled(read, lambda: cli_view(env, store, m.id))
            del catcher

    assert len(set(first_fetches)) == len(runs) - 1, "every earlier run read"
    assert len(first_fetches) == len(set(first_fetches)), "each once, a second try included"
    assert max(e.run for e in second.entries) > max(runs), "it went on continuing"
    again = [r for r in fetched if r in first_fetches]
    assert again == [], f"closed runs fetched again: {again}"
    assert "update" in second.kinds and "link" in second.channels
    assert decoded_on and not any(decoded_on), "every run decoded in a worker thread"
