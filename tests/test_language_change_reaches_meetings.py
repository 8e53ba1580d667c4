"""A person's languages changed in the directory after they were invited reach the
meeting's next mail (the update and the chaser after `rtm directory language`, the
cancellation after `directory load`) and its status (`rtm meeting status`, `--json`): the
meeting is told of the change. On the dev server with a real SMTP catcher."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.directory.changes import ParticipantLanguages
from domain.meeting.status import MeetingStatus
from starter.cli.main import main
from starter.data import CENTRAL_ASIA
from starter.devstack.catcher import Caught, SmtpCatcher
from tests.console_browser import console_site, signed_in
from tests.factories import meeting
from tests.harness import invited, plan, running_worker, settings_for
from worker import build_worker
from workflows.meeting.workflow import MeetingWorkflow

pytestmark = pytest.mark.integration

MN = "nfp.mn@example.org"  # mn-nfp: [mn, en], Mongolian has no catalogue: mail in English
KZ = "expert.bio.kz@example.org"  # kz-expert-bio: English, unchanged throughout


def _languages(caught: list[Caught]) -> dict[str, str]:
    """Each recipient's mail by the `lang` of its HTML part."""
    found: dict[str, str] = {}
    for c in caught:
        html = c.message().get_body(("html",))
        assert html is not None
        lang = re.search(r'<html lang="([a-z-]+)"', str(html.get_content()))
        assert lang is not None
        found[c.rcpt_tos[0]] = lang.group(1)
    return found


