"""Calendar replies through the inbound SMTP endpoint end to end (real dev server, worker,
catcher, aiosmtplib sending to it); parse_reply alone is in test_reply_parsing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiosmtplib
import pytest
import pytest_asyncio
from sqlmodel import col, select
from temporalio.testing import WorkflowEnvironment

from activities.store import AuditRow, Store
from domain.meeting.changes import RescheduleCommand
from domain.meeting.status import MeetingStatus
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.client import commands
from starter.devstack.catcher import SmtpCatcher
from starter.inbound.authentication import TrustPolicy
from starter.inbound.endpoint import UNKNOWN_MEETING, UNKNOWN_SENDER, InboundReplies, Outcome
from tests.factories import meeting
from tests.harness import invited, plan, running_worker
from tests.ports import free_port
from tests.test_reply_parsing import ORGANISER, OUTLOOK_TZ, apple, gmail, outlook, plain, reply_ics

MX = "mx.test"  # the authserv-id of the MTA the endpoint trusts (on 127.0.0.1)
VOUCHED = f"Authentication-Results: {MX}; spf=pass; dkim=pass; dmarc=pass\r\n".encode()


@pytest_asyncio.fixture
async def inbound(dev_env: WorkflowEnvironment, store: Store) -> AsyncIterator[InboundReplies]:
    trust = TrustPolicy.parse(MX, "127.0.0.1")
    with InboundReplies(dev_env.client, store, port=free_port(), trust=trust) as server:
        yield server


async def _send(server: InboundReplies, raw: bytes, sender: str, vouched: bool = True) -> Outcome:
    """Deliver over real SMTP; the 250 comes after processing, so the outcome is known.

    `vouched`: as relayed by our MTA after it authenticated the sender (dmarc=pass)."""
    raw = VOUCHED + raw if vouched else raw
    before = len(server.outcomes)
    _, answer = await aiosmtplib.send(
        raw, sender=sender, recipients=[ORGANISER], hostname="127.0.0.1", port=server.port
    )
    assert "2.0.0" in answer, answer
    outcomes = server.outcomes
    assert len(outcomes) == before + 1
    return outcomes[-1]


def _audit(store: Store, meeting_id: str | None) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(actor, channel, action, detail) of the meeting's audit rows (None: no meeting), then
    its counted ones (ignored and held replies: detail of the first, with `count`)."""
    with store.session() as s:
        q = (
            select(AuditRow)
            .where(
                col(AuditRow.meeting_id).is_(None)
                if meeting_id is None
                else AuditRow.meeting_id == meeting_id
            )
            .order_by(col(AuditRow.id))
        )
        rows = list(s.exec(q)) + store.refusals(meeting_id)
        return [(a.actor, a.channel, a.action, json.loads(a.detail)) for a in rows]


