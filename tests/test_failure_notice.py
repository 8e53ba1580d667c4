"""The secretariat's "delivery failed" notice names every kind of mail that will not go out
(reminders, the agenda, the minutes, the cycle's request, action mail), not only
invitations: a message refused for good (5xx) is told once, with who, what kind and the
relay's answer. The relay is aiosmtpd on 127.0.0.1 (tests/relay.py), answering 550 for the
refused addresses."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.agenda.items import PublishCommand
from domain.invitations.batches import (
    InvitationStatus,
)
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from domain.reminders.planning import RemindCommand
from starter.client import commands
from tests.factories import central_asia, meeting
from tests.harness import invited, plan, settings_for
from tests.relay import CertificateAuthority, Relay
from tests.test_mail_deferral import _until, action_reminder_due
from tests.test_outbox_batches import REFUSAL
from worker import build_worker

SECRETARIAT = Actor(id="secretariat.ca", channel=Channel.CLI)
KZ, TJ = "nfp.kz@example.org", "deputy.tj@example.org"


def _told(relay: Relay) -> list[EmailMessage]:
    """The "delivery failed" notices the relay received, in order."""
    messages = [c.message() for c in relay.caught]
    return [m for m in messages if m["X-RTM-Notice"] == "delivery-failed"]


def _text(msg: EmailMessage) -> str:
    part = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    return str(part.get_content())


def _name(email: str) -> str:
    return next(p.name for p in central_asia().participants if p.email == email)


async def test_failed_reminders_and_agenda_are_told_to_the_secretariat_once(
    skipping_env: WorkflowEnvironment, store: Store, tmp_path: Path
) -> None:
    env, m = skipping_env, meeting()
    with Relay(CertificateAuthority(tmp_path), tls="none") as relay:
        settings = settings_for(relay.port, store.url)
        async with build_worker(env.client, settings, store):
            first = await invited(await plan(env.client, m, settings.task_queue))
            assert first.count(InvitationStatus.SENT) == 17
            assert _told(relay) == [], "every invitation went out: nothing to tell"
            relay.handler.refuse = {KZ, TJ}

            # the chaser is refused for two people: one notice names both reminders
            remind = commands.remind(env.client, store, m.id, RemindCommand(actor=SECRETARIAT))
            assert (await asyncio.wait_for(remind, 30)).chased == 17
            await _until(lambda: len(_told(relay)) == 1)
            (reminders,) = _told(relay)
            text = _text(reminders)
            for email in (KZ, TJ):
                assert f"Reminder: {_name(email)} <{email}>: {REFUSAL}" in text
            assert "Invitation:" not in text and "rtm meeting resend" not in text
            assert "Reminders, notices and action mail are not sent again" in text
            assert str(reminders["Subject"]).startswith("2 messages of the ")
            assert reminders["To"].addresses[0].addr_spec == m.organiser.email

            # the agenda to those who accepted, refused for one of them: a second notice
            for pid in ("tj-deputy", "uz-nfp"):
                answer = RsvpCommand(
                    participant_id=pid, attendance=Attendance.ONLINE, actor=SECRETARIAT
                )
                await commands.rsvp(env.client, store, m.id, answer)
            publish = commands.publish_agenda(
                env.client, store, m.id, PublishCommand(actor=SECRETARIAT)
            )
            assert (await asyncio.wait_for(publish, 30)).recipients == 2
            await _until(lambda: len(_told(relay)) == 2)
            agenda = _text(_told(relay)[1])
            assert f"Agenda: {_name(TJ)} <{TJ}>: {REFUSAL}" in agenda
            assert "Reminder:" not in agenda, "what was told is not told again"
            await env.sleep(timedelta(hours=1))
    assert len(_told(relay)) == 2, "each failure told once"


async def test_a_failed_action_reminder_is_told_to_the_secretariat(
    skipping_env: WorkflowEnvironment, store: Store, tmp_path: Path
) -> None:
    env = skipping_env
    async with action_reminder_due(env, store, tmp_path, refuse={KZ}) as (relay, inp):
        await _until(lambda: len(_told(relay)) == 1)
        await env.sleep(timedelta(hours=1))
    (told,) = _told(relay)
    assert told["To"].addresses[0].addr_spec == inp.secretariat.email
    assert told["X-RTM-Action"] == "A1"
    text = _text(told)
    assert f"Action reminder: {_name(KZ)} <{KZ}>: {REFUSAL}" in text
    assert "deputy.kz@example.org" not in text, "the other owner got it"
    assert "rtm meeting resend" not in text
