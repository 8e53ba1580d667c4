"""`rtm audit` and `rtm audit export` cover every run of a meeting that continued as new:
each answer of each run is on the timeline, in order, and each run's export replays."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from activities.store import Store
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.cli.main import main
from starter.client import commands
from starter.devstack.catcher import SmtpCatcher
from tests.factories import meeting, synthetic_directory
from tests.harness import invited, plan, running_worker
from tests.ports import free_port
from worker import WORKFLOWS, sandbox_runner

N = 40


async def test_the_audit_covers_every_run_and_each_exported_run_replays(
    skipping_env: WorkflowEnvironment,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(synthetic_directory(N))
    m = meeting(organisations=[], continue_after_events=100)
    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            handle = await plan(env.client, m, queue)
            await invited(handle)
            for i in range(N):
                pid = f"p{i:04d}"
                await commands.rsvp(env.client, store, m.id, RsvpCommand(
                    participant_id=pid, attendance=Attendance.ONLINE,
                    actor=Actor(id=pid, channel=Channel.LINK)))  # fmt: skip
            monkeypatch.setenv("TEMPORAL_ADDRESS", env.client.service_client.config.target_host)
            monkeypatch.setenv("DATABASE_URL", store.url)
            capsys.readouterr()
            assert await asyncio.to_thread(main, ["audit", m.id, "--json"]) == 0
            entries = json.loads(capsys.readouterr().out)
            out = tmp_path / "export"
            assert await asyncio.to_thread(main, ["audit", "export", m.id, str(out)]) == 0
            del catcher

    history = [e for e in entries if e["source"] == "history"]
    runs = [e["run"] for e in history]
    assert max(runs) >= 2, "the meeting continued as new"
    assert runs == sorted(runs), "run by run, in order"
    answered = [e["actor"] for e in history if e["action"] == "update.rsvp"]
    assert sorted(answered) == [f"p{i:04d}" for i in range(N)], "every run's answers"
    assert [e["action"] for e in history].count("workflow.new") == max(runs) - 1
    assert history[0]["action"] == "meeting.planned" and m.id in history[0]["summary"]

    files = json.loads((out / f"{m.id}.runs.json").read_text())
    assert len(files) == max(runs) and files[0] == f"{m.id}.history.json"
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter,
                        workflow_runner=sandbox_runner())  # fmt: skip
    for name in files:
        replayed = await replayer.replay_workflow(
            WorkflowHistory.from_json(m.id, (out / name).read_text()),
            raise_on_replay_failure=False,
        )
        assert replayed.replay_failure is None, name
