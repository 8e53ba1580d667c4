"""The meeting report drafted from what the engine recorded, in the shape of the
secretariat's press releases: dates and place, format, who came from where, who opened
the meeting, the topics by agenda section, and the follow-up actions agreed."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from domain.agenda.template import ItemKind
from domain.attendance.register import Mode
from domain.common.base import Frozen
from domain.directory.models import Participant, Role
from domain.followup.actions import ActionStatus
from domain.meeting.definition import MeetingFormat, MeetingKind
from domain.registration.answers import Attendance
from domain.reports.facts import MeetingFacts
from domain.reports.history import PastMeeting

_DELEGATION_PREFIXES = ("EUDEL", "Delegation of the European Union")
EU_DELEGATIONS = "EU Delegations in the region"


class Basis(StrEnum):
    """Whom the report counts: who attended (the register), or before the meeting was
    held, who accepted."""

    REGISTER = "register"
    ANSWERS = "answers"
    PUBLISHED = "published"


class ReportAction(Frozen):
    id: str
    what: str
    owner: str
    due: date
    done: bool


class OrgName(Frozen):
    """An organisation as a release names it: the name, and its acronym after it."""

    name: str
    acronym: str | None = None


class OpenedBy(Frozen):
    name: str
    affiliation: str | None = None


class MeetingReport(Frozen):
    meeting_id: str
    title: str
    kind: MeetingKind
    number: int | None
    region_name: str
    format: MeetingFormat
    start: date
    end: date
    city: str | None
    venue_country: str | None
    host: str | None = Field(default=None, description="who hosted it, if not the organiser")
    basis: Basis
    participants: int
    published_more_than: bool = Field(
        default=False, description="a past meeting's count as published: 'more than N'"
    )
    in_person: int
    online: int
    nfp_countries: list[str] = Field(description="official names, the meeting's order")
    organisations: list[OrgName] = Field(description="as a release names them")
    opened_by: OpenedBy | None
    national_updates: list[str] = Field(description="countries that gave a national update")
    project_reviews: list[str]
    action_plan: list[str]
    other_topics: list[str]
    actions: list[ReportAction]


def _counted(facts: MeetingFacts) -> tuple[Basis, dict[str, Mode]]:
    """Each counted participant's mode: in person if ever in the room (the register), else
    the accepted answer when nothing is registered yet."""
    if facts.presences:
        modes: dict[str, Mode] = {}
        for p in facts.presences:
            if modes.get(p.participant_id) is not Mode.IN_PERSON:
                modes[p.participant_id] = p.mode
        return Basis.REGISTER, modes
    accepted = {Attendance.IN_PERSON: Mode.IN_PERSON, Attendance.ONLINE: Mode.ONLINE}
    return Basis.ANSWERS, {pid: accepted[a] for pid, a in facts.answers.items() if a in accepted}


def _ordered_codes(listed: list[str], present: set[str], directory: list[str]) -> list[str]:
    """The meeting's own order first, then the directory's, of the codes present."""
    return [c for c in dict.fromkeys([*listed, *directory]) if c in present]


def organisation_names(codes: list[str], names: dict[str, str]) -> list[OrgName]:
    """Names as a release lists them: acronyms after the name ("... Centre (JRC)"), the EU
    Delegations together as one entry where more than one came."""
    delegations = [c for c in codes if c.startswith(_DELEGATION_PREFIXES)
                   or names.get(c, "").startswith(_DELEGATION_PREFIXES)]  # fmt: skip
    shown: list[OrgName] = []
    grouped = OrgName(name=EU_DELEGATIONS)
    for code in codes:
        name = names.get(code, code)
        if code in delegations and len(delegations) > 1:
            if grouped not in shown:
                shown.append(grouped)
            continue
        acronym = code.isalpha() and code.isupper() and code not in name
        shown.append(OrgName(name=name, acronym=code if acronym else None))
    return shown


def _opened_by(facts: MeetingFacts, people: dict[str, Participant]) -> OpenedBy | None:
    opening = next((i for i in facts.agenda if i.kind is ItemKind.OPENING), None)
    if opening is None or not opening.presenter:
        return None
    person = next(
        (p for p in people.values() if opening.presenter in (p.name, p.id)),
        None,
    )
    if person is None:
        return OpenedBy(name=opening.presenter)
    if person.organisation:
        where = facts.organisations.get(person.organisation, person.organisation)
    else:
        where = facts.countries.get(person.country or "", person.country or "")
    return OpenedBy(name=person.name, affiliation=where or None)


def _titles(facts: MeetingFacts, kind: ItemKind) -> list[str]:
    return [i.project or i.title for i in facts.agenda if i.kind is kind]


def draft(facts: MeetingFacts) -> MeetingReport:
    """The report of `facts`' meeting; language comes later, in the templates."""
    m = facts.meeting
    people = {p.id: p for p in facts.participants}
    basis, modes = _counted(facts)
    counted = [people[pid] for pid in modes if pid in people]
    nfp = {p.country for p in counted if p.country and p.role in (Role.NFP, Role.DEPUTY_NFP)}
    country_codes = _ordered_codes(m.countries, nfp, list(facts.countries))
    orgs = {
        p.organisation
        for p in counted
        if p.organisation
        and p.role is not Role.SECRETARIAT
        and p.organisation in facts.organisations
    }
    org_codes = _ordered_codes(m.organisations, orgs, list(facts.organisations))
    national = [
        facts.countries.get(i.country, i.country)
        for i in facts.agenda
        if i.kind is ItemKind.NATIONAL_UPDATE and i.country
    ]
    return MeetingReport(
        meeting_id=m.id,
        title=m.title,
        kind=m.kind,
        number=m.number,
        region_name=facts.region_name,
        format=m.format,
        start=m.start.date(),
        end=m.end.date(),
        city=m.venue.city if m.venue else None,
        venue_country=m.venue.country if m.venue else None,
        host=m.host_name,
        basis=basis,
        participants=len(modes),
        in_person=sum(1 for v in modes.values() if v is Mode.IN_PERSON),
        online=sum(1 for v in modes.values() if v is Mode.ONLINE),
        nfp_countries=[facts.countries[c] for c in country_codes],
        organisations=organisation_names(org_codes, facts.organisations),
        opened_by=_opened_by(facts, people),
        national_updates=list(dict.fromkeys(national)),
        project_reviews=_titles(facts, ItemKind.PROJECT_REVIEW),
        action_plan=_titles(facts, ItemKind.ACTION_PLAN),
        other_topics=_titles(facts, ItemKind.OTHER),
        actions=[
            ReportAction(
                id=a.id,
                what=a.what,
                owner=a.owner.name or _owner_name(facts, a.owner.kind.value, a.owner.code),
                due=a.due,
                done=a.status is ActionStatus.DONE,
            )
            for a in facts.actions
        ],
    )


def _owner_name(facts: MeetingFacts, kind: str, code: str) -> str:
    if kind == "country":
        return facts.countries.get(code, code)
    if kind == "organisation":
        return facts.organisations.get(code, code)
    return next((p.name for p in facts.participants if p.id == code), code)


def draft_past(
    past: PastMeeting, region_name: str, countries: dict[str, str], organisations: dict[str, str]
) -> MeetingReport:
    """The report of a meeting loaded from history: its published counts, countries and
    organisations (no agenda or actions were recorded for it)."""
    return MeetingReport(
        meeting_id=past.id,
        title=past.title,
        kind=past.kind,
        number=past.number,
        region_name=region_name,
        format=past.format,
        start=past.start,
        end=past.end,
        city=past.city,
        venue_country=past.country,
        basis=Basis.PUBLISHED,
        participants=past.participants,
        published_more_than=past.more_than,
        in_person=0,
        online=0,
        nfp_countries=[countries.get(c, c) for c in past.countries],
        organisations=organisation_names(past.organisations, organisations),
        opened_by=None,
        national_updates=[],
        project_reviews=[],
        action_plan=[],
        other_topics=[],
        actions=[],
    )
