"""The refusals of a personal link are written in the language of the person it names:
their directory entry's, whatever the browser asks for; a link that names nobody validly
(altered, cut short, an unknown page) is written in the browser's.

The web app is the real one (aiohttp, in process) over a real SQLite store holding the
Central Asia directory (kz-nfp reads Russian); what it reads from Temporal is replaced by
fixed answers, since the pages, not the workflow, are under test.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import quote

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from temporalio.client import Client

from activities.store import Store
from domain.common.contracts import Phase
from domain.common.links import join_link, rsvp_links, signature
from domain.meeting.status import MeetingStatus
from domain.registration.answers import Attendance
from domain.reports.feeds import FeedKind, feed_path
from starter.client import commands
from starter.web.app import make_app
from tests.mail_kinds import rtm
from tests.test_languages import _english_words, pseudo_locale
from tests.test_link_pages_languages import _status, _words

__all__ = ["pseudo_locale"]  # the fixture, used by name below

pytestmark = pytest.mark.integration  # the web app on a local port

KEY = b"test-only link key for the pages"
BASE = "http://pages.test"
NOW = datetime(2026, 12, 2, tzinfo=UTC)
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
RUSSIAN = {"Accept-Language": "ru-RU,ru;q=0.9"}


def _rsvp(parts: tuple[str, ...], expires: int) -> str:
    """An RSVP link signed for any parts and expiry."""
    sig = signature(KEY, "rsvp", parts, expires)
    path = "/".join(quote(p, safe="") for p in parts)
    return f"{BASE}/rsvp/{path}?exp={expires}&sig={sig}"


@pytest.fixture
async def server(store: Store) -> AsyncIterator[TestServer]:
    srv = TestServer(make_app(cast(Client, None), store, KEY, now=lambda: NOW))
    async with srv:
        yield srv


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What the fake status query answers: no such meeting, or the meeting with or
    without kz-nfp's row."""
    state: dict[str, Any] = {"missing": True, "row": False}

    async def status(client: Client, meeting_id: str, *page: object) -> MeetingStatus:
        if state["missing"]:
            raise commands.NoSuchMeeting(meeting_id)
        found = _status(state["phase"], ["ru", "en"])
        return found if state["row"] else found.model_copy(update={"participants": []})

    monkeypatch.setattr(commands, "status", status)
    return state


async def _get(server: TestServer, url: str, headers: dict[str, str]) -> tuple[int, str]:
    url = str(server.make_url(url.removeprefix(BASE)))
    async with aiohttp.ClientSession(headers=headers) as http, http.get(url) as resp:
        return resp.status, await resp.text()


def _russian(page: str) -> bool:
    return '<html lang="ru">' in page and bool(re.search("[а-яА-Я]{4,}", _words(page)))


def _english(page: str) -> bool:
    return '<html lang="en">' in page and not re.search("[а-яА-Я]", _words(page))


async def test_a_personal_links_404_is_in_the_persons_language(
    server: TestServer, reads: dict[str, Any]
) -> None:
    m = rtm()
    online = rsvp_links(KEY, BASE, m, "kz-nfp")[Attendance.ONLINE]
    code, page = await _get(server, online, ENGLISH)  # the meeting is gone
    assert code == 404 and _russian(page), page
    assert m.id in page
    join = join_link(KEY, BASE, m, "kz-nfp")
    assert join is not None
    code, page = await _get(server, join, ENGLISH)
    assert code == 404 and _russian(page), page
    # a signed link whose answer is no answer at all: still theirs
    maybe = _rsvp((m.id, "kz-nfp", "maybe"), 2_000_000_000)
    code, page = await _get(server, maybe, ENGLISH)
    assert code == 404 and _russian(page), page
    # the meeting is there, but they are no longer invited: their directory entry says
    reads.update(missing=False, phase=Phase.REGISTRATION)
    code, page = await _get(server, online, ENGLISH)
    assert code == 404 and _russian(page), page


async def test_a_link_that_names_nobody_validly_follows_the_browser(
    server: TestServer, reads: dict[str, Any]
) -> None:
    m = rtm()
    online = rsvp_links(KEY, BASE, m, "kz-nfp")[Attendance.ONLINE]
    altered = online.replace("/online?", "/decline?")
    code, page = await _get(server, altered, ENGLISH)
    assert code == 403 and _english(page), page
    code, page = await _get(server, altered, RUSSIAN)
    assert code == 403 and _russian(page), page
    code, page = await _get(server, online.split("&sig=")[0], ENGLISH)
    assert code == 400 and _english(page), page
    code, page = await _get(server, BASE + "/nowhere", ENGLISH)
    assert code == 404 and _english(page), page
    code, page = await _get(server, BASE + "/nowhere", RUSSIAN)
    assert code == 404 and _russian(page), page
    # someone the directory does not know, though the link is signed: the browser's
    stranger = rsvp_links(KEY, BASE, m, "nobody-here")[Attendance.ONLINE]
    code, page = await _get(server, stranger, ENGLISH)
    assert code == 404 and _english(page), page


