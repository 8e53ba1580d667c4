"""Signed personal links (HMAC-SHA256): one per RSVP choice, bound to meeting and participant.

The signature covers every part of the path and the expiry, so a changed meeting,
participant, choice or expiry (someone else's link, a tampered one) fails to verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from domain.meeting.definition import MeetingDefinition, MeetingFormat
from domain.registration.answers import Attendance

# The only spelling of an expiry that links carry: ASCII digits, no sign, no leading zero.
# int() also reads "+1799038800", " 1799038800", "1_799_038_800" and non-ASCII digits; a
# link must have exactly one form, or the same signature covers many URLs.
_EXPIRES = re.compile(r"[1-9][0-9]{0,11}")


class LinkError(ValueError):
    """A link that must not be honoured; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def signature(key: bytes, purpose: str, parts: tuple[str, ...], expires: int) -> str:
    message = "\x1f".join((purpose, *parts, str(expires))).encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def verify(
    key: bytes, purpose: str, parts: tuple[str, ...], expires: str, sig: str, now: datetime
) -> None:
    """Raise LinkError unless `sig` signs exactly these parts and the link has not expired."""
    if not _EXPIRES.fullmatch(expires):
        raise LinkError("this link is malformed", 400)
    exp = int(expires)
    expected = signature(key, purpose, parts, exp)
    if not sig.isascii():
        raise LinkError("this link is malformed", 400)
    if not hmac.compare_digest(expected, sig):
        raise LinkError("this link is not valid (it was altered or is not yours)", 403)
    if now.timestamp() >= exp:
        raise LinkError("this link has expired", 410)


def choices(meeting: MeetingDefinition) -> list[Attendance]:
    """The answers a meeting's format allows, in the order the invitation shows them."""
    modes = {
        MeetingFormat.IN_PERSON: [Attendance.IN_PERSON],
        MeetingFormat.ONLINE: [Attendance.ONLINE],
        MeetingFormat.HYBRID: [Attendance.IN_PERSON, Attendance.ONLINE],
    }[meeting.format]
    return [*modes, Attendance.TENTATIVE, Attendance.DECLINE]


def rsvp_links(
    key: bytes, base_url: str, meeting: MeetingDefinition, participant_id: str
) -> dict[Attendance, str]:
    """One signed link per allowed answer, valid until registration closes."""
    expires = int(meeting.registration_deadline_utc().astimezone(UTC).timestamp())
    links = {}
    for choice in choices(meeting):
        parts = (meeting.id, participant_id, choice.value)
        sig = signature(key, "rsvp", parts, expires)
        path = "/".join(quote(p, safe="") for p in parts)
        links[choice] = f"{base_url.rstrip('/')}/rsvp/{path}?exp={expires}&sig={sig}"
    return links


def join_link(
    key: bytes, base_url: str, meeting: MeetingDefinition, participant_id: str
) -> str | None:
    """The participant's personal join link, valid until the meeting ends; None if in person."""
    if meeting.join_link is None or meeting.format is MeetingFormat.IN_PERSON:
        return None
    expires = int(meeting.end_utc().astimezone(UTC).timestamp())
    parts = (meeting.id, participant_id)
    sig = signature(key, "join", parts, expires)
    path = "/".join(quote(p, safe="") for p in parts)
    return f"{base_url.rstrip('/')}/join/{path}?exp={expires}&sig={sig}"


def desk_link(key: bytes, base_url: str, meeting: MeetingDefinition) -> str:
    """The registration desk's page for a meeting, valid until a day after it ends."""
    expires = int((meeting.end_utc() + timedelta(days=1)).timestamp())
    sig = signature(key, "desk", (meeting.id,), expires)
    return f"{base_url.rstrip('/')}/desk/{quote(meeting.id, safe='')}?exp={expires}&sig={sig}"


DONE_PURPOSE = "action-done"


def done_link(
    key: bytes, base_url: str, meeting_id: str, action_id: str, expires_utc: datetime
) -> str:
    """The "mark done" link of one action item: signed per action, not per recipient, so
    any of the action's owners can use the one link of their reminder."""
    expires = int(expires_utc.timestamp())
    parts = (meeting_id, action_id)
    sig = signature(key, DONE_PURPOSE, parts, expires)
    path = "/".join(quote(p, safe="") for p in parts)
    return f"{base_url.rstrip('/')}/action/{path}/done?exp={expires}&sig={sig}"