async def test_calendar_replies_become_answers_and_the_rest_is_audited(
    dev_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher, inbound: InboundReplies
) -> None:
    client = dev_env.client
    m = meeting()
    assert m.format == "hybrid"

    async def state() -> MeetingStatus:
        return await commands.status(client, m.id)

    async with running_worker(client, store, catcher.port) as queue:
        await invited(await plan(client, m, queue))

        # Outlook, upper-case address: a calendar "Accept" of a hybrid meeting is in person
        ics = reply_ics(m.uid, "NFP.KZ@EXAMPLE.ORG", "ACCEPTED", head=OUTLOOK_TZ)
        outcome = await _send(inbound, outlook(ics), "NFP.KZ@EXAMPLE.ORG")
        assert (outcome.result, outcome.participant_id) == ("applied", "kz-nfp")
        row = (await state()).participant("kz-nfp")
        assert (row.attendance, row.answered_via) == ("in-person", "calendar-reply")

        # Gmail decline, Apple tentative
        ics = reply_ics(m.uid, "nfp.uz@example.org", "DECLINED")
        assert (await _send(inbound, gmail(ics), "nfp.uz@example.org")).result == "applied"
        ics = reply_ics(m.uid, "nfp.mn@example.org", "TENTATIVE", sequence=None)
        assert (await _send(inbound, apple(ics), "nfp.mn@example.org")).result == "applied"
        now = await state()
        assert now.participant("uz-nfp").attendance == "decline"
        assert now.participant("mn-nfp").attendance == "tentative"
        assert now.participant("mn-nfp").answered_via == "calendar-reply"

        # an earlier online choice survives a calendar "Accept", which cannot say how
        actor = Actor(id="kg-nfp", channel=Channel.CLI)
        await commands.rsvp(
            client,
            store,
            m.id,
            RsvpCommand(participant_id="kg-nfp", attendance=Attendance.ONLINE, actor=actor),
        )
        ics = reply_ics(m.uid, "nfp.kg@example.org", "ACCEPTED")
        assert (await _send(inbound, outlook(ics, "nfp.kg@example.org"), "x@y.org")).result == (
            "applied"
        )
        row = (await state()).participant("kg-nfp")
        assert (row.attendance, row.answered_via) == ("online", "calendar-reply")

        # replies that answer nothing change nothing
        before = await state()
        ignored = [
            # not invited (AF is not among this meeting's countries)
            (outlook(reply_ics(m.uid, "nfp.af@example.org"), "nfp.af@example.org"), UNKNOWN_SENDER),
            # From is another invitee than ATTENDEE
            (
                outlook(
                    reply_ics(m.uid, "nfp.kz@example.org", "DECLINED"), "deputy.kz@example.org"
                ),
                UNKNOWN_SENDER,
            ),
            (
                outlook(
                    reply_ics(m.uid, "deputy.kz@example.org", "NEEDS-ACTION"),
                    "deputy.kz@example.org",
                ),
                "PARTSTAT NEEDS-ACTION answers nothing",
            ),
        ]
        for raw, reason in ignored:
            outcome = await _send(inbound, raw, "someone@example.org")
            assert (outcome.result, outcome.reason) == ("ignored", reason)
        nowhere = [
            (outlook(reply_ics("rtm-xx-99@example.org")), UNKNOWN_MEETING),
            (outlook(reply_ics(m.uid.replace("example.org", "evil.test"))), UNKNOWN_MEETING),
            (outlook(reply_ics("040000008200E00074C5B7@outlook.com")), UNKNOWN_MEETING),
            (outlook(reply_ics(m.uid, method="REQUEST")), "not a REPLY: METHOD is REQUEST"),
            (plain(), "no calendar: no text/calendar part or .ics attachment"),
            (b"\x00\xffgarbage", "From must hold exactly one address, found 0"),
        ]
        for raw, reason in nowhere:
            outcome = await _send(inbound, raw, "someone@example.org")
            assert (outcome.result, outcome.reason, outcome.meeting_id) == ("ignored", reason, None)
        after = await state()
        assert after.participants == before.participants

    audit = _audit(store, m.id)
    rsvps = [(actor, channel) for actor, channel, action, _ in audit if action == "rsvp"]
    assert rsvps == [
        ("kz-nfp", "calendar-reply"),
        ("uz-nfp", "calendar-reply"),
        ("mn-nfp", "calendar-reply"),
        ("kg-nfp", "cli"),
        ("kg-nfp", "calendar-reply"),
    ]
    # counted: one row per invitee's address and hour, one for every other sender; an
    # hour that ends during the run starts a second row of the same kind
    counted: dict[str, tuple[str, str, int]] = {}
    for a, _, action, d in audit:
        if action == "reply.ignored":
            first = counted.get(d["kind"], (a, d["reason"], 0))
            counted[d["kind"]] = (first[0], first[1], first[2] + d["count"])
    assert counted == {
        "reply.ignored others": ("nfp.af@example.org", UNKNOWN_SENDER, 2),
        "reply.ignored deputy.kz@example.org": (
            "deputy.kz@example.org", "PARTSTAT NEEDS-ACTION answers nothing", 1,
        ),
    }  # fmt: skip
    unattached = _audit(store, None)
    assert {(c, action) for _, c, action, _ in unattached} == {("calendar-reply", "reply.ignored")}
    assert sum(d["count"] for *_, d in unattached) == len(nowhere)
    assert unattached[0][0] == "nfp.kz@example.org", "the first one's sender, as it came"
    assert unattached[0][3]["reason"] == nowhere[0][1], "the first one's reason, as it came"
    assert inbound.counts() == {"applied": 4, "ignored": 9}


