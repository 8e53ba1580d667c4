"""Follow-up on the time-skipping server: minutes and actions after the meeting, each
action its own workflow, `rtm actions list` from the read model, carry-over into the next
RTM's agenda, and the meeting closing itself."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.agenda.template import ItemKind
from domain.common.contracts import Phase
from domain.followup.actions import ActionSpec, DoneCommand, Owner, OwnerKind
from domain.followup.minutes import MinutesCommand
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.cli.main import main
from starter.client import commands
from starter.devstack.catcher import SmtpCatcher
from tests.factories import central_asia, meeting, unique_id
from tests.harness import advance_to, invited, plan, running_worker
from tests.ports import free_port

SECRETARIAT = Actor(id="secretariat.ca", channel=Channel.CLI)
MINUTES = """# Minutes of the 16th RTM

The NFPs presented national updates. Project 87 (PRECA) was reviewed.
"""


async def test_minutes_actions_carry_over_and_closing(
    skipping_env: WorkflowEnvironment,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(central_asia())
    m = meeting(organisations=["JRC"], followup_days=120)
    after = m.end.date() + timedelta(days=45)
    specs = [
        ActionSpec(what="Submit the national CBRN action plan draft",
                   owner=Owner(kind=OwnerKind.COUNTRY, code="KZ"), due=after),
        ActionSpec(what="Circulate the NAQ guidance",
                   owner=Owner(kind=OwnerKind.ORGANISATION, code="JRC"), due=after),
    ]  # fmt: skip
    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            handle = await plan(env.client, m, queue)
            await invited(handle)
            declined = RsvpCommand(
                participant_id="uz-nfp", attendance=Attendance.DECLINE, actor=SECRETARIAT
            )
            await commands.rsvp(env.client, store, m.id, declined)
            minutes = MinutesCommand(markdown=MINUTES, actions=specs, actor=SECRETARIAT)

            # refused before the meeting was held, and with a bad owner or due date
            with pytest.raises(commands.CommandRefused, match="not been held"):
                await commands.record_minutes(env.client, store, m.id, minutes)
            await advance_to(env, m.end_utc() + timedelta(hours=1))
            assert (await commands.status(env.client, m.id)).phase is Phase.FOLLOW_UP
            for bad, why in [
                (ActionSpec(what="x", owner=Owner(kind=OwnerKind.COUNTRY, code="RU"), due=after),
                 "unknown country 'RU'"),
                (ActionSpec(what="x", owner=Owner(kind=OwnerKind.COUNTRY, code="KZ"),
                            due=m.start.date()), "is not after the meeting"),
            ]:  # fmt: skip
                with pytest.raises(commands.CommandRefused, match=why):
                    await commands.record_minutes(env.client, store, m.id, MinutesCommand(
                        markdown=MINUTES, actions=[bad], actor=SECRETARIAT))  # fmt: skip
            assert (await commands.status(env.client, m.id)).actions == []

            before = len(catcher.caught)
            recorded = await commands.record_minutes(env.client, store, m.id, minutes)
            status = await commands.status(env.client, m.id)
            assert recorded.actions == ["A1", "A2"]
            assert [a.id for a in status.actions] == ["A1", "A2"] and status.minutes_recorded
            mailed = [c for c in catcher.caught[before:]
                      if str(c.message()["X-RTM-Notice"]) == "minutes"]  # fmt: skip
            expected = {p.email for p in status.participants if p.participant_id != "uz-nfp"}
            assert {c.rcpt_tos[0] for c in mailed} == expected and len(mailed) == len(expected)
            body = mailed[0].message().get_body(preferencelist=("plain",))
            assert body is not None and "A1  Submit the national CBRN action plan draft" in (
                body.get_content()
            )
            with pytest.raises(commands.CommandRefused, match="already recorded"):
                await commands.record_minutes(env.client, store, m.id, minutes)

            # the read model answers across meetings
            monkeypatch.setenv("DATABASE_URL", store.url)
            capsys.readouterr()
            assert await asyncio.to_thread(main, ["actions", "list", "--region", "CA",
                                                  "--open"]) == 0  # fmt: skip
            out = capsys.readouterr().out
            assert f"{m.id} A1" in out and f"{m.id} A2" in out and "2 action items" in out
            assert [a.id for a in store.actions(country="KZ")] == ["A1"]

            # A1 done by the secretariat; A2 stays open
            await commands.mark_action_done(env.client, store, f"{m.id}-A1",
                                            DoneCommand(actor=SECRETARIAT))  # fmt: skip
            assert [a.id for a in store.actions(region="CA", open_only=True)] == ["A2"]

            # the next RTM carries the open action in its review item
            nxt = meeting(id=unique_id("RTM-CA-17"), number=17,
                          start=(m.start + timedelta(days=60)).isoformat(),
                          end=(m.end + timedelta(days=60)).isoformat())  # fmt: skip
            await invited(await plan(env.client, nxt, queue))
            agenda = await commands.agenda(env.client, nxt.id)
            review = next(i for i in agenda.items if i.kind is ItemKind.ACTION_REVIEW)
            assert len(review.details) == 1 and f"{m.id} A2" in review.details[0]

            # A2 done by its owner: every action done, the meeting closes itself
            await commands.mark_action_done(env.client, store, f"{m.id}-A2", DoneCommand(
                actor=Actor(id="jrc-obs", channel=Channel.LINK)))  # fmt: skip
            summary = await asyncio.wait_for(handle.result(), 30)
    assert summary.phase is Phase.CLOSED
    assert (summary.actions, summary.actions_done) == (2, 2)
    assert store.meeting_phase(m.id) == "closed"
    assert store.actions(region="CA", open_only=True) == []


async def test_an_unfinished_follow_up_closes_after_its_period(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(central_asia())
    m = meeting(organisations=[], followup_days=30)
    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            handle = await plan(env.client, m, queue)
            await invited(handle)
            await advance_to(env, m.end_utc() + timedelta(hours=1))
            await commands.record_minutes(env.client, store, m.id, MinutesCommand(
                markdown=MINUTES, actions=[ActionSpec(
                    what="Report on PRECA", owner=Owner(kind=OwnerKind.PARTICIPANT, code="pk-nfp"),
                    due=m.end.date() + timedelta(days=90))], actor=SECRETARIAT))  # fmt: skip
            await advance_to(env, m.end_utc() + timedelta(days=31))
            summary = await asyncio.wait_for(handle.result(), 30)
            action = await commands.action_status(env.client, f"{m.id}-A1")
    assert summary.phase is Phase.CLOSED and (summary.actions, summary.actions_done) == (1, 0)
    assert action.status.value == "open", "the action goes on after its meeting closed"
