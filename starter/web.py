"""The web app behind the signed RSVP links in invitations and reminders.

GET only shows a confirmation page (mail scanners prefetch links, so it never changes
anything); the participant's POST from that page records the answer through
starter.commands, like every other channel. Refused links are written to the audit log.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import ValidationError
from temporalio.client import Client
from temporalio.service import RPCError

from activities.db import Store
from domain.answers import Actor, Attendance, Channel, RsvpCommand
from domain.contracts import MeetingStatus, ParticipantStatus, Phase
from domain.invitation_mail import CHOICE_TEXT
from domain.links import LinkError, verify
from starter import commands

log = logging.getLogger(__name__)

PURPOSE = "rsvp"
RSVP_PATH = "/rsvp/{meeting}/{participant}/{choice}"
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

_HEADERS = {
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

_STYLE = (
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
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{body}{form}</main></body></html>"
    )
    return web.Response(
        status=status,
        text=doc,
        content_type="text/html",
        charset="utf-8",
        headers=_HEADERS,
    )


def error_page(status: int, *paragraphs: str) -> web.Response:
    """An error page titled after its status."""
    return page(status, _TITLES.get(status, "Error"), *paragraphs)


def _sentence(text: str) -> str:
    """A message as a sentence: capital first letter, final full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def choice_text(choice: Attendance) -> str:
    """The words the invitation uses for a choice."""
    return CHOICE_TEXT.get(choice, choice.value)


def _confirm_form(exp: str, sig: str, choice: Attendance) -> str:
    """A POST form back to this very link (query-only action: keeps any proxy prefix)."""
    action = html.escape("?" + urlencode({"exp": exp, "sig": sig}), quote=True)
    label = html.escape(f"Confirm: {choice_text(choice)}")
    return f'<form method="post" action="{action}"><button type="submit">{label}</button></form>'


@web.middleware
async def _html_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Routing errors and crashes as HTML pages too, never a stack trace."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        resp = error_page(exc.status, _sentence(exc.reason))
        if "Allow" in exc.headers:  # 405 must say which methods are allowed
            resp.headers["Allow"] = exc.headers["Allow"]
        return resp
    except RPCError:
        log.exception("Temporal unavailable for %s %s", request.method, request.path)
        return error_page(503, "The meeting service cannot be reached. Please try again later.")
    except Exception:
        log.exception("unexpected error for %s %s", request.method, request.path)
        return error_page(500, "Your answer could not be handled. Please try again later.")


def make_app(
    client: Client,
    store: Store | None,
    key: bytes,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> web.Application:
    """The RSVP app: GET shows the confirmation, POST records the answer, /healthz."""

    async def refuse(request: web.Request, exc: LinkError) -> web.Response:
        """Audit a link that failed verification, then explain it to the visitor."""
        meeting_id = request.match_info["meeting"][:_AUDIT_MAX] or None
        pid = request.match_info["participant"][:_AUDIT_MAX]
        if store is not None:
            detail = {
                "reason": str(exc),
                "status": exc.status,
                "choice": request.match_info["choice"][:_AUDIT_MAX],
                "method": request.method,
            }
            await asyncio.to_thread(
                store.append_audit,
                meeting_id,
                f"unverified:{pid}",
                Channel.LINK.value,
                "link.refused",
                detail,
            )
        return error_page(
            exc.status,
            _sentence(str(exc)),
            "Please use the links in your most recent invitation, "
            "or answer with your calendar's Accept / Decline buttons.",
        )

    async def checked(
        request: web.Request,
    ) -> tuple[str, str, Attendance, str, str] | web.Response:
        """The link's verified parts (meeting, participant, choice, exp, sig), or the page."""
        meeting_id = request.match_info["meeting"]
        pid = request.match_info["participant"]
        choice = request.match_info["choice"]
        exp = request.query.get("exp", "")
        sig = request.query.get("sig", "")
        try:
            if not exp or not _SIG.fullmatch(sig):
                raise LinkError("this link is malformed (it may have been cut short)", 400)
            verify(key, PURPOSE, (meeting_id, pid, choice), exp, sig, now())
        except LinkError as exc:
            return await refuse(request, exc)
        try:
            attendance = Attendance(choice)
        except ValueError:
            return error_page(404, f"{choice!r} is not an answer to an invitation.")
        return meeting_id, pid, attendance, exp, sig

    async def show(request: web.Request) -> web.Response:
        """The confirmation page; reads the status query only, changes nothing."""
        parts = await checked(request)
        if isinstance(parts, web.Response):
            return parts
        meeting_id, pid, choice, exp, sig = parts
        try:
            status = await commands.status(client, meeting_id)
        except commands.NoSuchMeeting:
            return error_page(404, f"There is no meeting {meeting_id}.")
        row = _row(status, pid)
        if row is None:
            return error_page(404, f"This link's participant is not invited to {status.title}.")
        if status.phase in (Phase.CANCELLED, Phase.CLOSED):
            return error_page(
                409, f"{status.title} is {status.phase.value}: answers are no longer accepted."
            )
        return page(
            200,
            "Confirm your answer",
            f"Dear {row.name},",
            f"Please confirm your answer to the invitation to the {status.title}: "
            f"“{choice_text(choice)}”.",
            "Nothing is recorded until you press the button.",
            form=_confirm_form(exp, sig, choice),
        )

    async def missing_or_ended(meeting_id: str) -> web.Response:
        """Temporal answers an update to a finished workflow with NOT_FOUND: tell them apart."""
        try:
            status = await commands.status(client, meeting_id)
        except commands.NoSuchMeeting:
            return error_page(404, f"There is no meeting {meeting_id}.")
        return error_page(
            409,
            "Your answer was not recorded.",
            f"The {status.title} is {status.phase.value}: answers are no longer accepted.",
        )

    async def record(request: web.Request) -> web.Response:
        """The participant's confirmation: verify again, then the rsvp update."""
        parts = await checked(request)
        if isinstance(parts, web.Response):
            return parts
        meeting_id, pid, choice, _, _ = parts
        try:
            command = RsvpCommand(
                participant_id=pid,
                attendance=choice,
                actor=Actor(id=pid, channel=Channel.LINK),
            )
        except ValidationError:
            return error_page(400, "This link does not name a valid participant.")
        try:
            status = await commands.rsvp(client, store, meeting_id, command)
        except commands.NoSuchMeeting:
            return await missing_or_ended(meeting_id)
        except commands.CommandRefused as exc:
            return error_page(409, "Your answer was not recorded.", _sentence(str(exc)))
        row = _row(status, pid)
        name = row.name if row is not None else pid
        return page(
            200,
            "Thank you",
            f"Thank you, {name}.",
            f"Your answer to the invitation to the {status.title} is recorded: "
            f"“{choice_text(choice)}”.",
            "You can change it with another link from your invitation until registration closes.",
        )

    async def healthz(_: web.Request) -> web.Response:
        """Liveness for load balancers: the process answers, nothing else is checked."""
        return web.Response(text="ok", content_type="text/plain", charset="utf-8")

    app = web.Application(middlewares=[_html_errors])
    app.router.add_get(RSVP_PATH, show)
    app.router.add_post(RSVP_PATH, record)
    app.router.add_get("/healthz", healthz)
    return app


def _row(status: MeetingStatus, participant_id: str) -> ParticipantStatus | None:
    """The participant's status row, None when they are not (or no longer) invited."""
    try:
        return status.participant(participant_id)
    except KeyError:
        return None


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Start `app` on host:port; the caller stops it with `await runner.cleanup()`."""
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner
