"""`rtm remind MEETING` chases non-responders now; `rtm meeting status` lists what is coming."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from starter.cli.main import main
from starter.client import commands
from starter.devstack.catcher import SmtpCatcher
from tests.factories import meeting
from tests.harness import invited, plan, running_worker


async def test_remind_chases_only_non_responders_and_status_lists_reminders(
    cli_env: WorkflowEnvironment,
    store: Store,
    catcher: SmtpCatcher,
    capsys: pytest.CaptureFixture[str],
) -> None:
    m = meeting()
    async with running_worker(cli_env.client, store, catcher.port) as queue:
        first = await invited(await plan(cli_env.client, m, queue))
        n = len(first.participants)
        answered = {"kz-nfp", "uz-nfp"}
        for pid in answered:
            assert await asyncio.to_thread(main, ["rsvp", m.id, pid, "--attend", "online"]) == 0

        capsys.readouterr()
        assert await asyncio.to_thread(main, ["meeting", "status", m.id]) == 0
        out = capsys.readouterr().out
        status = await commands.status(cli_env.client, m.id)
        assert status.reminders, "a meeting six weeks ahead has reminders coming"
        assert f"coming reminders ({len(status.reminders)}):" in out
        chasers = {r.participant_id for r in status.reminders if r.kind.value == "chaser"}
        assert chasers == {p.participant_id for p in status.participants} - answered

        assert await asyncio.to_thread(main, ["remind", m.id]) == 0
        assert f"reminder sent now to {n - 2} participants" in capsys.readouterr().out
        chased = catcher.caught[n:]
        assert sorted(c.rcpt_tos[0] for c in chased) == sorted(
            p.email for p in status.participants if p.participant_id not in answered
        )
        assert all(str(c.message()["X-RTM-Reminder"]) == "chaser" for c in chased)
        for c in chased:
            body = c.message().get_body(preferencelist=("plain",))
            assert body is not None and f"/rsvp/{m.id}/" in body.get_content()
