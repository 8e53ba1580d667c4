"""Pure domain rules, no servers: directory validation, meeting definitions, Message-IDs
and how invitations are split into batches."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.directory.models import Directory, Participant, Role
from domain.invitations.batches import (
    MAX_BATCH,
    MAX_PARALLEL_BATCHES,
    ROUND_BATCH,
    batches,
    message_id,
)
from domain.meeting.definition import MeetingDefinition, MeetingFormat
from tests.factories import meeting, meeting_data, synthetic_directory

# --- directory -----------------------------------------------------------------------


def directory_data() -> dict[str, Any]:
    """A small valid directory, as a YAML file would give it."""
    return {
        "regions": [
            {
                "code": "CA",
                "name": "Central Asia",
                "secretariat_city": "Tashkent",
                "secretariat_email": "secretariat.ca@example.org",
                "zone": "Asia/Tashkent",
                "last_rtm_number": 15,
            }
        ],
        "countries": [
            {"code": "KZ", "name": "Republic of Kazakhstan", "region": "CA"},
            {"code": "UZ", "name": "Republic of Uzbekistan", "region": "CA"},
        ],
        "organisations": [{"code": "JRC", "name": "European Commission Joint Research Centre"}],
        "participants": [
            {
                "id": "kz-nfp",
                "name": "Ерлан Сейткали",
                "email": "nfp.kz@example.org",
                "role": "nfp",
                "country": "KZ",
                "language": "ru",
                "zone": "Asia/Almaty",
            },
            {
                "id": "uz-nfp",
                "name": "Sardor Karimov",
                "email": "nfp.uz@example.org",
                "role": "nfp",
                "country": "UZ",
                "zone": "Asia/Tashkent",
            },
            {
                "id": "jrc-obs",
                "name": 'Anne "Annie" De Smet; Brussels',
                "email": "observer.jrc@example.org",
                "role": "observer",
                "organisation": "JRC",
                "zone": "Europe/Rome",
            },
        ],
    }


def refused(data: dict[str, Any], message: str) -> ValidationError:
    with pytest.raises(ValidationError, match=re.escape(message)) as info:
        Directory.model_validate(data)
    return info.value


def test_valid_directory() -> None:
    d = Directory.model_validate(directory_data())
    assert [p.id for p in d.participants] == ["kz-nfp", "uz-nfp", "jrc-obs"]
    assert d.participants[0].role is Role.NFP
    assert d.participants[0].name == "Ерлан Сейткали"
    assert d.participants[2].organisation == "JRC"
    assert d.participants[2].country is None
    assert d.participants[1].language == "en"  # the default
    assert d.regions[0].last_rtm_number == 15


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("regions", "region listed twice: CA"),
        ("countries", "country listed twice: KZ"),
        ("organisations", "organisation listed twice: JRC"),
        ("participants", "participant listed twice: kz-nfp"),
    ],
)
def test_duplicate_codes_and_ids_refused(section: str, message: str) -> None:
    data = directory_data()
    twin = dict(data[section][0])
    if section == "participants":
        twin["email"] = "other.address@example.org"  # only the id repeats
    if section in ("regions", "organisations"):
        twin["name"] = "Another name"
    data[section].append(twin)
    refused(data, message)


def test_duplicate_email_refused_whatever_the_case() -> None:
    data = directory_data()
    data["participants"][1]["email"] = "NFP.KZ@Example.ORG"
    refused(data, "participant email listed twice: nfp.kz@example.org")


@pytest.mark.parametrize(
    "affiliation",
    [{"country": "KZ", "organisation": "JRC"}, {"country": None, "organisation": None}],
    ids=["both", "neither"],
)
def test_participant_needs_exactly_one_affiliation(affiliation: dict[str, Any]) -> None:
    data = directory_data()
    data["participants"][0].update(affiliation)
    err = refused(data, "a participant belongs to exactly one of country or organisation")
    assert err.errors()[0]["loc"][:2] == ("participants", 0)


@pytest.mark.parametrize("zone", ["Asia/Atlantis", "UTC+5", "", "asia/tashkent "])
def test_bad_zone_refused(zone: str) -> None:
    data = directory_data()
    data["participants"][1]["zone"] = zone
    err = refused(data, f"unknown time zone {zone!r}")
    assert err.errors()[0]["loc"] == ("participants", 1, "zone")


def test_bad_region_zone_refused() -> None:
    data = directory_data()
    data["regions"][0]["zone"] = "Central/Asia"
    err = refused(data, "unknown time zone 'Central/Asia'")
    assert err.errors()[0]["loc"] == ("regions", 0, "zone")


@pytest.mark.parametrize(
    "email",
    [
        "not-an-email",
        "nfp.kz@example",
        "nfp@@example.org",
        "Erlan <nfp.kz@example.org>",
        "nfp kz@example.org",
        "nfp.kz@-example.org",
    ],
)
def test_bad_email_refused(email: str) -> None:
    data = directory_data()
    data["participants"][0]["email"] = email
    err = refused(data, f"{email.strip()!r} is not a valid email address")
    assert err.errors()[0]["loc"] == ("participants", 0, "email")


def test_email_with_a_header_injection_refused() -> None:
    data = directory_data()
    data["participants"][0]["email"] = "nfp.kz@example.org\r\nBcc: all@example.org"
    refused(data, "must not contain control characters")


def test_bad_secretariat_email_refused() -> None:
    data = directory_data()
    data["regions"][0]["secretariat_email"] = "secretariat"
    err = refused(data, "'secretariat' is not a valid email address")
    assert err.errors()[0]["loc"] == ("regions", 0, "secretariat_email")


def test_email_domain_is_lower_cased_and_local_part_kept() -> None:
    data = directory_data()
    data["participants"][0]["email"] = "  Erlan.S@Example.ORG "
    d = Directory.model_validate(data)
    assert d.participants[0].email == "Erlan.S@example.org"


@pytest.mark.parametrize(
    "name",
    ["Erlan\r\nBcc: all@example.org", "Erlan\nSeitkali", "Erlan\tSeitkali", "Erlan\x00", "E\x7f"],
)
def test_control_characters_in_a_name_refused(name: str) -> None:
    data = directory_data()
    data["participants"][0]["name"] = name
    err = refused(data, "must not contain control characters")
    assert err.errors()[0]["loc"] == ("participants", 0, "name")


def test_control_characters_in_an_organisation_name_refused() -> None:
    data = directory_data()
    data["organisations"][0]["name"] = "JRC\r\nX-Injected: yes"
    refused(data, "must not contain control characters")


def test_unknown_references_within_a_full_file_refused() -> None:
    data = directory_data()
    data["countries"][1]["region"] = "SEE"
    data["participants"][2]["organisation"] = "WHO"
    refused(data, "country UZ: unknown region 'SEE'")
    refused(data, "participant jrc-obs: unknown organisation 'WHO'")


def test_directory_refuses_unknown_fields() -> None:
    data = directory_data()
    data["participants"][0]["phone"] = "+7 700 000 0000"
    with pytest.raises(ValidationError, match="phone"):
        Directory.model_validate(data)


# --- meeting definitions ---------------------------------------------------------------


def refused_meeting(message: str, **changes: Any) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        MeetingDefinition.model_validate(meeting_data(**changes))


def test_valid_meeting_definition() -> None:
    data = meeting_data()
    m = MeetingDefinition.model_validate(data)
    assert m.id == data["id"]
    assert m.format is MeetingFormat.HYBRID
    assert m.start.tzinfo is None
    assert m.end - m.start == timedelta(days=1, hours=8, minutes=30)
    assert m.countries == ["KZ", "KG", "MN", "PK", "TJ", "UZ"]
    assert m.venue is not None
    assert m.venue.city == "Dubai"
    assert m.start_utc() == (m.start - timedelta(hours=4)).replace(tzinfo=UTC)  # Dubai: UTC+4
    assert m.start_utc().utcoffset() == timedelta(0)


def start_and_end(start_offset: timedelta, length: timedelta) -> dict[str, str]:
    start = datetime(2031, 5, 12, 9, 0) + start_offset
    return {"start": start.isoformat(), "end": (start + length).isoformat()}


@pytest.mark.parametrize("length", [timedelta(hours=-1), timedelta(0)], ids=["before", "equal"])
def test_end_not_after_start_refused(length: timedelta) -> None:
    refused_meeting("must be after start", **start_and_end(timedelta(0), length))


def test_more_than_14_days_refused() -> None:
    refused_meeting(
        "a meeting lasts at most 14 days",
        **start_and_end(timedelta(0), timedelta(days=14, minutes=1)),
    )
    m = MeetingDefinition.model_validate(
        meeting_data(**start_and_end(timedelta(0), timedelta(days=14)))
    )
    assert m.end - m.start == timedelta(days=14)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2031-05-12T09:00:00+04:00", "2031-05-13T17:00:00+04:00"),
        ("2031-05-12T09:00:00Z", "2031-05-13T17:00:00"),
        ("2031-05-12T09:00:00", "2031-05-13T17:00:00+04:00"),
    ],
    ids=["both", "start", "end"],
)
def test_aware_datetimes_refused(start: str, end: str) -> None:
    refused_meeting("give them without an offset", start=start, end=end)


def test_hybrid_needs_venue_and_join_link() -> None:
    refused_meeting("venue: required for a hybrid meeting", venue=None)
    refused_meeting("join_link: required for a hybrid meeting", join_link=None)


def test_online_needs_join_link_but_no_venue() -> None:
    refused_meeting(
        "join_link: required for an online meeting", format="online", venue=None, join_link=None
    )
    m = meeting(format="online", venue=None)
    assert m.venue is None
    assert m.join_link == "https://meet.example.org/rtm-ca-16"


def test_in_person_needs_venue_but_no_join_link() -> None:
    m = meeting(format="in_person", join_link=None)
    assert m.format is MeetingFormat.IN_PERSON
    assert m.join_link is None
    refused_meeting("venue: required for an in-person meeting", format="in_person", venue=None)


@pytest.mark.parametrize(
    ("field", "values", "message"),
    [
        ("participants", ["kz-nfp", "uz-nfp", "kz-nfp"], "participants: listed twice: kz-nfp"),
        ("countries", ["KZ", "UZ", "UZ", "KZ"], "countries: listed twice: KZ, UZ"),
        ("organisations", ["JRC", "JRC"], "organisations: listed twice: JRC"),
    ],
)
def test_duplicates_refused(field: str, values: list[str], message: str) -> None:
    refused_meeting(message, **{field: values})


def test_nobody_invited_refused() -> None:
    refused_meeting(
        "participants: invite at least one participant, country or organisation",
        participants=[],
        countries=[],
        organisations=[],
    )
    m = meeting(participants=["kz-nfp"], countries=[], organisations=[])
    assert m.participants == ["kz-nfp"]


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("ftp://meet.example.org/rtm", "is not an http(s) link"),
        ("javascript:alert(1)", "is not an http(s) link"),
        ("meet.example.org/rtm-ca-16", "is not an http(s) link"),
        ("https://meet.example.org/rtm ca 16", "is not an http(s) link"),
        ("https://meet.example.org/rtm\r\nX-Injected: yes", "must not contain control characters"),
    ],
)
def test_non_http_join_link_refused(link: str, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)) as info:
        MeetingDefinition.model_validate(meeting_data(join_link=link))
    assert info.value.errors()[0]["loc"] == ("join_link",)


def test_http_join_link_accepted() -> None:
    assert meeting(join_link="http://meet.example.org/x").join_link == "http://meet.example.org/x"


def test_uid_is_stable_and_derived_from_id_and_organiser_domain() -> None:
    m = meeting(id="RTM-CA-16")
    assert m.uid == "rtm-ca-16@example.org"
    moved = meeting(
        id="RTM-CA-16",
        title="16th RTM, moved",
        format="online",
        venue=None,
        **start_and_end(timedelta(days=7), timedelta(hours=3)),
    )
    assert moved.uid == m.uid
    assert MeetingDefinition.model_validate_json(m.model_dump_json()).uid == m.uid
    assert meeting(id="RTM-CA-17").uid == "rtm-ca-17@example.org"
    other_domain = meeting(
        id="RTM-CA-16", organiser={"name": "Secretariat", "email": "rtm@Secretariat.EXAMPLE.net"}
    )
    assert other_domain.uid == "rtm-ca-16@secretariat.example.net"


# --- Message-IDs -----------------------------------------------------------------------

SAFE_MESSAGE_ID = re.compile(r"^<[A-Za-z0-9._-]+@[A-Za-z0-9.-]+>$")


def test_message_id_deterministic() -> None:
    m = meeting(id="RTM-CA-16")
    first = message_id(m, 0, "kz-nfp")
    assert first == "<RTM-CA-16.0.kz-nfp@example.org>"
    assert message_id(m, 0, "kz-nfp") == first
    same_meeting = MeetingDefinition.model_validate_json(m.model_dump_json())
    assert message_id(same_meeting, 0, "kz-nfp") == first
    assert SAFE_MESSAGE_ID.match(first)


def test_message_id_distinct_per_meeting_sequence_participant() -> None:
    meetings = [
        meeting(id="RTM-CA-1"),
        meeting(id="RTM-CA-11"),
        meeting(id="RTM-CA-1-1"),
        meeting(id="RTM-SEE-1"),
    ]
    sequences = [0, 1, 11, 111]
    people = ["kz-nfp", "kz_nfp", "kz-nfp-1", "1", "11", "kz-NFP"]
    ids = {message_id(m, s, p) for m in meetings for s in sequences for p in people}
    assert len(ids) == len(meetings) * len(sequences) * len(people)
    assert all(SAFE_MESSAGE_ID.match(i) for i in ids)


_MEETING = meeting(id="RTM-CA-16")


@given(
    participant_id=st.text(max_size=80),
    sequence=st.integers(min_value=0, max_value=10**6),
)
def test_message_id_safe_for_any_participant_id(participant_id: str, sequence: int) -> None:
    mid = message_id(_MEETING, sequence, participant_id)
    assert SAFE_MESSAGE_ID.match(mid), mid
    assert mid.startswith(f"<RTM-CA-16.{sequence}.")
    assert mid.endswith("@example.org>")
    assert len(mid) == len(f"<RTM-CA-16.{sequence}.@example.org>") + len(participant_id)


# --- batches -------------------------------------------------------------------------

_POOL = synthetic_directory(1200).participants


def check_batches(
    recipients: list[Participant], split: list[list[Participant]], max_size: int, parallel: int
) -> None:
    n = len(recipients)
    flat = [p for batch in split for p in batch]
    assert flat == recipients  # everyone once, in order
    assert len({p.id for p in flat}) == n
    assert all(1 <= len(batch) <= max_size for batch in split)
    assert len(split) <= max(parallel, math.ceil(n / max_size))
    assert len(split) >= math.ceil(n / max_size)


@pytest.mark.parametrize("n", [0, 1, 3, 4, 5, 49, 200, 1000])
def test_batches_cover_everyone_within_limits(n: int) -> None:
    recipients = synthetic_directory(n).participants
    split = batches(recipients)
    check_batches(recipients, split, MAX_BATCH, MAX_PARALLEL_BATCHES)
    if n == 0:
        assert split == []
    if 0 < n <= MAX_PARALLEL_BATCHES:
        assert len(split) == n  # a small meeting uses one connection per recipient
    if n >= MAX_PARALLEL_BATCHES:
        assert len(split) >= min(MAX_PARALLEL_BATCHES, math.ceil(n / 2))


def test_batches_for_a_large_meeting_are_full() -> None:
    split = batches(_POOL[:1000])
    assert [len(b) for b in split] == [MAX_BATCH] * 20


@pytest.mark.parametrize("n", [801, 1200, 2000, 10_000])
def test_batches_in_whole_rounds_keep_every_connection_busy(n: int) -> None:
    recipients = (_POOL * 9)[:n]  # the order is what counts, not who
    split = batches(recipients, ROUND_BATCH, whole_rounds=True)
    assert [p for b in split for p in b] == recipients
    assert len(split) % MAX_PARALLEL_BATCHES == 0  # no round with an idle connection
    assert max(len(b) for b in split) <= ROUND_BATCH
    assert max(len(b) for b in split) - min(len(b) for b in split) <= len(split)
    assert len(split) < len(batches(recipients))  # fewer, larger batches than before


@given(
    n=st.integers(min_value=0, max_value=len(_POOL)),
    max_size=st.integers(min_value=1, max_value=120),
    parallel=st.integers(min_value=1, max_value=16),
)
def test_batches_property(n: int, max_size: int, parallel: int) -> None:
    recipients = _POOL[:n]
    check_batches(recipients, batches(recipients, max_size, parallel), max_size, parallel)


@given(n=st.integers(min_value=0, max_value=len(_POOL)))
def test_batches_property_with_defaults(n: int) -> None:
    recipients = _POOL[:n]
    check_batches(recipients, batches(recipients), MAX_BATCH, MAX_PARALLEL_BATCHES)
