"""The invitation email as SMTP wire bytes, rendered fast: one template per batch.

`invitation_message` (domain.mail.invitation) builds an EmailMessage and an icalendar
tree per recipient, about 8 ms of CPU each. A batch shares meeting, sequence, stamp and
method, so `InvitationTemplate` does the shared work once (the calendar through
icalendar, the constant headers through the email package) and `render` only produces
what differs per recipient:

- the To, Message-ID and X-RTM-Participant header lines, folded and RFC 2047-encoded as
  the email package folds them (the common shapes are formatted directly, see
  `simple_address_line`; anything else goes through the email package itself);
- the body texts, from the same `body_lines` / `html_body` as the reference;
- the ATTENDEE line (and, with a personal join link, URL, DESCRIPTION and, for online
  meetings, LOCATION), serialised, escaped and folded by icalendar's own Contentline,
  spliced into the calendar bytes built once: the result is byte-identical to
  `invitation_ics` for that recipient.

The MIME shape is the reference's: multipart/mixed [ multipart/alternative [ text/plain,
text/html, text/calendar; method=X ], application/ics; method=X (invite.ics) ]. Text
parts are 7bit when pure ASCII with short lines, else base64; the calendar alternative
is 7bit when ASCII, else base64; the attachment is base64. Boundaries are derived from
the Message-ID and never occur in the content. Every line ends with CRLF.

CR, LF or any other control character in a header value raises ValueError.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime
from email.headerregistry import Address
from email.policy import SMTP
from email.utils import format_datetime
from functools import lru_cache
from string import ascii_letters, digits

import icalendar
from icalendar.parser import Contentline

from domain.directory.models import Participant, Role
from domain.invitations.batches import message_id
from domain.invitations.calendar import attendee_role, cn, description, invitation_ics, location
from domain.mail.invitation import body_lines, html_body, subject
from domain.meeting.definition import MeetingDefinition, MeetingFormat
from domain.registration.answers import Attendance

__all__ = [
    "InvitationTemplate",
    "address_header",
    "boundary_tag",
    "fold_header",
    "simple_address_line",
    "text_header",
]

CRLF = b"\r\n"
MAX_HEADER = SMTP.max_line_length or 78  # where the email package folds (78)
MAX_LINE = 998  # RFC 5322 2.1.1, excluding CRLF

# C0 (CR, LF, tab, ...), DEL, C1, line and paragraph separators: never in a header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# RFC 5322 specials as the email package's parser sees them (email._header_value_parser).
_SPECIALS = frozenset('()<>@,:;.\\"[]')
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM_ADDR = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_MSG_ID = re.compile(rf"<{_ATEXT}(?:\.{_ATEXT})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*>")
_VISIBLE_ASCII = re.compile(r"[!-~]+")
_METHOD = re.compile(r"[A-Z]+(?:-[A-Z]+)*")
# RFC 2047 'Q' bytes that stand for themselves (email._encoded_words._QByteMap.safe).
_Q_SAFE = frozenset(b"-!*+/" + (ascii_letters + digits).encode("ascii"))
_BOUNDARY_PREFIX = "==rtm-"
_PROPERTY_NAME = re.compile(rb"([A-Za-z0-9-]+)[;:]")
_PLACEHOLDER = Participant.model_construct(
    id="placeholder",
    name="placeholder",
    email="placeholder@placeholder.invalid",
    role=Role.NFP,
    country="XX",
    organisation=None,
    language="en",
    zone="UTC",
)


# --- headers ---------------------------------------------------------------------------


def _refuse_controls(label: str, value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError(
            f"{label}: a header value must not contain CR, LF or other control characters"
        )
    return value


def _checked_header(folded: str) -> str:
    """A folded header as the generator would write it, or ValueError: ASCII only, CRLF
    line ends, continuation lines starting with white space, no line over 998 octets."""
    if not folded.isascii() or not folded.endswith("\r\n"):
        raise ValueError(f"cannot write header {folded[:40]!r} as 7-bit CRLF lines")
    lines = folded[:-2].split("\r\n")
    for i, line in enumerate(lines):
        if "\r" in line or "\n" in line or len(line) > MAX_LINE or _CONTROL.search(line):
            raise ValueError(f"header {folded[:40]!r} would carry a control character")
        if i and not line.startswith((" ", "\t")):
            raise ValueError(f"header {folded[:40]!r} would start a new header line")
    return folded


def fold_header(name: str, value: str | Address) -> str:
    """One header line (with continuation lines and CRLF) exactly as an EmailMessage with
    policy=SMTP writes it: the email package's own header machinery, about 0.05-0.7 ms."""
    if isinstance(value, str):
        _refuse_controls(name, value)
    _, header = SMTP.header_store_parse(name, value)  # refuses CR/LF, like msg[name] = ...
    folded: str = header.fold(policy=SMTP)
    return _checked_header(folded)


