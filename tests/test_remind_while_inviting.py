"""`rtm remind` while the invitations are still going out: accepted, and it chases those who
have their invitation (never one who has not got it yet); the fan-out goes on beside it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.common.contracts import Phase
from domain.invitations.batches import InvitationStatus
from domain.meeting.status import MAX_PAGE, MeetingStatus, StatusPage
from domain.registration.answers import Actor, Channel
from domain.reminders.planning import RemindCommand
from starter.client import commands
from tests.factories import meeting
from tests.harness import invited, plan, settings_for
from tests.relay import CertificateAuthority, Relay
from worker import build_worker
from workflows.meeting.workflow import MeetingWorkflow

SECRETARIAT = Actor(id="secretariat.ca", channel=Channel.CLI)
HELD = "nfp.kz@example.org"  # its batch waits at the relay until released


async def test_remind_while_inviting_chases_who_has_an_invitation(
    skipping_env: WorkflowEnvironment, store: Store, tmp_path: Path
) -> None:
    env, m = skipping_env, meeting()
    with Relay(CertificateAuthority(tmp_path), tls="none") as relay:
        relay.handler.hold = {HELD}  # type: ignore[attr-defined]
        settings = settings_for(relay.port, store.url).model_copy(update={"smtp_timeout": 60})
        async with build_worker(env.client, settings, store):
            handle = await plan(env.client, m, settings.task_queue)
            loop = asyncio.get_running_loop()
            deadline, sent, steady = loop.time() + 60, set[str](), 0
            while steady < 10:  # the held batch waits; the others are out (1 s unchanged)
                status: MeetingStatus = await handle.query(
                    MeetingWorkflow.status, StatusPage(limit=MAX_PAGE)
                )
                now = {i.email for i in status.invitations if i.status is InvitationStatus.SENT}
                held = relay.handler.holding  # type: ignore[attr-defined]
                steady, sent = (steady + 1 if now == sent and now and held else 0), now
                assert loop.time() < deadline, f"{len(sent)} invitations out, held: {held}"
                await asyncio.sleep(0.1)
            assert status.phase is Phase.INVITING and HELD not in sent

            remind = commands.remind(env.client, store, m.id, RemindCommand(actor=SECRETARIAT))
            ack = await asyncio.wait_for(remind, 30)
            assert ack.phase is Phase.INVITING
            assert len(sent) <= ack.chased < 17, "those who have an invitation, nobody else"
            relay.handler.release()  # type: ignore[attr-defined]
            done = await invited(handle, timeout=60)
            await env.sleep(timedelta(minutes=1))
    assert done.count(InvitationStatus.SENT) == 17
    order = [(c.rcpt_tos[0], "X-RTM-Reminder" in c.message()) for c in relay.caught]
    chased = [to for to, reminder in order if reminder]
    assert len(chased) == len(set(chased)) == ack.chased and HELD not in chased
    assert set(sent) <= set(chased), "everyone who had an invitation"
    for to in chased:  # and each after their invitation
        assert order.index((to, False)) < order.index((to, True)), to
    assert sorted(to for to, reminder in order if not reminder) == sorted(
        i.email for i in done.invitations
    ), "every invitation once"
