"""The pages behind personal links, from Jinja2 templates (autoescaped, every text through
gettext), with the facts of the meeting a person needs to answer: when, where, until when."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain.common import i18n
from domain.common.base import Frozen
from domain.invitations.calendar import location
from domain.meeting.definition import MeetingDefinition, MeetingFormat
from starter.web.pages import SECURITY_HEADERS, STYLE

TEMPLATES = Path(__file__).parent / "templates"
LANG = i18n.DEFAULT  # the pages do not know their reader's language yet
TRANSLATIONS = i18n.translations(LANG)


class MeetingFacts(Frozen):
    """What every link page says about the meeting, in venue time."""

    title: str
    start: datetime
    end: datetime
    zone: str
    deadline: datetime
    venue: str | None
    online: bool


def meeting_facts(meeting: MeetingDefinition) -> MeetingFacts:
    return MeetingFacts(
        title=meeting.title,
        start=meeting.start,
        end=meeting.end,
        zone=meeting.zone,
        deadline=meeting.registration_deadline or meeting.start,
        venue=location(meeting) if meeting.venue is not None else None,
        online=meeting.format is not MeetingFormat.IN_PERSON,
    )


def _clock(value: datetime) -> str:
    return f"{i18n.format_date(value, LANG, 'weekday')}, {i18n.format_hm(value, LANG)}"


def _make_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The engine's one catalogue (domain.common.i18n); every string goes through _().
    env.install_gettext_translations(TRANSLATIONS, newstyle=True)  # type: ignore[attr-defined]
    env.filters["clock"] = _clock
    return env


ENV = _make_env()


def translate(message: str) -> str:
    """A text of the pages' code (a title) through the same catalogue as the templates."""
    return TRANSLATIONS.gettext(message)


def render_page(template: str, status: int = 200, **context: Any) -> web.Response:
    """A link page from `template`; `title` is required by the base template."""
    text = ENV.get_template(template).render({"lang": LANG, "style": STYLE} | context)
    return web.Response(
        status=status,
        text=text,
        content_type="text/html",
        charset="utf-8",
        headers=SECURITY_HEADERS,
    )