async def test_an_expired_or_revoked_personal_link_is_refused_in_the_persons_language(
    server: TestServer, store: Store, reads: dict[str, Any]
) -> None:
    m = rtm()
    expired = _rsvp((m.id, "kz-nfp", "online"), 1_000_000_000)
    code, page = await _get(server, expired, ENGLISH)
    assert code == 410 and _russian(page), page
    serial = store.feed_serial(FeedKind.PERSON.value, "kz-nfp")
    old = feed_path(KEY, FeedKind.PERSON, "kz-nfp", serial)
    store.revoke_feed(FeedKind.PERSON.value, "kz-nfp", "secretariat")
    code, page = await _get(server, old, ENGLISH)
    assert code == 410 and _russian(page), page
    assert "отозвана" in page
    forged = old.replace("/person/kz-nfp/", "/person/kg-nfp/")
    code, page = await _get(server, forged, ENGLISH)
    assert code == 403 and _english(page), page


async def test_the_feeds_and_charts_refusals_are_translated(
    server: TestServer, reads: dict[str, Any]
) -> None:
    code, page = await _get(server, "/feeds/nothing/kz-nfp/1/x.ics", RUSSIAN)
    assert code == 404 and _russian(page), page
    code, page = await _get(server, "/charts/nothing/CA", RUSSIAN)
    assert code == 404 and _russian(page), page
    code, page = await _get(server, "/charts/nothing/CA?language=ru", ENGLISH)
    assert code == 404 and _russian(page), page  # the language the link asks for
    code, page = await _get(server, "/charts/nothing/CA", ENGLISH)
    assert code == 404 and _english(page), page


async def test_a_persons_feed_is_named_in_their_first_language_with_a_catalogue(
    server: TestServer, store: Store, reads: dict[str, Any]
) -> None:
    """uz-nfp reads [uz, ru, en]: the reports have no Uzbek, so Russian (not English)."""
    serial = store.feed_serial(FeedKind.PERSON.value, "uz-nfp")
    code, body = await _get(server, feed_path(KEY, FeedKind.PERSON, "uz-nfp", serial), ENGLISH)
    assert code == 200
    unfolded = body.replace("\r\n ", "")
    assert "X-WR-CALNAME:Совещания за круглым столом: Sardor Karimov" in unfolded, body


async def test_the_feeds_and_charts_refusals_in_a_pseudo_locale(
    pseudo_locale: str, server: TestServer, reads: dict[str, Any]
) -> None:
    english = _english_words()
    asked = {"Accept-Language": pseudo_locale}
    for url in (
        "/feeds/nothing/kz-nfp/1/x.ics",
        "/charts/nothing/CA",
        "/charts/region/CA?language=xx",
    ):
        code, page = await _get(server, url, asked)
        assert code in (400, 403, 404) and f'<html lang="{pseudo_locale}">' in page, (url, page)
        words = _words(page)
        assert "⟦" in words, url
        left = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", re.sub(r"'[^']*'", " ", words))}
        assert left & english == set(), (url, left & english)


async def test_a_feed_and_the_charts_in_a_pseudo_locale(
    pseudo_locale: str, server: TestServer, store: Store, reads: dict[str, Any]
) -> None:
    """A third language that is only a catalogue reaches the web's feeds and charts: a
    reader of [qps, en] gets the feed in it, a charts link asking for it the page in it."""
    from domain.directory.models import Directory, Participant
    from domain.reports.links import charts_link

    kz = {p.id: p for p in store.participants()}["kz-nfp"]
    changed = Participant.model_validate(kz.model_dump() | {"languages": [pseudo_locale, "en"]})
    store.load_directory(Directory(participants=[changed]))
    serial = store.feed_serial(FeedKind.PERSON.value, "kz-nfp")
    code, body = await _get(server, feed_path(KEY, FeedKind.PERSON, "kz-nfp", serial), ENGLISH)
    assert code == 200
    assert "X-WR-CALNAME:⟦" in body.replace("\r\n ", ""), body
    link = charts_link(KEY, BASE, "region", "CA", NOW) + f"&language={pseudo_locale}"
    code, page = await _get(server, link, ENGLISH)
    assert code == 200 and f'<html lang="{pseudo_locale}">' in page, page
    words = re.sub(r"⟦[^⟧]*⟧", " ", _words(page))
    assert "⟦" in page and page.count("<svg") == 2
    left = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", words)}
    assert left & _english_words() == set(), left & _english_words()
