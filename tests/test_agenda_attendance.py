"""Agenda and hybrid attendance on the time-skipping server, modelled on the 15th RTM
(six partner countries, two days, hybrid in Dubai)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.agenda.items import DecideCommand, Decision, ProposeCommand, PublishCommand
from domain.agenda.template import ItemKind, ItemStatus
from domain.attendance.register import CheckInCommand, JoinCommand
from domain.common import i18n
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.client import commands
from starter.devstack.catcher import Caught, SmtpCatcher
from tests.factories import SIX_PARTNERS, central_asia, meeting
from tests.harness import advance_to, invited, plan, running_worker
from tests.ports import free_port

DESK = Actor(id="registration-desk", channel=Channel.CLI)
SECRETARIAT = Actor(id="secretariat.ca", channel=Channel.CLI)
PROPOSALS = {
    "KZ": ("Project 87 PRECA: mass gatherings preparedness", ItemKind.PROJECT_REVIEW),
    "KG": ("Bio-safety legal framework (Project 53)", ItemKind.PROJECT_REVIEW),
    "MN": ("NAQ and NAP workshop status", ItemKind.ACTION_PLAN),
    "PK": ("Chemical waste management lessons (Project 65 CABICHEM)", ItemKind.PROJECT_REVIEW),
    "TJ": ("National CBRN team update", ItemKind.NATIONAL_UPDATE),
    "UZ": ("Interregional cooperation with South East and Eastern Europe", ItemKind.OTHER),
}
IN_PERSON = ["kz-nfp", "kg-nfp", "mn-nfp", "jrc-obs"]
ONLINE = ["pk-nfp", "tj-nfp", "uz-deputy", "unicri-obs"]


def _agenda_mails(caught: list[Caught]) -> list[Caught]:
    return [c for c in caught if str(c.message()["X-RTM-Notice"]) == "agenda"]


async def test_agenda_and_attendance_of_a_two_day_hybrid_rtm(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(central_asia())
    m = meeting(organisations=["JRC", "UNICRI"])
    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            handle = await plan(env.client, m, queue)
            await invited(handle)
            agenda = await commands.agenda(env.client, m.id)
            standing = [i for i in agenda.items if i.status is ItemStatus.STANDING]
            national = [i.title for i in standing if i.kind is ItemKind.NATIONAL_UPDATE]
            assert national == [
                "National update: Republic of Kazakhstan",
                "National update: Kyrgyz Republic",
                "National update: Mongolia",
                "National update: Islamic Republic of Pakistan",
                "National update: Republic of Tajikistan",
                "National update: Republic of Uzbekistan",
            ]

            for pid in IN_PERSON + ONLINE:
                mode = Attendance.IN_PERSON if pid in IN_PERSON else Attendance.ONLINE
                await commands.rsvp(env.client, store, m.id, RsvpCommand(
                    participant_id=pid, attendance=mode, actor=SECRETARIAT))  # fmt: skip

            # a proposal from each country's NFP, each accepted by the secretariat
            for country in SIX_PARTNERS:
                title, kind = PROPOSALS[country]
                nfp = f"{country.lower()}-nfp"
                item = await commands.propose_item(env.client, store, m.id, ProposeCommand(
                    title=title, presenter=nfp, minutes=15, kind=kind,
                    actor=Actor(id=nfp, channel=Channel.LINK)))  # fmt: skip
                assert item.status is ItemStatus.PROPOSED
                await commands.decide_item(env.client, store, m.id, DecideCommand(
                    item_id=item.id, decision=Decision.ACCEPT, actor=SECRETARIAT))  # fmt: skip

            # refused: a rejection without reason, an unknown item, a stranger presenting
            before = await commands.agenda(env.client, m.id)
            for bad in [
                DecideCommand(item_id="P1", decision=Decision.REJECT, actor=SECRETARIAT),
                DecideCommand(item_id="P99", decision=Decision.ACCEPT, actor=SECRETARIAT),
                DecideCommand(item_id="P1", decision=Decision.EDIT, presenter="xx-nfp",
                              actor=SECRETARIAT),
            ]:  # fmt: skip
                with pytest.raises(commands.CommandRefused):
                    await commands.decide_item(env.client, store, m.id, bad)
            assert await commands.agenda(env.client, m.id) == before

            ack = await commands.publish_agenda(
                env.client, store, m.id, PublishCommand(actor=SECRETARIAT)
            )
            published = await commands.agenda(env.client, m.id)
            assert ack.published_version == before.version
            assert published.problem is None and published.published_version == before.version
            tj = [i for i in published.running_order if i in {"S6", "P5"}]
            assert tj == ["S6", "P5"], "Tajikistan's proposal follows its national update"
            first = _agenda_mails(catcher.caught)
            assert sorted(c.rcpt_tos[0] for c in first) == sorted(
                p.email for p in (await commands.status(env.client, m.id)).participants
                if p.participant_id in IN_PERSON + ONLINE
            )  # fmt: skip
            with pytest.raises(commands.CommandRefused, match="already published"):
                await commands.publish_agenda(env.client, store, m.id,
                                              PublishCommand(actor=SECRETARIAT))  # fmt: skip

            # two edits within the quiet window: exactly one update mail per recipient
            for minutes in (20, 25):
                await commands.decide_item(env.client, store, m.id, DecideCommand(
                    item_id="P1", decision=Decision.EDIT, minutes=minutes,
                    actor=SECRETARIAT))  # fmt: skip
                await env.sleep(timedelta(minutes=3))
            await env.sleep(timedelta(minutes=30))
            updates = _agenda_mails(catcher.caught)[len(first) :]
            assert sorted(c.rcpt_tos[0] for c in updates) == sorted(c.rcpt_tos[0] for c in first)
            # in each reader's language (the Russian-speaking NFPs get Russian)
            updated = {lang: i18n.gettext(lang, "Updated agenda: %(title)s") % {"title": m.title}
                       for lang in i18n.available()}  # fmt: skip
            assert all(str(c.message()["Subject"]).strip() in updated.values() for c in updates)
            assert {str(c.message()["Subject"]).strip() for c in updates} == {
                updated["en"],
                updated["ru"],
            }
            body = updates[0].message().get_body(preferencelist=("plain",))
            assert body is not None and "Project 87 PRECA" in body.get_content()

            # proposals after the deadline are refused and change nothing
            deadline = m.agenda_deadline_utc()
            await advance_to(env, deadline + timedelta(minutes=1))
            before = await commands.agenda(env.client, m.id)
            with pytest.raises(commands.CommandRefused, match="deadline passed") as late:
                await commands.propose_item(env.client, store, m.id, ProposeCommand(
                    title="Late item", presenter="kz-nfp", minutes=10,
                    actor=SECRETARIAT))  # fmt: skip
            assert await commands.agenda(env.client, m.id) == before
            # its code and parameters crossed from the validator, and the audit keeps them
            assert late.value.refusal.code == "agenda.deadline"
            assert late.value.refusal.text("ru").startswith("срок приёма предложений")
            (kept,) = [
                json.loads(r.detail)
                for r in store.audit(m.id)
                if r.action == "agenda.propose.refused"
            ]
            assert kept["code"] == "agenda.deadline" and "deadline" in kept["params"]
            assert kept["reason"] == str(late.value)

            # no check-in before the meeting day
            register_before = await commands.attendance(env.client, m.id)
            with pytest.raises(commands.CommandRefused, match="not a day of the meeting"):
                await commands.check_in(env.client, store, m.id, CheckInCommand(
                    participant_id="kz-nfp", actor=DESK))  # fmt: skip

            # day one, 08:30 in Dubai: the desk opens
            day1 = m.start_utc() - timedelta(minutes=30)
            await advance_to(env, day1)
            for pid in IN_PERSON:
                await commands.check_in(env.client, store, m.id, CheckInCommand(
                    participant_id=pid, actor=DESK))  # fmt: skip
            for pid in ONLINE[:3]:
                await commands.join_online(env.client, store, m.id, JoinCommand(
                    participant_id=pid, actor=Actor(id=pid, channel=Channel.LINK)))  # fmt: skip
            refused = [
                ("check-in", "kz-nfp", "already counted today"),
                ("check-in", "af-nfp", "not invited"),
                ("check-in", "kz-deputy", "not registered"),
                ("join", "pk-nfp", "already counted today"),
            ]
            after_day1 = await commands.attendance(env.client, m.id)
            for how, pid, why in refused:
                with pytest.raises(commands.CommandRefused, match=why):
                    if how == "check-in":
                        await commands.check_in(env.client, store, m.id, CheckInCommand(
                            participant_id=pid, actor=DESK))  # fmt: skip
                    else:
                        await commands.join_online(env.client, store, m.id, JoinCommand(
                            participant_id=pid, actor=DESK))  # fmt: skip
            assert await commands.attendance(env.client, m.id) == after_day1

            # day two: kz-nfp moves online, unicri joins for the first time
            await env.sleep(timedelta(days=1))
            await commands.check_in(env.client, store, m.id, CheckInCommand(
                participant_id="kg-nfp", actor=DESK))  # fmt: skip
            for pid in ["kz-nfp", "unicri-obs"]:
                await commands.join_online(env.client, store, m.id, JoinCommand(
                    participant_id=pid, actor=Actor(id=pid, channel=Channel.LINK)))  # fmt: skip
            register = await commands.attendance(env.client, m.id)
            status = await commands.status(env.client, m.id)

    assert register_before.presences == []
    assert len(register.presences) == 4 + 3 + 3
    c = register.counts
    assert c.participants == 8
    assert c.by_mode == {"in-person": 4, "online": 4}
    assert c.by_country == {"KG": 1, "KZ": 1, "MN": 1, "PK": 1, "TJ": 1, "UZ": 1}
    assert c.by_organisation == {"JRC": 1, "UNICRI": 1}
    assert c.nfp_countries == sorted(SIX_PARTNERS)
    day1_key, day2_key = sorted(c.by_day)
    assert c.by_day[day1_key] == {"in-person": 4, "online": 3}
    assert c.by_day[day2_key] == {"in-person": 1, "online": 2}
    assert c.summary == "8 participants, including NFPs from six partner countries"
    assert status.phase.value == "held"
    assert datetime.fromisoformat(day1_key).date() == m.start.date()


async def test_the_standing_agenda_can_be_published_as_it_is(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """No proposal, no decision: the template's agenda is publishable, once."""
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(central_asia())
    m = meeting(organisations=[])
    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            await invited(await plan(env.client, m, queue))
            online = RsvpCommand(
                participant_id="kz-nfp", attendance=Attendance.ONLINE, actor=SECRETARIAT
            )
            await commands.rsvp(env.client, store, m.id, online)
            ack = await commands.publish_agenda(env.client, store, m.id,
                                                PublishCommand(actor=SECRETARIAT))  # fmt: skip
            view = await commands.agenda(env.client, m.id)
            assert ack.published_version == view.published_version == view.version == 1
            assert ack.recipients == 1
            with pytest.raises(commands.CommandRefused, match="already published"):
                await commands.publish_agenda(env.client, store, m.id,
                                              PublishCommand(actor=SECRETARIAT))  # fmt: skip
        agenda_mails = _agenda_mails(catcher.caught)
    assert [c.rcpt_tos[0] for c in agenda_mails] == ["nfp.kz@example.org"]
