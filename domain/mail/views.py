"""The values every mail template shares: the meeting, its times, the answer deadline and
the answer links, as plain dicts in the reader's language (the templates format dates)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.common import i18n
from domain.common.marks import N_
from domain.directory.models import Participant
from domain.invitations.calendar import location
from domain.meeting.definition import MeetingDefinition, MeetingFormat, localized, to_utc
from domain.registration.answers import Attendance

ANSWER_LABELS: dict[Attendance, str] = {
    Attendance.IN_PERSON: N_("I will attend in person"),
    Attendance.ONLINE: N_("I will attend online"),
    Attendance.TENTATIVE: N_("I might attend (tentative)"),
    Attendance.DECLINE: N_("I cannot attend"),
}


def refuse_link_controls(url: str) -> str:
    """A link for a body: control characters would break its line (ValueError)."""
    from domain.mail.headers import refuse_controls

    return refuse_controls("link", url)


def answer_label(choice: Attendance, lang: str) -> str:
    return i18n.gettext(lang, ANSWER_LABELS[choice])


def answers(links: dict[Attendance, str] | None, lang: str) -> list[dict[str, str]]:
    """The answer buttons (text: lines) in the order of `links`."""
    return [
        {"choice": choice.value, "label": answer_label(choice, lang), "url": url}
        for choice, url in (links or {}).items()
    ]


def span(meeting: MeetingDefinition, zone: str) -> dict[str, Any]:
    """The meeting's start and end as wall-clock times in `zone`."""
    start = to_utc(meeting.start, meeting.zone).astimezone(ZoneInfo(zone))
    end = to_utc(meeting.end, meeting.zone).astimezone(ZoneInfo(zone))
    return {"start": start, "end": end, "zone": zone, "same_day": start.date() == end.date()}


def when(meeting: MeetingDefinition, recipient_zone: str) -> dict[str, Any]:
    """Venue time, and the reader's own when it differs."""
    yours = span(meeting, recipient_zone) if recipient_zone != meeting.zone else None
    return {"venue": span(meeting, meeting.zone), "yours": yours}


def _in_zone(local: datetime, venue_zone: str, zone: str) -> datetime:
    return to_utc(local, venue_zone).astimezone(ZoneInfo(zone))


def deadline(meeting: MeetingDefinition, recipient_zone: str) -> dict[str, Any]:
    """When answers are due, in venue time and the reader's own."""
    local = meeting.registration_deadline or meeting.start
    yours = None
    if recipient_zone != meeting.zone:
        yours = _in_zone(local, meeting.zone, recipient_zone)
    return {"venue": local, "zone": meeting.zone, "yours": yours, "your_zone": recipient_zone}


def online(meeting: MeetingDefinition) -> bool:
    return bool(meeting.join_link) and meeting.format is not MeetingFormat.IN_PERSON


def meeting_view(
    meeting: MeetingDefinition, lang: str, join_url: str | None = None
) -> dict[str, Any]:
    """The meeting as a template reads it (in `lang` where the definition gives it)."""
    meeting = localized(meeting, lang)
    return {
        "id": meeting.id,
        "title": meeting.title,
        "zone": meeting.zone,
        "format": meeting.format.value,
        "city": meeting.venue.city if meeting.venue else None,
        "where": location(meeting) if meeting.venue is not None else None,
        "join_url": (join_url or meeting.join_link) if online(meeting) else None,
        "notes": meeting.notes,
    }


def reader(recipient: Participant) -> dict[str, str]:
    return {"name": recipient.name, "zone": recipient.zone}


def organiser(meeting: MeetingDefinition, lang: str) -> str:
    """Who signs: the organiser's name in `lang` where the definition gives it."""
    return localized(meeting, lang).organiser.name


def languages(recipient: Participant, meeting: MeetingDefinition | None = None) -> list[str]:
    return i18n.mail_languages(recipient.languages, meeting is not None and meeting.bilingual)
