"""Calendar feeds as a calendar client sees them: parsed by icalendar and by vobject; a
second poll with the validators answers 304; a revoked link answers 410, a forged one 403."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import aiohttp
import icalendar
import pytest
import pytest_asyncio
import vobject
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.followup.actions import ActionItem, ActionStatus, Owner, OwnerKind
from domain.invitations.batches import DeliveryResult, InvitationStatus
from domain.meeting.definition import MeetingDefinition
from starter.cli.main import main
from starter.web.app import make_app, serve
from tests.factories import meeting
from tests.harness import LINK_KEY
from tests.ports import free_port


@dataclass
class Live:
    store: Store
    base: str
    meetings: dict[str, MeetingDefinition]


def _record(store: Store, m: MeetingDefinition, phase: str, invited: list[str]) -> None:
    store.record_meeting(m.id, m.region, m.title, phase, m.model_dump_json(), m.number)
    for pid in invited:
        result = DeliveryResult(
            participant_id=pid,
            status=InvitationStatus.SENT,
            message_id=f"<{m.id}.{pid}@example.org>",
            at=datetime.now(UTC),
        )
        store.record_delivery(m.id, 0, f"{pid}@example.org", result)  # fmt: skip


def _action(m: MeetingDefinition, aid: str, owner: Owner, due: date, **extra: Any) -> ActionItem:
    return ActionItem(id=aid, meeting_id=m.id, meeting_title=m.title, region="CA",
                      number=m.number, what=f"Action {aid} of {m.id}", owner=owner,
                      owner_country=owner.code if owner.kind is OwnerKind.COUNTRY else None,
                      due=due, zone=m.zone, opened_at=datetime(2026, 1, 1, tzinfo=UTC),
                      **extra)  # fmt: skip


@pytest_asyncio.fixture
async def live(
    dev_env: WorkflowEnvironment, store: Store, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Live]:
    soon = meeting(id="RTM-CA-16-FEED")
    other = meeting(id="RTM-CA-17-FEED", number=17, countries=["UZ"], organisations=[])
    dropped = meeting(id="RTM-CA-18-FEED", number=18)
    start = datetime(2020, 5, 4, 9, 0)
    past = meeting(id="RTM-CA-13-FEED", number=13, start=start.isoformat(),
                   end=(start + timedelta(hours=8)).isoformat())  # fmt: skip
    _record(store, soon, "registration", ["kz-nfp", "jrc-obs"])
    _record(store, other, "scheduled", ["uz-nfp"])
    _record(store, dropped, "cancelled", ["kz-nfp"])
    _record(store, past, "closed", ["kz-nfp"])
    due = soon.end.date() + timedelta(days=30)
    kz, jrc = (
        Owner(kind=OwnerKind.COUNTRY, code="KZ"),
        Owner(kind=OwnerKind.ORGANISATION, code="JRC"),
    )
    store.record_action(_action(soon, "A1", kz, due), "opened")
    store.record_action(_action(soon, "A2", jrc, due), "opened")
    store.record_action(_action(soon, "A3", kz, due, status=ActionStatus.DONE,
                                done_at=datetime(2026, 2, 1, tzinfo=UTC)), "done")  # fmt: skip
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("DATABASE_URL", store.url)
    monkeypatch.setenv("RTM_LINK_KEY", LINK_KEY.decode())
    monkeypatch.setenv("RTM_PUBLIC_URL", base)
    runner = await serve(make_app(dev_env.client, store, LINK_KEY), "127.0.0.1", port)
    try:
        yield Live(store, base, {m.id: m for m in (soon, other, dropped, past)})
    finally:
        await runner.cleanup()


async def _rtm(*args: str) -> int:
    """`rtm ARGS` in a thread: the CLI runs its own event loop."""
    return await asyncio.to_thread(main, list(args))


async def _url(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert await _rtm("feed", *args) == 0
    return capsys.readouterr().out.strip().splitlines()[-1]


async def _get(url: str, **headers: str) -> tuple[int, bytes, Any]:
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as resp:
        return resp.status, await resp.read(), resp.headers


async def test_personal_feed_parses_and_polls_cheaply(
    live: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    url = await _url(capsys, "url", "--person", "kz-nfp")
    status, body, headers = await _get(url)
    assert status == 200 and headers["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(body)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    soon, dropped = live.meetings["RTM-CA-16-FEED"], live.meetings["RTM-CA-18-FEED"]
    assert set(events) == {soon.uid, dropped.uid, "rtm-ca-16-feed-a1@rtm.invalid"}
    assert str(events[dropped.uid]["STATUS"]) == "CANCELLED"
    assert events[soon.uid].decoded("DTSTART").replace(tzinfo=None) == soon.start
    assert str(events[soon.uid]["DTSTART"].params["TZID"]) == "Asia/Dubai"
    action = events["rtm-ca-16-feed-a1@rtm.invalid"]
    assert action.decoded("DTSTART") == soon.end.date() + timedelta(days=30)
    assert str(action["SUMMARY"]) == "Срок действия: Action A1 of RTM-CA-16-FEED"  # kz-nfp: ru
    parsed = vobject.readOne(body.decode())
    assert sorted(str(e.uid.value) for e in parsed.vevent_list) == sorted(events)
    assert parsed.vtimezone.tzid.value == "Asia/Dubai"

    again = await _get(url, **{"If-None-Match": headers["ETag"]})
    assert (again[0], again[1]) == (304, b"") and again[2]["ETag"] == headers["ETag"]
    since = await _get(url, **{"If-Modified-Since": headers["Last-Modified"]})
    assert (since[0], since[1]) == (304, b"")
    stale = await _get(url, **{"If-None-Match": '"something-else"'})
    assert stale[0] == 200 and stale[1] == body

    live.store.record_meeting(soon.id, "CA", soon.title, "held", soon.model_dump_json())
    changed = await _get(url, **{"If-None-Match": headers["ETag"]})
    assert changed[0] == 200 and changed[2]["ETag"] != headers["ETag"]


async def test_region_feed_has_every_meeting_and_open_action(
    live: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    status, body, _ = await _get(await _url(capsys, "url", "--region", "CA"))
    assert status == 200
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    ids = ("RTM-CA-16-FEED", "RTM-CA-17-FEED", "RTM-CA-18-FEED")
    assert uids == {live.meetings[i].uid for i in ids} | {
        "rtm-ca-16-feed-a1@rtm.invalid",
        "rtm-ca-16-feed-a2@rtm.invalid",
    }
    assert len(vobject.readOne(body.decode()).vevent_list) == len(uids)


async def test_revoked_link_answers_410_and_a_forged_one_403(
    live: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    old = await _url(capsys, "url", "--person", "kz-nfp")
    assert (await _get(old))[0] == 200
    new = await _url(capsys, "revoke", "--person", "kz-nfp")
    assert new != old
    gone = await _get(old)
    assert gone[0] == 410 and "отозвана".encode() in gone[1]  # in kz-nfp's language (ru)
    assert (await _get(new))[0] == 200
    assert await _url(capsys, "url", "--person", "kz-nfp") == new
    forged = new.replace("/person/kz-nfp/", "/person/kg-nfp/")
    assert (await _get(forged))[0] == 403
    refused = live.store.refusals(None)  # feed links name no meeting: counted apart
    assert sorted(r.actor for r in refused) == ["feed:kz-nfp", "unverified:feed:kg-nfp"]
    assert all(r.action == "link.refused" for r in refused)
    assert await _rtm("feed", "url", "--person", "nobody") == 2
    assert "person: unknown person 'nobody'" in capsys.readouterr().err