def _encoded_word(text: str) -> str:
    """The RFC 2047 encoded word the email package writes for `text` (utf-8, 'q' unless
    'b' is at least 5 characters shorter; see email._encoded_words.encode)."""
    raw = text.encode("utf-8")
    q_len = sum(1 if byte in _Q_SAFE or byte == 0x20 else 3 for byte in raw)
    b_len = (len(raw) + 2) // 3 * 4
    if q_len - b_len < 5:
        q = "".join(
            chr(byte) if byte in _Q_SAFE else "_" if byte == 0x20 else f"={byte:02X}"
            for byte in raw
        )
        return f"=?utf-8?q?{q}?="
    return f"=?utf-8?b?{base64.b64encode(raw).decode('ascii')}?="


def simple_address_line(name: str, display_name: str, addr_spec: str) -> str | None:
    """The header `name: display_name <addr_spec>` folded exactly as the email package
    folds `Address(display_name, addr_spec=addr_spec)` under policy=SMTP, for the common
    shapes; None when only the email package's folder can say (see `address_header`).

    Covered: a dot-atom address and a display name of single-space separated words, either
    ASCII (quoted when it holds an RFC 5322 special, as Address does) and short enough for
    one line, or with non-ASCII words and no specials (see `_fold_phrase`).
    tests/test_invitation_bytes.py checks this against the email package.
    """
    if (
        not display_name
        or display_name != display_name.strip(" ")
        or "  " in display_name
        or "=?" in display_name
        or "=?" in addr_spec
        or not display_name.isprintable()
        or not _DOT_ATOM_ADDR.fullmatch(addr_spec)
    ):
        return None
    angle = f"<{addr_spec}>"
    if display_name.isascii():
        shown = display_name
        if not _SPECIALS.isdisjoint(display_name):
            escaped = display_name.replace("\\", "\\\\").replace('"', '\\"')
            shown = f'"{escaped}"'
        return _whole_value(name, f"{shown} {angle}")
    if not _SPECIALS.isdisjoint(display_name):
        return None
    # The folder first folds the address on its own (from column 0): if that is one line,
    # it goes after the label or, if too long there, on the next line; if not, the folder
    # folds the display name and the address again, after the label.
    alone = _fold_phrase(display_name, "", angle)
    if alone is None:
        return None
    if len(alone) == 1:
        return _whole_value(name, alone[0])
    after_label = _fold_phrase(display_name, f"{name}: ", angle)
    return None if after_label is None else "\r\n".join(after_label) + "\r\n"


def _whole_value(name: str, value: str) -> str | None:
    """`name: value` on one line, or the value alone on a continuation line."""
    if len(name) + 2 + len(value) <= MAX_HEADER:
        return f"{name}: {value}\r\n"
    if len(value) + 1 <= MAX_HEADER:
        return f"{name}:\r\n {value}\r\n"
    return None


def _fold_phrase(phrase: str, label: str, angle: str) -> list[str] | None:
    """The lines the email package's folder (email._header_value_parser._refold_parse_tree
    and _fold_as_ew) writes for `label` + the display name `phrase` + " " + `angle`, for
    a phrase of single-space separated words without specials; None where it would take
    a path not replayed here (a word or space that does not fit a line, and the like).

    Replayed: ASCII words and the spaces after words are written as they are; a non-ASCII
    word becomes an encoded word that absorbs, decoded, what follows the last encoded
    word on the current line (so adjacent words share one); an encoded word too long for
    the line is split, each piece as long as fits, the rest on continuation lines; the
    address goes on the line if it fits, else on a continuation line of its own.
    """
    lines = [label]
    last_ew: int | None = None  # where the last encoded word starts on the current line
    run = ""  # the decoded text of lines[-1][last_ew:]
    for word in phrase.split(" "):
        if not word.isascii():
            if last_ew is None:
                text, start = word, len(lines[-1])
            else:
                text, start = run + word, last_ew
                lines[-1] = lines[-1][:last_ew]
                if text.startswith(" "):  # written plain, before the encoded word
                    if len(lines[-1]) >= MAX_HEADER:
                        return None
                    lines[-1] += " "
                    text = text[1:]
            run = lines[-1][start:]  # "" or the leading space
            while text:
                remaining = MAX_HEADER - len(lines[-1])
                if remaining - 12 <= 0:  # no room for the chrome of an encoded word
                    return None
                chunk = text[: remaining - 12]
                encoded = _encoded_word(chunk)
                while len(encoded) > remaining:
                    chunk = chunk[:-1]
                    encoded = _encoded_word(chunk)
                if not chunk:
                    return None
                lines[-1] += encoded
                run += chunk
                text = text[len(chunk) :]
                if text:
                    lines.append(" ")
                    start, run = 1, ""
            last_ew = start
            piece = " "
        else:
            piece = f"{word} "
        if len(lines[-1]) + len(piece) > MAX_HEADER:
            return None
        lines[-1] += piece
        run += piece
    if len(lines[-1]) + len(angle) <= MAX_HEADER:
        lines[-1] += angle
    elif len(angle) + 1 <= MAX_HEADER:
        lines[-1] = lines[-1][:-1]  # the space moves to the continuation line
        lines.append(f" {angle}")
    else:
        return None
    return lines


