"""`--json` on every read command: the same facts as the text, in a shape a script reads."""

from __future__ import annotations

import asyncio
import json
from email.utils import parseaddr

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.directory.models import Directory
from starter.cli.main import main
from starter.devstack.catcher import SmtpCatcher
from tests.factories import central_asia, meeting
from tests.harness import invited, plan, running_worker


async def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    capsys.readouterr()
    assert await asyncio.to_thread(main, list(argv)) == 0
    return json.loads(capsys.readouterr().out)


async def test_read_commands_answer_in_json(
    cli_env: WorkflowEnvironment,
    store: Store,
    catcher: SmtpCatcher,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shown = Directory.model_validate(await _json(capsys, "directory", "list", "--json"))
    loaded = central_asia()
    assert shown.regions == loaded.regions
    assert sorted(shown.countries, key=str) == sorted(loaded.countries, key=str)
    assert sorted(shown.organisations, key=str) == sorted(loaded.organisations, key=str)
    assert shown.participants == loaded.participants  # in file order

    m = meeting(countries=["KZ"], organisations=[])
    async with running_worker(cli_env.client, store, catcher.port) as queue:
        status = await invited(await plan(cli_env.client, m, queue))
        status_json = await _json(capsys, "meeting", "status", m.id, "--json")
    assert isinstance(status_json, dict) and status_json["id"] == m.id
    invited_emails = sorted(p.email for p in status.participants)

    mail_dir = catcher.handler.mail_dir
    assert mail_dir is not None
    mails = await _json(capsys, "mail", "list", "--dir", str(mail_dir), "--json")
    assert isinstance(mails, list)
    ours = [parseaddr(x["to"])[1] for x in mails if m.id in x["message-id"]]
    assert sorted(ours) == invited_emails

    assert await _json(capsys, "actions", "list", "--region", "CA", "--json") == []

    async def listed() -> list[dict[str, object]]:
        found = await _json(capsys, "meeting", "list", "--region", "CA", "--json")
        assert isinstance(found, list)
        return [x for x in found if x["id"] == m.id]

    deadline = asyncio.get_running_loop().time() + 20
    while not (rows := await listed()):
        assert asyncio.get_running_loop().time() < deadline, "visibility never caught up"
        await asyncio.sleep(0.3)
    assert rows[0]["region"] == "CA" and rows[0]["number"] == 16
