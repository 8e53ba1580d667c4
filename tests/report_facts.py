"""A meeting recorded like the 15th RTM (Dubai, 21-22 March 2022, hybrid, six partner
countries, ISTC, the EU Delegations, JRC and UNICRI), as the reports' adapter gathers it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from domain.agenda.items import AgendaItem
from domain.agenda.template import ItemKind, ItemStatus
from domain.attendance.register import Mode, Presence
from domain.common.contracts import Phase
from domain.followup.actions import ActionItem, Owner, OwnerKind
from domain.registration.answers import Actor, Attendance, Channel
from domain.reports.facts import MeetingFacts
from tests.factories import SIX_PARTNERS, central_asia, meeting

RELEASE = Path(__file__).parent / "data" / "rtm15-press-release.txt"
ORGANISATIONS = ["ISTC", "EUDEL-KZ", "EUDEL-UZ", "JRC", "UNICRI"]
DAYS = [date(2022, 3, 21), date(2022, 3, 22)]
DESK = Actor(id="registration-desk", channel=Channel.LINK)
ONLINE = {"pk-nfp", "tj-deputy", "unicri-obs", "eudel-uz-obs"}
ONLY_FIRST_DAY = {"kg-deputy", "mn-deputy"}
DECLINED = {"uz-deputy"}


def release_names() -> tuple[list[str], list[str]]:
    """The countries and organisations as the press release lists them."""
    text = " ".join(RELEASE.read_text(encoding="utf-8").split())
    found = re.search(r"These included: (.*?), as well as representatives of (.*?) and other", text)
    assert found, "the release's list of participants"
    countries = re.split(r", | and ", found.group(1))
    organisations = re.split(r", | and ", found.group(2))
    return countries, organisations


def rtm15_facts(presences: bool = True) -> MeetingFacts:
    d = central_asia()
    m = meeting(
        id="RTM-CA-15",
        number=15,
        title="15th Round-Table Meeting of National Focal Points for Central Asia",
        start="2022-03-21T09:00:00",
        end="2022-03-22T17:30:00",
        organisations=ORGANISATIONS,
    )
    people = [
        p
        for p in d.participants
        if p.country in SIX_PARTNERS or p.organisation in ORGANISATIONS or p.id == "ca-sec-head"
    ]
    answers = {
        p.id: Attendance.DECLINE
        if p.id in DECLINED
        else Attendance.ONLINE
        if p.id in ONLINE
        else Attendance.IN_PERSON
        for p in people
    }
    register = []
    for day in DAYS:
        for p in people:
            if answers[p.id] is Attendance.DECLINE or (day != DAYS[0] and p.id in ONLY_FIRST_DAY):
                continue
            mode = Mode.ONLINE if p.id in ONLINE else Mode.IN_PERSON
            at = datetime(day.year, day.month, day.day, 5, 0, tzinfo=UTC)
            register.append(Presence(participant_id=p.id, day=day, mode=mode, at=at, actor=DESK))
    agenda = [
        AgendaItem(id="S1", title="Opening and welcome", kind=ItemKind.OPENING, minutes=30,
                   status=ItemStatus.STANDING, presenter="Dilnoza Rakhimova"),
        *[
            AgendaItem(id=f"S{i + 2}", title=f"National update: {c}", kind=ItemKind.NATIONAL_UPDATE,
                       minutes=20, status=ItemStatus.STANDING, country=c)
            for i, c in enumerate(SIX_PARTNERS)
        ],
        AgendaItem(id="P1", title="Project 65 CABICHEM: outcomes and lessons learnt",
                   kind=ItemKind.PROJECT_REVIEW, minutes=30, status=ItemStatus.ACCEPTED),
        AgendaItem(id="P2", title="Project 87 PRECA", kind=ItemKind.PROJECT_REVIEW, minutes=30,
                   status=ItemStatus.ACCEPTED,
                   project="Preparedness and Response for Mass Gatherings (PRECA)"),
        AgendaItem(id="P3", title="Status of the NAQ and NAP workshops", kind=ItemKind.ACTION_PLAN,
                   minutes=30, status=ItemStatus.ACCEPTED),
    ]  # fmt: skip
    actions = [
        ActionItem(id="A1", meeting_id=m.id, meeting_title=m.title, region="CA", number=15,
                   what="Share the PRECA exercise schedule",
                   owner=Owner(kind=OwnerKind.COUNTRY, code="KZ", name="Republic of Kazakhstan"),
                   owner_country="KZ", due=date(2022, 5, 31), zone="Asia/Dubai"),
        ActionItem(id="A2", meeting_id=m.id, meeting_title=m.title, region="CA", number=15,
                   what="Circulate the NAQ template", owner=Owner(kind=OwnerKind.ORGANISATION,
                   code="JRC"), due=date(2022, 4, 30), zone="Asia/Dubai"),
    ]  # fmt: skip
    return MeetingFacts(
        meeting=m,
        phase=Phase.FOLLOW_UP,
        region_name="Central Asia",
        countries={c.code: c.name for c in d.countries},
        organisations={o.code: o.name for o in d.organisations},
        participants=people,
        answers=answers,
        presences=register if presences else [],
        agenda=agenda,
        actions=actions,
    )


def counted_once() -> dict[str, Mode]:
    """Who the register counts, and how, worked out independently of the reports code."""
    facts = rtm15_facts()
    modes: dict[str, Mode] = {}
    for p in facts.presences:
        modes.setdefault(p.participant_id, p.mode)
    return modes
