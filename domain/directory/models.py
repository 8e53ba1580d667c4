"""The participant directory: regions, countries, organisations and people.

The database holds the directory; these models are what crosses every boundary
(YAML files, activities, workflow state), validated once on the way in.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from domain.agenda.template import TemplateItem, default_template
from domain.common.base import Code, Email, Frozen, Text, Zone
from domain.common.refusals import Refusal, several
from domain.reminders.policy import ReminderPolicy
from domain.series.models import Series
from domain.workweek.calendar import DayOff, WeekendRule

__all__ = ["Code", "Email", "Frozen", "Language", "Text", "Zone"]

Language = Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]


def preferred_languages(languages: list[str]) -> list[str]:
    """A person's languages in their order, without repeats, English last unless placed."""
    seen: list[str] = []
    for lang in languages:
        if lang not in seen:
            seen.append(lang)
    return seen if "en" in seen else [*seen, "en"]


class Role(StrEnum):
    """What a participant is in the initiative; decides the ATTENDEE ROLE and who is chased."""

    NFP = "nfp"
    DEPUTY_NFP = "deputy_nfp"
    EXPERT = "expert"
    OBSERVER = "observer"
    SECRETARIAT = "secretariat"
    AUDITOR = "auditor"  # reads every region in the console, changes nothing; never invited


class Region(Frozen):
    """A region and its secretariat; `coordination` marks the initiative's own coordination,
    which organises interregional meetings and oversees every region."""

    code: Code
    name: Text
    secretariat_city: Text
    secretariat_email: Email
    zone: Zone
    seat_country: Code | None = Field(
        default=None, description="country of the secretariat's seat: its working calendar"
    )
    coordination: bool = False
    last_rtm_number: int = Field(default=0, ge=0)
    reminders: ReminderPolicy = Field(default_factory=ReminderPolicy)
    agenda_template: list[TemplateItem] = Field(default_factory=default_template)


class Country(Frozen):
    code: Code  # ISO 3166-1 alpha-2, e.g. KZ
    name: Text
    region: Code
    weekend: list[WeekendRule] = Field(
        default_factory=list, description="weekend days, dated when they changed; none: Sat+Sun"
    )
    public_holidays: bool = Field(
        default=True, description="take the public holidays of the `holidays` package"
    )
    holidays: list[DayOff] = Field(default_factory=list, description="added or renamed holidays")
    working_days: list[date] = Field(
        default_factory=list, description="worked although the public calendar names a holiday"
    )


class Organisation(Frozen):
    """An organisation; a regional secretariat names its `region` (its staff manage that
    region), and `country` is where its office is (its staff's working calendar)."""

    code: Code
    name: Text
    country: Code | None = None
    region: Code | None = None


class Participant(Frozen):
    """One person who can be invited: belongs to exactly one country or one organisation."""

    id: Code
    name: Text
    email: Email
    role: Role
    country: Code | None = None
    organisation: Code | None = None
    language: Language = Field(default="en", description="the first of `languages`")
    languages: list[Language] = Field(
        default_factory=list,
        max_length=8,
        description="in order of preference, e.g. [uz, ru, en]; English last by default",
    )
    zone: Zone = "UTC"

    @model_validator(mode="before")
    @classmethod
    def _ordered_languages(cls, data: Any) -> Any:
        """`languages` from an older single `language` (or the store's "uz,ru,en")."""
        if not isinstance(data, dict):
            return data
        given = data.get("languages") or str(data.get("language") or "en").split(",")
        if not isinstance(given, list) or not all(isinstance(x, str) for x in given):
            return data  # the field's own validation names the problem
        languages = preferred_languages([x.strip() for x in given])
        return {**data, "languages": languages, "language": languages[0]}

    @model_serializer(mode="wrap")
    def _compact(self, handler: SerializerFunctionWrapHandler) -> Any:
        """Leave out `languages` when `language` says it all ([ru] -> [ru, en]), `language`
        when it is English alone, and the affiliation not held: every participant crosses
        the workflow's payloads (invitations, reminders, notices, each run's reload), which
        a large meeting keeps small."""
        data = handler(self)
        if not isinstance(data, dict):
            return data
        if data.get("languages") == preferred_languages([self.language]):
            data.pop("languages")
            if data.get("language") == "en":
                data.pop("language")
        for name in ("country", "organisation"):
            if name in data and data[name] is None:
                data.pop(name)
        return data

    @model_validator(mode="after")
    def _one_affiliation(self) -> Self:
        if (self.country is None) == (self.organisation is None):
            raise ValueError(Refusal("directory.affiliation"))
        return self


def unknown_country(p: Participant) -> Refusal:
    """A participant whose country the directory does not have."""
    return Refusal("directory.person_country", id=p.id, country=repr(p.country))


def unknown_organisation(p: Participant) -> Refusal:
    """A participant whose organisation the directory does not have."""
    return Refusal("directory.person_organisation", id=p.id, organisation=repr(p.organisation))


def _twice(values: list[str]) -> list[str]:
    """The values listed more than once, sorted (one pass: a directory may list 10,000)."""
    return sorted(v for v, n in Counter(values).items() if n > 1)


class Directory(Frozen):
    """A whole directory file: what `rtm directory load` reads."""

    regions: list[Region] = Field(default_factory=list)
    countries: list[Country] = Field(default_factory=list)
    organisations: list[Organisation] = Field(default_factory=list)
    participants: list[Participant] = Field(default_factory=list)
    series: list[Series] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems: list[str] = []
        for kind, codes in (
            ("region", [r.code for r in self.regions]),
            ("country", [c.code for c in self.countries]),
            ("organisation", [o.code for o in self.organisations]),
            ("participant", [p.id for p in self.participants]),
            ("series", [s.code for s in self.series]),
        ):
            dupes = _twice(codes)
            if dupes:
                problems.append(Refusal(f"directory.twice.{kind}", values=", ".join(dupes)))
        dupes = _twice([p.email.lower() for p in self.participants])
        if dupes:
            problems.append(Refusal("directory.twice.email", values=", ".join(dupes)))
        regions = {r.code for r in self.regions}
        for c in self.countries:
            if regions and c.region not in regions:
                problems.append(
                    Refusal("directory.country_region", code=c.code, region=repr(c.region))
                )
        countries = {c.code for c in self.countries}
        orgs = {o.code for o in self.organisations}
        for p in self.participants:
            if p.country is not None and countries and p.country not in countries:
                problems.append(unknown_country(p))
            if p.organisation is not None and orgs and p.organisation not in orgs:
                problems.append(unknown_organisation(p))
        for o in self.organisations:
            if o.region is not None and regions and o.region not in regions:
                problems.append(
                    Refusal("directory.organisation_region", code=o.code, region=repr(o.region))
                )
        for s in self.series:
            if s.region is not None and regions and s.region not in regions:
                problems.append(
                    Refusal("directory.series_region", code=s.code, region=repr(s.region))
                )
        if problems:
            raise ValueError(several(problems))
        return self
