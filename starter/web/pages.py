"""Pages and link checks shared by the web app's routes."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from datetime import datetime

from aiohttp import web
from aiohttp.typedefs import Handler
from temporalio.service import RPCError

from activities.store import Store
from domain.common.links import LinkError, verify
from domain.registration.answers import Channel

log = logging.getLogger(__name__)

# What links.signature produces (urlsafe base64, no padding); anything else is malformed
# before it reaches hmac.compare_digest, which raises TypeError on non-ASCII text.
_SIG = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_AUDIT_MAX = 200  # path parts are attacker-controlled: keep what is logged short

_TITLES = {
    400: "Malformed link",
    403: "Invalid link",
    404: "Not found",
    405: "Method not allowed",
    409: "Answer not recorded",
    410: "Link expired",
    500: "Something went wrong",
    503: "Service unavailable",
}

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


def page(status: int, title: str, *paragraphs: str, form: str = "") -> web.Response:
    """A minimal self-contained HTML page; every text argument is escaped here."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    doc = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{body}{form}</main></body></html>"
    )
    return web.Response(
        status=status,
        text=doc,
        content_type="text/html",
        charset="utf-8",
        headers=SECURITY_HEADERS,
    )


def error_page(status: int, *paragraphs: str) -> web.Response:
    """An error page titled after its status."""
    return page(status, _TITLES.get(status, "Error"), *paragraphs)


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
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        resp = error_page(exc.status, sentence(exc.reason))
        if "Allow" in exc.headers:  # 405 must say which methods are allowed
            resp.headers["Allow"] = exc.headers["Allow"]
        return resp
    except RPCError:
        log.exception("Temporal unavailable for %s %s", request.method, request.path)
        return error_page(503, "The meeting service cannot be reached. Please try again later.")
    except Exception:
        log.exception("unexpected error for %s %s", request.method, request.path)
        return error_page(500, "Your answer could not be handled. Please try again later.")


RSVP_HINT = (
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
) -> web.Response:
    """Count a link that failed verification under the meeting it names, then explain it.

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
    return error_page(exc.status, sentence(str(exc)), hint)


def verified(
    request: web.Request, key: bytes, purpose: str, parts: tuple[str, ...], now: datetime
) -> None:
    """Raise LinkError unless the request's exp/sig sign `parts` for `purpose`."""
    exp = request.query.get("exp", "")
    sig = request.query.get("sig", "")
    if not exp or not _SIG.fullmatch(sig):
        raise LinkError("this link is malformed (it may have been cut short)", 400)
    verify(key, purpose, parts, exp, sig, now)
