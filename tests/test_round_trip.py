"""The invitation round trip on real servers, all three answer paths in one meeting:
invite, an answer by CLI, by signed link and by calendar reply; reschedule (everyone holds
SEQUENCE 1); cancel (SEQUENCE 2, METHOD:CANCEL to everyone)."""

from __future__ import annotations

import asyncio
import re
from email import message_from_bytes, policy

import aiohttp
import aiosmtplib
import icalendar
import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.common.contracts import MeetingSummary, Phase
from domain.mail.views import answer_label
from domain.meeting.changes import CancelCommand, RescheduleCommand
from domain.registration.answers import Attendance
from starter.cli.main import main
from starter.client import commands
from starter.devstack.catcher import Caught, SmtpCatcher
from starter.inbound.authentication import TrustPolicy
from starter.inbound.endpoint import InboundReplies
from starter.web.app import make_app, serve
from tests.factories import meeting
from tests.harness import LINK_KEY, invited, plan, running_worker
from tests.ports import free_port
from tests.scenarios import SECRETARIAT
from tests.test_inbound_replies import MX, VOUCHED
from tests.test_reply_parsing import apple, reply_ics


def _calendar(c: Caught) -> tuple[str, int, str]:
    msg = message_from_bytes(c.data, policy=policy.default)
    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    cal = icalendar.Calendar.from_ical(payload)
    event = next(e for e in cal.walk("VEVENT"))
    return str(cal["METHOD"]), int(str(event["SEQUENCE"])), str(event["UID"])


async def test_invite_answer_three_ways_reschedule_and_cancel(
    dev_env: WorkflowEnvironment,
    store: Store,
    catcher: SmtpCatcher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = dev_env.client
    m = meeting()
    web_port = free_port()
    async with running_worker(client, store, catcher.port) as queue:
        await invited(await plan(client, m, queue))
        n = len(catcher.caught)

        # 1. the secretariat records kz-nfp's answer from the CLI
        monkeypatch.setenv("TEMPORAL_ADDRESS", client.service_client.config.target_host)
        monkeypatch.setenv("DATABASE_URL", store.url)
        assert await asyncio.to_thread(main, ["rsvp", m.id, "kz-nfp", "--attend", "in-person"]) == 0

        # 2. uz-nfp clicks "online" in the invitation and confirms
        mail = next(c for c in catcher.caught if c.rcpt_tos[0] == "nfp.uz@example.org")
        body = mail.message().get_body(preferencelist=("plain",))
        assert body is not None
        online = answer_label(Attendance.ONLINE, "ru")  # uz-nfp reads [uz, ru, en]: Russian
        found = re.search(rf"{re.escape(online)}: (http\S+)", body.get_content())
        assert found
        link = found.group(1).replace("http://127.0.0.1:8000", f"http://127.0.0.1:{web_port}")
        runner = await serve(make_app(client, store, LINK_KEY), "127.0.0.1", web_port)
        try:
            async with aiohttp.ClientSession() as http, http.post(link) as r:
                assert r.status == 200
        finally:
            await runner.cleanup()

        # 3. mn-nfp declines from Apple Calendar: a METHOD:REPLY to the organiser, relayed by
        # the MTA that authenticated the sender
        trust = TrustPolicy.parse(MX, "127.0.0.1")
        with InboundReplies(client, store, port=free_port(), trust=trust) as inbound:
            raw = VOUCHED + apple(reply_ics(uid=m.uid, attendee="nfp.mn@example.org",
                                  partstat="DECLINED", cn="Bolormaa Ganbaatar",
                                  sequence=0))  # fmt: skip
            await aiosmtplib.send(raw, sender="nfp.mn@example.org",
                                  recipients=[m.organiser.email], hostname="127.0.0.1",
                                  port=inbound.port)  # fmt: skip
            assert inbound.counts()["applied"] == 1

        status = await commands.status(client, m.id)
        answers = {p.participant_id: (p.attendance, p.answered_via) for p in status.participants}
        assert answers["kz-nfp"] == ("in-person", "cli")
        assert answers["uz-nfp"] == ("online", "link")
        assert answers["mn-nfp"] == ("decline", "calendar-reply")

        # reschedule: every participant gets SEQUENCE 1 of the same UID
        ack = await commands.reschedule(client, store, m.id, RescheduleCommand(
            start=m.start.replace(hour=10), end=m.end, actor=SECRETARIAT))  # fmt: skip
        moved = await commands.status(client, m.id)
        assert ack.sequence == moved.sequence == 1 and all(
            i.sequence == 1 for i in moved.invitations
        )
        updates = catcher.caught[n : n + len(status.participants)]
        assert {c.rcpt_tos[0] for c in updates} == {p.email for p in status.participants}
        assert {_calendar(c) for c in updates} == {("REQUEST", 1, m.uid)}

        # cancel: every participant gets METHOD:CANCEL, SEQUENCE 2
        await commands.cancel(client, store, m.id, CancelCommand(actor=SECRETARIAT))
        cancels = catcher.caught[n + len(status.participants) :]
        assert {c.rcpt_tos[0] for c in cancels} == {p.email for p in status.participants}
        assert {_calendar(c) for c in cancels} == {("CANCEL", 2, m.uid)}
        summary = await client.get_workflow_handle(m.id, result_type=MeetingSummary).result()
        assert summary.phase is Phase.CANCELLED
