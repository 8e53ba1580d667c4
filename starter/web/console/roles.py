"""Who the signed-in person is to the console, and what that lets them see and change.

The directory decides: a secretariat member manages their region (the region their
organisation names, else their country's), the coordination's staff every region; an
NFP or deputy acts for their country; an observer for themselves; an auditor reads all.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from domain.directory.models import Participant, Role

SECRETARIAT_ORG_PREFIX = "SEC-"
COUNTRY_ROLES = (Role.NFP, Role.DEPUTY_NFP)


class Forbidden(Exception):
    """The signed-in person may not see or do this; audited, then answered with 403."""

    def __init__(self, why: str, meeting_id: str | None = None) -> None:
        super().__init__(why)
        self.meeting_id = meeting_id


@dataclass(frozen=True)
class Viewer:
    """The signed-in person and the region they belong to (None: an organisation's person)."""

    person: Participant
    region: str | None
    everywhere: bool = False  # the initiative's coordination: every region is theirs

    @property
    def id(self) -> str:
        return self.person.id

    @property
    def role(self) -> Role:
        return self.person.role

    @property
    def is_secretariat(self) -> bool:
        return self.role is Role.SECRETARIAT and self.region is not None

    @property
    def is_auditor(self) -> bool:
        return self.role is Role.AUDITOR

    @property
    def country(self) -> str | None:
        """The country they act for (NFPs and deputies only)."""
        return self.person.country if self.role in COUNTRY_ROLES else None

    def manages(self, region: str) -> bool:
        return self.is_secretariat and (self.everywhere or self.region == region)

    def reads_region(self, region: str) -> bool:
        return self.is_auditor or self.manages(region)

    def home(self) -> str:
        """Where the console opens for them."""
        if self.is_secretariat:
            return "/console/"
        if self.is_auditor:
            return "/console/audit"
        return "/console/my"

    def require_manage(self, region: str, meeting_id: str | None = None) -> None:
        if not self.manages(region):
            raise Forbidden(f"only the secretariat of region {region} may do this", meeting_id)

    def require_read(self, region: str, meeting_id: str | None = None) -> None:
        if not self.reads_region(region):
            raise Forbidden(f"region {region} is not yours to read", meeting_id)


def viewer_of(person: Participant, region: str | None, coordination: bool = False) -> Viewer:
    """The viewer for a directory entry, in the region the directory gives them (a
    secretariat organisation without a region named `SEC-<region>` still counts)."""
    org = person.organisation or ""
    if region is None and person.country is None and org.startswith(SECRETARIAT_ORG_PREFIX):
        region = org.removeprefix(SECRETARIAT_ORG_PREFIX)
    return Viewer(person=person, region=region, everywhere=coordination)


VIEWER = web.RequestKey("console_viewer", Viewer)
CSRF = web.RequestKey("console_csrf", str)  # the token every form of the page carries
NAMES = web.RequestKey("console_names", dict[str, str])  # country/organisation names by code
