"""`rtm audit`: a readable timeline of a whole lifecycle from history and audit log;
`rtm audit export` writes a history that replays."""

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
from starter.cli.main import main
from starter.devstack.catcher import SmtpCatcher
from tests.factories import central_asia
from tests.harness import running_worker
from tests.ports import free_port
from tests.scenarios import full_lifecycle
from worker import WORKFLOWS, sandbox_runner


async def test_timeline_of_a_full_lifecycle_and_a_replayable_export(
    skipping_env: WorkflowEnvironment,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(central_asia())
    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            m = await full_lifecycle(env, store, queue)
            monkeypatch.setenv("TEMPORAL_ADDRESS", env.client.service_client.config.target_host)
            monkeypatch.setenv("DATABASE_URL", store.url)
            capsys.readouterr()
            assert await asyncio.to_thread(main, ["audit", m.id, "--json"]) == 0
            entries = json.loads(capsys.readouterr().out)
            assert await asyncio.to_thread(main, ["audit", m.id]) == 0
            text = capsys.readouterr().out
            out = tmp_path / "export"
            assert await asyncio.to_thread(main, ["audit", "export", m.id, str(out)]) == 0
        sent = catcher.caught

    actions = [e["action"] for e in entries]
    # phase changes
    for phase in ("scheduled", "registration", "held"):
        assert f"phase.{phase}" in actions, phase
    # decisions and answers, with actor and channel
    updates = {(e["action"], e["actor"], e["channel"]) for e in entries}
    assert ("update.rsvp", "secretariat.ca", "cli") in updates
    assert ("update.rsvp", "uz-nfp", "link") in updates
    assert ("update.decide_item", "secretariat.ca", "cli") in updates
    assert ("update.reschedule", "secretariat.ca", "cli") in updates
    assert ("update.check_in", "registration-desk", "link") in updates
    # each email with its Message-ID, recipient and outcome
    mails = [
        e for e in entries if e["action"] in ("invitation.sent", "reminder.sent", "agenda.sent")
    ]
    assert len(mails) == len(sent)
    logged = {(e["detail"]["message_id"], e["detail"]["email"]) for e in mails}
    assert {(c.message_id, c.rcpt_tos[0]) for c in sent} == logged
    assert actions.count("reminder.sent") >= 1
    assert "timer.fired" in actions
    # each refused command: the unknown participant, the cancel after the start
    refused = [e for e in entries if e["action"].endswith(".refused")]
    assert {e["action"] for e in refused} == {"rsvp.refused", "cancel.refused"}
    assert any("not invited" in e["summary"] for e in refused)
    # the readable form says the same
    assert f"Timeline of {m.id}" in text and "rsvp.refused" in text and "<RTM-CA-16" in text
    # the export replays against today's code
    history_file = out / f"{m.id}.history.json"
    assert (out / f"{m.id}.timeline.txt").read_text().startswith(f"Timeline of {m.id}")
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter,
                        workflow_runner=sandbox_runner())  # fmt: skip
    result = await replayer.replay_workflow(
        WorkflowHistory.from_json(m.id, history_file.read_text()), raise_on_replay_failure=False
    )
    assert result.replay_failure is None
