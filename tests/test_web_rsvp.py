"""Signed RSVP links end to end: a real invitation mail, the web app over real HTTP, a real
dev server and worker; GET never changes anything, POST answers, bad links change nothing."""

from __future__ import annotations

import html
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from typing import Any

import aiohttp
import pytest_asyncio
from sqlmodel import select
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from yarl import URL

from activities.store import AuditRow, Store
from domain.common import i18n
from domain.common.links import signature
from domain.mail.views import answer_label
from domain.meeting.changes import CancelCommand
from domain.meeting.definition import MeetingDefinition, localized
from domain.meeting.status import MeetingStatus
from domain.registration.answers import Actor, Attendance, Channel
from starter.client import commands
from starter.devstack.catcher import SmtpCatcher
from starter.web.app import make_app, serve
from tests.factories import meeting
from tests.harness import LINK_KEY, invited, plan, running_worker
from tests.ports import free_port

MAIL_BASE = "http://127.0.0.1:8000"  # the harness' public_url
RSVP_ROUTE = "/rsvp/{meeting}/{participant}/{choice}"
WHO = "kz-deputy"  # Ерлан Сейткали: a Cyrillic name on the pages
WHO_EMAIL = "deputy.kz@example.org"
LANG = "ru"  # WHO reads Russian (starter/data/central_asia.yaml): mail and pages in Russian
tr = i18n.translations(LANG).gettext
LABELS = {answer_label(a, lang): a for lang in ("en", LANG) for a in Attendance}


@dataclass
class Live:
    """A planned meeting whose invitations went out, and the web app serving its links."""

    client: Client
    store: Store
    catcher: SmtpCatcher
    meeting: MeetingDefinition
    base: str
    http: aiohttp.ClientSession

    async def state(self) -> MeetingStatus:
        return await commands.status(self.client, self.meeting.id)

    async def participants(self) -> list[dict[str, Any]]:
        return [p.model_dump(mode="json") for p in (await self.state()).participants]

    def links(self, email: str) -> dict[Attendance, URL]:
        """The RSVP links of `email`'s invitation, from its text/plain part, on this server."""
        caught = [c for c in self.catcher.caught if c.rcpt_tos == (email,)]
        assert len(caught) == 1
        msg = message_from_bytes(caught[0].data, policy=policy.default)
        part = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        text = payload.decode(part.get_content_charset() or "utf-8")
        found: dict[Attendance, URL] = {}
        for line in text.splitlines():
            label, sep, url = line.strip().partition(": ")
            if sep and label in LABELS:
                assert url.startswith(MAIL_BASE + "/rsvp/")
                found[LABELS[label]] = URL(self.base + url.removeprefix(MAIL_BASE))
        return found

    def refusals(self, meeting_id: str = "") -> list[dict[str, Any]]:
        """The 'link.refused' audit rows of the meeting (or of the id a link claimed)."""
        return [
            {"actor": a.actor, "channel": a.channel, **json.loads(a.detail)}
            for a in self.store.audit(meeting_id or self.meeting.id)
            if a.action == "link.refused"
        ]


@pytest_asyncio.fixture
async def live(
    dev_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher
) -> AsyncIterator[Live]:
    client = dev_env.client
    m = meeting()
    async with running_worker(client, store, catcher.port) as queue:
        await invited(await plan(client, m, queue))
        port = free_port()
        runner = await serve(make_app(client, store, LINK_KEY), "127.0.0.1", port)
        try:
            async with aiohttp.ClientSession() as http:
                yield Live(client, store, catcher, m, f"http://127.0.0.1:{port}", http)
        finally:
            await runner.cleanup()


def clock(value: datetime, lang: str = LANG) -> str:
    """A date and time as the pages write them in `lang`."""
    return f"{i18n.format_date(value, lang, 'weekday')}, {i18n.format_hm(value, lang)}"


def when_where_until(m: MeetingDefinition, lang: str = LANG) -> str:
    """The facts every link page gives, in the reader's language: dates and times, the
    venue, the deadline."""
    venue = localized(m, lang).venue
    assert venue is not None
    deadline = m.registration_deadline or m.start
    facts = (
        f"{tr('When (venue time)')} {clock(m.start)} – {clock(m.end)} ({m.zone}) "
        f"{tr('Where')} {venue.name}, {venue.city}, {venue.country}, {tr('and online')} "
        f"{tr('Answers accepted until')} {clock(deadline)} ({m.zone})"
    )
    return " ".join(facts.split())  # as text_of reads a page (Babel's dates: U+202F)