def _reads_back(folded: str, display_name: str, addr_spec: str) -> bool:
    """Whether a folded address header parses back as the one address it was made from
    (white space aside: Python's parser keeps the folds between encoded words)."""
    name, _, value = folded.partition(":")
    try:
        addresses = SMTP.header_factory(name, value.replace("\r\n", "")).addresses
    except Exception:  # the parser's defects are the point here, not their kind
        return False
    if len(addresses) != 1:
        return False
    (address,) = addresses
    shown: str = address.display_name
    return address.addr_spec == addr_spec and "".join(shown.split()) == "".join(
        display_name.split()
    )


def _safe_address_lines(name: str, display_name: str, addr_spec: str, encode: bool) -> str:
    """A fold that keeps the address intact where the email package's does not: the
    (quoted) ASCII display name whole on the first line, up to 998 octets, or the display
    name as base64 encoded words of at most 45 octets, one a line, then the address."""
    if encode:
        parts, chunk = [], ""
        for char in display_name:
            if chunk and len((chunk + char).encode("utf-8")) > 45:
                parts.append(chunk)
                chunk = ""
            chunk += char
        parts.append(chunk)
        words = [f"=?utf-8?b?{base64.b64encode(p.encode()).decode('ascii')}?=" for p in parts]
    else:
        shown = display_name
        if not _SPECIALS.isdisjoint(display_name):
            escaped = display_name.replace("\\", "\\\\").replace('"', '\\"')
            shown = f'"{escaped}"'
        words = [shown]
    return _checked_header(f"{name}: " + "\r\n ".join([*words, f"<{addr_spec}>"]) + "\r\n")


@lru_cache(maxsize=8192)
def _address_header(name: str, display_name: str, addr_spec: str) -> str:
    simple = simple_address_line(name, display_name, addr_spec)
    if simple is not None:
        return simple
    folded = fold_header(name, Address(display_name, addr_spec=addr_spec))
    if _reads_back(folded, display_name, addr_spec):
        return folded
    # Python 3.11's folder can drop the quotes of a long quoted display name, so that
    # 'To: "O'Neil, Saule ..." <a@b>' would read back as several addresses.
    for encode in (False, True) if display_name.isascii() else (True,):
        try:
            safe = _safe_address_lines(name, display_name, addr_spec, encode)
        except ValueError:  # a line over 998 octets
            continue
        if _reads_back(safe, display_name, addr_spec):
            return safe
    raise ValueError(f"{name}: cannot write {display_name!r} <{addr_spec}> faithfully")


def address_header(name: str, display_name: str, addr_spec: str) -> str:
    """An address header line as EmailMessage(policy=SMTP) writes `Address(...)`: the
    common shapes formatted directly, the others through the email package (remembered,
    since the same people are invited again and again), except where its fold would not
    read back as the same address (then a safe fold; see `_safe_address_lines`)."""
    _refuse_controls(name, display_name)
    _refuse_controls(name, addr_spec)
    return _address_header(name, display_name, addr_spec)


def text_header(name: str, value: str) -> str:
    """An unstructured or Message-ID header line as EmailMessage(policy=SMTP) writes it;
    a short single token (an id) is formatted directly, anything else is folded."""
    _refuse_controls(name, value)
    shape = _MSG_ID if name.lower() == "message-id" else _VISIBLE_ASCII
    simple = shape.fullmatch(value) is not None and "=?" not in value
    if simple and len(name) + 2 + len(value) <= MAX_HEADER:
        return f"{name}: {value}\r\n"
    return fold_header(name, value)


