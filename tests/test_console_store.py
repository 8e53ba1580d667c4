"""The console's reads of the store, on SQLite and PostgreSQL: the session check every page
makes (one statement) places each person where `person()` does, and refuses a revoked,
idle, expired or deactivated session; a page of the directory says who on it is inactive."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from activities.store import Store
from activities.store.console import ConsoleStore, SessionRow, digest
from domain.directory.models import (
    Country,
    Directory,
    Organisation,
    Participant,
    Region,
    Role,
)
from tests.factories import central_asia

IDLE, ABSOLUTE, TOUCH = timedelta(hours=8), timedelta(days=7), timedelta(minutes=1)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def coordination() -> Directory:
    """A coordination region whose secretariat organisation names it (no country)."""
    return Directory(
        regions=[
            Region(
                code="HQ",
                name="Coordination",
                secretariat_city="Brussels",
                secretariat_email="hq@example.org",
                zone="Europe/Brussels",
                coordination=True,
            )
        ],
        countries=[Country(code="BE", name="Belgium", region="HQ")],
        organisations=[Organisation(code="HQ-OFFICE", name="Coordination office", region="HQ")],
        participants=[
            Participant(
                id="be-nfp",
                name="Lotte Peeters",
                email="nfp.be@example.org",
                role=Role.NFP,
                country="BE",
            ),
            Participant(
                id="hq-head",
                name="Ana Pereira",
                email="head.hq@example.org",
                role=Role.SECRETARIAT,
                organisation="HQ-OFFICE",
            ),
        ],
    )


def console_of(store: Store) -> ConsoleStore:
    store.load_directory(central_asia())
    store.load_directory(coordination())
    return ConsoleStore(store.url, store.engine)


def opened(console: ConsoleStore, who: str, at: datetime = NOW) -> str:
    token = secrets.token_urlsafe(32)
    console.open_session(token, who, at, "link")
    return token


def test_the_session_check_places_everyone_as_the_directory_does(any_store: Store) -> None:
    console = console_of(any_store)
    everyone = [p.id for p in any_store.participants()]
    assert "hq-head" in everyone and "ca-sec-head" in everyone and "jrc-obs" in everyone
    for who in everyone:
        token = opened(console, who)
        found = console.signed_in(token, NOW + timedelta(seconds=5), IDLE, ABSOLUTE, TOUCH)
        assert found is not None, who
        assert found == console.person(who), who
    hq = console.signed_in(opened(console, "hq-head"), NOW, IDLE, ABSOLUTE, TOUCH)
    assert hq is not None and hq.region == "HQ" and hq.coordination
    kz = console.signed_in(opened(console, "kz-nfp"), NOW, IDLE, ABSOLUTE, TOUCH)
    assert kz is not None and kz.region == "CA" and not kz.coordination
    assert kz.person.name and kz.person.country == "KZ"


def test_the_session_check_refuses_what_has_ended(any_store: Store) -> None:
    console = console_of(any_store)
    unknown = secrets.token_urlsafe(32)
    assert console.signed_in(unknown, NOW, IDLE, ABSOLUTE, TOUCH) is None
    revoked = opened(console, "kz-nfp")
    console.revoke(revoked, NOW)
    assert console.signed_in(revoked, NOW, IDLE, ABSOLUTE, TOUCH) is None
    idle = opened(console, "kz-nfp")
    assert console.signed_in(idle, NOW + IDLE, IDLE, ABSOLUTE, TOUCH) is None
    old = opened(console, "kz-nfp")
    at = NOW
    while at + timedelta(hours=7) < NOW + ABSOLUTE:  # in use all week: never idle
        at += timedelta(hours=7)
        assert console.signed_in(old, at, IDLE, ABSOLUTE, TOUCH) is not None, at
    assert console.signed_in(old, NOW + ABSOLUTE - timedelta(minutes=1), IDLE, ABSOLUTE, TOUCH)
    assert console.signed_in(old, NOW + ABSOLUTE, IDLE, ABSOLUTE, TOUCH) is None
    off = opened(console, "uz-nfp")
    assert console.signed_in(off, NOW, IDLE, ABSOLUTE, TOUCH) is not None
    any_store.set_active("uz-nfp", False)
    assert console.signed_in(off, NOW, IDLE, ABSOLUTE, TOUCH) is None


def test_the_session_check_writes_last_seen_once_a_minute(any_store: Store) -> None:
    console = console_of(any_store)
    token = opened(console, "kz-nfp")

    def last_seen() -> datetime:
        with any_store.session() as s:
            row = s.get(SessionRow, digest(token))
            assert row is not None
            seen = row.last_seen
            return seen if seen.tzinfo else seen.replace(tzinfo=UTC)

    assert console.signed_in(token, NOW + timedelta(seconds=30), IDLE, ABSOLUTE, TOUCH)
    assert last_seen() == NOW, "within the minute: no write"
    later = NOW + timedelta(hours=7)
    assert console.signed_in(token, later, IDLE, ABSOLUTE, TOUCH)
    assert last_seen() == later
    assert console.signed_in(token, later + timedelta(hours=7), IDLE, ABSOLUTE, TOUCH), (
        "seen 7 h ago, not 14: the touch kept it alive"
    )


def test_a_page_of_the_directory_says_who_on_it_is_inactive(any_store: Store) -> None:
    console = console_of(any_store)
    people, total, _ = console.region_people("CA", "SEC-CA", "", 0, 1000)
    others = {"hq-head", "be-nfp", "jrc-obs"}  # the coordination's office and country
    assert not others & {p.id for p in people}, "only the region's own"
    assert {"ca-sec-head", "kz-nfp", "uz-nfp"} <= {p.id for p in people} and total == len(people)
    any_store.set_active("kz-nfp", False)
    first, total_again, inactive = console.region_people("CA", "SEC-CA", "", 0, 3)
    assert total_again == total and len(first) == 3
    assert inactive == ({"kz-nfp"} & {p.id for p in first})
    found, n, off = console.region_people("CA", "SEC-CA", "NFP.KZ@", 0, 50)
    assert [p.id for p in found] == ["kz-nfp"] and n == 1 and off == {"kz-nfp"}
