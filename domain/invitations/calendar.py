"""iCalendar (RFC 5545/5546) rendering of a meeting for one attendee.

One VEVENT in venue time with a rule-form VTIMEZONE, stable UID, SEQUENCE per change.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from domain.directory.models import Participant, Role
from domain.invitations.vtimezone import vtimezone
from domain.mail.render import render_text
from domain.meeting.definition import MeetingDefinition, MeetingFormat, localized

PRODID = "-//Round-Table Meeting engine//RTM//EN"

_ATTENDEE_ROLE = {
    Role.NFP: "REQ-PARTICIPANT",
    Role.DEPUTY_NFP: "OPT-PARTICIPANT",
    Role.EXPERT: "OPT-PARTICIPANT",
    Role.OBSERVER: "OPT-PARTICIPANT",
    Role.SECRETARIAT: "CHAIR",
    Role.AUDITOR: "NON-PARTICIPANT",
}


def cn(name: str) -> str:
    """A CN parameter value: a double quote cannot stand in one (RFC 5545 §3.2), and the
    RFC 6868 escape icalendar would write is shown as typed by many readers."""
    return name.replace('"', "'")


def attendee_role(role: Role) -> str:
    return _ATTENDEE_ROLE[role]


def location(meeting: MeetingDefinition, join_url: str | None = None) -> str | None:
    """LOCATION text: the venue for in-person and hybrid meetings, the link for online ones."""
    if meeting.venue is None:
        return join_url or meeting.join_link
    parts = [meeting.venue.name, meeting.venue.address, meeting.venue.city, meeting.venue.country]
    return ", ".join(p for p in parts if p)


def description(meeting: MeetingDefinition, join_url: str | None = None, lang: str = "en") -> str:
    """DESCRIPTION text; the join link comes first so clients that show one line show it."""
    online = bool(meeting.join_link) and meeting.format is not MeetingFormat.IN_PERSON
    context = {
        "meeting": {
            "title": meeting.title,
            "zone": meeting.zone,
            "join_url": (join_url or meeting.join_link) if online else None,
            "where": location(meeting) if meeting.venue is not None else None,
            "notes": meeting.notes,
        },
        "organiser": meeting.organiser.name,
        "organiser_email": meeting.organiser.email,
    }
    return render_text("calendar-description", lang, context)


def _fixed(event: Any, meeting: MeetingDefinition, sequence: int, method: str, lang: str) -> None:
    """The properties every recipient of one (meeting, sequence, method, language) shares."""
    import icalendar

    tzid = {"TZID": meeting.zone}
    event.add("uid", meeting.uid)
    event.add("sequence", sequence)
    event.add("dtstart", meeting.start, parameters=tzid)
    event.add("dtend", meeting.end, parameters=tzid)
    event.add("summary", localized(meeting, lang).title)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = icalendar.vCalAddress(f"mailto:{meeting.organiser.email}")
    organizer.params["CN"] = cn(meeting.organiser.name)
    event.add("organizer", organizer)


def _joined(
    event: Any,
    meeting: MeetingDefinition,
    join_url: str | None,
    lang: str,
    text: str | None = None,
) -> None:
    """LOCATION, URL and DESCRIPTION: they name the recipient's own join link, if any
    (`text`: the DESCRIPTION already written)."""
    words = localized(meeting, lang)  # SUMMARY, LOCATION and DESCRIPTION in `lang`
    loc = location(words, join_url)
    if loc:
        event.add("location", loc)
    if meeting.join_link and meeting.format is not MeetingFormat.IN_PERSON:
        event.add("url", join_url or meeting.join_link)
    event.add("description", text if text is not None else description(words, join_url, lang))


def _own(event: Any, attendee: Participant, stamp: datetime) -> None:
    """DTSTAMP and ATTENDEE: the recipient's own."""
    import icalendar

    event.add("dtstamp", stamp.astimezone(UTC))
    who = icalendar.vCalAddress(f"mailto:{attendee.email}")
    who.params["CN"] = cn(attendee.name)
    who.params["ROLE"] = attendee_role(attendee.role)
    who.params["PARTSTAT"] = "NEEDS-ACTION"
    who.params["RSVP"] = "TRUE"
    who.params["CUTYPE"] = "INDIVIDUAL"
    event.add("attendee", who)


def invitation_ics(
    meeting: MeetingDefinition,
    attendee: Participant,
    sequence: int,
    stamp: datetime,
    method: str = "REQUEST",
    join_url: str | None = None,
    lang: str = "en",
) -> bytes:
    """A whole VCALENDAR for one recipient: METHOD REQUEST (or CANCEL), them as ATTENDEE."""
    import icalendar  # here, not above: the workflows and the CLI import this module's
    # neighbours but never write a calendar, and should not pay for loading icalendar

    event = icalendar.Event()
    _fixed(event, meeting, sequence, method, lang)
    _joined(event, meeting, join_url, lang)
    _own(event, attendee, stamp)
    body: bytes = event.to_ical()
    return _calendar_head(meeting.zone, meeting.start.year, method) + body + _CALENDAR_END


def _lines(event: Any) -> dict[str, bytes]:
    """Each property of `event` as its folded content line (a VEVENT's lines are folded one
    by one, so joined in the component's order they are the bytes `to_ical` writes)."""
    return {
        name: event.content_line(name, value).to_ical()
        for name, value in event.property_items(recursive=False)
        if name not in ("BEGIN", "END")
    }


class CalendarParts:
    """The calendars of one (meeting, sequence, method, language) for many recipients: the
    shared lines are written once, each recipient's own (and, with a personal join link,
    the lines that name it) per message; the bytes are those of `invitation_ics`."""

    def __init__(
        self, meeting: MeetingDefinition, sequence: int, method: str, lang: str, personal: bool
    ) -> None:
        import icalendar

        self.meeting, self.method, self.lang, self.personal = meeting, method, lang, personal
        event = icalendar.Event()
        _fixed(event, meeting, sequence, method, lang)
        if not personal:  # no personal join link: every recipient's LOCATION, URL and
            _joined(event, meeting, None, lang)  # DESCRIPTION are the same
        self._shared = _lines(event)
        self._head = _calendar_head(meeting.zone, meeting.start.year, method)
        self._order: dict[frozenset[str], list[str]] = {}

    def ics(
        self, attendee: Participant, stamp: datetime, join_url: str | None, text: str | None
    ) -> bytes:
        """The recipient's VCALENDAR; `text`: its DESCRIPTION when the link is personal."""
        import icalendar

        event = icalendar.Event()
        if self.personal:
            _joined(event, self.meeting, join_url, self.lang, text)
        _own(event, attendee, stamp)
        lines = self._shared | _lines(event)
        names = frozenset(lines)
        order = self._order.get(names)
        if order is None:
            order = self._order[names] = icalendar.Event(dict.fromkeys(names, "")).sorted_keys()
        body = b"\r\n".join([b"BEGIN:VEVENT", *(lines[n] for n in order), b"END:VEVENT"])
        return self._head + body + b"\r\n" + _CALENDAR_END


_CALENDAR_END = b"END:VCALENDAR\r\n"


@functools.lru_cache(maxsize=64)
def _calendar_head(zone: str, year: int, method: str) -> bytes:
    """The VCALENDAR's lines before its VEVENT: the same for every recipient of a meeting,
    and half the work of writing one calendar, so written once per zone, year and method
    (a calendar's lines are folded one by one, so the parts join to the very same bytes)."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(vtimezone(zone, year))
    whole: bytes = cal.to_ical()
    return whole.removesuffix(_CALENDAR_END)
