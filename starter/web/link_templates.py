"""The pages behind personal links, from Jinja2 templates (autoescaped, every text through
gettext), with the facts of the meeting a person needs to answer: when, where, until when."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain.common import i18n
from domain.common.base import Frozen
from domain.invitations.calendar import location
from domain.meeting.definition import MeetingDefinition, MeetingFormat, localized
from starter.web.pages import SECURITY_HEADERS, STYLE

TEMPLATES = Path(__file__).parent / "templates"


class MeetingFacts(Frozen):
    """What every link page says about the meeting, in venue time."""

    title: str
    start: datetime
    end: datetime
    zone: str
    deadline: datetime
    venue: str | None
    online: bool


def meeting_facts(meeting: MeetingDefinition, lang: str = i18n.DEFAULT) -> MeetingFacts:
    """The facts in `lang` where the definition gives them (title, venue)."""
    meeting = localized(meeting, lang)
    return MeetingFacts(
        title=meeting.title,
        start=meeting.start,
        end=meeting.end,
        zone=meeting.zone,
        deadline=meeting.registration_deadline or meeting.start,
        venue=location(meeting) if meeting.venue is not None else None,
        online=meeting.format is not MeetingFormat.IN_PERSON,
    )


@cache
def environment(lang: str) -> Environment:
    """The pages' templates in `lang`: its catalogue and its way of writing dates."""

    def clock(value: datetime) -> str:
        return f"{i18n.format_date(value, lang, 'weekday')}, {i18n.format_hm(value, lang)}"

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The engine's one catalogue (domain.common.i18n); every string goes through _().
    translations = i18n.translations(lang)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters["clock"] = clock
    return env


def translate(message: str, lang: str = i18n.DEFAULT) -> str:
    """A text of the pages' code (a title) through the same catalogue as the templates."""
    return i18n.translations(lang).gettext(message)


def render_page(
    template: str, status: int = 200, lang: str = i18n.DEFAULT, **context: Any
) -> web.Response:
    """A link page from `template` in `lang`; `title` is required by the base template."""
    page = environment(lang).get_template(template)
    text = page.render({"lang": lang, "style": STYLE} | context)
    return web.Response(
        status=status,
        text=text,
        content_type="text/html",
        charset="utf-8",
        headers=SECURITY_HEADERS,
    )
