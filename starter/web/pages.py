"""Pages and link checks shared by the web app's routes."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from aiohttp import web
from aiohttp.typedefs import Handler
from markupsafe import Markup

from domain.common import i18n
from domain.common.links import LinkError, verify
from domain.common.marks import N_
from domain.common.refusals import Refusal
from domain.registration.answers import Channel

if TYPE_CHECKING:  # the routes that use them load them; the pages' words need neither
    from temporalio.client import Client

    from activities.store import Store

log = logging.getLogger(__name__)


class Parts(NamedTuple):
    """What every group of the web app's routes works with (`add_*_routes(app, parts)`)."""

    client: Client
    store: Store | None  # None: a bare link app (no console, feeds or charts)
    key: bytes  # signs and verifies the links
    now: Callable[[], datetime]


# What links.signature produces (urlsafe base64, no padding); anything else is malformed
# before it reaches hmac.compare_digest, which raises TypeError on non-ASCII text.
_SIG = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_AUDIT_MAX = 200  # path parts are attacker-controlled: keep what is logged short


_TITLES = {
    400: N_("Malformed link"),
    403: N_("Invalid link"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Answer not recorded"),
    410: N_("Link expired"),
    500: N_("Something went wrong"),
    503: N_("Service unavailable"),
}
# What domain.common.links and this module refuse with, so that the page can say it in
# the reader's language.
_REASONS = [
    N_("this link is malformed"),
    N_("this link is malformed (it may have been cut short)"),
    N_("this link is not valid (it was altered or is not yours)"),
    N_("this link has expired"),
    N_("this calendar subscription was revoked"),
]


def translator(lang: str) -> Callable[[str], str]:
    """The gettext of `lang` (the engine's catalogue)."""
    return i18n.translations(lang).gettext


def page_language(request: web.Request, languages: Iterable[str] = ()) -> str:
    """The person's first language with a catalogue; for someone the page does not know
    (a link that names nobody, or not validly), the browser's Accept-Language."""
    preferred = list(languages)
    if not preferred:
        for part in request.headers.get("Accept-Language", "").split(","):
            tag = part.split(";")[0].strip().lower()
            if tag:
                preferred += [tag, tag.split("-")[0]]
    return i18n.pick(preferred)


async def person_language(
    request: web.Request, store: Store | None, participant_id: str, known: Iterable[str] = ()
) -> str:
    """The language of the person a verified link names, for every page it opens, refusals
    included: what the meeting knows of them (`known`), else their directory entry, else
    (nobody of that id) the browser's."""
    languages = list(known)
    if not languages and store is not None:
        languages = await asyncio.to_thread(store.languages_of, participant_id)
    return page_language(request, languages)


SECURITY_HEADERS = {
    # the URL carries a personal signature: keep it out of caches, Referer and indexes
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;"
    "line-height:1.5;color:#222}h1{font-size:1.4rem}"
    "button{font-size:1rem;padding:.6rem 1.2rem;cursor:pointer}"
)


def page(
    status: int, title: str, *paragraphs: str, form: str = "", lang: str = "en"
) -> web.Response:
    """A minimal self-contained HTML page in `lang` (templates/page.html); every text
    argument is escaped, `form` is markup built by the caller (its texts escaped there)."""
    from starter.web.link_templates import render_page  # it builds on this module

    form_markup = Markup(form)  # noqa: RUF100 - the caller's escaped form
    return render_page(
        "page.html", status, lang, title=title, paragraphs=paragraphs, form=form_markup
    )


def error_page(status: int, *paragraphs: str, lang: str = "en") -> web.Response:
    """An error page titled after its status, in `lang`."""
    _ = translator(lang)
    title = _(_TITLES[status]) if status in _TITLES else _("Error")
    return page(status, title, *paragraphs, lang=lang)


def reason(exc: Exception, lang: str) -> str:
    """A refusal as a sentence in `lang`: its code through the catalogue (the engine's own
    words where it has none)."""
    refusal = getattr(exc, "refusal", None)
    if isinstance(refusal, Refusal):
        return sentence(refusal.text(lang))
    return sentence(translator(lang)(str(exc)))


def sentence(text: str) -> str:
    """A message as a sentence: capital first letter, final full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


@web.middleware
async def html_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Routing errors and crashes as HTML pages too, never a stack trace."""
    lang = page_language(request)
    _ = translator(lang)
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        text = {
            404: _("There is no such page."),
            405: _("This page does not take that kind of request."),
        }.get(exc.status, _("The request could not be handled."))
        resp = error_page(exc.status, text, lang=lang)
        if "Allow" in exc.headers:  # 405 must say which methods are allowed
            resp.headers["Allow"] = exc.headers["Allow"]
        return resp
    except Exception as exc:
        from temporalio.service import RPCError  # loaded by every route that can raise it

        if isinstance(exc, RPCError):
            log.exception("Temporal unavailable for %s %s", request.method, request.path)
            text = _("The meeting service cannot be reached. Please try again later.")
            return error_page(503, text, lang=lang)
        log.exception("unexpected error for %s %s", request.method, request.path)
        text = _("Your answer could not be handled. Please try again later.")
        return error_page(500, text, lang=lang)


RSVP_HINT = N_(
    "Please use the links in your most recent invitation, "
    "or answer with your calendar's Accept / Decline buttons."
)


async def refuse_link(
    store: Store | None,
    request: web.Request,
    exc: LinkError,
    *,
    actor: str | None = None,
    hint: str = RSVP_HINT,
    person: str | None = None,
) -> web.Response:
    """Count a link that failed verification under the meeting it names, then explain it.

    The page is in the language of the `person` the link names when its signature holds
    (it only expired, or was revoked: 410), else in the browser's: a link altered or cut
    short says nothing true about who opens it.

    A meeting the store does not know gets nothing written; for one it knows (or a link that
    names none), refusals of one kind (route and status) within a minute are one row with a
    count. The path's parts are attacker-controlled: each is kept as it came, cut short.
    """
    parts = {k: v[:_AUDIT_MAX] for k, v in request.match_info.items()}
    meeting_id = parts.pop("meeting", "") or None
    if store is not None:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "?"
        detail = {
            "reason": str(exc),
            "status": exc.status,
            **parts,
            "path": request.path[:_AUDIT_MAX],
            "method": request.method,
        }
        await asyncio.to_thread(
            store.tally_refusal,
            meeting_id,
            f"{route} {exc.status}",
            actor or f"unverified:{parts.get('participant', 'desk')}",
            Channel.LINK.value,
            "link.refused",
            detail,
        )
    if person is not None and exc.status == 410:
        lang = await person_language(request, store, person)
    else:
        lang = page_language(request)
    return error_page(exc.status, reason(exc, lang), translator(lang)(hint), lang=lang)


def verified(
    request: web.Request, key: bytes, purpose: str, parts: tuple[str, ...], now: datetime
) -> None:
    """Raise LinkError unless the request's exp/sig sign `parts` for `purpose`."""
    exp = request.query.get("exp", "")
    sig = request.query.get("sig", "")
    if not exp or not _SIG.fullmatch(sig):
        raise LinkError("this link is malformed (it may have been cut short)", 400)
    verify(key, purpose, parts, exp, sig, now)


async def link_refused(
    request: web.Request,
    store: Store | None,
    signed: tuple[bytes, datetime],
    purpose: str,
    parts: tuple[str, ...],
    *,
    actor: str | None = None,
    hint: str = RSVP_HINT,
) -> web.Response | None:
    """None when the request's link signs `parts` for `purpose` with the key at the time
    `signed` names, else the page refusing it (counted by refuse_link)."""
    key, now = signed
    try:
        verified(request, key, purpose, parts, now)
    except LinkError as exc:
        person = request.match_info.get("participant")
        return await refuse_link(store, request, exc, actor=actor, hint=hint, person=person)
    return None
