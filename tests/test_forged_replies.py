"""Nobody can answer for someone else by writing their address in From: the forged reply
of the report (envelope attacker@evil.test, From nfp.uz@example.org, SEQUENCE 999999) is
held and changes nothing, whatever Authentication-Results it claims; the secretariat sees
it and decides; a reply with a valid DKIM signature of the sender's domain is applied."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiosmtplib
import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.meeting.definition import MeetingDefinition
from starter.cli.main import main
from starter.client import commands
from starter.devstack.catcher import SmtpCatcher
from starter.inbound.authentication import TrustPolicy
from starter.inbound.endpoint import InboundReplies
from tests.factories import meeting
from tests.harness import invited, plan, running_worker
from tests.ports import free_port
from tests.test_audit_flood import _row_counts
from tests.test_reply_authentication import KEYS, dns, signed
from tests.test_reply_parsing import ORGANISER, gmail, outlook, reply_ics

MX = "mx.example.org"
ATTACKER = "attacker@evil.test"
FORGED_VERDICT = f"Authentication-Results: {MX}; dmarc=pass header.from=example.org\r\n"


@pytest_asyncio.fixture
async def planned(
    cli_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher
) -> AsyncIterator[MeetingDefinition]:
    m = meeting()
    async with running_worker(cli_env.client, store, catcher.port) as queue:
        await invited(await plan(cli_env.client, m, queue))
        yield m


async def _deliver(server: InboundReplies, raw: bytes, envelope: str) -> str:
    before = len(server.outcomes)
    _, answer = await aiosmtplib.send(
        raw, sender=envelope, recipients=[ORGANISER], hostname="127.0.0.1", port=server.port
    )
    assert "2.0.0" in answer and len(server.outcomes) == before + 1
    return server.outcomes[-1].result


async def test_the_forged_reply_of_the_report_changes_nothing(
    cli_env: WorkflowEnvironment,
    store: Store,
    planned: MeetingDefinition,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client, m = cli_env.client, planned
    forged = [
        # straight to the endpoint, no verdict at all
        gmail(reply_ics(m.uid, "nfp.uz@example.org", "DECLINED", sequence=999999)),
        # a verdict in our MTA's name, but the message did not come through our MTA
        FORGED_VERDICT.encode()
        + outlook(
            reply_ics(m.uid, "nfp.uz@example.org", "ACCEPTED", sequence=999999),
            "nfp.uz@example.org",
        ),
    ]
    before = await commands.full_status(client, m.id)
    trust = TrustPolicy.parse(MX, "192.0.2.25", dns(KEYS))  # type: ignore[arg-type]
    with InboundReplies(client, store, port=free_port(), trust=trust) as server:
        for raw in forged:
            assert await _deliver(server, raw, ATTACKER) == "held"
    after = await commands.full_status(client, m.id)
    assert after.participants == before.participants, "no answer changed"
    assert after.participant("uz-nfp").attendance is None

    # the secretariat sees the latest one, with who really sent it
    (held,) = after.held_replies
    assert (held.participant_id, held.sender, held.envelope_from) == (
        "uz-nfp", "nfp.uz@example.org", ATTACKER,
    )  # fmt: skip
    assert held.sequence == 999999 and held.attendance.value == "in-person"
    assert "did not come through mx.example.org" in held.reason
    rows = [json.loads(r.detail) for r in store.audit(m.id) if r.action == "reply.held"]
    # counted: one row per sender and hour (two if the run crossed an hour)
    assert {r["envelope_from"] for r in rows} == {ATTACKER} and len(rows) <= 2
    assert sum(r["count"] for r in rows) == len(forged) == 2
    assert "rsvp" not in [r.action for r in store.audit(m.id)]

    assert await asyncio.to_thread(main, ["reply", "list", m.id]) == 0
    out = capsys.readouterr().out
    assert f"{held.id}  uz-nfp: in-person (sequence 999999)" in out and ATTACKER in out
    assert await asyncio.to_thread(main, ["meeting", "status", m.id]) == 0
    out = capsys.readouterr().out
    assert "calendar replies awaiting confirmation (1;" in out
    assert f"  {held.id}  uz-nfp: in-person (sequence 999999)" in out

    # confirming it would answer to an invitation never sent: refused, nothing changes
    assert await asyncio.to_thread(main, ["reply", "confirm", m.id, held.id]) == 2
    assert "sequence 999999, which was never sent" in capsys.readouterr().err
    assert (await commands.full_status(client, m.id)).participants == before.participants

    assert await asyncio.to_thread(main, ["reply", "discard", m.id, held.id]) == 0
    assert (await commands.full_status(client, m.id)).held_replies == []
    assert await asyncio.to_thread(main, ["reply", "confirm", m.id, held.id]) == 2
    assert f"no reply {held.id} awaits confirmation" in capsys.readouterr().err


async def test_a_held_reply_the_secretariat_confirms_is_the_answer(
    cli_env: WorkflowEnvironment,
    store: Store,
    planned: MeetingDefinition,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client, m = cli_env.client, planned
    trust = TrustPolicy.parse("", "", dns(KEYS))  # type: ignore[arg-type]
    with InboundReplies(client, store, port=free_port(), trust=trust) as server:
        plain = gmail(reply_ics(m.uid, "nfp.uz@example.org", "DECLINED", sequence=0))
        assert await _deliver(server, plain, "nfp.uz@example.org") == "held"
        (held,) = (await commands.full_status(client, m.id)).held_replies
        assert await asyncio.to_thread(main, ["reply", "confirm", m.id, held.id]) == 0
        capsys.readouterr()
        row = (await commands.full_status(client, m.id)).participant("uz-nfp")
        assert (row.attendance, row.answered_via) == ("decline", "cli")

        # signed by the sender's domain (a key this test made): applied at once
        raw = signed(outlook(reply_ics(m.uid, "nfp.kz@example.org", "TENTATIVE"),
                             "nfp.kz@example.org"))  # fmt: skip
        assert await _deliver(server, raw, "bounces@example.org") == "applied"
        row = (await commands.full_status(client, m.id)).participant("kz-nfp")
        assert (row.attendance, row.answered_via) == ("tentative", "calendar-reply")
    assert (await commands.full_status(client, m.id)).held_replies == []


async def test_a_flood_of_forged_replies_adds_counts_not_audit_rows(
    cli_env: WorkflowEnvironment, store: Store, planned: MeetingDefinition
) -> None:
    m, n = planned, 15
    as_nfp = gmail(reply_ics(m.uid, "nfp.uz@example.org", "DECLINED"))  # held: no verdict
    as_stranger = outlook(reply_ics(m.uid, "nobody@evil.test"), "nobody@evil.test")  # ignored
    before = _row_counts(store)
    with InboundReplies(cli_env.client, store, port=free_port()) as server:
        for _ in range(n):
            assert (await server.apply(as_nfp, "192.0.2.9", ATTACKER)).result == "held"
            assert (await server.apply(as_stranger, "192.0.2.9", ATTACKER)).result == "ignored"
    audit, counted = _row_counts(store)
    assert audit == before[0], "no audit row per reply"
    assert counted - before[1] in (2, 4), "one row per kind and hour (a second if one ended)"
    rows = [json.loads(r.detail) | {"action": r.action} for r in store.refusals(m.id)]
    by_action = {a: sum(r["count"] for r in rows if r["action"] == a) for a in {"reply.held",
                 "reply.ignored"}}  # fmt: skip
    assert by_action == {"reply.held": n, "reply.ignored": n}
    (held,) = (await commands.full_status(cli_env.client, m.id)).held_replies
    assert held.participant_id == "uz-nfp", "the workflow keeps the latest one only"
