"""Pure tests of the invitation mail, no servers: the MIME shape (golden files), the .ics as
two independent readers (icalendar and vobject) see it, times in the body, awkward names,
header and ics-line injection, and the signed RSVP links.

Every message is serialised with ``as_bytes()`` and parsed back with ``policy.default``,
so the assertions are about what a mail client receives, not about the objects we built.
Set ``RTM_UPDATE_GOLDEN=1`` to rewrite ``tests/golden/*.json`` from the current code.
"""

from __future__ import annotations

import email
import html
import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, MIMEPart
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from pydantic import ValidationError

from domain.common import i18n
from domain.common.links import LinkError, rsvp_links, verify
from domain.directory.models import Participant
from domain.invitations.batches import InvitationBatch, message_id
from domain.invitations.calendar import invitation_ics
from domain.mail.invitation import invitation_mail
from domain.meeting.definition import MeetingDefinition, Organiser, Venue
from domain.registration.answers import Attendance
from tests.budget import share
from tests.factories import central_asia, meeting, meeting_data

GOLDEN = Path(__file__).parent / "golden"
LANGUAGES = ("en", "ru")  # hostile names and injections, in every language with a catalogue
UPDATE_GOLDEN = os.environ.get("RTM_UPDATE_GOLDEN") == "1"

KEY = b"test-only rsvp link key, 32 bytes"
BASE_URL = "https://rtm.example.org/"
# A stamp in a non-UTC zone: DTSTAMP must still come out in UTC (09:30:15Z).
STAMP = datetime(2026, 12, 1, 14, 30, 15, tzinfo=ZoneInfo("Asia/Tashkent"))
NOW = datetime(2026, 12, 2, tzinfo=UTC)  # before every test meeting's registration deadline
MEETING_ID = "RTM-CA-16-MAILTEST"

Kind = Literal["request", "update", "cancel"]
Format = Literal["in_person", "online", "hybrid"]
KINDS: tuple[Kind, ...] = ("request", "update", "cancel")
FORMATS: tuple[Format, ...] = ("in_person", "online", "hybrid")
SENDS: dict[Kind, tuple[int, str]] = {
    "request": (0, "REQUEST"),
    "update": (1, "REQUEST"),
    "cancel": (2, "CANCEL"),
}
SUBJECT_PREFIX: dict[Kind, str] = {
    "request": "Invitation: ",
    "update": "Updated invitation: ",
    "cancel": "Cancelled: ",
}

ALMATY = "kz-nfp"  # Aigerim Nurlanovna Bekova, NFP, Asia/Almaty (UTC+5 since March 2024)
BRUSSELS = "eeas-obs"  # 'Anne "Annie" De Smet; Brussels', observer, Europe/Brussels
ROLE_OF = {ALMATY: "REQ-PARTICIPANT", BRUSSELS: "OPT-PARTICIPANT"}
AWKWARD_NAMES = {
    "kz-deputy": "Ерлан Сейткали",
    "pk-deputy": "عمران قریشی",
    "kz-expert-bio": "O'Neil, Saule",
    "eeas-obs": 'Anne "Annie" De Smet; Brussels',
}

# Venue variants: Dubai has no summer time; the Brussels one crosses the March change, so
# vobject must really evaluate the VTIMEZONE's RRULEs to get DTEND right.
VENUES: dict[str, dict[str, str]] = {
    "dubai": {"zone": "Asia/Dubai", "start": "2027-01-11T09:00", "end": "2027-01-12T17:30"},
    "brussels-dst": {
        "zone": "Europe/Brussels",
        "start": "2027-03-26T09:00",
        "end": "2027-03-29T17:30",
    },
}


# --- builders --------------------------------------------------------------------------


@cache
def people() -> dict[str, Participant]:
    """The directory's people, written to in English here (times, calendar, links); the
    tests of names and injections run in every language (`person(pid, languages=...)`)."""
    return {
        p.id: p.model_copy(update={"language": "en", "languages": ["en"]})
        for p in central_asia().participants
    }


def person(pid: str, **changes: Any) -> Participant:
    """A directory participant, optionally changed (and validated again)."""
    p = people()[pid]
    return Participant.model_validate({**p.model_dump(), **changes}) if changes else p


