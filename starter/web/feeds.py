"""Calendar feed routes: GET /feeds/{kind}/{subject}/{serial}/{sig}.ics.

Calendar clients poll these every hour or so; the answer carries ETag and Last-Modified,
and a conditional poll with nothing new gets 304 without a body. A link that was revoked
answers 410 Gone, so clients drop the subscription; a forged one 403.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from aiohttp import web

from activities.store import Store
from domain.common import i18n
from domain.common.links import LinkError
from domain.common.marks import N_
from domain.reports.feeds import Feed, FeedKind, build_feed, not_modified, owned_by, signed
from domain.reports.render import translations
from starter.web.pages import error_page, page_language, refuse_link, translator

FEED_PATH = "/feeds/{kind}/{subject}/{serial}/{sig}.ics"
HINT = N_("Ask the secretariat for a new calendar subscription link.")
REVOKED = N_("this calendar subscription was revoked")
NO_FEED = N_("There is no such calendar feed.")


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def _feed(store: Store, kind: FeedKind, subject: str, now: datetime) -> Feed | None:
    """The feed's current body, or None when its subject does not exist."""
    if kind is FeedKind.PERSON:
        person = next((p for p in store.participants() if p.id == subject), None)
        if person is None:
            return None
        # the first of their languages that has a catalogue (a reader of [uz, ru, en]: ru)
        language = i18n.pick(person.languages)
        tr = translations(language)
        actions = [a for a in store.actions() if owned_by(a, person)]
        name = tr.gettext("Round-Table Meetings: %(name)s") % {"name": person.name}
        return build_feed(name, store.feed_meetings(participant=subject), actions, now,
                          tr.gettext, lang=language)  # fmt: skip
    region = store.region(subject)
    if region is None:
        return None
    tr = translations("en")
    name = tr.gettext("Round-Table Meetings: %(name)s") % {"name": region.name}
    return build_feed(name, store.feed_meetings(region=subject), store.actions(region=subject),
                      now, tr.gettext)  # fmt: skip


def add_feed_routes(app: web.Application, store: Store, key: bytes,
                    now: Callable[[], datetime]) -> None:  # fmt: skip
    async def feed(request: web.Request) -> web.StreamResponse:
        info = request.match_info
        try:
            kind = FeedKind(info["kind"])
            serial = int(info["serial"])
        except ValueError:
            lang = page_language(request)
            return error_page(404, translator(lang)(NO_FEED), lang=lang)
        subject = info["subject"]
        if not signed(key, kind, subject, serial, info["sig"]):
            exc = LinkError("this link is not valid (it was altered or is not yours)", 403)
            return await refuse_link(store, request, exc, actor=f"unverified:feed:{subject}",
                                     hint=HINT)  # fmt: skip
        if await asyncio.to_thread(store.feed_revoked, kind.value, subject, serial):
            exc = LinkError(REVOKED, 410)
            person = subject if kind is FeedKind.PERSON else None  # its signature holds
            return await refuse_link(store, request, exc, actor=f"feed:{subject}", hint=HINT,
                                     person=person)  # fmt: skip
        body = await asyncio.to_thread(_feed, store, kind, subject, now())
        if body is None:  # nobody of that id: the browser's language
            lang = page_language(request)
            return error_page(404, translator(lang)(NO_FEED), lang=lang)
        headers = {
            "ETag": body.etag,
            "Last-Modified": format_datetime(body.last_modified, usegmt=True),
            "Cache-Control": "private, no-cache",
        }
        since = _since(request.headers.get("If-Modified-Since"))
        if not_modified(body, request.headers.get("If-None-Match"), since):
            return web.Response(status=304, headers=headers)
        return web.Response(body=body.body, headers=headers, content_type="text/calendar",
                            charset="utf-8")  # fmt: skip

    app.router.add_get(FEED_PATH, feed)
