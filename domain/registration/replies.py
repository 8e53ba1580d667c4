"""Calendar replies (RFC 5546 METHOD:REPLY) read from the raw mail a calendar client sends.

Pure: bytes in, a validated CalendarReply out, or a ReplyError saying why the message
answers nothing. Outlook, Gmail, Apple Mail and Thunderbird wrap the same VCALENDAR in
different MIME shapes, so every text/calendar part and .ics attachment is a candidate.
"""

from __future__ import annotations

import re
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from typing import Annotated, Any

import icalendar
from pydantic import Field, TypeAdapter, ValidationError

from domain.common.base import Frozen
from domain.directory.models import Email
from domain.meeting.definition import MeetingId

_CALENDAR_TYPES = ("text/calendar", "application/ics")
_MEETING_ID: TypeAdapter[str] = TypeAdapter(MeetingId)
_INTEGER = re.compile(r"^[+-]?[0-9]{1,9}$")

Uid = Annotated[str, Field(min_length=1, max_length=1000)]
PartStat = Annotated[str, Field(pattern=r"^[A-Z0-9-]{1,64}$")]


class ReplyError(ValueError):
    """The message is not a usable calendar reply; str() says why, `sender` if it was read."""

    def __init__(self, reason: str, sender: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.sender = sender


class CalendarReply(Frozen):
    """One attendee's answer to one event, as their calendar client sent it."""

    sender: Email = Field(description="From addr-spec, lower-cased")
    uid: Uid
    sequence: int = Field(default=0, ge=0, description="SEQUENCE the answer refers to")
    attendee: Email = Field(description="the ATTENDEE mailto: address, lower-cased")
    partstat: PartStat = Field(description="ATTENDEE PARTSTAT, upper-cased")


def parse_reply(raw: bytes) -> CalendarReply:
    """The reply in `raw` (a whole RFC 5322 message); ReplyError for anything else."""
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; this is a last resort
        raise ReplyError(f"unreadable message: {exc}") from exc
    sender = _sender(msg)
    candidates = _calendar_parts(msg)
    if not candidates:
        raise ReplyError("no calendar: no text/calendar part or .ics attachment", sender)
    first: ReplyError | None = None
    for payload in candidates:
        try:
            return _reply(payload, sender)
        except ReplyError as exc:
            first = first or exc
    assert first is not None
    raise first


def meeting_id_from_uid(uid: str) -> str | None:
    """The meeting id our UIDs carry (`rtm-ca-16@example.org` → RTM-CA-16), else None."""
    local, at, _domain = uid.strip().rpartition("@")
    if not at or not local:
        return None
    try:
        return _MEETING_ID.validate_python(local.upper())
    except ValidationError:
        return None


def _sender(msg: EmailMessage) -> str:
    """The single From addr-spec, lower-cased: the replier's claimed identity."""
    try:
        headers = msg.get_all("From") or []
        addresses: list[Address] = [a for h in headers for a in getattr(h, "addresses", ())]
    except Exception as exc:  # malformed header the registry could not parse
        raise ReplyError(f"unreadable From header: {exc}") from exc
    if len(addresses) != 1 or not addresses[0].addr_spec or "@" not in addresses[0].addr_spec:
        raise ReplyError(f"From must hold exactly one address, found {len(addresses)}")
    return addresses[0].addr_spec.strip().lower()


def _calendar_parts(msg: EmailMessage) -> list[bytes]:
    """Decoded payloads of calendar parts: inline text/calendar first, then .ics attachments."""
    inline: list[bytes] = []
    attached: list[bytes] = []
    try:
        for part in msg.walk():
            if part.is_multipart():
                continue
            ctype = part.get_content_type()
            filename = part.get_filename() or ""
            is_ics = filename.strip().lower().endswith(".ics")
            if ctype not in _CALENDAR_TYPES and not is_ics:
                continue
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes) or not payload.strip():
                continue
            text = _decoded(part, payload)
            is_inline = ctype == "text/calendar" and part.get_content_disposition() != "attachment"
            (inline if is_inline else attached).append(text)
    except Exception as exc:  # a MIME structure the email package chokes on
        raise ReplyError(f"unreadable MIME structure: {exc}") from exc
    return inline + attached


def _decoded(part: Message, payload: bytes) -> bytes:
    """The payload re-encoded as UTF-8 from the part's charset (UTF-8 when unknown)."""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace").encode("utf-8")
    except LookupError:
        return payload.decode("utf-8", errors="replace").encode("utf-8")


def _reply(payload: bytes, sender: str) -> CalendarReply:
    """Validate one VCALENDAR as a REPLY with one VEVENT and one ATTENDEE."""
    try:
        cal = icalendar.Calendar.from_ical(payload)
    except Exception as exc:
        raise ReplyError(f"unreadable calendar: {exc}", sender) from exc
    if not isinstance(cal, icalendar.Calendar) or cal.name != "VCALENDAR":
        raise ReplyError("calendar part holds no VCALENDAR", sender)
    method = _text(cal.get("METHOD"))
    if method is None:
        raise ReplyError("not a REPLY: the calendar has no METHOD", sender)
    if method.upper() != "REPLY":
        raise ReplyError(f"not a REPLY: METHOD is {method.upper()}", sender)
    events = list(cal.walk("VEVENT"))
    if len(events) != 1:
        raise ReplyError(f"a reply must hold exactly one VEVENT, found {len(events)}", sender)
    event = events[0]

    uid = _text(event.get("UID"), "UID", sender)
    if not uid:
        raise ReplyError("no UID in the VEVENT", sender)
    sequence = _sequence(event.get("SEQUENCE"), sender)

    attendees = event.get("ATTENDEE")
    if attendees is None:
        raise ReplyError("no ATTENDEE in the VEVENT", sender)
    if isinstance(attendees, list):
        if len(attendees) != 1:
            raise ReplyError(
                f"a reply must name exactly one ATTENDEE, found {len(attendees)}", sender
            )
        attendees = attendees[0]
    address = str(attendees).strip()
    if address[:7].lower() != "mailto:" or "@" not in address:
        raise ReplyError(f"ATTENDEE is not a mailto: address: {address[:100]!r}", sender)
    params = getattr(attendees, "params", {})
    partstat = params.get("PARTSTAT", "NEEDS-ACTION")
    if not isinstance(partstat, str):
        raise ReplyError("ATTENDEE carries more than one PARTSTAT", sender)

    try:
        return CalendarReply(
            sender=sender,
            uid=uid,
            sequence=sequence,
            attendee=address[7:].strip().lower(),
            partstat=partstat.strip().upper(),
        )
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ReplyError(f"invalid reply: {reasons}", sender) from exc


def _text(value: Any, name: str = "METHOD", sender: str | None = None) -> str | None:
    """A single-valued property as stripped text; ReplyError when it is repeated."""
    if value is None:
        return None
    if isinstance(value, list):
        raise ReplyError(f"{name} appears {len(value)} times", sender)
    return str(value).strip()


def _sequence(value: Any, sender: str) -> int:
    """SEQUENCE as a non-negative int; 0 when absent (RFC 5545 default)."""
    text = _text(value, "SEQUENCE", sender)
    if text is None:
        return 0
    if not _INTEGER.match(text):
        raise ReplyError(f"SEQUENCE is not an integer: {text[:40]!r}", sender)
    sequence = int(text)
    if sequence < 0:
        raise ReplyError(f"SEQUENCE is negative: {sequence}", sender)
    return sequence
