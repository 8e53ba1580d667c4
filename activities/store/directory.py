"""The participant directory: regions, countries, organisations and people."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, and_, func, or_
from sqlmodel import Field, SQLModel, col, select

from activities.store.engine import StoreBase
from activities.store.series import merge_series
from domain.common.refusals import Refusal, several
from domain.directory.models import (
    Country,
    Directory,
    Organisation,
    Participant,
    Region,
    preferred_languages,
    unknown_country,
    unknown_organisation,
)

IN_SQL = 500  # named ids up to which the database picks a page (below every driver's limit)


class RegionRow(SQLModel, table=True):
    __tablename__ = "region"
    code: str = Field(primary_key=True)
    name: str
    secretariat_city: str
    secretariat_email: str
    zone: str
    seat_country: str | None = None
    coordination: bool = False
    last_rtm_number: int = 0
    reminders: str = "{}"
    agenda_template: str = "null"


class CountryRow(SQLModel, table=True):
    __tablename__ = "country"
    code: str = Field(primary_key=True)
    name: str
    region: str = Field(foreign_key="region.code", index=True)
    calendar: str = Field(default="{}", description="weekend and holiday overrides (JSON)")


class OrganisationRow(SQLModel, table=True):
    __tablename__ = "organisation"
    code: str = Field(primary_key=True)
    name: str
    country: str | None = None
    region: str | None = Field(default=None, index=True)


class ParticipantRow(SQLModel, table=True):
    __tablename__ = "participant"
    id: str = Field(primary_key=True)
    name: str
    email: str = Field(index=True)
    role: str
    country: str | None = Field(default=None, foreign_key="country.code", index=True)
    organisation: str | None = Field(default=None, foreign_key="organisation.code", index=True)
    language: str = "en"  # the ordered languages, comma-separated ("uz,ru,en")
    zone: str = "UTC"
    position: int = 0
    active: bool = True  # False: deactivated; no sign-in, left out of every new invitation


class DirectoryStore(StoreBase):
    """Loading the directory and answering who is who."""

    def load_directory(self, directory: Directory) -> dict[str, int]:
        """Insert or update every entry of `directory` in one transaction; returns counts."""
        problems = self.directory_problems(directory)
        if problems:
            raise ValueError(several(problems))
        with self.session() as s:
            for r in directory.regions:
                data = r.model_dump(exclude={"reminders", "agenda_template"})
                stored = s.get(RegionRow, r.code)
                if stored is not None:  # a reload never hands out an RTM number again
                    data["last_rtm_number"] = max(stored.last_rtm_number, r.last_rtm_number)
                template = json.dumps([t.model_dump(mode="json") for t in r.agenda_template])
                s.merge(
                    RegionRow(
                        **data, reminders=r.reminders.model_dump_json(), agenda_template=template
                    )
                )
            for c in directory.countries:
                s.merge(_country_row(c))
            for o in directory.organisations:
                s.merge(OrganisationRow(**o.model_dump()))
            merge_series(s, directory.series)
            s.flush()
            # keep everyone's place and state; newcomers go to the end, in file order, active
            known = select(ParticipantRow.id, ParticipantRow.position, ParticipantRow.active)
            positions: dict[str, int] = {}
            active: dict[str, bool] = {}
            for pid, at, on in s.exec(known):
                positions[pid], active[pid] = at, on
            next_position = max(positions.values(), default=-1) + 1
            for p in directory.participants:
                position = positions.get(p.id)
                if position is None:
                    position, next_position = next_position, next_position + 1
                row = p.model_dump(mode="json", exclude={"languages"})
                row["language"] = ",".join(p.languages)  # in order, e.g. "uz,ru,en"
                s.merge(ParticipantRow(**row, position=position, active=active.get(p.id, True)))
            s.commit()
        counts = {
            "regions": len(directory.regions),
            "countries": len(directory.countries),
            "organisations": len(directory.organisations),
            "participants": len(directory.participants),
        }
        return counts | ({"series": len(directory.series)} if directory.series else {})

    def directory_problems(self, directory: Directory) -> list[str]:
        """References in `directory` to entries that neither it nor the database has."""
        with self.session() as s:
            regions = {r.code for r in directory.regions} | set(s.exec(select(RegionRow.code)))
            countries = {c.code for c in directory.countries} | set(s.exec(select(CountryRow.code)))
            orgs = {o.code for o in directory.organisations} | set(
                s.exec(select(OrganisationRow.code))
            )
            incoming = {p.id for p in directory.participants}
            taken = {
                row.email.lower(): row.id
                for row in s.exec(select(ParticipantRow))
                if row.id not in incoming  # a mailbox may change hands within one file
            }
        problems: list[str] = [
            Refusal("directory.country_region", code=c.code, region=repr(c.region))
            for c in directory.countries
            if c.region not in regions
        ]
        for p in directory.participants:
            if p.country is not None and p.country not in countries:
                problems.append(unknown_country(p))
            if p.organisation is not None and p.organisation not in orgs:
                problems.append(unknown_organisation(p))
            owner = taken.get(p.email.lower())
            if owner is not None and owner != p.id:
                taken_by = Refusal("directory.email_taken", id=p.id, email=p.email, owner=owner)
                problems.append(taken_by)
        return problems

    def regions(self) -> list[Region]:
        with self.session() as s:
            return [_region(r) for r in s.exec(select(RegionRow).order_by(col(RegionRow.code)))]

    def region(self, code: str) -> Region | None:
        with self.session() as s:
            row = s.get(RegionRow, code)
            return None if row is None else _region(row)

    def countries(self, region: str | None = None) -> list[Country]:
        with self.session() as s:
            q = select(CountryRow).order_by(col(CountryRow.code))
            if region is not None:
                q = q.where(CountryRow.region == region)
            return [_country(r) for r in s.exec(q)]

    def organisations(self) -> list[Organisation]:
        with self.session() as s:
            q = select(OrganisationRow).order_by(col(OrganisationRow.code))
            return [Organisation.model_validate(r.model_dump()) for r in s.exec(q)]

    def participants(self) -> list[Participant]:
        with self.session() as s:
            q = select(ParticipantRow).order_by(
                col(ParticipantRow.position), col(ParticipantRow.id)
            )
            return [_participant(r) for r in s.exec(q)]

    def languages_of(self, participant_id: str) -> list[str]:
        """A person's ordered languages ([] when the directory has nobody of that id): a
        page their personal link opens is written in them, whatever the browser says."""
        with self.session() as s:
            row = s.get(ParticipantRow, participant_id)
            return list(_participant(row).languages) if row is not None else []

    def languages_by_id(self, ids: list[str]) -> dict[str, list[str]]:
        """The ordered languages of each of `ids` the directory has: a meeting's mail is
        written in what the directory says when it is sent, not when the person was invited."""
        found: dict[str, list[str]] = {}
        with self.session() as s:
            for start in range(0, len(ids), 500):  # below every driver's parameter limit
                chunk = ids[start : start + 500]
                q = select(ParticipantRow.id, ParticipantRow.language).where(
                    col(ParticipantRow.id).in_(chunk)
                )
                found.update({pid: list(_languages(text)) for pid, text in s.exec(q)})
        return found

    def inactive(self) -> set[str]:
        """The ids of everyone deactivated."""
        with self.session() as s:
            q = select(ParticipantRow.id).where(col(ParticipantRow.active).is_(False))
            return set(s.exec(q))

    def set_active(self, participant_id: str, active: bool) -> bool:
        """Deactivate or reactivate someone; False when the directory has no such person."""
        with self.session() as s:
            row = s.get(ParticipantRow, participant_id)
            if row is None:
                return False
            row.active = active
            s.add(row)
            s.commit()
            return True

    def resolve_participants(
        self,
        ids: Iterable[str],
        countries: Iterable[str],
        organisations: Iterable[str],
        include_inactive: bool = False,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[list[Participant], list[str]]:
        """Everyone named by id, country or organisation, once, in directory order; and
        problems (`resolve_page`, without the count)."""
        chosen, problems, _ = self.resolve_page(
            ids, countries, organisations, include_inactive, offset, limit
        )
        return chosen, problems

    def resolve_page(
        self,
        ids: Iterable[str],
        countries: Iterable[str],
        organisations: Iterable[str],
        include_inactive: bool = False,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[list[Participant], list[str], int]:
        """Everyone named by id, country or organisation, once, in directory order; the
        problems; and how many are chosen in all (the pages a meeting's load needs).

        The deactivated are left out (a new invitation never reaches them) unless
        `include_inactive`: a continued run reloads the people it already invited. With
        `limit`, one page of them from `offset` (a meeting of 10,000 loads in pages): the
        database picks it when few ids are named; else who is chosen is read as ids alone,
        and only the page's people are read whole."""
        ids, countries, organisations = list(ids), list(countries), list(organisations)
        if len(ids) <= IN_SQL:
            return self._chosen_in_sql(ids, countries, organisations, include_inactive,
                                       offset, limit)  # fmt: skip
        wanted, in_countries, in_orgs = set(ids), set(countries), set(organisations)
        order = (col(ParticipantRow.position), col(ParticipantRow.id))
        with self.session() as s:
            q = select(
                ParticipantRow.id,
                ParticipantRow.country,
                ParticipantRow.organisation,
                ParticipantRow.active,
            ).order_by(*order)
            everyone = list(s.exec(q))
        known_ids = {row[0] for row in everyone}
        known_countries = {c.code for c in self.countries()}
        known_orgs = {o.code for o in self.organisations()}
        problems = _unknown(ids, known_ids, countries, known_countries, organisations, known_orgs)
        chosen = [
            pid
            for pid, country, organisation, active in everyone
            if (pid in wanted or country in in_countries or organisation in in_orgs)
            and (active or include_inactive)
        ]
        total = len(chosen)
        if limit is not None:
            chosen = chosen[offset : offset + limit]
        return self._participants_by_id(chosen), problems, total

    def _chosen_in_sql(
        self,
        ids: list[str],
        countries: list[str],
        organisations: list[str],
        include_inactive: bool,
        offset: int,
        limit: int | None,
    ) -> tuple[list[Participant], list[str], int]:
        """`resolve_page` for a few named ids: the database picks the page, so a
        page costs its own rows, not a read of the whole directory (20 of them at 10,000)."""
        table = ParticipantRow.__table__  # type: ignore[attr-defined]
        chosen = or_(
            table.c.id.in_(ids), table.c.country.in_(countries),
            table.c.organisation.in_(organisations),
        )  # fmt: skip
        if not include_inactive:
            chosen = and_(chosen, table.c.active)
        q = select(table).where(chosen).order_by(table.c.position, table.c.id)
        if limit is not None:
            q = q.offset(offset).limit(limit)
        with self.session() as s:
            conn = s.connection()
            rows = list(conn.execute(q))
            known_ids = set(conn.scalars(select(table.c.id).where(table.c.id.in_(ids))))
            total = len(rows) if limit is None else conn.scalar(
                select(func.count()).select_from(table).where(chosen)
            )  # fmt: skip
        problems = _unknown(
            ids, known_ids, countries, {c.code for c in self.countries()},
            organisations, {o.code for o in self.organisations()},
        )  # fmt: skip
        return [_participant(r) for r in rows], problems, total or 0

    def _participants_by_id(self, ids: list[str]) -> list[Participant]:
        """The people of `ids`, whole, in the order given."""
        found: dict[str, Participant] = {}
        with self.session() as s:
            for start in range(0, len(ids), 500):  # below every driver's parameter limit
                chunk = ids[start : start + 500]
                q = select(ParticipantRow).where(col(ParticipantRow.id).in_(chunk))
                found.update({r.id: _participant(r) for r in s.exec(q)})
        return [found[i] for i in ids]


def _region(row: RegionRow) -> Region:
    data = row.model_dump(exclude={"reminders", "agenda_template"})
    data["reminders"] = json.loads(row.reminders or "{}")
    template = json.loads(row.agenda_template or "null")
    if template is not None:
        data["agenda_template"] = template
    return Region.model_validate(data)


_CALENDAR_FIELDS = {"weekend", "public_holidays", "holidays", "working_days"}


def _country_row(country: Country) -> CountryRow:
    calendar = country.model_dump(mode="json", include=_CALENDAR_FIELDS, exclude_defaults=True)
    return CountryRow(
        code=country.code, name=country.name, region=country.region, calendar=json.dumps(calendar)
    )


def _country(row: CountryRow) -> Country:
    return Country.model_validate(
        {"code": row.code, "name": row.name, "region": row.region} | json.loads(row.calendar)
    )


_FIELDS = ("id", "name", "email", "role", "country", "organisation", "language", "zone")


def _unknown(
    ids: list[str],
    known_ids: set[str],
    countries: list[str],
    known_countries: set[str],
    organisations: list[str],
    known_orgs: set[str],
) -> list[str]:
    """The refusals for every named id, country or organisation the directory lacks."""
    problems: list[str] = [
        Refusal("input.unknown_participant", field="participants", participant=repr(i))
        for i in ids
        if i not in known_ids
    ]
    problems += [
        Refusal("input.unknown_country", field="countries", country=repr(c))
        for c in countries
        if c not in known_countries
    ]
    problems += [
        Refusal("input.unknown_organisation", field="organisations", organisation=repr(o))
        for o in organisations
        if o not in known_orgs
    ]
    return problems


@lru_cache(maxsize=256)
def _languages(text: str) -> tuple[str, ...]:
    """The store's "uz,ru,en" as the directory's ordered list (English last unless placed)."""
    return tuple(preferred_languages([x.strip() for x in text.split(",") if x.strip()] or ["en"]))


def _participant(row: ParticipantRow | Row[Any]) -> Participant:
    """The entry a row holds. Validating one costs ~80 us (address, zone, languages) and
    a 1,000-person meeting reads them all; an unchanged row gives the same (immutable)
    model again."""
    return _validated(tuple(getattr(row, name) for name in _FIELDS))


@lru_cache(maxsize=16384)
def _validated(values: tuple[str | None, ...]) -> Participant:
    return Participant.model_validate(dict(zip(_FIELDS, values, strict=True)))
