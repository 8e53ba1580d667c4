"""What a region's secretariat may write in the directory: its countries' people and its
own staff (never an auditor), whichever door (the console, the CLI) it writes through."""

from __future__ import annotations

from domain.common.refusals import Refusal
from domain.directory.models import Participant, Role

__all__ = ["not_the_regions"]


def not_the_regions(person: Participant, region: str, countries: set[str]) -> str:
    """Why this entry is not the region's to write ('' when it is)."""
    if person.role is Role.AUDITOR:
        return Refusal("directory.auditor", field="role")
    if person.country is not None and person.country not in countries:
        return Refusal("directory.country", field="country", country=person.country, region=region)
    if person.organisation is not None and person.organisation != f"SEC-{region}":
        return Refusal("directory.organisation", field="organisation", organisation=f"SEC-{region}")
    return ""