def rtm(fmt: Format = "hybrid", venue: str = "dubai", **overrides: Any) -> MeetingDefinition:
    """The 16th RTM on fixed dates, as `fmt`: online has no venue, in person no join link."""
    data: dict[str, Any] = {"id": MEETING_ID, "format": fmt, **VENUES[venue]}
    if fmt == "online":
        data["venue"] = None
    if fmt == "in_person":
        data["join_link"] = None
    data.update(overrides)
    return meeting(**data)


def links_for(m: MeetingDefinition, p: Participant, method: str) -> dict[Attendance, str] | None:
    """What activities/mail.py passes: links for a REQUEST, none for a CANCEL."""
    return rsvp_links(KEY, BASE_URL, m, p.id) if method == "REQUEST" else None


def invitation_bytes(
    m: MeetingDefinition,
    p: Participant,
    sequence: int,
    stamp: datetime,
    method: str = "REQUEST",
    links: dict[Attendance, str] | None = None,
    join_url: str | None = None,
) -> bytes:
    """What the send activity puts on the wire for `p` (the one mail builder)."""
    batch = InvitationBatch.model_construct(
        meeting=m,
        sequence=sequence,
        method=cast(Any, method),
        recipients=[p],
        previous=None,
        reason=None,
    )
    return invitation_mail(batch, p, stamp, links, join_url).data


def received(data: bytes) -> EmailMessage:
    """The message as a client reads it: the bytes sent, parsed back."""
    msg = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def send(m: MeetingDefinition, p: Participant, kind: Kind) -> EmailMessage:
    sequence, method = SENDS[kind]
    return received(invitation_bytes(m, p, sequence, STAMP, method, links_for(m, p, method)))


def leaf(msg: EmailMessage, content_type: str) -> EmailMessage:
    """The one non-multipart part of `content_type`."""
    found = [p for p in msg.walk() if p.get_content_type() == content_type]
    assert len(found) == 1, f"{len(found)} {content_type} parts"
    part = found[0]
    assert isinstance(part, EmailMessage)
    return part


def text_of(msg: EmailMessage, subtype: str = "plain") -> str:
    content = leaf(msg, f"text/{subtype}").get_content()
    assert isinstance(content, str)
    return content


def payload(part: EmailMessage) -> bytes:
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    return data


def calendar_parts(msg: EmailMessage) -> tuple[bytes, bytes]:
    """The text/calendar alternative and the invite.ics attachment, transfer-decoded."""
    return payload(leaf(msg, "text/calendar")), payload(leaf(msg, "application/ics"))


def ics_lines(ics: bytes) -> list[str]:
    """Unfolded content lines (RFC 5545 3.1)."""
    text = ics.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    return text.removesuffix("\r\n").split("\r\n")


# --- 1. MIME structure, golden ---------------------------------------------------------


def structure(part: MIMEPart) -> dict[str, Any]:
    """Content type, method parameter, disposition and filename of a part and its children."""
    node: dict[str, Any] = {"content_type": part.get_content_type()}
    method = part.get_param("method")
    if method is not None:
        node["method"] = str(method)
    disposition = part.get_content_disposition()
    if disposition is not None:
        node["disposition"] = disposition
    filename = part.get_filename()
    if filename is not None:
        node["filename"] = filename
    if part.is_multipart():
        node["parts"] = [structure(child) for child in part.iter_parts()]
    return node


def expected_tree(method: str) -> dict[str, Any]:
    """DESIGN.md's shape, spelled out so a wrongly blessed golden file cannot pass."""
    return {
        "content_type": "multipart/mixed",
        "parts": [
            {
                "content_type": "multipart/alternative",
                "parts": [
                    {"content_type": "text/plain"},
                    {"content_type": "text/html"},
                    {"content_type": "text/calendar", "method": method},
                ],
            },
            {
                "content_type": "application/ics",
                "method": method,
                "disposition": "attachment",
                "filename": "invite.ics",
            },
        ],
    }


