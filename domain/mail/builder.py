"""The one mail builder: headers, Message-ID and MIME assembly, for every kind of message.

`build` returns the message as SMTP wire bytes (CRLF lines). Header lines come from
`domain.mail.headers` (the email package's own folding and encoding; control characters
refused). The MIME structure is written here:

    multipart/alternative [ text/plain, text/html ]
    multipart/mixed [ multipart/alternative [ text/plain, text/html,
                      text/calendar; method=X ], application/ics (invite.ics) ]

Text parts are 7bit when pure ASCII with short lines, else base64; the calendar
alternative likewise; the attachment is base64. Boundaries derive from the Message-ID
(the same message is the same bytes every time) and never occur in the content.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from domain.mail.headers import address_header, date_header, text_header
from domain.mail.render import Rendered

__all__ = ["Calendar", "Mail", "MailIdentity", "boundary_tag", "build", "message_id"]

_UNSAFE = re.compile(r"[^A-Za-z0-9.-]")
_METHOD = re.compile(r"[A-Z]+(?:-[A-Z]+)*")
_MAX_LINE = 998  # RFC 5322 2.1.1, without CRLF
CRLF = b"\r\n"


@dataclass(frozen=True)
class MailIdentity:
    """Whose mail it is: the installation's mail domain (RTM_MAIL_DOMAIN; empty: the
    sender's) and its own tag, so that two installations' Message-IDs never collide."""

    domain: str = ""
    tag: str = ""


def message_id(sender_email: str, *parts: str | int, identity: MailIdentity | None = None) -> str:
    """Deterministic Message-ID: the parts (meeting, sequence or key, recipient) and the
    installation's tag joined by dots, on the installation's mail domain (else the sender's).
    A re-send of the same message keeps it."""
    domain = (identity.domain if identity else "") or sender_email.rpartition("@")[2]
    if identity and identity.tag:
        parts = (*parts, identity.tag)
    local = _UNSAFE.sub("_", ".".join(str(p) for p in parts))
    return f"<{local}@{_UNSAFE.sub('_', domain)}>"


@dataclass(frozen=True)
class Calendar:
    """The iTIP part of an invitation: the VCALENDAR bytes and its METHOD."""

    ics: bytes
    method: str


@dataclass(frozen=True)
class Mail:
    """One message ready for `sendmail(sender, [recipient], data)`."""

    message_id: str
    sender: str
    recipient: str
    data: bytes


def _body(text: str) -> tuple[bytes, bool]:
    """The text's octets with CRLF line ends, and whether they can go as 7bit."""
    lines = text.encode("utf-8").splitlines()
    data = CRLF.join(lines) + CRLF
    return data, data.isascii() and all(len(line) < _MAX_LINE for line in lines)


def _base64(data: bytes) -> bytes:
    """Base64 in 76-character CRLF lines (57 octets a line, as the email package)."""
    return base64.encodebytes(data).replace(b"\n", CRLF)


def _part(content_type: str, data: bytes, seven_bit: bool, extra: str = "") -> bytes:
    cte = "7bit" if seven_bit else "base64"
    head = f"{content_type}\r\n{extra}Content-Transfer-Encoding: {cte}\r\n\r\n"
    return head.encode("ascii") + (data if seven_bit else _base64(data))


def boundary_tag(mid: str, attempt: int = 0) -> str:
    """The hex part of a message's boundaries; `attempt` moves on if the content happens
    to contain the tag."""
    return hashlib.sha256(f"{mid}\x00{attempt}".encode()).hexdigest()[:24]


def _multipart(subtype: str, boundary: str, parts: list[bytes]) -> bytes:
    head = f'Content-Type: multipart/{subtype};\r\n boundary="{boundary}"\r\n\r\n'
    body = b"".join(f"--{boundary}\r\n".encode("ascii") + p + CRLF for p in parts)
    return head.encode("ascii") + body + f"--{boundary}--\r\n".encode("ascii")


def build(
    *,
    sender: tuple[str, str],
    recipient: tuple[str, str],
    content: Rendered,
    stamp: datetime,
    mid: str,
    headers: Mapping[str, str] | None = None,
    calendar: Calendar | None = None,
) -> Mail:
    """The message from `sender` (name, address) to `recipient`, as SMTP wire bytes: the
    subject, text and HTML a template rendered (`content`)."""
    subject, text, html = content.subject, content.text, content.html
    head = (
        address_header("From", *sender)
        + address_header("To", *recipient)
        + text_header("Subject", subject)
        + date_header(stamp)
        + text_header("Message-ID", mid)
        + "".join(text_header(name, value) for name, value in (headers or {}).items())
        + "MIME-Version: 1.0\r\n"
    )
    plain, plain_7bit = _body(text)
    page, page_7bit = _body(html)
    leaves = [(plain, plain_7bit), (page, page_7bit)]
    ics, method = b"", ""
    if calendar is not None:
        method = calendar.method
        if not _METHOD.fullmatch(method) or len(method) > 32:
            raise ValueError(f"method: {method!r} is not an iTIP method name")
        ics = calendar.ics
        unfolded = ics.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")
        if any(b"\r" in line or b"\n" in line for line in unfolded.split(CRLF)):
            raise ValueError("the calendar holds a bare CR or LF (an unvalidated field?)")
        leaves.append((ics, ics.isascii()))
    attempt = 0
    tag = boundary_tag(mid)
    while any(tag.encode("ascii") in data for data, seven in leaves if seven) or tag in head:
        attempt += 1
        tag = boundary_tag(mid, attempt)
    alternatives = [
        _part('Content-Type: text/plain; charset="utf-8"', plain, plain_7bit),
        _part('Content-Type: text/html; charset="utf-8"', page, page_7bit),
    ]
    if calendar is None:
        body = _multipart("alternative", f"==rtm-{tag}-a", alternatives)
    else:
        calendar_type = f'Content-Type: text/calendar; charset="utf-8"; method="{method}"'
        alternatives.append(_part(calendar_type, ics, ics.isascii()))
        attachment = _part(
            f'Content-Type: application/ics; method="{method}"',
            ics,
            False,
            'Content-Disposition: attachment; filename="invite.ics"\r\n',
        )
        inner = _multipart("alternative", f"==rtm-{tag}-a", alternatives)
        body = _multipart("mixed", f"==rtm-{tag}-m", [inner, attachment])
    data = head.encode("ascii") + body
    return Mail(message_id=mid, sender=sender[1], recipient=recipient[1], data=data)
