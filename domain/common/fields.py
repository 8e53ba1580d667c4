"""The names of the fields a refusal points at (`title`, `venue.city`, `participants[2]`),
in the reader's words: a refusal's `field` keeps the key its file or form uses, and each
key of it that the catalogue names is shown in the reader's language."""

from __future__ import annotations

import re

from domain.common import i18n
from domain.common.marks import N_

__all__ = ["FIELDS", "field_text"]


# one entry per key a meeting definition, a directory, an action list, a form or a command
# names; "parent.key" where the same key means something else under another one
FIELDS: dict[str, str] = {
    "id": N_("identifier"),
    "title": N_("title"),
    "kind": N_("kind of meeting"),
    "number": N_("number"),
    "series": N_("series"),
    "region": N_("region"),
    "regions": N_("regions"),
    "start": N_("start"),
    "end": N_("end"),
    "zone": N_("time zone"),
    "format": N_("format"),
    "venue": N_("venue"),
    "name": N_("name"),
    "venue.name": N_("name of the venue"),
    "city": N_("city"),
    "country": N_("country"),
    "address": N_("address"),
    "host": N_("host"),
    "join_link": N_("online link"),
    "registration_deadline": N_("registration deadline"),
    "agenda_deadline": N_("agenda deadline"),
    "participants": N_("participants"),
    "countries": N_("countries"),
    "organisations": N_("organisations"),
    "organisation": N_("organisation"),
    "organiser": N_("organiser"),
    "texts": N_("texts by language"),
    "notes": N_("notes"),
    "bilingual": N_("bilingual"),
    "reminders": N_("reminders"),
    "sessions": N_("sessions"),
    "email": N_("email"),
    "role": N_("role"),
    "language": N_("language"),
    "languages": N_("languages"),
    "code": N_("code"),
    "meetings": N_("meetings"),
    "source": N_("source"),
    "minutes": N_("minutes"),
    "due": N_("due date"),
    "owner": N_("owner"),
    "what": N_("action"),
    "presenter": N_("presenter"),
    "reason": N_("reason"),
    "note": N_("note"),
    "project": N_("project"),
    "item": N_("agenda item"),
    "actions": N_("actions"),
    "directory": N_("directory"),
    "meeting": N_("meeting"),
    "action": N_("action"),
    "output": N_("output file"),
    "theme": N_("theme"),
    "origin": N_("origin"),
    "summary": N_("summary"),
    "cadence": N_("cadence"),
    "chaser_days": N_("chaser days"),
    "pre_meeting_days": N_("pre-meeting reminder days"),
    "escalation_days": N_("escalation days"),
    "agenda_days": N_("agenda reminder days"),
    "send_hour": N_("sending hour"),
    "secretariat_city": N_("city of the secretariat"),
    "secretariat_email": N_("address of the secretariat"),
    "last_rtm_number": N_("number of the last Round-Table Meeting"),
    "coordination": N_("coordination"),
    "seat_country": N_("country of the seat"),
    "working_days": N_("working days"),
    "weekend": N_("weekend"),
    "holidays": N_("holidays"),
    "public_holidays": N_("public holidays"),
    "agenda_template": N_("agenda template"),
    "months": N_("months"),
    "day": N_("day"),
    "hour": N_("hour"),
}

_PARTS = re.compile(r"[^.\[\]]+|[.\[\]]")


def field_text(path: str, lang: str) -> str:
    """`path` with every key the catalogue names in `lang`, indexes and data as they are
    ("venue.city" -> "место проведения.город"); in English, the path itself: the key the
    file or form uses."""
    if lang == i18n.DEFAULT:
        return path
    out: list[str] = []
    parent = ""
    for piece in _PARTS.findall(path):
        if piece in ".[]":
            out.append(piece)
            continue
        pair = FIELDS.get(f"{parent}.{piece}")
        if pair is not None and len(out) >= 2 and out[-1] == ".":
            del out[-2:]  # "venue.name": one label for both keys
        label = pair or FIELDS.get(piece)
        out.append(i18n.gettext(lang, label) if label is not None else piece)
        parent = piece
    return "".join(out)
