"""Invitations end to end: real dev server, real worker, real SMTP catcher, SQLite/PostgreSQL."""

from __future__ import annotations

import asyncio

import icalendar
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.invitations.batches import InvitationStatus
from starter.devstack.catcher import Caught, SmtpCatcher
from tests.factories import central_asia, meeting
from tests.harness import invited, plan, running_worker
from tests.ports import free_port


def _calendar_part(data: bytes) -> icalendar.Calendar:
    from email import message_from_bytes, policy

    msg = message_from_bytes(data, policy=policy.default)
    parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "exactly one text/calendar alternative"
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return icalendar.Calendar.from_ical(payload)


async def test_every_participant_gets_exactly_one_invitation(
    dev_env: WorkflowEnvironment, any_store: Store, catcher: SmtpCatcher
) -> None:
    any_store.load_directory(central_asia())
    m = meeting()
    expected = {
        p.email: p for p in any_store.resolve_participants([], m.countries, m.organisations)[0]
    }
    assert len(expected) == 17  # NFP and deputy of six countries, one expert, four observers

    async with running_worker(dev_env.client, any_store, catcher.port) as queue:
        status = await invited(await plan(dev_env.client, m, queue))

    assert status.count(InvitationStatus.SENT) == len(expected)
    received = [c.rcpt_tos for c in catcher.caught]
    assert sorted(r[0] for r in received) == sorted(expected)
    assert all(len(r) == 1 for r in received), "one message per recipient"
    for c in catcher.caught:
        cal = _calendar_part(c.data)
        assert str(cal["METHOD"]) == "REQUEST"
        events = list(cal.walk("VEVENT"))
        assert len(events) == 1
        attendee = events[0]["ATTENDEE"]
        assert str(attendee).lower() == f"mailto:{c.rcpt_tos[0]}"
        assert attendee.params["CN"] == expected[c.rcpt_tos[0]].name.replace('"', "'")
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert str(events[0]["UID"]) == m.uid
    # the projection holds one sent row per participant, and the audit log one entry each
    deliveries = any_store.deliveries(m.id, 0)
    assert {d.status for d in deliveries.values()} == {InvitationStatus.SENT}
    assert len(deliveries) == len(expected)
    audit = [a for a in any_store.audit(m.id) if a.action == "invitation.sent"]
    assert len(audit) == len(expected)
    assert any_store.meeting_phase(m.id) == "registration"


async def test_a_550_fails_one_invitation_and_the_rest_go_out(
    dev_env: WorkflowEnvironment, store: Store, tmp_path: object
) -> None:
    refused = "nfp.mn@example.org"
    m = meeting()
    with SmtpCatcher(port=free_port(), refuse=[refused]) as c:
        async with running_worker(dev_env.client, store, c.port) as queue:
            status = await invited(await plan(dev_env.client, m, queue))
            told = await _notices(c, "delivery-failed")
        invitations = [x for x in c.caught if "X-RTM-Participant" in x.message()]
        delivered = sorted(x.rcpt_tos[0] for x in invitations)

    by_email = {i.email: i for i in status.invitations}
    assert by_email[refused].status is InvitationStatus.FAILED
    error = by_email[refused].error
    assert error is not None and error.startswith("550")
    others = [i for i in status.invitations if i.email != refused]
    assert others and all(i.status is InvitationStatus.SENT for i in others)
    assert refused not in delivered
    assert sorted(i.email for i in others) == delivered
    assert store.deliveries(m.id, 0)["mn-nfp"].status is InvitationStatus.FAILED
    # the secretariat is told once, with the address and the server's words
    assert [x.rcpt_tos for x in told] == [(m.organiser.email,)]
    text = told[0].message().get_body(("plain",))
    body = text.get_content() if text is not None else ""
    assert refused in body and "550 5.1.1 mailbox unavailable" in body
    assert f"rtm meeting resend {m.id} --failed" in body


async def _notices(catcher: SmtpCatcher, kind: str, timeout: float = 30) -> list[Caught]:
    """The notices of `kind` the catcher holds, once there is one (then a moment longer, to
    see that no second one follows)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout

    def of_kind() -> list[Caught]:
        return [x for x in catcher.caught if x.message()["X-RTM-Notice"] == kind]

    while not of_kind():
        assert loop.time() < deadline, f"no {kind} notice within {timeout} s"
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)
    return of_kind()
