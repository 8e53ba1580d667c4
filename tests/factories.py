"""Test data from the seeds: the Central Asia directory and meetings modelled on real RTMs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, ParamSpec

from domain.directory.models import Country, Directory, Organisation, Participant, Region, Role
from domain.meeting.definition import MeetingDefinition
from domain.reminders.groups import GroupedPlan, plan_groups
from domain.reminders.moments import PlannedReminder
from starter.cli.inputs import read_directory
from starter.data import CENTRAL_ASIA

SIX_PARTNERS = ["KZ", "KG", "MN", "PK", "TJ", "UZ"]
LINK_KEY = b"test-link-key"
"""The key the tests sign and check personal links with (the harness's worker has it too)."""


def central_asia() -> Directory:
    return read_directory(CENTRAL_ASIA)


def unique_id(prefix: str = "RTM-CA-16") -> str:
    """A meeting id no other test uses, so tests can share one Temporal server."""
    return f"{prefix}-{uuid.uuid4().hex[:8].upper()}"


def meeting_data(**overrides: Any) -> dict[str, Any]:
    """A valid definition of the 16th RTM, hybrid in Dubai like the 15th, six weeks ahead."""
    start = (datetime.now(UTC) + timedelta(days=42)).replace(
        hour=9, minute=0, second=0, microsecond=0, tzinfo=None
    )
    data: dict[str, Any] = {
        "id": unique_id(),
        "region": "CA",
        "number": 16,
        "title": "16th Round-Table Meeting of National Focal Points for Central Asia",
        "format": "hybrid",
        "zone": "Asia/Dubai",
        "start": start.isoformat(),
        "end": (start + timedelta(days=1, hours=8, minutes=30)).isoformat(),
        "venue": {
            "name": "Dubai Exhibition Centre",
            "city": "Dubai",
            "country": "United Arab Emirates",
        },
        "join_link": "https://meet.example.org/rtm-ca-16",
        "organiser": {
            "name": "CBRN CoE Regional Secretariat for Central Asia",
            "email": "secretariat.ca@example.org",
        },
        "countries": SIX_PARTNERS,
        "organisations": ["JRC", "UNICRI", "ISTC", "EEAS"],
    }
    data.update(overrides)
    return data


def meeting(**overrides: Any) -> MeetingDefinition:
    return MeetingDefinition.model_validate(meeting_data(**overrides))


def synthetic_directory(n: int, region: str = "CA") -> Directory:
    """`n` participants spread over the six partner countries, for fan-out tests and bench."""
    zones = {
        "KZ": "Asia/Almaty",
        "KG": "Asia/Bishkek",
        "MN": "Asia/Ulaanbaatar",
        "PK": "Asia/Karachi",
        "TJ": "Asia/Dushanbe",
        "UZ": "Asia/Tashkent",
    }
    return Directory(
        regions=[
            Region(
                code=region,
                name="Central Asia",
                secretariat_city="Tashkent",
                secretariat_email="secretariat.ca@example.org",
                zone="Asia/Tashkent",
            )
        ],
        countries=[Country(code=c, name=c, region=region) for c in SIX_PARTNERS],
        organisations=[Organisation(code="JRC", name="European Commission Joint Research Centre")],
        participants=[
            Participant(
                id=f"p{i:04d}",
                name=f"Participant {i:04d}",
                email=f"p{i:04d}@example.org",
                role=Role.NFP if i < 6 else Role.EXPERT,
                country=SIX_PARTNERS[i % 6],
                zone=zones[SIX_PARTNERS[i % 6]],
            )
            for i in range(n)
        ],
    )


P = ParamSpec("P")


def _flattened(plan: Callable[P, GroupedPlan]) -> Callable[P, list[PlannedReminder]]:
    def reminders(*args: P.args, **kwargs: P.kwargs) -> list[PlannedReminder]:
        return plan(*args, **kwargs).reminders()

    return reminders


plan_reminders = _flattened(plan_groups)
"""`plan_groups` read as one list, earliest first (then by key): how the reminder tests
compare plans."""