async def _cli(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def _status(meeting_id: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    """Each participant's languages by `rtm meeting status --json`, and the "mail in"
    column of the table `rtm meeting status` prints (keys "table:<id>")."""
    capsys.readouterr()
    assert await _cli("meeting", "status", meeting_id, "--json") == 0, capsys.readouterr().err
    rows = json.loads(capsys.readouterr().out)["participants"]
    found: dict[str, object] = {r["participant_id"]: r["languages"] for r in rows}
    assert await _cli("meeting", "status", meeting_id) == 0, capsys.readouterr().err
    for line in capsys.readouterr().out.splitlines():
        words = line.split()
        if words and words[0] in found:
            found[f"table:{words[0]}"] = words[-2]  # the "mail in" column, before the address
    return found


async def test_the_next_mail_after_a_language_change_is_in_the_new_language(
    cli_env: WorkflowEnvironment,
    store: Store,
    catcher: SmtpCatcher,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = cli_env.client
    m = meeting(participants=["mn-nfp", "kz-expert-bio"], countries=[], organisations=[])
    async with running_worker(client, store, catcher.port) as queue:
        await invited(await plan(client, m, queue))
        assert _languages(catcher.caught) == {MN: "en", KZ: "en"}

        assert await _status(m.id, capsys) == {
            "mn-nfp": ["mn", "en"],
            "kz-expert-bio": ["en"],
            "table:mn-nfp": "en",
            "table:kz-expert-bio": "en",
        }

        capsys.readouterr()
        assert await _cli("directory", "language", "mn-nfp", "ru") == 0, capsys.readouterr()
        assert capsys.readouterr().err == ""  # the meeting was told
        # its status names the new language for mn-nfp, the old for the others
        assert await _status(m.id, capsys) == {
            "mn-nfp": ["ru", "en"],
            "kz-expert-bio": ["en"],
            "table:mn-nfp": "ru",
            "table:kz-expert-bio": "en",
        }
        start, end = m.start + timedelta(days=7), m.end + timedelta(days=7)
        code = await _cli(
            "meeting", "reschedule", m.id, "--start", start.isoformat(), "--end", end.isoformat()
        )
        assert code == 0, capsys.readouterr().err
        assert _languages(catcher.caught[2:]) == {MN: "ru", KZ: "en"}
        assert await _cli("remind", m.id) == 0, capsys.readouterr().err  # nobody answered
        assert _languages(catcher.caught[4:]) == {MN: "ru", KZ: "en"}

        # back to Mongolian (mail in English) by loading the shipped directory file again
        assert await _cli("directory", "load", str(CENTRAL_ASIA)) == 0, capsys.readouterr()
        assert store.languages_of("mn-nfp") == ["mn", "en"]
        assert (await _status(m.id, capsys))["mn-nfp"] == ["mn", "en"]  # told by the load too
        assert await _cli("meeting", "cancel", m.id, "--reason", "venue") == 0
        assert _languages(catcher.caught[6:]) == {MN: "en", KZ: "en"}


async def test_a_change_told_while_the_meeting_loads_its_invitees_is_kept(
    cli_env: WorkflowEnvironment,
    store: Store,
    catcher: SmtpCatcher,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The meeting is told before it has loaded anyone, and its load read the directory as
    it was before the change (here the directory still has [mn, en]): the handler waits for
    the load and applies the change over it, instead of losing it to the load."""
    client = cli_env.client
    m = meeting(participants=["mn-nfp", "kz-expert-bio"], countries=[], organisations=[])
    settings = settings_for(catcher.port, store.url)
    handle = await plan(client, m, settings.task_queue)
    told = ParticipantLanguages(languages={"mn-nfp": ["ru", "en"]})
    await handle.signal(MeetingWorkflow.participant_languages, told)  # no worker yet
    async with build_worker(client, settings, store):  # the worker of the meeting's queue
        await invited(handle)
        kinds = [e.event_type async for e in handle.fetch_history_events()]
        signalled = kinds.index(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
        loaded = kinds.index(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, 0)
        assert signalled < loaded, kinds  # told before a single activity had finished
        assert await _status(m.id, capsys) == {
            "mn-nfp": ["ru", "en"],
            "kz-expert-bio": ["en"],
            "table:mn-nfp": "ru",
            "table:kz-expert-bio": "en",
        }


async def test_a_meeting_that_cannot_be_told_is_a_warning_and_the_change_stands(
    cli_env: WorkflowEnvironment,
    store: Store,
    catcher: SmtpCatcher,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A meeting's workflow ended behind the projection's back (terminated by an operator):
    the directory is changed all the same, the meeting named in a warning, in the
    operator's language."""
    client = cli_env.client
    m = meeting(participants=["mn-nfp", "kz-expert-bio"], countries=[], organisations=[])
    async with running_worker(client, store, catcher.port) as queue:
        handle = await plan(client, m, queue)
        await invited(handle)
        await handle.terminate("by hand")
    capsys.readouterr()
    monkeypatch.setenv("LANGUAGE", "ru")
    assert await _cli("directory", "language", "mn-nfp", "ru,en") == 0
    err = capsys.readouterr().err
    assert f"внимание: встрече {m.id} не удалось сообщить новые языки" in err, err
    assert store.languages_of("mn-nfp") == ["ru", "en"]
    assert await _cli("directory", "language", "kz-expert-bio", "en") == 0  # no change
    assert capsys.readouterr().err == ""  # so no meeting to tell


async def test_the_consoles_directory_form_reaches_the_meetings_status(
    dev_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher
) -> None:
    """Saving mn-nfp as [ru, en] on the console: the meeting's status query names Russian
    for them, English still for the other; a meeting that cannot be told is named in the
    page's notice and the entry is saved all the same."""
    m = meeting(participants=["mn-nfp", "kz-expert-bio"], countries=[], organisations=[])
    async with (
        running_worker(dev_env.client, store, catcher.port) as queue,
        console_site(dev_env.client, store, catcher, queue) as site,
    ):
        handle = await plan(dev_env.client, m, queue)
        await invited(handle)
        http, _ = await signed_in(site.base, catcher, "officer.secretariat.ca@example.org")
        async with http:
            url = f"{site.base}/console/directory/mn-nfp"
            async with http.get(url) as r:
                form = dict(re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', await r.text()))
            assert form["language"] == "mn, en"
            form |= {"role": "nfp", "country": "MN"}  # chosen in lists, not read above
            async with http.post(url, data=form | {"language": "ru, en"},
                                 allow_redirects=False) as r:  # fmt: skip
                assert r.status == 303, await r.text()
                assert r.headers["Location"].endswith("done=saved")
            status = await handle.query("status", result_type=MeetingStatus)
            assert {p.participant_id: p.languages for p in status.participants} == {
                "mn-nfp": ["ru", "en"],
                "kz-expert-bio": ["en"],
            }

            await handle.terminate("by hand")
            async with http.post(url, data=form | {"language": "uz, ru, en"}) as r:
                assert r.status == 200
                page = await r.text()
            assert store.languages_of("mn-nfp") == ["uz", "ru", "en"]
            assert "Встречи, которым не удалось сообщить новые языки" in page
            assert f"по справочнику): {m.id}." in page