# --- bodies ----------------------------------------------------------------------------


def _crlf_body(text: str) -> tuple[bytes, bool]:
    """The text's octets with CRLF line ends, as the reference's set_content makes them,
    and whether they can go as 7bit (ASCII, every line under 998 octets)."""
    lines = text.encode("utf-8").splitlines()
    data = CRLF.join(lines) + CRLF
    return data, data.isascii() and all(len(line) < MAX_LINE for line in lines)


def _base64(data: bytes) -> bytes:
    """Base64 in 76-character CRLF lines (57 octets a line, as the email package)."""
    return base64.encodebytes(data).replace(b"\n", CRLF)


def boundary_tag(message_id: str, attempt: int = 0) -> str:
    """The hex part of a message's boundaries: from its Message-ID, so a message renders the
    same every time; `attempt` moves on if the content happens to contain the tag."""
    digest = hashlib.sha256(f"{message_id}\x00{attempt}".encode()).hexdigest()
    return digest[:24]


# --- calendar --------------------------------------------------------------------------


def _content_lines(ics: bytes) -> list[bytes]:
    """The folded content lines of a calendar, each with its CRLF (and folds) kept."""
    pieces = re.split(rb"\r\n(?![ \t])", ics)
    if pieces[-1] != b"":
        raise ValueError("a calendar must end with CRLF")
    return [piece + CRLF for piece in pieces[:-1]]


def _property_line(name: str, value: icalendar.vText | icalendar.vUri) -> bytes:
    """One property as icalendar's Component.to_ical writes it (escaped, folded)."""
    line: bytes = Contentline.from_parts(name, value.params, value, sorted=True).to_ical()
    return line + CRLF


class _CalendarTemplate:
    """The VCALENDAR built once with icalendar, and the lines that differ per recipient."""

    def __init__(
        self, meeting: MeetingDefinition, sequence: int, stamp: datetime, method: str
    ) -> None:
        self.meeting = meeting
        ics = invitation_ics(meeting, _PLACEHOLDER, sequence, stamp, method)
        self.lines = _content_lines(ics)
        for line in self.lines:
            unfolded = line[:-2].replace(b"\r\n ", b"").replace(b"\r\n\t", b"")
            if b"\r" in unfolded or b"\n" in unfolded:
                raise ValueError("the calendar holds a bare CR or LF (an unvalidated field?)")
        self.online = bool(meeting.join_link) and meeting.format is not MeetingFormat.IN_PERSON
        self.slots: dict[str, int] = {}
        in_event = False
        for index, line in enumerate(self.lines):
            if line == b"BEGIN:VEVENT\r\n":
                in_event = True
            elif line == b"END:VEVENT\r\n":
                in_event = False
            elif in_event:
                match = _PROPERTY_NAME.match(line)
                name = match.group(1).decode("ascii").upper() if match else ""
                if name in ("ATTENDEE", "URL", "DESCRIPTION", "LOCATION"):
                    if name in self.slots:
                        raise RuntimeError(f"unexpected calendar layout: two {name} lines")
                    self.slots[name] = index
        needed = {"ATTENDEE", "DESCRIPTION"} | ({"URL"} if self.online else set())
        if meeting.venue is None:
            needed.add("LOCATION")
        if not needed <= self.slots.keys():
            raise RuntimeError(f"unexpected calendar layout: missing {needed - self.slots.keys()}")

    def render(self, attendee: Participant, join_url: str | None) -> bytes:
        lines = list(self.lines)
        who = icalendar.vCalAddress(f"mailto:{attendee.email}")
        who.params["CN"] = cn(attendee.name)
        who.params["ROLE"] = attendee_role(attendee.role)
        who.params["PARTSTAT"] = "NEEDS-ACTION"
        who.params["RSVP"] = "TRUE"
        who.params["CUTYPE"] = "INDIVIDUAL"
        attendee_line: bytes = Contentline.from_parts("ATTENDEE", who.params, who).to_ical()
        lines[self.slots["ATTENDEE"]] = attendee_line + CRLF
        if join_url is not None:
            meeting = self.meeting
            if self.online:
                lines[self.slots["URL"]] = _property_line("URL", icalendar.vUri(join_url))
                text = icalendar.vText(description(meeting, join_url))
                lines[self.slots["DESCRIPTION"]] = _property_line("DESCRIPTION", text)
            if meeting.venue is None:
                loc = location(meeting, join_url)
                if loc:
                    lines[self.slots["LOCATION"]] = _property_line("LOCATION", icalendar.vText(loc))
        return b"".join(lines)


