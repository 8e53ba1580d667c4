"""The link pages in the reader's language, with the right lang attribute: Russian for a
Russian reader, and a pseudo-locale catalogue to show that every page is translated and
nothing breaks with longer text.

The web app is the real one (aiohttp, in process); what it reads from Temporal (the status
and action queries, the updates) is replaced by fixed answers here, because the pages, not
the workflow, are under test (the workflow paths are covered by test_web_rsvp and
test_action_items against real servers).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from typing import Any, cast

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from temporalio.client import Client

from domain.attendance.register import AttendanceView, RegisterCounts
from domain.common import i18n
from domain.common.contracts import Phase
from domain.common.links import desk_link, done_link, join_link, rsvp_links
from domain.followup.actions import ActionItem, ActionStatus, Owner, OwnerKind
from domain.invitations.batches import Invitation
from domain.mail import render
from domain.meeting.status import MeetingStatus, ParticipantStatus
from domain.registration.answers import Attendance
from starter.client import commands
from starter.web.app import make_app
from tests.mail_kinds import people, rtm
from tests.test_languages import PSEUDO, _Balanced, _english_words, _Text, pseudo_locale

__all__ = ["pseudo_locale"]  # the fixture, used by name below
pytestmark = pytest.mark.integration  # the web app on a local port

KEY = b"test-only link key for the pages"
BASE = "http://pages.test"
NOW = datetime(2026, 12, 2, tzinfo=UTC)
WHO = "kz-nfp"


def _status(phase: Phase, languages: list[str]) -> MeetingStatus:
    p = people()[WHO]
    row = ParticipantStatus(
        participant_id=p.id,
        name=p.name,
        email=p.email,
        affiliation="KZ",
        zone=p.zone,
        languages=languages,
        invitation=Invitation(participant_id=p.id, email=p.email),
    )
    m = rtm()
    fields: dict[str, Any] = {
        "id": m.id,
        "title": m.title,
        "phase": phase,
        "meeting": m,
        "participants": [row],
    }
    return MeetingStatus.model_construct(**fields)


def _action(done: bool) -> ActionItem:
    m = rtm()
    return ActionItem(
        id="A1",
        meeting_id=m.id,
        meeting_title=m.title,
        region="CA",
        what="Submit the national CBRN action plan draft",
        owner=Owner(kind=OwnerKind.COUNTRY, code="KZ", name="Republic of Kazakhstan"),
        due=date(2027, 3, 1),
        zone=m.zone,
        status=ActionStatus.DONE if done else ActionStatus.OPEN,
        done_at=datetime(2027, 2, 20, tzinfo=UTC) if done else None,
    )


@pytest.fixture
def fake_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    state: dict[str, Any] = {"phase": Phase.REGISTRATION, "languages": ["ru", "en"]}

    async def status(client: Client, meeting_id: str, *page: object) -> MeetingStatus:
        return _status(state["phase"], state["languages"])

    async def rsvp(*args: object) -> ParticipantStatus:
        return _status(state["phase"], state["languages"]).participants[0]

    async def action_status(client: Client, workflow_id: str) -> ActionItem:
        return _action(state.get("done", False))

    async def mark_done(*args: object) -> ActionItem:
        return _action(True)

    async def attendance(client: Client, meeting_id: str) -> AttendanceView:
        counts = RegisterCounts(participants=1, by_mode={}, by_country={}, by_organisation={},
                                nfp_countries=[], by_day={}, summary="1 participant")  # fmt: skip
        return AttendanceView(meeting_id=meeting_id, presences=[], counts=counts)

    async def all_participants(client: Client, meeting_id: str) -> AsyncIterator[Any]:
        for row in _status(state["phase"], state["languages"]).participants:
            yield row.model_copy(update={"attendance": Attendance.IN_PERSON})

    monkeypatch.setattr(commands, "status", status)
    monkeypatch.setattr(commands, "attendance", attendance)
    monkeypatch.setattr(commands, "all_participants", all_participants)
    monkeypatch.setattr(commands, "rsvp", rsvp)
    monkeypatch.setattr(commands, "action_status", action_status)
    monkeypatch.setattr(commands, "mark_action_done", mark_done)
    yield state


@pytest.fixture
async def server() -> AsyncIterator[TestServer]:
    srv = TestServer(make_app(cast(Client, None), None, KEY, now=lambda: NOW))
    async with srv:
        yield srv


def _local(url: str, server: TestServer) -> str:
    return str(server.make_url(url.removeprefix(BASE)))


async def _pages(server: TestServer, lang_header: str) -> dict[str, tuple[int, str]]:
    """Every link page once: RSVP confirm and thank-you, the join page, the registration
    desk, the action's confirm and done,
    the refusals (malformed, altered, expired, unknown route)."""
    m = rtm()
    online = rsvp_links(KEY, BASE, m, WHO)[Attendance.ONLINE]
    done = done_link(KEY, BASE, m.id, "A1", datetime(2027, 12, 1, tzinfo=UTC))
    expired = done_link(KEY, BASE, m.id, "A1", datetime(2026, 1, 1, tzinfo=UTC))
    join = join_link(KEY, BASE, m, WHO)
    assert join is not None
    headers = {"Accept-Language": lang_header}
    urls = {
        "rsvp-confirm": ("GET", online),
        "rsvp-thanks": ("POST", online),
        "join": ("GET", join),
        "desk": ("GET", desk_link(KEY, BASE, m)),
        "action-confirm": ("GET", done),
        "action-done": ("POST", done),
        "malformed": ("GET", online.split("&sig=")[0]),
        "altered": ("GET", online.replace("/online?", "/decline?")),
        "expired": ("GET", expired),
        "no-such-page": ("GET", BASE + "/nowhere"),
    }
    pages: dict[str, tuple[int, str]] = {}
    async with aiohttp.ClientSession(headers=headers) as http:
        for name, (method, url) in urls.items():
            async with http.request(method, _local(url, server)) as resp:
                pages[name] = (resp.status, await resp.text())
    return pages


def _words(page: str) -> str:
    reader = _Text()
    reader.feed(page)
    return " ".join(reader.text)


async def test_link_pages_in_russian(server: TestServer, fake_reads: dict[str, Any]) -> None:
    pages = await _pages(server, "ru-RU,ru;q=0.9,en;q=0.5")
    tr = i18n.translations("ru").gettext
    for name, (_code, page) in pages.items():
        assert '<html lang="ru">' in page, name
        assert re.search("[а-яА-Я]", _words(page)), name
    assert pages["rsvp-confirm"][0] == 200
    assert tr("Confirm your answer") in pages["rsvp-confirm"][1]
    assert tr("Thank you") in pages["rsvp-thanks"][1]
    assert pages["expired"][0] == 410 and tr("Link expired") in pages["expired"][1]
    assert pages["altered"][0] == 403 and tr("Invalid link") in pages["altered"][1]
    desk = _words(pages["desk"][1])
    assert str(rtm().texts["ru"].title) in desk  # the Russian title, not the English one
    assert "Отметить присутствие" in desk and "1 участник посетил встречу" in desk, desk
    assert "очный" in desk and "in-person" not in desk  # the answer in the reader's words


async def test_a_reader_of_russian_gets_russian_pages_whatever_the_browser(
    server: TestServer, fake_reads: dict[str, Any]
) -> None:
    pages = await _pages(server, "en-GB,en;q=0.9")
    assert '<html lang="ru">' in pages["rsvp-confirm"][1]  # the person's, not the browser's
    assert '<html lang="en">' in pages["expired"][1]  # before the link says who: the browser's
    fake_reads["languages"] = ["mn", "en"]
    pages = await _pages(server, "ru")
    assert '<html lang="en">' in pages["rsvp-confirm"][1]


async def test_a_pseudo_locale_renders_every_link_page(
    pseudo_locale: str, server: TestServer, fake_reads: dict[str, Any]
) -> None:
    fake_reads["languages"] = [pseudo_locale, "en"]
    render.environment.cache_clear()
    pages = await _pages(server, pseudo_locale)
    fake_reads["done"] = True
    pages["action-already-done"] = (await _pages(server, pseudo_locale))["action-confirm"]
    fake_reads["phase"] = Phase.CANCELLED
    pages["rsvp-cancelled"] = (await _pages(server, pseudo_locale))["rsvp-confirm"]
    english = _english_words()
    m = rtm()
    data = [m.title, people()[WHO].name, "Submit the national CBRN action plan draft"]
    data += ["Republic of Kazakhstan", "/nowhere", "Asia/Dubai", "Dubai", "Central Asia"]
    data += [m.join_link or ""]  # the join page shows the meeting's own link
    for name, (_code, page) in pages.items():
        assert f'<html lang="{PSEUDO}">' in page, name
        checker = _Balanced()
        checker.feed(page)
        assert checker.open == [], name
        words = _words(page)
        assert "⟦" in words, name
        for value in data:
            words = words.replace(value, " ")
        left = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", words)}
        assert left & english == set(), (name, left & english)