@pytest.mark.parametrize("kind", KINDS)
def test_mime_structure_matches_golden(kind: Kind) -> None:
    msg = send(rtm(), person(ALMATY), kind)
    actual = {"headers": sorted(msg.keys()), "tree": structure(msg)}
    path = GOLDEN / f"{kind}.json"
    if UPDATE_GOLDEN:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(actual, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with RTM_UPDATE_GOLDEN=1 to create it"
    assert json.loads(path.read_text(encoding="utf-8")) == actual
    assert actual["tree"] == expected_tree(SENDS[kind][1])
    assert len(set(actual["headers"])) == len(actual["headers"]), "a header appears twice"


@pytest.mark.parametrize("kind", KINDS)
def test_subject_ids_and_addresses(kind: Kind) -> None:
    m, p = rtm(), person(ALMATY)
    sequence, _ = SENDS[kind]
    msg = send(m, p, kind)

    assert msg["Subject"] == f"{SUBJECT_PREFIX[kind]}{m.title} (Dubai, 11 Jan 2027)"

    assert msg["Message-ID"] == message_id(m, sequence, p.id)
    later = received(invitation_bytes(m, p, sequence, NOW, SENDS[kind][1]))
    assert later["Message-ID"] == msg["Message-ID"], "a re-send must keep its Message-ID"
    others = {message_id(m, s, pid) for s in (0, 1, 2) for pid in (ALMATY, BRUSSELS)}
    assert len(others) == 6, "Message-IDs differ per sequence and recipient"

    event = icalendar.Calendar.from_ical(calendar_parts(msg)[0]).walk("VEVENT")[0]
    (sender,) = msg["From"].addresses
    (to,) = msg["To"].addresses
    assert sender.addr_spec == m.organiser.email
    assert sender.display_name == m.organiser.name
    assert str(event["ORGANIZER"]) == f"mailto:{sender.addr_spec}"
    assert to.addr_spec == p.email
    assert to.display_name == p.name
    assert str(event["ATTENDEE"]) == f"mailto:{to.addr_spec}"


# --- 2. the .ics through two readers ---------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """What one reader makes of the calendar (attendee CN kept apart, see cn_matches)."""

    method: str
    uid: str
    sequence: int
    summary: str
    location: str | None
    url: str | None
    description: str
    status: str
    start_utc: datetime
    end_utc: datetime
    stamp_utc: datetime
    organizer: str
    organizer_cn: str
    attendee: str
    attendee_params: dict[str, str]
    attendee_cn: str


def instant(event: icalendar.Component, name: str) -> datetime:
    """An aware date-time property of `event`, in UTC."""
    value = event.decoded(name)
    assert isinstance(value, datetime) and value.tzinfo is not None, (name, value)
    return value.astimezone(UTC)


def by_icalendar(ics: bytes) -> Seen:
    cal = icalendar.Calendar.from_ical(ics)
    (event,) = cal.walk("VEVENT")
    attendee = event["ATTENDEE"]
    organizer = event["ORGANIZER"]
    assert isinstance(attendee, icalendar.vCalAddress), "exactly one ATTENDEE"
    assert isinstance(organizer, icalendar.vCalAddress)
    url = event.get("URL")
    location = event.get("LOCATION")
    return Seen(
        method=str(cal["METHOD"]),
        uid=str(event["UID"]),
        sequence=int(event.decoded("SEQUENCE")),
        summary=str(event["SUMMARY"]),
        location=None if location is None else str(location),
        url=None if url is None else str(url),
        description=str(event["DESCRIPTION"]),
        status=str(event["STATUS"]),
        start_utc=instant(event, "DTSTART"),
        end_utc=instant(event, "DTEND"),
        stamp_utc=instant(event, "DTSTAMP"),
        organizer=str(organizer),
        organizer_cn=str(organizer.params["CN"]),
        attendee=str(attendee),
        attendee_params={k: str(attendee.params[k]) for k in ("ROLE", "PARTSTAT", "RSVP")},
        attendee_cn=str(attendee.params["CN"]),
    )


def vget(component: Any, name: str) -> Any:
    """The one `name` property of a vobject component, or None."""
    found = component.contents.get(name.lower(), [])
    assert len(found) <= 1, f"{len(found)} {name} properties"
    return found[0] if found else None


def vtext(component: Any, name: str) -> str | None:
    prop = vget(component, name)
    return None if prop is None else str(prop.value)


def by_vobject(ics: bytes) -> Seen:
    cal = vobject.readOne(ics.decode("utf-8"))
    assert len(cal.contents["vevent"]) == 1
    event = cal.vevent
    start, end = event.dtstart.value, event.dtend.value
    for moment in (start, end):
        # vobject builds its tzinfo from the VTIMEZONE rules, not from the zone's name.
        assert isinstance(moment, datetime) and moment.tzinfo is not None
        assert not isinstance(moment.tzinfo, ZoneInfo)
    attendee, organizer = vget(event, "attendee"), vget(event, "organizer")
    return Seen(
        method=str(cal.method.value),
        uid=str(event.uid.value),
        sequence=int(event.sequence.value),
        summary=str(event.summary.value),
        location=vtext(event, "location"),
        url=vtext(event, "url"),
        description=str(event.description.value),
        status=str(event.status.value),
        start_utc=start.astimezone(UTC),
        end_utc=end.astimezone(UTC),
        stamp_utc=event.dtstamp.value.astimezone(UTC),
        organizer=str(organizer.value),
        organizer_cn=str(organizer.params["CN"][0]),
        attendee=str(attendee.value),
        attendee_params={k: str(attendee.params[k][0]) for k in ("ROLE", "PARTSTAT", "RSVP")},
        attendee_cn=str(attendee.params["CN"][0]),
    )


_QUOTES = str.maketrans({"'": '"', "\u2018": '"', "\u2019": '"', "\u201c": '"', "\u201d": '"'})


def cn_matches(cn: str, name: str) -> bool:
    """CN is the name exactly; a DQUOTE (which RFC 5545 cannot carry in a parameter without
    RFC 6868) may come out as another quote mark, but never as a ^' escape."""
    if '"' not in name:
        return cn == name
    return "^" not in cn and cn.translate(_QUOTES) == name.translate(_QUOTES)


def venue_text(m: MeetingDefinition) -> str:
    assert m.venue is not None
    return f"{m.venue.name}, {m.venue.city}, {m.venue.country}"


@pytest.mark.parametrize("venue", list(VENUES))
@pytest.mark.parametrize("pid", [ALMATY, BRUSSELS])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_ics_reads_the_same_in_icalendar_and_vobject(
    kind: Kind, fmt: Format, pid: str, venue: str
) -> None:
    m, p = rtm(fmt, venue), person(pid)
    sequence, method = SENDS[kind]
    msg = send(m, p, kind)

    alternative, attachment = calendar_parts(msg)
    assert alternative == attachment == invitation_ics(m, p, sequence, STAMP, method)
    assert leaf(msg, "text/calendar").get_param("method") == method
    assert leaf(msg, "application/ics").get_param("method") == method

    seen = by_icalendar(attachment)
    other = by_vobject(attachment)
    assert {**asdict(other), "attendee_cn": None} == {**asdict(seen), "attendee_cn": None}
    assert cn_matches(seen.attendee_cn, p.name)
    if '"' not in p.name:  # a DQUOTE in the CN: see test_attendee_cn_round_trips_in_vobject
        assert cn_matches(other.attendee_cn, p.name)

    assert seen.method == method
    assert seen.uid == m.uid == f"{MEETING_ID.lower()}@example.org"
    assert seen.sequence == sequence
    assert seen.summary == m.title
    assert seen.status == ("CANCELLED" if kind == "cancel" else "CONFIRMED")
    assert seen.start_utc == m.start_utc()
    assert seen.end_utc == m.end_utc()
    assert seen.stamp_utc == STAMP.astimezone(UTC) == datetime(2026, 12, 1, 9, 30, 15, tzinfo=UTC)
    assert seen.organizer == f"mailto:{m.organiser.email}"
    assert seen.organizer_cn == m.organiser.name
    assert seen.attendee == f"mailto:{p.email}"
    assert seen.attendee_params == {
        "ROLE": ROLE_OF[pid],
        "PARTSTAT": "NEEDS-ACTION",
        "RSVP": "TRUE",
    }

    first_line = seen.description.split("\n")[0]
    if fmt == "in_person":
        assert seen.location == venue_text(m)
        assert seen.url is None
        assert "Join online" not in seen.description
    elif fmt == "online":
        assert seen.location == m.join_link
        assert seen.url == m.join_link
        assert first_line == f"Join online: {m.join_link}"
    else:
        assert seen.location == venue_text(m)
        assert seen.url == m.join_link == "https://meet.example.org/rtm-ca-16"
        assert first_line == f"Join online: {m.join_link}"

    # Raw lines: one VTIMEZONE whose TZID is the DTSTART/DTEND TZID; DTSTAMP written in UTC.
    cal = icalendar.Calendar.from_ical(attachment)
    (vtz,) = cal.walk("VTIMEZONE")
    (event,) = cal.walk("VEVENT")
    assert str(vtz["TZID"]) == m.zone
    assert event["DTSTART"].params["TZID"] == event["DTEND"].params["TZID"] == m.zone
    lines = ics_lines(attachment)
    assert f"TZID:{m.zone}" in lines
    assert sum(line.startswith("DTSTART;TZID=") for line in lines) == 1
    assert any(line.startswith(f"DTSTART;TZID={m.zone}:") for line in lines)
    assert any(line.startswith(f"DTEND;TZID={m.zone}:") for line in lines)
    (stamp_line,) = [line for line in lines if line.startswith("DTSTAMP")]
    assert stamp_line == "DTSTAMP:20261201T093015Z"
    assert vobject.readOne(attachment.decode("utf-8")).vtimezone.tzid.value == m.zone


# --- 3. times in the body --------------------------------------------------------------


def when_lines(text: str) -> list[str]:
    """The 'When' lines, with runs of spaces collapsed."""
    return [" ".join(line.split()) for line in text.splitlines() if line.startswith("When")]


@pytest.mark.parametrize(
    ("dates", "pid", "expected"),
    [
        pytest.param(
            {"start": "2027-01-11T09:00", "end": "2027-01-12T17:30"},
            ALMATY,
            [
                "When (venue time): Mon 11 Jan 2027 09:00 - Tue 12 Jan 2027 17:30 (Asia/Dubai)",
                "When (your time): Mon 11 Jan 2027 10:00 - Tue 12 Jan 2027 18:30 (Asia/Almaty)",
            ],
            id="two-days-almaty-utc+5",
        ),
        pytest.param(
            {"start": "2027-01-11T09:00", "end": "2027-01-11T17:30"},
            ALMATY,
            [
                "When (venue time): Mon 11 Jan 2027, 09:00-17:30 (Asia/Dubai)",
                "When (your time): Mon 11 Jan 2027, 10:00-18:30 (Asia/Almaty)",
            ],
            id="one-day-almaty",
        ),
        pytest.param(
            {"start": "2027-03-26T09:00", "end": "2027-03-29T17:30"},
            BRUSSELS,
            [
                "When (venue time): Fri 26 Mar 2027 09:00 - Mon 29 Mar 2027 17:30 (Asia/Dubai)",
                # 05:00Z in CET (UTC+1), 13:30Z in CEST (UTC+2): summer time starts on the 28th.
                "When (your time): Fri 26 Mar 2027 06:00 - Mon 29 Mar 2027 15:30 (Europe/Brussels)",
            ],
            id="brussels-across-summer-time",
        ),
    ],
)
@pytest.mark.parametrize("kind", ["request", "update"])
def test_body_shows_venue_time_and_recipient_time(
    kind: Kind, dates: dict[str, str], pid: str, expected: list[str]
) -> None:
    msg = send(rtm("hybrid", **dates), person(pid), kind)
    assert when_lines(text_of(msg)) == expected
    page = html.unescape(re.sub(r"<[^>]+>", " ", text_of(msg, "html")))
    for line in expected:
        head, _, rest = line.partition(": ")
        assert re.search(re.escape(head) + r":\s+" + re.escape(rest), page), line


@pytest.mark.parametrize("kind", ["request", "update"])
def test_no_your_time_line_in_the_venue_zone(kind: Kind) -> None:
    local = person(ALMATY, zone="Asia/Dubai")
    text = text_of(send(rtm(), local, kind))
    assert when_lines(text) == [
        "When (venue time): Mon 11 Jan 2027 09:00 - Tue 12 Jan 2027 17:30 (Asia/Dubai)"
    ]
    assert "your time" not in text


def test_cancel_body_gives_the_venue_time() -> None:
    text = text_of(send(rtm(), person(ALMATY), "cancel"))
    assert "Mon 11 Jan 2027 09:00 - Tue 12 Jan 2027 17:30 (Asia/Dubai), is cancelled" in text


# --- 4. names with quotes, commas, semicolons, other scripts -----------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("pid", "name"), AWKWARD_NAMES.items())
@pytest.mark.parametrize("kind", KINDS)
def test_to_header_display_name_round_trips(kind: Kind, pid: str, name: str, lang: str) -> None:
    p = person(pid, languages=[lang])
    assert p.name == name
    msg = send(rtm(), p, kind)
    (to,) = msg["To"].addresses
    assert to.display_name == name
    assert to.addr_spec == p.email
    dear = i18n.gettext(lang, "Dear %(name)s,")
    assert dear % {"name": name} in text_of(msg)
    # escaped (MarkupSafe writes ' and " as &#39; and &#34;, html.escape as &#x27; &quot;)
    page = text_of(msg, "html").replace("&#39;", "&#x27;").replace("&#34;", "&quot;")
    assert dear % {"name": html.escape(name)} in page


@pytest.mark.parametrize(("pid", "name"), AWKWARD_NAMES.items())
@pytest.mark.parametrize("kind", KINDS)
def test_attendee_cn_round_trips_in_icalendar(kind: Kind, pid: str, name: str) -> None:
    for ics in calendar_parts(send(rtm(), person(pid), kind)):
        cn = by_icalendar(ics).attendee_cn
        assert cn_matches(cn, name), cn


@pytest.mark.parametrize(
    ("pid", "name"),
    [(pid, name) for pid, name in AWKWARD_NAMES.items()],
)
@pytest.mark.parametrize("kind", KINDS)
def test_attendee_cn_round_trips_in_vobject(kind: Kind, pid: str, name: str) -> None:
    for ics in calendar_parts(send(rtm(), person(pid), kind)):
        cn = by_vobject(ics).attendee_cn
        assert cn_matches(cn, name), cn
        assert cn == by_icalendar(ics).attendee_cn, "the two readers disagree"


AWKWARD_ORGANISER = 'Секретариат ЦА; "RTM", O\'Brien'


def test_organiser_name_round_trips_in_from_header_and_icalendar() -> None:
    m = rtm(organiser={"name": AWKWARD_ORGANISER, "email": "secretariat.ca@example.org"})
    msg = send(m, person(ALMATY), "request")
    (sender,) = msg["From"].addresses
    assert sender.display_name == AWKWARD_ORGANISER
    assert cn_matches(by_icalendar(calendar_parts(msg)[1]).organizer_cn, AWKWARD_ORGANISER)


def test_organiser_cn_round_trips_in_vobject() -> None:
    m = rtm(organiser={"name": AWKWARD_ORGANISER, "email": "secretariat.ca@example.org"})
    ics = calendar_parts(send(m, person(ALMATY), "request"))[1]
    cn = by_vobject(ics).organizer_cn
    assert cn_matches(cn, AWKWARD_ORGANISER), cn
    assert cn == by_icalendar(ics).organizer_cn


# --- 5. control characters and injection -----------------------------------------------

CONTROL_CHARS = ["\r\n", "\r", "\n", "\t", "\x00", "\x0b", "\x0c", "\x1b", "\x1e", "\x7f"]
MEETING_FIELDS = [
    "title",
    "venue.name",
    "venue.city",
    "venue.country",
    "venue.address",
    "join_link",
    "organiser.name",
    "organiser.email",
]
PARTICIPANT_FIELDS = ["name", "email"]
EVIL = "Evil{}Bcc: x@example.org"


def dirty(path: str, char: str) -> str:
    """A value for field `path` that would be valid but for `char` inside it."""
    if path == "join_link":
        return f"https://meet.example.org/rtm{char}Bcc:x@example.org"
    if path.endswith("email"):
        return f"evil{char}Bcc@example.org"
    return EVIL.format(char)


def injection(path: str, char: str) -> str:
    """A header-injection attempt for field `path`, for models built without validation."""
    if path == "join_link":
        return f"https://meet.example.org/rtm{char}Bcc: x@example.org"
    if path.endswith("email"):
        return f"evil@example.org{char}Bcc: x@example.org"
    return EVIL.format(char)


def with_value(data: dict[str, Any], path: str, value: str) -> dict[str, Any]:
    """A copy of `data` with the (possibly nested, dotted) field `path` set to `value`."""
    head, _, rest = path.partition(".")
    if not rest:
        return {**data, head: value}
    return {**data, head: with_value(dict(data[head]), rest, value)}


def refused_for(
    model: type[Participant | MeetingDefinition], data: dict[str, Any], path: str
) -> str:
    """Validate `data`, which must fail with a ValueError naming field `path`."""
    with pytest.raises(ValueError) as info:
        model.model_validate(data)
    assert isinstance(info.value, ValidationError)
    locations = {".".join(str(x) for x in error["loc"]) for error in info.value.errors()}
    assert path in locations
    assert path in str(info.value)
    return str(info.value)


def meeting_field_data(path: str, value: str) -> dict[str, Any]:
    base = meeting_data(id=MEETING_ID)
    base["venue"] = {**base["venue"], "address": "Expo Road 1"}
    return with_value(base, path, value)


@pytest.mark.parametrize("char", CONTROL_CHARS, ids=repr)
@pytest.mark.parametrize("path", MEETING_FIELDS)
def test_meeting_validation_refuses_control_chars(path: str, char: str) -> None:
    MeetingDefinition.model_validate(meeting_field_data(path, dirty(path, "-")))  # control
    message = refused_for(MeetingDefinition, meeting_field_data(path, dirty(path, char)), path)
    if path != "organiser.email":  # the address is also refused by its pattern
        assert "control characters" in message


@pytest.mark.parametrize("char", CONTROL_CHARS, ids=repr)
@pytest.mark.parametrize("path", PARTICIPANT_FIELDS)
def test_participant_validation_refuses_control_chars(path: str, char: str) -> None:
    base = people()[ALMATY].model_dump()
    Participant.model_validate(with_value(base, path, dirty(path, "-")))  # control
    message = refused_for(Participant, with_value(base, path, dirty(path, char)), path)
    assert "control characters" in message


@pytest.mark.parametrize("path", ["title", "venue.name", "organiser.name", "participant.name"])
def test_validation_refuses_c1_controls_and_line_separators(path: str) -> None:
    for char in ("\x85", "\x9b", "\u2028", "\u2029"):
        if path == "participant.name":
            base = people()[ALMATY].model_dump()
            refused_for(Participant, with_value(base, "name", dirty("name", char)), "name")
        else:
            refused_for(MeetingDefinition, meeting_field_data(path, dirty(path, char)), path)


def test_email_validation_strips_surrounding_whitespace() -> None:
    """Leading/trailing CR/LF is trimmed (not refused): nothing of it reaches a header."""
    p = person(ALMATY, email="\r\n nfp.kz@EXAMPLE.org\r\n")
    assert p.email == "nfp.kz@example.org"


def assert_no_injection(raw: bytes) -> None:
    """No Bcc header in any part, no Bcc header line, no Bcc or broken line in the ics."""
    for part in received(raw).walk():
        assert "Bcc" not in part
    header_block = raw.split(b"\r\n\r\n", 1)[0]
    assert not any(line.lower().startswith(b"bcc") for line in header_block.split(b"\r\n"))
    for ics in calendar_parts(received(raw)):
        assert_clean_ics(ics)


def assert_clean_ics(ics: bytes) -> None:
    for line in ics.split(b"\r\n"):
        assert b"\r" not in line and b"\n" not in line, line
        assert not line.lower().startswith(b"bcc"), line


def test_bypassed_validation_crlf_name_raises() -> None:
    """The case the brief names: the SMTP policy refuses the header outright."""
    evil = Participant.model_construct(
        **{**people()[ALMATY].model_dump(), "name": EVIL.format("\r\n")}
    )
    with pytest.raises(ValueError, match="CR or LF"):
        invitation_bytes(rtm(), evil, 0, STAMP, "REQUEST", links_for(rtm(), evil, "REQUEST"))
    # The calendar, built first, escapes the newline (RFC 6868 ^n) inside the CN.
    ics = invitation_ics(rtm(), evil, 0, STAMP)
    assert_clean_ics(ics)
    assert by_icalendar(ics).attendee_cn == EVIL.format("\n")


def bypassed(path: str, value: str, lang: str = "en") -> tuple[MeetingDefinition, Participant]:
    """A meeting and participant (who reads `lang`) where field `path` was set without
    validation."""
    m, p = rtm(), person(ALMATY, languages=[lang])
    owner, _, field = path.partition(".")
    if owner == "participant":
        return m, Participant.model_construct(**{**p.model_dump(), field: value})
    if owner == "venue":
        assert m.venue is not None
        venue = Venue.model_construct(**{**m.venue.model_dump(), field: value})
        return m.model_copy(update={"venue": venue}), p
    if owner == "organiser":
        organiser = Organiser.model_construct(**{**m.organiser.model_dump(), field: value})
        return m.model_copy(update={"organiser": organiser}), p
    return m.model_copy(update={path: value}), p


@pytest.mark.parametrize("char", ["\r\n", "\n", "\r"], ids=repr)
@pytest.mark.parametrize(
    "path",
    [
        "participant.name",
        "participant.email",
        "title",
        "venue.name",
        "venue.city",
        "venue.address",
        "join_link",
        "organiser.name",
        "organiser.email",
    ],
)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_bypassed_validation_never_injects(path: str, char: str, lang: str) -> None:
    """Either refused with a ValueError, or the newline stays inside a body or an escape,
    in every language."""
    m, p = bypassed(path, injection(path.rpartition(".")[2], char), lang)
    try:
        ics = invitation_ics(m, p, 0, STAMP)
    except ValueError:
        pass
    else:
        assert_clean_ics(ics)
    try:
        data = invitation_bytes(m, p, 0, STAMP, "REQUEST", links_for(m, p, "REQUEST"))
    except ValueError:
        return
    assert_no_injection(data)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_ics_lines_are_folded_and_crlf_terminated(fmt: Format, kind: Kind) -> None:
    m = rtm(fmt)
    sequence, method = SENDS[kind]
    turn = KINDS.index(kind) * len(FORMATS) + FORMATS.index(fmt)
    for p in share(list(people().values()), 4, turn):  # each person in some case
        ics = invitation_ics(m, p, sequence, STAMP, method)
        assert ics.endswith(b"\r\n")
        for line in ics.removesuffix(b"\r\n").split(b"\r\n"):
            assert len(line) <= 75, (p.id, line)
            assert b"\r" not in line and b"\n" not in line, (p.id, line)
            line.decode("utf-8")  # folding never splits a UTF-8 sequence
        assert calendar_parts(send(m, p, kind))[1] == ics


# --- 6. signed RSVP links --------------------------------------------------------------

CHOICES: dict[Format, list[str]] = {
    "hybrid": ["in-person", "online", "tentative", "decline"],
    "online": ["online", "tentative", "decline"],
    "in_person": ["in-person", "tentative", "decline"],
}


@dataclass(frozen=True)
class RsvpLink:
    url: str
    parts: tuple[str, ...]
    expires: str
    sig: str


def rsvp_links_in(text: str) -> list[RsvpLink]:
    found: list[RsvpLink] = []
    for url in re.findall(r"https?://[^\s\"<>]+", text):
        split = urlsplit(url)
        if not split.path.startswith("/rsvp/"):
            continue
        query = parse_qs(split.query, strict_parsing=True)
        parts = tuple(unquote(p) for p in split.path.removeprefix("/rsvp/").split("/"))
        found.append(RsvpLink(url, parts, query["exp"][0], query["sig"][0]))
    return found


@pytest.mark.parametrize("kind", ["request", "update"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_one_signed_link_per_allowed_choice(fmt: Format, kind: Kind) -> None:
    m, p, other = rtm(fmt), person(ALMATY), person(BRUSSELS)
    msg = send(m, p, kind)
    links = rsvp_links_in(text_of(msg))

    assert [link.parts[2] for link in links] == CHOICES[fmt]
    assert [Attendance(link.parts[2]) for link in links] == list(rsvp_links(KEY, BASE_URL, m, p.id))
    html_links = rsvp_links_in(html.unescape(text_of(msg, "html")))
    assert {link.url for link in html_links} == {link.url for link in links}

    for link in links:
        assert link.url.startswith("https://rtm.example.org/rsvp/")
        assert link.parts[:2] == (m.id, p.id)
        assert int(link.expires) == int(m.registration_deadline_utc().timestamp())
        verify(KEY, "rsvp", link.parts, link.expires, link.sig, NOW)
        theirs = (m.id, other.id, link.parts[2])
        with pytest.raises(LinkError) as info:
            verify(KEY, "rsvp", theirs, link.expires, link.sig, NOW)
        assert info.value.status == 403
        for choice in CHOICES["hybrid"]:
            if choice != link.parts[2]:
                with pytest.raises(LinkError) as info:
                    verify(KEY, "rsvp", (m.id, p.id, choice), link.expires, link.sig, NOW)
                assert info.value.status == 403


@pytest.mark.parametrize("given_links", [False, True], ids=["no-links", "links-passed"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_cancel_has_no_links(fmt: Format, given_links: bool) -> None:
    m, p = rtm(fmt), person(ALMATY)
    links = rsvp_links(KEY, BASE_URL, m, p.id) if given_links else None
    msg = received(invitation_bytes(m, p, 2, STAMP, "CANCEL", links))
    for subtype in ("plain", "html"):
        body = text_of(msg, subtype)
        assert "/rsvp/" not in body
        assert rsvp_links_in(html.unescape(body)) == []
    assert "Accept" not in text_of(msg)
