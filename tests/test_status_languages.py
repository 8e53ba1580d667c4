"""The status shows which language each participant is written to: the first of their
ordered list that has a catalogue ([uz, ru, en]: Russian), both of the first two for a
bilingual meeting, in `rtm meeting status` and on the console's meeting page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.common.contracts import Phase
from domain.directory.models import Directory
from domain.invitations.batches import Invitation
from domain.meeting.status import MeetingStatus, ParticipantStatus, StatusPage, StatusSummary
from starter.cli.views import render_status
from starter.devstack.catcher import SmtpCatcher
from starter.web.console.render import written_in
from tests.console_browser import console_site, signed_in
from tests.factories import meeting
from tests.harness import invited, plan, running_worker
from tests.mail_kinds import people, rtm

pytestmark = pytest.mark.integration


def _status(bilingual: bool) -> MeetingStatus:
    rows = []
    for pid in ("uz-nfp", "mn-nfp", "kz-expert-bio"):
        p = people()[pid]
        rows.append(
            ParticipantStatus(
                participant_id=p.id,
                name=p.name,
                email=p.email,
                affiliation=p.country or "",
                zone=p.zone,
                languages=p.languages,
                invitation=Invitation(participant_id=p.id, email=p.email),
            )
        )
    m = rtm(bilingual=bilingual)
    fields: dict[str, Any] = {"id": m.id, "title": m.title, "meeting": m, "participants": rows}
    fields |= {"matching": len(rows), "phase": Phase.REGISTRATION, "sequence": 1}
    fields |= {"summary": StatusSummary(), "page": StatusPage()}
    return MeetingStatus.model_construct(**fields)


def _column(text: str, pid: str) -> str:
    (line,) = [x for x in text.splitlines() if x.strip().startswith(pid)]
    return line.split()[-2]  # the "mail in" column, before the address


def test_the_cli_status_says_which_language_each_is_written_to() -> None:
    shown = render_status(_status(bilingual=False))
    assert "mail in" in shown
    assert [_column(shown, p) for p in ("uz-nfp", "mn-nfp", "kz-expert-bio")] == ["ru", "en", "en"]
    shown = render_status(_status(bilingual=True))
    assert _column(shown, "uz-nfp") == "ru+en"
    assert written_in(["uz", "ru", "en"], True) == "Русский + English"


async def test_the_consoles_meeting_page_says_which_language_each_is_written_to(
    dev_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher
) -> None:
    m = meeting(participants=["uz-nfp", "mn-nfp"], countries=[], organisations=[])
    async with (
        running_worker(dev_env.client, store, catcher.port) as queue,
        console_site(dev_env.client, store, catcher, queue) as site,
    ):
        await invited(await plan(dev_env.client, m, queue))
        http, _ = await signed_in(site.base, catcher, "officer.secretariat.ca@example.org")
        async with http, http.get(f"{site.base}/console/meetings/{m.id}") as r:
            assert r.status == 200
            page = await r.text()
    assert '<th scope="col">Язык писем</th>' in page
    uz = page[page.index(people()["uz-nfp"].name) :]
    assert uz[: uz.index("</tr>")].count('data-label="Язык писем">Русский</td>') == 1
    mn = page[page.index(people()["mn-nfp"].name) :]
    assert 'data-label="Язык писем">English</td>' in mn[: mn.index("</tr>")]


async def test_the_consoles_meeting_page_follows_a_language_change_in_the_directory(
    dev_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher
) -> None:
    """mn-nfp was invited in English; the directory now says Russian: the page says what
    the next mail will be written in, not what the invitation was."""
    m = meeting(participants=["mn-nfp", "kz-expert-bio"], countries=[], organisations=[])
    async with (
        running_worker(dev_env.client, store, catcher.port) as queue,
        console_site(dev_env.client, store, catcher, queue) as site,
    ):
        await invited(await plan(dev_env.client, m, queue))
        mn = next(p for p in store.participants() if p.id == "mn-nfp")
        assert mn.languages == ["mn", "en"]  # mail in English
        store.load_directory(
            Directory(participants=[mn.model_copy(update={"languages": ["ru", "en"]})])
        )
        http, _ = await signed_in(site.base, catcher, "officer.secretariat.ca@example.org")
        async with http, http.get(f"{site.base}/console/meetings/{m.id}") as r:
            assert r.status == 200
            page = await r.text()
    row = page[page.index(mn.name) :]
    assert 'data-label="Язык писем">Русский</td>' in row[: row.index("</tr>")]
    kz = page[page.index("O&#39;Neil, Saule") :]
    assert 'data-label="Язык писем">English</td>' in kz[: kz.index("</tr>")]


async def test_the_consoles_directory_form_keeps_the_ordered_languages(
    dev_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher
) -> None:
    """tj-nfp reads [tg, ru, en]: editing their entry (another field) keeps all three, in
    order; the secretariat may give a new order."""
    async with console_site(dev_env.client, store, catcher) as site:
        http, _ = await signed_in(site.base, catcher, "officer.secretariat.ca@example.org")
        async with http:
            url = f"{site.base}/console/directory/tj-nfp"
            async with http.get(url) as r:
                page = await r.text()
            assert 'value="tg, ru, en"' in page
            form = dict(re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', page))
            form |= {"name": "Firuz Rahmonov (edited)", "role": "nfp", "country": "TJ"}
            async with http.post(url, data=form, allow_redirects=False) as r:
                assert r.status == 303, await r.text()
            assert store.languages_of("tj-nfp") == ["tg", "ru", "en"]
            form["language"] = "uz, en, ru"
            async with http.post(url, data=form, allow_redirects=False) as r:
                assert r.status == 303, await r.text()
            assert store.languages_of("tj-nfp") == ["uz", "en", "ru"]


async def test_the_consoles_directory_lists_each_persons_languages_in_order(
    dev_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher
) -> None:
    async with console_site(dev_env.client, store, catcher) as site:
        http, _ = await signed_in(site.base, catcher, "officer.secretariat.ca@example.org")
        async with http, http.get(f"{site.base}/console/directory?q=Rahmonov") as r:
            assert r.status == 200
            page = await r.text()
    assert '<th scope="col">Языки</th>' in page
    assert 'data-label="Языки">tg, ru, en <span class="muted">(письма: Русский)</span>' in page
