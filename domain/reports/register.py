"""The attendance register as filed: per meeting day and mode, by country and
organisation, with each presence listed; and the desk's list of expected participants."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from domain.agenda.slotting import meeting_days
from domain.attendance.register import Mode, Presence
from domain.directory.models import Participant
from domain.registration.answers import Attendance
from domain.reports.facts import MeetingFacts
from domain.reports.tables import Cell, Table

Gettext = Callable[[str], str]
MODES = (Mode.IN_PERSON, Mode.ONLINE)
REGISTERED = (Attendance.IN_PERSON, Attendance.ONLINE, Attendance.TENTATIVE)


def _affiliation(p: Participant, facts: MeetingFacts) -> tuple[str, str, str]:
    """(kind, code, name) of a participant's country or organisation."""
    if p.country:
        return "country", p.country, facts.countries.get(p.country, p.country)
    code = p.organisation or ""
    return "organisation", code, facts.organisations.get(code, code)


def days_of(facts: MeetingFacts) -> list[date]:
    return meeting_days(facts.meeting.start, facts.meeting.end)


def _counted_modes(presences: list[Presence]) -> dict[str, Mode]:
    """A participant counted once over the meeting: in person if ever in the room."""
    modes: dict[str, Mode] = {}
    for p in sorted(presences, key=lambda p: (p.day, p.participant_id)):
        if modes.get(p.participant_id) is not Mode.IN_PERSON:
            modes[p.participant_id] = p.mode
    return modes


def summary_table(facts: MeetingFacts, _: Gettext) -> Table:
    """Rows: countries, then organisations, then the total; columns: each day's count per
    mode, then participants counted once (in person, online, all)."""
    people = {p.id: p for p in facts.participants}
    days = days_of(facts)
    groups: dict[tuple[str, str, str], list[Presence]] = {}
    for presence in facts.presences:
        person = people.get(presence.participant_id)
        if person is not None:
            groups.setdefault(_affiliation(person, facts), []).append(presence)

    def line(kind: str, code: str, name: str, presences: list[Presence]) -> list[Cell]:
        cells: list[Cell] = [kind, code, _(name)]
        for day in days:
            for mode in MODES:
                cells.append(sum(1 for p in presences if p.day == day and p.mode is mode))
        once = _counted_modes(presences)
        cells += [
            sum(1 for m in once.values() if m is Mode.IN_PERSON),
            sum(1 for m in once.values() if m is Mode.ONLINE),
            len(once),
        ]
        return cells

    country_order = list(dict.fromkeys([*facts.meeting.countries, *facts.countries]))
    org_order = list(dict.fromkeys([*facts.meeting.organisations, *facts.organisations]))

    def order(key: tuple[str, str, str]) -> tuple[int, int]:
        kind, code, _name = key
        if kind == "country":
            return 0, country_order.index(code) if code in country_order else len(country_order)
        return 1, org_order.index(code) if code in org_order else len(org_order)

    rows = [line(*key, groups[key]) for key in sorted(groups, key=order)]
    rows.append(line("total", "", _("Total"), [p for g in groups.values() for p in g]))
    header = [_("kind"), _("code"), _("name")]
    for day in days:
        for mode in MODES:
            header.append(f"{day.isoformat()} {_(mode.value)}")
    header += [_("participants in person"), _("participants online"), _("participants")]
    return Table(name=_("Register"), header=header, rows=rows)


def presence_table(facts: MeetingFacts, _: Gettext) -> Table:
    """Every presence: who, from where, which day, how, when and by whom recorded."""
    people = {p.id: p for p in facts.participants}
    rows: list[list[Cell]] = []
    for p in sorted(facts.presences, key=lambda p: (p.day, p.participant_id)):
        person = people.get(p.participant_id)
        kind, code, name = _affiliation(person, facts) if person else ("", "", "")
        rows.append([
            p.day, p.participant_id, person.name if person else "", person.role.value if person
            else "", kind, code, _(name), _(p.mode.value), p.at, p.actor.id,
        ])  # fmt: skip
    header = [_("day"), _("participant"), _("name"), _("role"), _("kind"), _("code"),
              _("affiliation"), _("mode"), _("recorded at"), _("recorded by")]  # fmt: skip
    return Table(name=_("Presences"), header=header, rows=rows)


def desk_rows(facts: MeetingFacts, _: Gettext) -> tuple[list[str], list[list[str]]]:
    """The desk's list: everyone registered (in person, online or tentative) or already
    counted, by country or organisation and name, their answer, and a mark per day they
    are counted."""
    days = days_of(facts)
    seen = {(p.participant_id, p.day): p.mode for p in facts.presences}
    counted = {p.participant_id for p in facts.presences}
    people = [p for p in facts.participants
              if facts.answers.get(p.id) in REGISTERED or p.id in counted]  # fmt: skip
    people.sort(key=lambda p: (_(_affiliation(p, facts)[2]), p.name))
    header = ["#", _("full name"), _("country or organisation"), _("answer")]
    header += [f"{day:%d.%m}" for day in days]
    rows = []
    for n, p in enumerate(people, start=1):
        answer = facts.answers.get(p.id)
        marks = []
        for day in days:
            mode = seen.get((p.id, day))
            marks.append("" if mode is None else "✓ " + _(mode.value))
        rows.append([str(n), p.name, _(_affiliation(p, facts)[2]),
                     _(answer.value) if answer else "—", *marks])  # fmt: skip
    return header, rows
