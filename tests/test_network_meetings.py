"""Meetings across the network on the time-skipping server: an interregional online meeting
of the Heads of the Regional Secretariats (organised by the coordination, hosted by UNICRI)
planned, invited and held with people from several regions; a technical round table's project
proposal carried onto the agenda of the region's next RTMs until it is decided."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.agenda.template import ItemKind
from domain.agenda.view import AgendaView
from domain.attendance.register import JoinCommand
from domain.common.contracts import Phase
from domain.followup.minutes import MinutesCommand
from domain.invitations.batches import InvitationStatus
from domain.meeting.definition import MeetingDefinition
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from domain.workweek.public_holidays import resolve
from starter.cli.inputs import read_directory
from starter.cli.main import main
from starter.client import commands
from starter.data import NETWORK
from starter.devstack.catcher import SmtpCatcher
from tests.factories import unique_id
from tests.harness import advance_to, invited, plan, running_worker
from tests.ports import free_port

COORDINATION = Actor(id="int-coord-head", channel=Channel.CLI)
HEADS = ["SEC-INT", "FPI", "UNICRI", "SEC-CA", "SEC-GCC", "SEC-SEEE", "SEC-SEA"]


def _store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(read_directory(NETWORK))
    return store


def _online(meeting_id: str, start: datetime, **fields: object) -> MeetingDefinition:
    local = start.replace(tzinfo=None)
    data: dict[str, object] = {
        "id": meeting_id,
        "format": "online",
        "zone": "Europe/Brussels",
        "start": local.isoformat(),
        "end": (local + timedelta(hours=3)).isoformat(),
        "join_link": f"https://meet.example.org/{meeting_id.lower()}",
    }
    return MeetingDefinition.model_validate(data | fields)


async def cli(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


def _monday_in(days: int) -> datetime:
    day = (datetime.now(UTC) + timedelta(days=days)).date()
    day += timedelta(days=(7 - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, 10, 0)


async def test_interregional_heads_meeting_planned_invited_and_held(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env, store = skipping_env, _store(tmp_path)
    m = _online(
        unique_id("HRS-10"),
        _monday_in(21),
        region="INT",
        kind="heads",
        series="HRS",
        number=10,
        title="10th Meeting of the Heads of the Regional Secretariats",
        organiser={"name": "Coordination of the EU CBRN CoE Initiative",
                   "email": "coordination@example.org"},
        host={"name": "United Nations Interregional Crime and Justice Research Institute",
              "organisation": "UNICRI"},
        organisations=HEADS,
    )  # fmt: skip
    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            handle = await plan(env.client, m, queue)
            status = await invited(handle)
            people = {p.participant_id for p in status.participants}
            for pid in people:
                await commands.rsvp(env.client, store, m.id, RsvpCommand(
                    participant_id=pid, attendance=Attendance.ONLINE,
                    actor=Actor(id=pid, channel=Channel.LINK)))  # fmt: skip
            await advance_to(env, m.start_utc() + timedelta(minutes=10))
            held = await commands.status(env.client, m.id)
            for pid in sorted(people)[:5]:
                await commands.join_online(env.client, store, m.id, JoinCommand(
                    participant_id=pid, actor=Actor(id=pid, channel=Channel.LINK)))  # fmt: skip
            await advance_to(env, m.end_utc() + timedelta(minutes=10))
            await commands.record_minutes(env.client, store, m.id, MinutesCommand(
                markdown="# Interregional Roadmap\nPresented and discussed.",
                actor=COORDINATION))  # fmt: skip
            final = await commands.status(env.client, m.id)
            register = await commands.attendance(env.client, m.id)
        invitations = [c for c in catcher.caught if c.message()["X-RTM-Participant"]]

    directory = {p.id: p for p in store.participants()}
    organisations = {o.code: o for o in store.organisations()}
    regions = {organisations[directory[pid].organisation or ""].region for pid in people}
    assert {"INT", "CA", "GCC", "SEEE", "SEA"} <= regions, "people from several regions"
    assert status.count(InvitationStatus.SENT) == len(people) >= 8
    assert len(invitations) == len(people)
    assert {c.rcpt_tos[0] for c in invitations} == {directory[p].email for p in people}
    sender = {str(c.message()["From"]) for c in invitations}
    assert sender == {"Coordination of the EU CBRN CoE Initiative <coordination@example.org>"}
    assert held.phase is Phase.HELD
    assert final.phase is Phase.CLOSED and final.minutes_recorded  # no action: done
    assert final.answers.by_mode == {"online": len(people)}
    assert len(register.presences) == 5
    assert final.meeting.host is not None and final.meeting.host.organisation == "UNICRI"
    assert store.meeting_region(m.id) == "INT"


async def test_a_technical_round_tables_project_proposal_reaches_the_next_rtms(
    skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, store = skipping_env, _store(tmp_path)
    trt = _online(
        unique_id("TRT-BIO-CA-2"),
        _monday_in(14),
        region="CA",
        kind="technical",
        series="TRT-BIO-CA",
        number=2,
        title="2nd Technical Round Table on Bio-safety and Bio-security for Central Asia",
        organiser={"name": "Coordination of the EU CBRN CoE Initiative",
                   "email": "coordination@example.org"},
        countries=["KG", "TJ", "UZ"],
        organisations=["JRC", "UNICRI"],
    )  # fmt: skip

    def rtm(number: int, start: datetime) -> MeetingDefinition:
        return _online(
            unique_id(f"RTM-CA-{number}"),
            start,
            region="CA",
            number=number,
            title=f"{number}th Round-Table Meeting of National Focal Points for Central Asia",
            organiser={"name": "CBRN CoE Regional Secretariat for Central Asia",
                       "email": "secretariat.ca@example.org"},
            countries=["KZ", "KG", "MN", "PK", "TJ", "UZ"],
        )  # fmt: skip

    monkeypatch.setenv("DATABASE_URL", store.url)
    monkeypatch.setenv("RTM_USER", "ca-sec-head")
    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            await invited(await plan(env.client, trt, queue))
            await advance_to(env, trt.end_utc() + timedelta(hours=1))
            title = "Regional project on bio-safety and bio-security"
            added = await cli("ideas", "add", "--region", "CA", "--from", trt.id, "--by", "KG",
                              "--title", title)  # fmt: skip
            assert added == 0
            nowhere = await cli("ideas", "add", "--region", "CA", "--from", "NO-SUCH-1",
                                "--title", "From nowhere")  # fmt: skip
            assert nowhere == 2
            first = rtm(16, _monday_in(60))
            await invited(await plan(env.client, first, queue))
            first_agenda = await commands.agenda(env.client, first.id)
            outcome = await cli("ideas", "decide", "PI-CA-1", "--status", "accepted",
                                "--at", first.id, "--note", "becomes a project")  # fmt: skip
            assert outcome == 0
            second = rtm(17, _monday_in(240))
            await invited(await plan(env.client, second, queue))
            second_agenda = await commands.agenda(env.client, second.id)

    def review(agenda: AgendaView) -> list[str]:
        return [d for i in agenda.items if i.kind is ItemKind.PROJECT_REVIEW for d in i.details]

    assert review(first_agenda) == [
        f"PI-CA-1: Regional project on bio-safety and bio-security (from {trt.id}), "
        "proposed by KG - to be decided"
    ]
    assert review(second_agenda) == [], "a decided idea is not carried further"
    decided = store.idea("PI-CA-1")
    assert decided is not None and decided.status.value == "accepted"
    assert decided.decided_in == first.id and decided.decided_by == "ca-sec-head"
    assert [i.title for i in store.ideas("CA")] == [
        "Regional project on bio-safety and bio-security"
    ]
    assert [a.action for a in store.audit(trt.id)][-1] == "idea.recorded"
    assert os.environ["RTM_USER"] == "ca-sec-head"


async def test_reminders_go_out_on_each_recipients_working_day(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """A Gulf meeting on a Monday with a chaser three days before: Friday is the weekend in
    Saudi Arabia (the chaser goes out on Thursday), a working day in the UAE since 2022."""
    env, store = skipping_env, _store(tmp_path)
    start = _monday_in(21)
    m = _online(
        unique_id("RTM-GCC-14"), start, region="GCC", number=14,
        title="14th Round-Table Meeting of National Focal Points for the GCC Countries",
        organiser={"name": "CBRN CoE Regional Secretariat for the GCC Countries",
                   "email": "secretariat.gcc@example.org"},
        participants=["sa-nfp", "ae-nfp", "kw-nfp"],
        reminders={"chaser_days": [3], "pre_meeting_days": [], "escalation_days": None,
                   "agenda_days": None},
    )  # fmt: skip
    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            await invited(await plan(env.client, m, queue))
            await advance_to(env, m.start_utc())
        chasers = {
            c.rcpt_tos[0]: datetime.fromisoformat(str(c.message()["X-RTM-Scheduled"]))
            for c in catcher.caught
            if c.message()["X-RTM-Reminder"] == "chaser"
        }
    people = {p.id: p for p in store.participants()}
    countries = {c.code: c for c in store.countries()}
    assert len(chasers) == 3
    friday = start.date() - timedelta(days=3)
    for pid in ("sa-nfp", "ae-nfp", "kw-nfp"):
        p = people[pid]
        local = chasers[p.email].astimezone(ZoneInfo(p.zone))
        calendar = resolve(countries[p.country or ""], friday - timedelta(days=10), friday)
        assert (local.hour, local.minute) == (10, 0), pid
        assert calendar.works(local.date()), (pid, local)
        assert all(not calendar.works(friday - timedelta(days=k))
                   for k in range((friday - local.date()).days)), pid  # fmt: skip
        assert local.date() <= friday
    sa = chasers[people["sa-nfp"].email].astimezone(ZoneInfo("Asia/Riyadh"))
    assert sa.weekday() not in (4, 5), "never on the Saudi weekend"
    ae = resolve(countries["AE"], friday, friday)
    if ae.works(friday):
        assert chasers[people["ae-nfp"].email].astimezone(ZoneInfo("Asia/Dubai")).date() == friday