def text_of(page: str) -> str:
    """The visible text of a page, unescaped, whitespace collapsed."""
    page = re.sub(r"<(style|title)>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


async def fetch(http: aiohttp.ClientSession, method: str, url: URL | str) -> tuple[int, str, str]:
    """Status, visible text and raw HTML of one request; every page is UTF-8 HTML."""
    async with http.request(method, url, allow_redirects=False) as resp:
        body = await resp.text()
        assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
        return resp.status, text_of(body), body


def with_path(url: URL, meeting: str = "", participant: str = "", choice: str = "") -> URL:
    """The link with some of its path parts replaced, query (exp, sig) kept."""
    _, _, mid, pid, ch = url.path.split("/")
    path = f"/rsvp/{meeting or mid}/{participant or pid}/{choice or ch}"
    return url.with_path(path).with_query(url.query)


def signed(base: str, meeting_id: str, pid: str, choice: str, exp: int) -> URL:
    sig = signature(LINK_KEY, "rsvp", (meeting_id, pid, choice), exp)
    return URL(f"{base}/rsvp/{meeting_id}/{pid}/{choice}").with_query(exp=str(exp), sig=sig)


async def test_healthz(dev_env: WorkflowEnvironment) -> None:
    port = free_port()
    runner = await serve(make_app(dev_env.client, None, LINK_KEY), "127.0.0.1", port)
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/healthz") as resp,
        ):
            assert resp.status == 200
            assert await resp.text() == "ok"
        async with aiohttp.ClientSession() as http:
            status, text, _ = await fetch(http, "GET", f"http://127.0.0.1:{port}/nowhere")
            assert status == 404 and "Not found" in text
    finally:
        await runner.cleanup()


async def test_get_confirms_and_post_records_the_answer(live: Live) -> None:
    links = live.links(WHO_EMAIL)
    assert set(links) == {
        Attendance.IN_PERSON,
        Attendance.ONLINE,
        Attendance.TENTATIVE,
        Attendance.DECLINE,
    }
    before = await live.participants()

    # GET (what a mail scanner does, twice) shows the confirmation and changes nothing
    for _ in range(2):
        status, text, raw = await fetch(live.http, "GET", links[Attendance.ONLINE])
        assert status == 200
        assert live.meeting.title in text
        assert "Ерлан Сейткали" in text
        online = answer_label(Attendance.ONLINE, LANG)
        assert tr("Confirm: %(choice)s") % {"choice": online} in text
        assert tr("Nothing is recorded until you press the button.") in text
        assert f'<html lang="{LANG}">' in raw
        assert when_where_until(live.meeting) in text
    async with live.http.head(links[Attendance.ONLINE]) as resp:
        assert resp.status == 200
    assert await live.participants() == before
    row = (await live.state()).participant(WHO)
    assert (row.attendance, row.answered_via) == (None, None)

    # the form posts back to the same link, expiry and signature included
    forms = re.findall(r'<form method="post" action="([^"]*)">', raw)
    assert len(forms) == 1
    target = links[Attendance.ONLINE].join(URL(html.unescape(forms[0])))
    assert target == links[Attendance.ONLINE]

    status, text, _ = await fetch(live.http, "POST", target)
    assert status == 200, text
    assert tr("Thank you, %(name)s.") % {"name": "Ерлан Сейткали"} in text
    recorded = tr("Your answer to the invitation to the %(title)s is recorded: “%(choice)s”.")
    title = live.meeting.title
    assert recorded % {"title": title, "choice": answer_label(Attendance.ONLINE, LANG)} in text
    assert when_where_until(live.meeting) in text
    deadline = live.meeting.registration_deadline or live.meeting.start
    until = tr("You can change it with another link from your invitation until %(deadline)s.")
    until %= {"deadline": f"{clock(deadline)} ({live.meeting.zone})"}
    assert " ".join(until.split()) in text
    assert "until registration closes" not in text
    row = (await live.state()).participant(WHO)
    assert (row.attendance, row.answered_via) == ("online", "link")

    # a second link changes the answer; the others are untouched
    status, text, _ = await fetch(live.http, "POST", links[Attendance.DECLINE])
    declined = recorded % {"title": title, "choice": answer_label(Attendance.DECLINE, LANG)}
    assert status == 200 and declined in text
    after = await live.state()
    assert (after.participant(WHO).attendance, after.participant(WHO).answered_via) == (
        "decline",
        "link",
    )
    others = [p for p in await live.participants() if p["participant_id"] != WHO]
    assert others == [p for p in before if p["participant_id"] != WHO]

    rsvps = [a for a in live.store.audit(live.meeting.id) if a.action == "rsvp"]
    assert [(a.actor, a.channel, json.loads(a.detail)["attendance"]) for a in rsvps] == [
        (WHO, "link", "online"),
        (WHO, "link", "decline"),
    ]
    assert live.refusals() == []