async def test_a_stale_sequence_is_refused_after_a_reschedule(
    dev_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher, inbound: InboundReplies
) -> None:
    client = dev_env.client
    m = meeting()

    async def state() -> MeetingStatus:
        return await commands.status(client, m.id)

    async with running_worker(client, store, catcher.port) as queue:
        await invited(await plan(client, m, queue))
        # an answer to the first invitation, while it is current
        ics = reply_ics(m.uid, "nfp.uz@example.org", "DECLINED", sequence=0)
        assert (await _send(inbound, gmail(ics), "nfp.uz@example.org")).result == "applied"

        moved = await commands.reschedule(
            client,
            store,
            m.id,
            RescheduleCommand(
                start=m.start + timedelta(days=7),
                end=m.end + timedelta(days=7),
                actor=Actor(id="secretariat.ca", channel=Channel.CLI),
            ),
        )
        assert moved.sequence == 1

        before = await state()
        stale = [
            outlook(
                reply_ics(m.uid, "nfp.kz@example.org", "ACCEPTED", sequence=0), "nfp.kz@example.org"
            ),
            apple(
                reply_ics(m.uid, "nfp.kz@example.org", "ACCEPTED", sequence=None),
                "nfp.kz@example.org",
            ),
            gmail(reply_ics(m.uid, "nfp.uz@example.org", "TENTATIVE", sequence=0)),
        ]
        for raw in stale:
            outcome = await _send(inbound, raw, "whoever@example.org")
            assert outcome.result == "refused"
            assert outcome.reason is not None and outcome.reason.startswith("stale answer")
        after = await state()
        assert after.participants == before.participants
        assert after.participant("kz-nfp").attendance is None
        assert after.participant("uz-nfp").attendance is Attendance.DECLINE

        # the same answer to the current invitation is applied
        raw = outlook(reply_ics(m.uid, "nfp.kz@example.org", "ACCEPTED", sequence=1))
        assert (await _send(inbound, raw, "nfp.kz@example.org")).result == "applied"
        row = (await state()).participant("kz-nfp")
        assert (row.attendance, row.answered_via) == ("in-person", "calendar-reply")

    refused = [
        (actor, channel, detail["sequence"], detail["reason"])
        for actor, channel, action, detail in _audit(store, m.id)
        if action == "rsvp.refused"
    ]
    why = "stale answer: it refers to invitation sequence 0, the current one is 1"
    assert refused == [
        ("kz-nfp", "calendar-reply", 0, why),
        ("kz-nfp", "calendar-reply", 0, why),
        ("uz-nfp", "calendar-reply", 0, why),
    ]
    actions = [action for _, _, action, _ in _audit(store, m.id)]
    assert actions.count("rsvp") == 2 and "reschedule" in actions
    assert inbound.counts() == {"applied": 2, "refused": 3}


async def test_a_failure_of_our_own_answers_451_so_the_sender_retries(
    dev_env: WorkflowEnvironment,
    store: Store,
    inbound: InboundReplies,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def unreachable(*_: object) -> MeetingStatus:
        raise RuntimeError("Temporal unreachable")

    monkeypatch.setattr(commands, "status", unreachable)
    raw = outlook(reply_ics("rtm-ca-16@example.org"))
    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await aiosmtplib.send(
            raw,
            sender="nfp.kz@example.org",
            recipients=[ORGANISER],
            hostname="127.0.0.1",
            port=inbound.port,
        )
    assert refused.value.code == 451
    assert inbound.outcomes == [Outcome("failed", "RuntimeError: Temporal unreachable")]
    assert _audit(store, None) == [], "nothing is audited: the message will come again"
