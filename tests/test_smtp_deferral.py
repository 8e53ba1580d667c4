"""A relay that puts some addresses off (451), for a while or for ever, and one that wants
authentication the engine was not given (530): nobody else is held back, the status says
what is pending and why, a 451 that never ends fails after the retry window (24 h on the
time-skipping server), the secretariat is told once, and `resend` sends what failed."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.invitations.batches import InvitationStatus
from domain.meeting.changes import CancelCommand
from domain.outbox.tracking import ResendCommand
from domain.registration.answers import Actor, Channel
from starter.client import commands
from starter.devstack.catcher import Caught
from tests.factories import meeting, synthetic_directory
from tests.harness import invited, plan, settings_for
from tests.ports import free_port
from tests.relay import PASSWORD, USER, CertificateAuthority, Relay
from worker import build_worker
from workflows.meeting.workflow import MeetingWorkflow

SECRETARIAT = Actor(id="secretariat.ca", channel=Channel.CLI)


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    return CertificateAuthority(tmp_path)


def _notices(relay: Relay, kind: str) -> list[str]:
    """The text of each notice of `kind` the relay took."""
    texts = []
    for c in relay.caught:
        msg = c.message()
        if msg["X-RTM-Notice"] == kind:
            body = msg.get_body(("plain",))
            texts.append(body.get_content() if body is not None else "")
    return texts


def _method(caught: Caught) -> str | None:
    for part in caught.message().walk():
        if part.get_content_type() == "text/calendar":
            return str(part.get_param("method"))
    return None


def _invitations(relay: Relay) -> list[str]:
    return [c.rcpt_tos[0] for c in relay.caught if "X-RTM-Participant" in c.message()]


async def _audited(store: Store, meeting_id: str, action: str, timeout: float = 60) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not any(a.action == action for a in store.audit(meeting_id)):
        assert loop.time() < deadline, f"no {action} within {timeout} s"
        await asyncio.sleep(0.2)


async def test_two_percent_greylisted_hold_nobody_back(
    dev_env: WorkflowEnvironment, tmp_path: Path, ca: CertificateAuthority
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    directory = synthetic_directory(400)
    store.load_directory(directory)
    slow = {p.email for p in directory.participants[3::50]}  # 8 of 400, one in each batch
    assert len(slow) == 8
    with Relay(ca, tls="none", defer=slow) as relay:
        settings = settings_for(relay.port, store.url)
        async with build_worker(dev_env.client, settings, store):
            handle = await plan(dev_env.client, meeting(organisations=[]), settings.task_queue)
            status = await invited(handle, timeout=180)
            # the other 392 are out while the 8 are still refused
            assert relay.handler.deferred >= 8  # type: ignore[attr-defined]
            assert sorted(_invitations(relay)) == sorted(
                p.email for p in directory.participants if p.email not in slow
            )
            assert status.count(InvitationStatus.SENT) == 392
            pending = [i for i in status.invitations if i.status is InvitationStatus.PENDING]
            assert {i.email for i in pending} == slow
            assert all(i.error and i.error.startswith("451 4.7.1") for i in pending), pending
            # once the relay takes them, each arrives on its own retry
            relay.handler.stop_deferring()  # type: ignore[attr-defined]
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 180
            while len(_invitations(relay)) < 400:
                assert loop.time() < deadline, "the deferred invitations never went out"
                await asyncio.sleep(0.2)
            await asyncio.sleep(1)
            final = await handle.query(MeetingWorkflow.status)
    assert final.count(InvitationStatus.SENT) == 400
    assert sorted(_invitations(relay)) == sorted(p.email for p in directory.participants)
    assert _notices(relay, "delivery-failed") == [], "nothing failed: nobody is told"


async def test_a_451_that_never_ends_fails_after_the_window_and_is_told_once(
    skipping_env: WorkflowEnvironment, store: Store, ca: CertificateAuthority
) -> None:
    forever = {"nfp.kz@example.org", "deputy.tj@example.org"}
    m = meeting()
    with Relay(ca, tls="none", defer=forever) as relay:
        settings = settings_for(relay.port, store.url)
        async with build_worker(skipping_env.client, settings, store):
            handle = await plan(skipping_env.client, m, settings.task_queue)
            first = await invited(handle, timeout=60)
            assert first.count(InvitationStatus.SENT) == 15
            assert first.phase.value == "registration", "the meeting goes on meanwhile"
            await skipping_env.sleep(timedelta(hours=23))
            still = await handle.query(MeetingWorkflow.status)
            assert still.count(InvitationStatus.PENDING) == 2, "within the window: pending"
            await skipping_env.sleep(timedelta(hours=2))
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 60
            while (await handle.query(MeetingWorkflow.status)).count(
                InvitationStatus.FAILED
            ) < 2 or not _notices(relay, "delivery-failed"):
                assert loop.time() < deadline, "the window ended but nothing failed"
                await skipping_env.sleep(timedelta(minutes=10))
            await skipping_env.sleep(timedelta(hours=1))
            status = await handle.query(MeetingWorkflow.status)
    failed = [i for i in status.invitations if i.status is InvitationStatus.FAILED]
    assert {i.email for i in failed} == forever
    assert all(i.error and "451 4.7.1 greylisted" in i.error for i in failed)
    audit = [a for a in store.audit(m.id) if a.action == "invitation.failed"]
    assert {json.loads(a.detail)["email"] for a in audit} == forever
    told = _notices(relay, "delivery-failed")
    assert len(told) == 1, "the secretariat is told once"
    assert all(email in told[0] for email in forever)


async def test_a_refused_password_fails_fast_then_resend_sends_once_it_is_fixed(
    skipping_env: WorkflowEnvironment, store: Store, ca: CertificateAuthority
) -> None:
    m = meeting()
    with Relay(ca, tls="starttls", auth=True) as relay:
        relay.password = "rotated at the relay, not yet here"
        settings = settings_for(relay.port, store.url).model_copy(
            update={
                "smtp_username": USER,
                "smtp_password": PASSWORD,
                "smtp_ca_file": str(ca.ca_file),
            }
        )
        async with build_worker(skipping_env.client, settings, store):
            handle = await plan(skipping_env.client, m, settings.task_queue)
            status = await invited(handle, timeout=60)
            assert status.count(InvitationStatus.FAILED) == 17
            assert all("535" in (i.error or "") for i in status.invitations)
            first_ids = {i.participant_id: i.message_id for i in status.invitations}
            await _audited(store, m.id, "delivery-failed.failed")  # the notice met it too

            relay.password = PASSWORD  # the cause is fixed
            ack = await commands.resend(
                skipping_env.client, store, m.id, ResendCommand(actor=SECRETARIAT)
            )
            again = await handle.query(MeetingWorkflow.status)
            with pytest.raises(commands.CommandRefused, match="nothing to send again"):
                await commands.resend(
                    skipping_env.client, store, m.id, ResendCommand(actor=SECRETARIAT)
                )
    assert ack.count(InvitationStatus.SENT) == 17
    assert again.count(InvitationStatus.SENT) == 17
    assert sorted(_invitations(relay)) == sorted(i.email for i in status.invitations)
    assert {i.participant_id: i.message_id for i in again.invitations} == first_ids, (
        "a resend keeps the Message-ID"
    )
    assert relay.tls_before_auth()


async def test_cancel_stops_retries_that_never_end(
    skipping_env: WorkflowEnvironment, store: Store, ca: CertificateAuthority
) -> None:
    forever = {"nfp.kz@example.org"}
    m = meeting()
    with Relay(ca, tls="none", defer=forever) as relay:
        settings = settings_for(relay.port, store.url)
        async with build_worker(skipping_env.client, settings, store):
            handle = await plan(skipping_env.client, m, settings.task_queue)
            await invited(handle, timeout=60)
            ack = await commands.cancel(
                skipping_env.client, store, m.id, CancelCommand(actor=SECRETARIAT)
            )
            status = await handle.query(MeetingWorkflow.status)
    assert ack.phase.value == "cancelled" and status.phase.value == "cancelled"
    cancels = [c for c in relay.caught if _method(c) == "CANCEL"]
    assert len(cancels) == 16, "everyone the relay takes gets the cancellation"


async def test_a_meeting_whose_relay_refuses_every_connection_can_still_be_cancelled(
    skipping_env: WorkflowEnvironment, store: Store
) -> None:
    m = meeting()
    settings = settings_for(free_port(), store.url)  # nobody listens there
    async with build_worker(skipping_env.client, settings, store):
        handle = await plan(skipping_env.client, m, settings.task_queue)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while True:  # stuck inviting, and the status says why
            status = await handle.query(MeetingWorkflow.status)
            errors = [i.error for i in status.invitations if i.error]
            if status.phase.value == "inviting" and len(errors) == 17:
                break
            assert loop.time() < deadline, "the status never showed the relay's error"
            await asyncio.sleep(0.2)
        assert all("connection failure at connect" in e for e in errors), errors
        began = loop.time()
        ack = await commands.cancel(
            skipping_env.client, store, m.id, CancelCommand(actor=SECRETARIAT)
        )
        took = loop.time() - began
        status = await handle.query(MeetingWorkflow.status)
    assert ack.phase.value == "cancelled" and status.phase.value == "cancelled"
    assert took < 90, f"the cancel answered in {took:.0f} s"
    assert status.sequence == 1, "the cancellation is the next sequence, still being tried"
