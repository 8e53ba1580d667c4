"""Calendar feeds a calendar client subscribes to: a person's upcoming meetings and the
due dates of their actions, or a region's meetings and actions for the secretariat.

Links are signed (HMAC over kind, subject and serial) and revocable: a revoked serial
answers 410 and the next link carries serial + 1. The body depends only on the recorded
facts (DTSTAMP is when a row last changed), so its hash is a stable ETag and a poll with
nothing new is answered 304.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from urllib.parse import quote

import icalendar

from domain.common.base import Frozen
from domain.common.links import signature
from domain.directory.models import Participant
from domain.followup.actions import ActionItem, ActionStatus, resolve_owners
from domain.invitations.calendar import PRODID, description, location
from domain.invitations.vtimezone import vtimezone
from domain.meeting.definition import MeetingDefinition, MeetingFormat, localized

PURPOSE = "feed"
LISTED_PHASES = ("scheduled", "inviting", "registration", "held", "follow_up", "cancelled")
KEEP_ENDED = timedelta(days=1)  # a meeting stays in the feed this long after it ends


class FeedKind(StrEnum):
    PERSON = "person"
    REGION = "region"


class FeedMeeting(Frozen):
    """A meeting as the store's projection holds it."""

    meeting: MeetingDefinition
    phase: str
    updated_at: datetime


class Feed(Frozen):
    body: bytes
    etag: str
    last_modified: datetime


def feed_signature(key: bytes, kind: FeedKind, subject: str, serial: int) -> str:
    return signature(key, PURPOSE, (kind.value, subject, str(serial)), 0)


def feed_path(key: bytes, kind: FeedKind, subject: str, serial: int) -> str:
    sig = feed_signature(key, kind, subject, serial)
    return f"/feeds/{kind.value}/{quote(subject, safe='')}/{serial}/{sig}.ics"


def signed(key: bytes, kind: FeedKind, subject: str, serial: int, sig: str) -> bool:
    expected = feed_signature(key, kind, subject, serial)
    return sig.isascii() and hmac.compare_digest(expected, sig)


def _listed(m: FeedMeeting, now: datetime) -> bool:
    return m.phase in LISTED_PHASES and m.meeting.end_utc() + KEEP_ENDED > now


def owned_by(item: ActionItem, person: Participant) -> bool:
    """Whether `person` is reminded of `item` (its NFP/deputy, organisation, or the one)."""
    return bool(resolve_owners(item.owner, [person]))


def _meeting_event(m: FeedMeeting, lang: str) -> icalendar.Event:
    """The meeting as the invitations write it in `lang` (its own title, venue and notes
    in that language where the definition gives them)."""
    meeting = localized(m.meeting, lang)
    tzid = {"TZID": meeting.zone}
    event = icalendar.Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", m.updated_at.astimezone(UTC))
    event.add("last-modified", m.updated_at.astimezone(UTC))
    event.add("dtstart", meeting.start, parameters=tzid)
    event.add("dtend", meeting.end, parameters=tzid)
    event.add("summary", meeting.title)
    loc = location(meeting)
    if loc:
        event.add("location", loc)
    if meeting.join_link and meeting.format is not MeetingFormat.IN_PERSON:
        event.add("url", meeting.join_link)
    event.add("description", description(meeting, lang=lang))
    event.add("status", "CANCELLED" if m.phase == "cancelled" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _changed(item: ActionItem) -> datetime:
    at = item.done_at or item.opened_at
    return at or datetime.combine(item.due, time(), tzinfo=UTC)


def _action_event(item: ActionItem, domain: str, _: Callable[[str], str]) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{item.meeting_id.lower()}-{item.id.lower()}@{domain}")
    event.add("dtstamp", _changed(item).astimezone(UTC))
    event.add("dtstart", item.due)
    event.add("dtend", item.due + timedelta(days=1))
    event.add("summary", _("Action due: %(what)s") % {"what": item.what})
    event.add(
        "description",
        _("%(meeting)s, action %(id)s; owner: %(owner)s")
        % {"meeting": item.meeting_title, "id": item.id, "owner": item.owner.label()},
    )
    event.add("transp", "TRANSPARENT")
    return event


def build_feed(
    name: str,
    meetings: list[FeedMeeting],
    actions: list[ActionItem],
    now: datetime,
    gettext: Callable[[str], str],
    domain: str = "rtm.invalid",
    lang: str = "en",
) -> Feed:
    """The VCALENDAR of `meetings` still to come (or just ended) and the open `actions`,
    in `lang` (whose catalogue `gettext` is)."""
    listed = sorted((m for m in meetings if _listed(m, now)), key=lambda m: m.meeting.start_utc())
    due = sorted((a for a in actions if a.status is ActionStatus.OPEN),
                 key=lambda a: (a.due, a.meeting_id, a.id))  # fmt: skip
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    zones = sorted({(m.meeting.zone, m.meeting.start.year) for m in listed})
    seen: set[str] = set()
    for zone, year in zones:
        if zone not in seen:
            seen.add(zone)
            cal.add_component(vtimezone(zone, year))
    for m in listed:
        cal.add_component(_meeting_event(m, lang))
    for item in due:
        cal.add_component(_action_event(item, domain, gettext))
    body: bytes = cal.to_ical()
    stamps = [m.updated_at for m in listed] + [_changed(a) for a in due]
    last = max(stamps, default=datetime(2000, 1, 1, tzinfo=UTC)).astimezone(UTC)
    # iCalendar times stop at seconds: the exact stamps go into the tag too, so a change
    # within the second of the previous poll is not answered 304
    digest = hashlib.sha256(body)
    for stamp in stamps:
        digest.update(stamp.isoformat().encode())
    etag = '"' + digest.hexdigest()[:32] + '"'
    return Feed(body=body, etag=etag, last_modified=last.replace(microsecond=0))


def not_modified(feed: Feed, if_none_match: str | None, if_modified_since: datetime | None) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when sent; else If-Modified-Since."""
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or feed.etag in tags
    return if_modified_since is not None and feed.last_modified <= if_modified_since