# --- the message -----------------------------------------------------------------------


class InvitationTemplate:
    """Everything one batch's invitations share: meeting, sequence, stamp and method.

    `render` gives (Message-ID, the whole message as CRLF bytes) for one recipient, with
    the MIME structure, headers, texts and calendar of `invitation_message` for the same
    arguments, ready for `sendmail(template.sender, [recipient.email], data)`.
    """

    def __init__(
        self, meeting: MeetingDefinition, sequence: int, stamp: datetime, method: str = "REQUEST"
    ) -> None:
        if not _METHOD.fullmatch(method) or len(method) > 32:
            raise ValueError(f"method: {method!r} is not an iTIP method name")
        self.meeting = meeting
        self.sequence = sequence
        self.stamp = stamp
        self.method = method
        self.sender = meeting.organiser.email
        self._updated = sequence > 0
        self._calendar = _CalendarTemplate(meeting, sequence, stamp, method)
        organiser = meeting.organiser
        title = subject(meeting, cancelled=method == "CANCEL", updated=self._updated)
        self._from = address_header("From", organiser.name, organiser.email)
        self._middle = fold_header("Subject", title) + fold_header("Date", format_datetime(stamp))
        self._meeting_header = text_header("X-RTM-Meeting", meeting.id)
        self._calendar_type = f'Content-Type: text/calendar; charset="utf-8"; method="{method}"'
        self._attachment_head = (
            f'Content-Type: application/ics; method="{method}"\r\n'
            'Content-Disposition: attachment; filename="invite.ics"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode("ascii")

    def render(
        self,
        recipient: Participant,
        links: dict[Attendance, str] | None,
        join_url: str | None,
    ) -> tuple[str, bytes]:
        """(Message-ID, the complete RFC 5322 message as CRLF bytes) for one recipient."""
        meeting = self.meeting
        for label, value in (("join_url", join_url), *(links or {}).items()):
            if value is not None and _CONTROL.search(value):
                raise ValueError(f"{label}: a link must not contain control characters")
        mid = message_id(meeting, self.sequence, recipient.id)
        headers = (
            self._from
            + address_header("To", recipient.name, recipient.email)
            + self._middle
            + text_header("Message-ID", mid)
            + self._meeting_header
            + text_header("X-RTM-Participant", recipient.id)
        )

        lines = body_lines(meeting, recipient, self.method, self._updated, links, join_url)
        plain, plain_7bit = _crlf_body("\n".join(lines))
        html, html_7bit = _crlf_body(html_body(lines))
        ics = self._calendar.render(recipient, join_url)
        ics_7bit = ics.isascii()

        seven_bit = [part for part, ok in ((plain, plain_7bit), (html, html_7bit)) if ok]
        if ics_7bit:
            seven_bit.append(ics)
        attempt = 0
        tag = boundary_tag(mid)
        while any(tag.encode("ascii") in part for part in seven_bit):
            attempt += 1
            tag = boundary_tag(mid, attempt)
        outer = f"{_BOUNDARY_PREFIX}{tag}-m"
        inner = f"{_BOUNDARY_PREFIX}{tag}-a"

        head = (
            f"{headers}MIME-Version: 1.0\r\n"
            f'Content-Type: multipart/mixed;\r\n boundary="{outer}"\r\n'
            f"\r\n--{outer}\r\n"
            f'Content-Type: multipart/alternative;\r\n boundary="{inner}"\r\n'
            f"\r\n--{inner}\r\n"
        )
        between = f"\r\n--{inner}\r\n".encode("ascii")
        return mid, b"".join(
            (
                head.encode("ascii"),
                _part_head('Content-Type: text/plain; charset="utf-8"', plain_7bit),
                plain if plain_7bit else _base64(plain),
                between,
                _part_head('Content-Type: text/html; charset="utf-8"', html_7bit),
                html if html_7bit else _base64(html),
                between,
                _part_head(self._calendar_type, ics_7bit),
                ics if ics_7bit else _base64(ics),
                f"\r\n--{inner}--\r\n\r\n--{outer}\r\n".encode("ascii"),
                self._attachment_head,
                _base64(ics),
                f"\r\n--{outer}--\r\n".encode("ascii"),
            )
        )


def _part_head(content_type: str, seven_bit: bool) -> bytes:
    cte = "7bit" if seven_bit else "base64"
    return f"{content_type}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n".encode("ascii")