async def test_bad_links_are_refused_explained_and_audited(live: Live) -> None:
    links = live.links(WHO_EMAIL)
    online = links[Attendance.ONLINE]
    exp = int(online.query["exp"])
    sig = online.query["sig"]
    mid = live.meeting.id
    past = int((datetime.now(UTC) - timedelta(minutes=5)).timestamp())
    flipped = sig[:-1] + ("A" if sig[-1] != "A" else "B")
    cases: list[tuple[str, URL, str, int, str]] = [
        ("tampered signature", online.update_query(sig=flipped), WHO, 403, "altered"),
        ("someone else's", with_path(online, participant="kg-nfp"), "kg-nfp", 403, "not yours"),
        ("changed choice", with_path(online, choice="decline"), WHO, 403, "altered"),
        ("changed meeting", with_path(online, meeting=mid + "X"), WHO, 403, "altered"),
        ("longer expiry", online.update_query(exp=str(exp + 86400)), WHO, 403, "altered"),
        # its signature holds: it names WHO, and is refused in their language (ru)
        ("expired", signed(live.base, mid, WHO, "online", past), WHO, 410, "истёк"),
        ("malformed expiry", online.update_query(exp="tomorrow"), WHO, 400, "malformed"),
        ("no signature", online.with_query(exp=str(exp)), WHO, 400, "malformed"),
        ("non-ASCII signature", online.update_query(sig="é" + sig[1:]), WHO, 400, "malformed"),
    ]
    before = await live.participants()
    expected: dict[str, list[dict[str, Any]]] = {mid: [], mid + "X": []}
    for name, url, pid, code, words in cases:
        claimed = url.path.split("/")[2]
        for method in ("GET", "POST"):
            status, text, _ = await fetch(live.http, method, url)
            assert status == code, f"{name} ({method}): {status} {text}"
            assert words in text, f"{name} ({method}): {text}"
            assert "Confirm" not in text and "Thank you" not in text
            assert await live.participants() == before, f"{name} ({method}) changed state"
            expected[claimed].append(
                {
                    "actor": f"unverified:{pid}",
                    "channel": "link",
                    "status": code,
                    "method": method,
                }
            )
    # refusals of one kind (route and status) collapse into one row a minute, with a count;
    # those claiming a meeting that does not exist write nothing at all
    assert live.refusals(mid + "X") == []
    with live.store.session() as s:
        assert list(s.exec(select(AuditRow).where(AuditRow.meeting_id == mid + "X"))) == []
    refusals = live.refusals(mid)
    assert sum(r["count"] for r in refusals) == len(expected[mid])
    for code in sorted({row["status"] for row in expected[mid]}):
        rows = [r for r in refusals if r["status"] == code]
        wanted = [row for row in expected[mid] if row["status"] == code]
        assert 1 <= len(rows) <= 2, "one row a minute (the test may cross one minute)"
        assert sum(r["count"] for r in rows) == len(wanted)
        assert {k: rows[0][k] for k in ("actor", "channel", "status", "method")} == wanted[0]
        assert all(r["reason"] and r["kind"] == f"{RSVP_ROUTE} {code}" for r in rows)

    # the same real link, on a server whose clock is past registration: expired
    late = datetime.fromtimestamp(exp + 1, UTC)
    port = free_port()
    app = make_app(live.client, live.store, LINK_KEY, now=lambda: late)
    runner = await serve(app, "127.0.0.1", port)
    try:
        status, text, _ = await fetch(live.http, "POST", online.with_port(port))
        assert status == 410 and "истёк" in text  # in WHO's language
    finally:
        await runner.cleanup()
    assert sum(r["count"] for r in live.refusals()) == len(expected[mid]) + 1

    # correctly signed, but no such answer or no such meeting: 404, nothing changes, in
    # the language of the person the link names (WHO's directory entry: ru)
    no_answer = tr("%(choice)s is not an answer to an invitation.") % {"choice": "'maybe'"}
    for url, words in [
        (signed(live.base, mid, WHO, "maybe", exp), no_answer),
        (
            signed(live.base, "RTM-XX-99", WHO, "online", exp),
            tr("There is no meeting %(id)s.") % {"id": "RTM-XX-99"},
        ),
    ]:
        for method in ("GET", "POST"):
            status, text, _ = await fetch(live.http, method, url)
            assert status == 404 and words in text, text
    assert await live.participants() == before


async def test_a_valid_link_after_cancellation_is_refused(live: Live) -> None:
    links = live.links(WHO_EMAIL)
    await commands.cancel(
        live.client,
        live.store,
        live.meeting.id,
        CancelCommand(
            reason="venue unavailable", actor=Actor(id="secretariat.ca", channel=Channel.CLI)
        ),
    )
    before = await live.participants()

    cancelled = tr("The %(title)s is cancelled: answers are no longer accepted.")
    cancelled %= {"title": live.meeting.title}
    status, text, _raw = await fetch(live.http, "GET", links[Attendance.ONLINE])
    assert status == 409 and cancelled in text, text
    assert tr("Confirm: %(choice)s").split(":")[0] not in text

    status, text, _raw = await fetch(live.http, "POST", links[Attendance.ONLINE])
    assert status == 409, text
    # the workflow's refusal, by its code in the reader's language
    assert tr("Your answer was not recorded.") in text and tr("cancelled") in text, text

    assert await live.participants() == before
    assert (await live.state()).participant(WHO).attendance is None
    # commands.rsvp audits the refusal; once the workflow has ended, Temporal answers the
    # update with NOT_FOUND, so that row carries no meeting id
    with live.store.session() as s:
        refused = list(s.exec(select(AuditRow).where(AuditRow.action == "rsvp.refused")))
    assert [(a.actor, a.channel) for a in refused] == [(WHO, "link")]
    assert refused[0].meeting_id in (live.meeting.id, None)
    assert "rsvp" not in [a.action for a in live.store.audit(live.meeting.id)]
    assert live.refusals() == []
