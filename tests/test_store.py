"""The Store on SQLite and on PostgreSQL: directory, meeting/invitation projection, audit log.

Every test takes `any_store`, so it runs once per backend (PostgreSQL skips when none answers).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlmodel import select

from activities.store import AuditRow, MeetingRow, ParticipantRow, Store
from activities.store.directory import IN_SQL
from domain.common.contracts import Phase
from domain.directory.models import Country, Directory, Organisation, Participant, Region, Role
from domain.invitations.batches import DeliveryResult, InvitationStatus, message_id
from domain.meeting.definition import MeetingDefinition
from tests.factories import central_asia, meeting, synthetic_directory

EXPECTED_COUNTS = {"regions": 1, "countries": 7, "organisations": 7, "participants": 23}

# The Central Asia seed, in file order.
FILE_ORDER = [
    "ca-sec-head",
    "ca-sec-officer",
    "kz-nfp",
    "kz-deputy",
    "kg-nfp",
    "kg-deputy",
    "mn-nfp",
    "mn-deputy",
    "pk-nfp",
    "pk-deputy",
    "tj-nfp",
    "tj-deputy",
    "uz-nfp",
    "uz-deputy",
    "af-nfp",
    "af-deputy",
    "kz-expert-bio",
    "eudel-kz-obs",
    "eudel-uz-obs",
    "jrc-obs",
    "unicri-obs",
    "istc-obs",
    "eeas-obs",
]

AWKWARD_NAMES = {
    "kz-deputy": "Ерлан Сейткали",
    "kg-deputy": "Айгуль Токтогулова",
    "tj-deputy": "Мадина Саидова",
    "pk-deputy": "عمران قریشی",
    "kz-expert-bio": "O'Neil, Saule",
    "eeas-obs": 'Anne "Annie" De Smet; Brussels',
}


def counts(store: Store) -> dict[str, int]:
    return {
        "regions": len(store.regions()),
        "countries": len(store.countries()),
        "organisations": len(store.organisations()),
        "participants": len(store.participants()),
    }


def snapshot(store: Store) -> tuple[Any, ...]:
    """Everything the directory part of the store can tell, for before/after comparisons."""
    return (
        store.regions(),
        store.countries(),
        store.organisations(),
        store.participants(),
    )


def loaded(store: Store) -> Directory:
    directory = central_asia()
    store.load_directory(directory)
    return directory


def person(
    pid: str, email: str, country: str | None = None, organisation: str | None = None
) -> Participant:
    return Participant(
        id=pid,
        name=f"Person {pid}",
        email=email,
        role=Role.OBSERVER,
        country=country,
        organisation=organisation,
        zone="Europe/Vienna",
    )


# --- directory -----------------------------------------------------------------------


def test_central_asia_loads_and_reads_back_equal(any_store: Store) -> None:
    directory = central_asia()
    assert counts(any_store) == dict.fromkeys(EXPECTED_COUNTS, 0)

    assert any_store.load_directory(directory) == EXPECTED_COUNTS
    assert counts(any_store) == EXPECTED_COUNTS

    assert any_store.regions() == directory.regions
    assert any_store.region("CA") == directory.regions[0]
    assert any_store.region("SEE") is None
    assert any_store.countries("CA") == sorted(directory.countries, key=lambda c: c.code)
    assert any_store.countries("SEE") == []
    assert any_store.organisations() == sorted(directory.organisations, key=lambda o: o.code)
    assert [p.id for p in directory.participants] == FILE_ORDER
    assert any_store.participants() == directory.participants


def test_participants_come_back_in_file_order_not_id_order(any_store: Store) -> None:
    loaded(any_store)
    ids = [p.id for p in any_store.participants()]
    assert ids == FILE_ORDER
    assert ids != sorted(ids)  # the seed's order is not alphabetical, so sorting would show


def test_non_latin_and_quoted_names_survive_exactly(any_store: Store) -> None:
    directory = loaded(any_store)
    source = {p.id: p.name for p in directory.participants}
    stored = {p.id: p.name for p in any_store.participants()}
    for pid, name in AWKWARD_NAMES.items():
        assert source[pid] == name  # the seed says what we think it says
        assert stored[pid] == name
        assert len(stored[pid]) == len(name)
    with any_store.session() as s:
        raw = s.get(ParticipantRow, "eeas-obs")
        assert raw is not None
        assert raw.name == 'Anne "Annie" De Smet; Brussels'


def test_loading_twice_is_idempotent(any_store: Store) -> None:
    directory = central_asia()
    first = any_store.load_directory(directory)
    before = snapshot(any_store)
    second = any_store.load_directory(central_asia())
    assert first == second == EXPECTED_COUNTS
    assert counts(any_store) == EXPECTED_COUNTS
    assert snapshot(any_store) == before
    ids = [p.id for p in any_store.participants()]
    assert len(ids) == len(set(ids))


def test_changed_participant_is_updated(any_store: Store) -> None:
    directory = loaded(any_store)
    data = directory.model_dump(mode="json")
    for p in data["participants"]:
        if p["id"] == "kz-nfp":
            p["email"] = "aigerim.bekova@example.kz"
            p["role"] = "deputy_nfp"
    changed = Directory.model_validate(data)

    assert any_store.load_directory(changed) == EXPECTED_COUNTS
    assert counts(any_store) == EXPECTED_COUNTS
    after = {p.id: p for p in any_store.participants()}
    assert after["kz-nfp"].email == "aigerim.bekova@example.kz"
    assert after["kz-nfp"].role is Role.DEPUTY_NFP
    assert after["kz-nfp"].name == "Aigerim Nurlanovna Bekova"
    assert [p.id for p in any_store.participants()] == FILE_ORDER
    unchanged = {p.id: p for p in directory.participants if p.id != "kz-nfp"}
    assert {k: v for k, v in after.items() if k != "kz-nfp"} == unchanged

    # The old address is free again: someone else may now have it.
    newcomer = Directory(participants=[person("kz-new", "nfp.kz@example.org", country="KZ")])
    any_store.load_directory(newcomer)
    assert counts(any_store)["participants"] == 24


def test_extending_a_loaded_directory_with_a_partial_one(any_store: Store) -> None:
    loaded(any_store)
    extra = Directory(
        countries=[Country(code="TM", name="Turkmenistan", region="CA")],
        organisations=[Organisation(code="OSCE", name="OSCE")],
        participants=[
            person("tm-nfp", "nfp.tm@example.org", country="TM"),
            person("osce-obs", "observer.osce@example.org", organisation="OSCE"),
        ],
    )
    assert any_store.load_directory(extra) == {
        "regions": 0,
        "countries": 1,
        "organisations": 1,
        "participants": 2,
    }
    # A participants-only file may name countries the store already holds.
    experts = Directory(
        participants=[person("kz-expert-chem", "expert.chem.kz@example.org", country="KZ")]
    )
    assert any_store.load_directory(experts)["participants"] == 1
    assert counts(any_store) == {
        "regions": 1,
        "countries": 8,
        "organisations": 8,
        "participants": 26,
    }
    assert [c.code for c in any_store.countries("CA")] == sorted(
        ["AF", "KZ", "KG", "MN", "PK", "TJ", "UZ", "TM"]
    )


def test_participants_added_later_come_after_the_existing_ones(any_store: Store) -> None:
    loaded(any_store)
    any_store.load_directory(
        Directory(
            participants=[person("kz-expert-chem", "expert.chem.kz@example.org", country="KZ")]
        )
    )
    assert [p.id for p in any_store.participants()] == [*FILE_ORDER, "kz-expert-chem"]
    chosen, _ = any_store.resolve_participants([], ["KZ"], [])
    assert [p.id for p in chosen] == ["kz-nfp", "kz-deputy", "kz-expert-bio", "kz-expert-chem"]


def test_a_mailbox_can_change_hands_in_one_load(any_store: Store) -> None:
    directory = loaded(any_store)
    data = directory.model_dump(mode="json")
    for p in data["participants"]:
        if p["id"] == "kz-nfp":
            p["email"] = "aigerim.bekova@example.kz"
        elif p["id"] == "kz-deputy":
            p["email"] = "nfp.kz@example.org"
    any_store.load_directory(Directory.model_validate(data))
    emails = {p.id: p.email for p in any_store.participants()}
    assert emails["kz-nfp"] == "aigerim.bekova@example.kz"
    assert emails["kz-deputy"] == "nfp.kz@example.org"


# Each case: a partial directory with one bad participant, the bad one's id, the message.
# Without the bad participant the same directory loads, so "nothing changed" is meaningful.
REFUSED: list[tuple[str, Callable[[], Directory], str, str]] = [
    (
        "unknown country",
        lambda: Directory(
            organisations=[Organisation(code="OSCE", name="OSCE")],
            participants=[
                person("osce-obs", "observer.osce@example.org", organisation="OSCE"),
                person("ru-nfp", "nfp.ru@example.org", country="RU"),
            ],
        ),
        "ru-nfp",
        "participant ru-nfp: unknown country 'RU'",
    ),
    (
        "unknown organisation",
        lambda: Directory(
            countries=[Country(code="TM", name="Turkmenistan", region="CA")],
            participants=[
                person("tm-nfp", "nfp.tm@example.org", country="TM"),
                person("who-obs", "observer.who@example.org", organisation="WHO"),
            ],
        ),
        "who-obs",
        "participant who-obs: unknown organisation 'WHO'",
    ),
    (
        "email of another participant",
        lambda: Directory(
            regions=[
                Region(
                    code="SEE",
                    name="South East and Eastern Europe",
                    secretariat_city="Tbilisi",
                    secretariat_email="secretariat.see@example.org",
                    zone="Asia/Tbilisi",
                )
            ],
            countries=[Country(code="RS", name="Serbia", region="SEE")],
            participants=[
                person("rs-nfp", "nfp.rs@example.org", country="RS"),
                person("rs-impostor", "nfp.kz@example.org", country="RS"),
            ],
        ),
        "rs-impostor",
        "participant rs-impostor: email nfp.kz@example.org already belongs to kz-nfp",
    ),
    (
        "email of another participant, other case",
        lambda: Directory(
            countries=[Country(code="TM", name="Turkmenistan", region="CA")],
            participants=[
                person("tm-nfp", "nfp.tm@example.org", country="TM"),
                person("tm-impostor", "Deputy.KZ@Example.org", country="TM"),
            ],
        ),
        "tm-impostor",
        "participant tm-impostor: email Deputy.KZ@example.org already belongs to kz-deputy",
    ),
]


@pytest.mark.parametrize(
    ("case", "make", "bad_id", "message"), REFUSED, ids=[r[0] for r in REFUSED]
)
def test_load_directory_refuses_and_changes_nothing(
    any_store: Store, case: str, make: Callable[[], Directory], bad_id: str, message: str
) -> None:
    loaded(any_store)
    before_counts = counts(any_store)
    before = snapshot(any_store)
    bad = make()

    with pytest.raises(ValueError, match=re.escape(message)):
        any_store.load_directory(bad)
    assert any_store.directory_problems(bad) == [message]
    assert counts(any_store) == before_counts == EXPECTED_COUNTS
    assert snapshot(any_store) == before

    # The same directory without the bad participant is accepted and does change things.
    good = bad.model_copy(update={"participants": [p for p in bad.participants if p.id != bad_id]})
    any_store.load_directory(good)
    assert counts(any_store) != before_counts
    assert bad_id not in {p.id for p in any_store.participants()}


def test_refused_load_into_an_empty_store_leaves_it_empty(any_store: Store) -> None:
    directory = central_asia()
    data = directory.model_dump(mode="json")
    data["countries"] = []  # partial file: participants name countries the store lacks
    with pytest.raises(ValueError, match=re.escape("participant kz-nfp: unknown country 'KZ'")):
        any_store.load_directory(Directory.model_validate(data))
    assert counts(any_store) == dict.fromkeys(EXPECTED_COUNTS, 0)


# --- resolve_participants --------------------------------------------------------------


def ids_of(people: list[Participant]) -> list[str]:
    return [p.id for p in people]


def test_resolve_by_id_in_directory_order(any_store: Store) -> None:
    directory = loaded(any_store)
    chosen, problems = any_store.resolve_participants(["uz-nfp", "kz-nfp"], [], [])
    assert ids_of(chosen) == ["kz-nfp", "uz-nfp"]
    assert problems == []
    by_id = {p.id: p for p in directory.participants}
    assert chosen == [by_id["kz-nfp"], by_id["uz-nfp"]]


def test_resolve_by_country(any_store: Store) -> None:
    loaded(any_store)
    chosen, problems = any_store.resolve_participants([], ["KZ"], [])
    assert ids_of(chosen) == ["kz-nfp", "kz-deputy", "kz-expert-bio"]
    assert problems == []
    chosen, problems = any_store.resolve_participants([], ["PK", "AF"], [])
    assert ids_of(chosen) == ["pk-nfp", "pk-deputy", "af-nfp", "af-deputy"]
    assert problems == []


def test_resolve_by_organisation(any_store: Store) -> None:
    loaded(any_store)
    chosen, problems = any_store.resolve_participants([], [], ["JRC", "SEC-CA"])
    assert ids_of(chosen) == ["ca-sec-head", "ca-sec-officer", "jrc-obs"]
    assert problems == []


def test_resolve_union_without_duplicates_in_directory_order(any_store: Store) -> None:
    loaded(any_store)
    chosen, problems = any_store.resolve_participants(
        iter(["eeas-obs", "kz-nfp", "jrc-obs", "tj-nfp"]),
        ("UZ", "KZ"),
        ["JRC", "EEAS"],
    )
    assert ids_of(chosen) == [
        "kz-nfp",
        "kz-deputy",
        "tj-nfp",
        "uz-nfp",
        "uz-deputy",
        "kz-expert-bio",
        "jrc-obs",
        "eeas-obs",
    ]
    assert problems == []


def test_resolve_nothing_asked_gives_nobody(any_store: Store) -> None:
    loaded(any_store)
    assert any_store.resolve_participants([], [], []) == ([], [])


def test_resolve_lists_every_unknown_name(any_store: Store) -> None:
    loaded(any_store)
    chosen, problems = any_store.resolve_participants(
        ["kz-nfp", "xx-nfp"], ["RU", "UZ"], ["NATO", "JRC", "WHO"]
    )
    assert problems == [
        "participants: unknown participant 'xx-nfp'",
        "countries: unknown country 'RU'",
        "organisations: unknown organisation 'NATO'",
        "organisations: unknown organisation 'WHO'",
    ]
    assert ids_of(chosen) == ["kz-nfp", "uz-nfp", "uz-deputy", "jrc-obs"]


def test_resolve_on_an_empty_directory_names_everything_unknown(any_store: Store) -> None:
    chosen, problems = any_store.resolve_participants(["kz-nfp"], ["KZ"], ["JRC"])
    assert chosen == []
    assert problems == [
        "participants: unknown participant 'kz-nfp'",
        "countries: unknown country 'KZ'",
        "organisations: unknown organisation 'JRC'",
    ]


def test_the_deactivated_are_left_out_of_new_invitations_only(any_store: Store) -> None:
    directory = loaded(any_store)
    assert any_store.set_active("kz-deputy", False)
    assert not any_store.set_active("xx-nfp", False), "nobody to deactivate"
    assert any_store.inactive() == {"kz-deputy"}
    chosen, problems = any_store.resolve_participants(["kz-deputy"], ["KZ"], [])
    assert ids_of(chosen) == ["kz-nfp", "kz-expert-bio"] and problems == []
    again, _ = any_store.resolve_participants(["kz-deputy"], [], [], include_inactive=True)
    assert ids_of(again) == ["kz-deputy"], "a continued run reloads whom it invited"
    any_store.load_directory(directory)  # loading the file again does not reactivate
    assert any_store.inactive() == {"kz-deputy"}
    assert "kz-deputy" in ids_of(any_store.participants()), "still in the directory"
    any_store.set_active("kz-deputy", True)
    assert any_store.inactive() == set()
    assert "kz-deputy" in ids_of(any_store.resolve_participants([], ["KZ"], [])[0])


def test_a_page_is_the_same_whether_the_database_or_python_picks_it(any_store: Store) -> None:
    """A few named ids: the database picks the page; more than IN_SQL: the directory's ids
    are read and the page cut from them. Both give the chosen people in directory order."""
    any_store.load_directory(synthetic_directory(IN_SQL + 100))
    people = any_store.participants()
    gone = people[7].id
    assert any_store.set_active(gone, False)
    countries = ["KZ", "UZ"]
    few = [people[3].id]
    many = [p.id for p in reversed(people)]
    assert len(many) > IN_SQL
    for include_inactive in (False, True):
        kept = [p for p in people if include_inactive or p.id != gone]
        by_few = [p.id for p in kept if p.country in countries or p.id in few]
        by_many = [p.id for p in kept]
        for offset, limit in ((0, 50), (50, 50), (len(people) - 20, 50), (0, None)):
            end = None if limit is None else offset + limit
            page, problems = any_store.resolve_participants(
                few, countries, [], include_inactive, offset, limit
            )
            assert (ids_of(page), problems) == (by_few[offset:end], [])
            page, problems = any_store.resolve_participants(
                many, [], [], include_inactive, offset, limit
            )
            assert (ids_of(page), problems) == (by_many[offset:end], [])


# --- meetings --------------------------------------------------------------------------


def record(store: Store, m: MeetingDefinition, phase: Phase) -> None:
    store.record_meeting(m.id, m.region, m.title, phase.value, m.model_dump_json())


def test_record_meeting_round_trip_and_phase_update(any_store: Store) -> None:
    m = meeting()
    other = meeting()
    assert any_store.meeting_phase(m.id) is None

    record(any_store, m, Phase.PLANNED)
    record(any_store, other, Phase.SCHEDULED)
    assert any_store.meeting_phase(m.id) == "planned"
    assert any_store.meeting_phase(other.id) == "scheduled"

    with any_store.session() as s:
        row = s.get(MeetingRow, m.id)
        assert row is not None
        assert (row.region, row.title) == ("CA", m.title)
        assert MeetingDefinition.model_validate_json(row.definition) == m
        first_update = row.updated_at

    retitled = m.model_copy(update={"title": "16th RTM for Central Asia (moved)"})
    record(any_store, retitled, Phase.INVITING)
    assert any_store.meeting_phase(m.id) == "inviting"
    assert any_store.meeting_phase(other.id) == "scheduled"
    with any_store.session() as s:
        rows = list(s.exec(select(MeetingRow).where(MeetingRow.id == m.id)))
        assert len(rows) == 1
        assert rows[0].title == "16th RTM for Central Asia (moved)"
        assert MeetingDefinition.model_validate_json(rows[0].definition) == retitled
        assert rows[0].updated_at >= first_update


# --- invitations and audit -------------------------------------------------------------

AT = datetime(2031, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)


def delivery(
    m: MeetingDefinition,
    sequence: int,
    pid: str,
    at: datetime,
    error: str | None = None,
) -> DeliveryResult:
    return DeliveryResult(
        participant_id=pid,
        status=InvitationStatus.FAILED if error else InvitationStatus.SENT,
        message_id=message_id(m, sequence, pid),
        error=error,
        at=at,
    )


def assert_utc(at: datetime) -> None:
    assert at.tzinfo is not None
    assert at.utcoffset() == timedelta(0)


def test_deliveries_round_trip_with_audit(any_store: Store) -> None:
    m = meeting()
    assert any_store.deliveries(m.id, 1) == {}

    sent = delivery(m, 1, "kz-nfp", AT)
    failed = delivery(
        m, 1, "pk-deputy", AT + timedelta(seconds=1), error="550 5.1.1 mailbox unavailable"
    )
    resent = delivery(m, 2, "kz-nfp", AT + timedelta(days=3))
    any_store.record_delivery(m.id, 1, "nfp.kz@example.org", sent)
    any_store.record_delivery(m.id, 1, "deputy.pk@example.org", failed)
    any_store.record_delivery(m.id, 2, "nfp.kz@example.org", resent)

    first = any_store.deliveries(m.id, 1)
    assert first == {"kz-nfp": sent, "pk-deputy": failed}
    assert first["kz-nfp"].status is InvitationStatus.SENT
    assert first["kz-nfp"].error is None
    assert first["pk-deputy"].status is InvitationStatus.FAILED
    assert first["pk-deputy"].error == "550 5.1.1 mailbox unavailable"
    assert first["kz-nfp"].at == AT  # microseconds kept
    for result in first.values():
        assert_utc(result.at)

    assert any_store.deliveries(m.id, 2) == {"kz-nfp": resent}
    assert first["kz-nfp"].message_id != any_store.deliveries(m.id, 2)["kz-nfp"].message_id
    assert any_store.deliveries(m.id, 3) == {}
    assert any_store.deliveries(meeting().id, 1) == {}

    rows = any_store.audit(m.id)
    assert [r.action for r in rows] == ["invitation.sent", "invitation.failed", "invitation.sent"]
    assert [r.id for r in rows] == sorted(r.id for r in rows if r.id is not None)
    assert all((r.meeting_id, r.actor, r.channel) == (m.id, "engine", "smtp") for r in rows)
    assert [r.at for r in rows] == [sent.at, failed.at, resent.at]
    assert [json.loads(r.detail) for r in rows] == [
        {
            "participant": "kz-nfp",
            "email": "nfp.kz@example.org",
            "sequence": 1,
            "message_id": sent.message_id,
            "error": None,
        },
        {
            "participant": "pk-deputy",
            "email": "deputy.pk@example.org",
            "sequence": 1,
            "message_id": failed.message_id,
            "error": "550 5.1.1 mailbox unavailable",
        },
        {
            "participant": "kz-nfp",
            "email": "nfp.kz@example.org",
            "sequence": 2,
            "message_id": resent.message_id,
            "error": None,
        },
    ]


def test_delivery_time_in_another_offset_comes_back_as_the_same_instant_in_utc(
    any_store: Store,
) -> None:
    m = meeting()
    tashkent = timezone(timedelta(hours=5))
    local = datetime(2031, 3, 4, 10, 6, 7, 500, tzinfo=tashkent)
    any_store.record_delivery(m.id, 0, "nfp.uz@example.org", delivery(m, 0, "uz-nfp", local))
    back = any_store.deliveries(m.id, 0)["uz-nfp"].at
    assert_utc(back)
    assert back == local
    assert back.replace(tzinfo=None) == datetime(2031, 3, 4, 5, 6, 7, 500)


def audit_tuple(row: AuditRow) -> tuple[Any, ...]:
    return (row.id, row.at, row.meeting_id, row.actor, row.channel, row.action, row.detail)


def test_append_audit_keeps_earlier_rows(any_store: Store) -> None:
    m, other = meeting(), meeting()
    when = datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)
    any_store.append_audit(m.id, "secretariat", "cli", "phase.planned", {"note": "first"})
    any_store.append_audit(m.id, "engine", "workflow", "phase.scheduled", {"at": when})
    any_store.append_audit(other.id, "engine", "workflow", "phase.planned", {})
    any_store.append_audit(None, "ops", "cli", "directory.load", {"participants": 23})
    earlier = [audit_tuple(r) for r in any_store.audit(m.id)]
    assert [e[5] for e in earlier] == ["phase.planned", "phase.scheduled"]
    assert json.loads(earlier[0][6]) == {"note": "first"}
    assert json.loads(earlier[1][6]) == {"at": str(when)}
    for row in any_store.audit(m.id):
        assert_utc(row.at)

    any_store.append_audit(m.id, "secretariat", "email", "phase.inviting", {"n": 1})
    any_store.record_delivery(m.id, 1, "nfp.kz@example.org", delivery(m, 1, "kz-nfp", AT))
    now = [audit_tuple(r) for r in any_store.audit(m.id)]
    assert now[: len(earlier)] == earlier
    assert [e[5] for e in now] == [
        "phase.planned",
        "phase.scheduled",
        "phase.inviting",
        "invitation.sent",
    ]
    assert [e[0] for e in now] == sorted(e[0] for e in now)
    assert len({e[0] for e in now}) == len(now)
    assert [audit_tuple(r)[5] for r in any_store.audit(other.id)] == ["phase.planned"]
