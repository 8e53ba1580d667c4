"""Signing in with a one-time link by mail, and signing out (here or everywhere).

The link is single use, valid 15 minutes, and works only in the browser that asked for it
(a nonce cookie set by the sign-in page). Its GET shows a button and changes nothing (mail
scanners open links); the POST spends it and opens the session. The sign-in page answers
the same whether the address is known or not, and requests are rate-limited per address
and per client.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP
from urllib.parse import urlencode

import aiosmtplib
from aiohttp import web

from activities.config import Settings
from activities.store.console import UNBOUND, ConsoleStore
from domain.directory.models import Participant
from domain.mail.signin import signin_mail
from starter.web.console.context import (
    ABSOLUTE,
    BROWSER_COOKIE,
    SESSION_COOKIE,
    Console,
    Mailer,
)
from starter.web.console.render import LANGUAGE_COOKIE, Msg, form_expired, render
from starter.web.console.roles import CSRF, Viewer, viewer_of

log = logging.getLogger(__name__)

LINK_TTL = timedelta(minutes=15)
WINDOW = timedelta(minutes=15)
PER_ADDRESS = 5
PER_CLIENT = 20
_EMAIL_MAX = 254
TASKS = web.AppKey("console_mail_tasks", set[asyncio.Task[None]])
OpenSession = Callable[[web.Request, str, str], Awaitable[web.StreamResponse]]
OPEN_SESSION: web.AppKey[OpenSession] = web.AppKey("console_open_session")


def smtp_mailer(settings: Settings) -> Mailer:
    """Send one message through the configured relay (the catcher on the embedded stack)."""

    async def send(message: EmailMessage) -> None:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout,
        )

    return send


def _browser(request: web.Request) -> str:
    value = request.cookies.get(BROWSER_COOKIE, "")
    return value if 20 <= len(value) <= 100 else ""


def signin_message(console: Console, person: Participant, sender: str, link: str) -> EmailMessage:
    """The sign-in mail, in the person's language (domain.mail.signin, the one builder)."""
    minutes = int(LINK_TTL.total_seconds() // 60)
    mail = signin_mail(person, ("", sender), link, minutes, datetime.now(UTC))
    msg = message_from_bytes(mail.data, policy=SMTP)
    assert isinstance(msg, EmailMessage)
    return msg


def add_auth_routes(app: web.Application, console: Console) -> None:
    def anonymous_form(request: web.Request, resp_nonce: str) -> str:
        return console.mac("pre", resp_nonce)

    async def show(request: web.Request) -> web.StreamResponse:
        """The sign-in page; gives the browser its nonce if it has none."""
        if await console.viewer(request) is not None:
            raise web.HTTPSeeOther("/console/")
        nonce = _browser(request) or secrets.token_urlsafe(24)
        request[CSRF] = anonymous_form(request, nonce)
        resp = render(request, "signin.html", oidc=console.oidc is not None, problem=None)
        console.set_cookie(request, resp, BROWSER_COOKIE, nonce, max_age=None)
        return resp

    def pre_checked(request: web.Request, form: dict[str, str]) -> str | None:
        """The browser nonce when the anonymous form's token matches it, else None."""
        nonce = _browser(request)
        sent = form.get("csrf", "")
        if not nonce or not hmac.compare_digest(sent.encode(), console.mac("pre", nonce).encode()):
            return None
        request[CSRF] = console.mac("pre", nonce)
        return nonce

    def refused(request: web.Request) -> web.Response:
        return form_expired(
            request,
            Msg(
                "This form was not accepted. Nothing was changed; please open "
                "the sign-in page again."
            ),
        )

    async def ask(request: web.Request) -> web.StreamResponse:
        """Mail a link if the address is in the directory; the same answer either way."""
        form = {k: str(v) for k, v in (await request.post()).items()}
        nonce = pre_checked(request, form)
        if nonce is None:
            return refused(request)
        email = form.get("email", "").strip().lower()
        if not email or len(email) > _EMAIL_MAX or "@" not in email:
            return render(
                request,
                "signin.html",
                400,
                oidc=console.oidc is not None,
                problem=Msg("Please enter your e-mail address, like name@example.org."),
            )
        now = console.now()
        client = request.remote or "unknown"
        by_email, by_client = await asyncio.to_thread(
            console.sessions.count_requests, email, client, now - WINDOW
        )
        if by_email >= PER_ADDRESS or by_client >= PER_CLIENT:
            resp = render(
                request,
                "error.html",
                429,
                title=Msg("Too many requests"),
                message=Msg(
                    "Too many sign-in links were asked for. Please wait a "
                    "quarter of an hour, then try again."
                ),
            )
            resp.headers["Retry-After"] = str(int(WINDOW.total_seconds()))
            return resp
        await asyncio.to_thread(console.sessions.record_request, email, client, now)
        person = await asyncio.to_thread(console.sessions.person_by_email, email)
        if person is not None and not await asyncio.to_thread(
            console.sessions.is_active, person.id
        ):
            person = None  # deactivated: the same answer as for an unknown address
        if person is not None:
            token = secrets.token_urlsafe(32)
            await asyncio.to_thread(
                console.sessions.add_token, token, person.id, nonce, now + LINK_TTL
            )
            link = f"{console.settings.public_url}/console/signin/link?" + urlencode(
                {"token": token}
            )
            # sent after the answer, so a known address does not answer slower than an unknown
            task = asyncio.create_task(_send(console, person, link))
            app[TASKS].add(task)
            task.add_done_callback(app[TASKS].discard)
        return render(request, "signin_sent.html", email=email)

    async def link(request: web.Request) -> web.StreamResponse:
        """The mailed link: a button to finish signing in; changes nothing by itself."""
        token = request.query.get("token", "")[:100]
        nonce = _browser(request)
        fresh = ""
        if not nonce:  # an operator's link works in any browser: give this one a nonce
            row = await asyncio.to_thread(console.sessions.token, token) if token else None
            if row is not None and row.nonce_hash == UNBOUND:
                nonce = fresh = secrets.token_urlsafe(24)
        request[CSRF] = console.mac("pre", nonce) if nonce else ""
        resp = render(request, "signin_link.html", token=token, bound=bool(nonce))
        if fresh:
            console.set_cookie(request, resp, BROWSER_COOKIE, fresh, max_age=None)
        return resp

    async def spend(request: web.Request) -> web.StreamResponse:
        form = {k: str(v) for k, v in (await request.post()).items()}
        nonce = pre_checked(request, form)
        if nonce is None:
            return refused(request)
        token = form.get("token", "")[:100]
        now = console.now()
        pid = await asyncio.to_thread(console.sessions.use_token, token, nonce, now)
        if pid is None:
            await console.audit(
                None,
                "unverified:console",
                "console.signin_refused",
                {"client": request.remote or "unknown"},
            )
            return render(
                request,
                "error.html",
                410,
                title=Msg("Link not valid"),
                message=Msg(
                    "This sign-in link is used, expired, or was asked for in "
                    "another browser. Please ask for a new one."
                ),
                retry=True,
            )
        return await open_session(request, pid, "link")

    async def open_session(request: web.Request, pid: str, via: str) -> web.StreamResponse:
        session = secrets.token_urlsafe(32)
        now = console.now()
        await asyncio.to_thread(console.sessions.open_session, session, pid, now, via)
        found = await asyncio.to_thread(console.sessions.person, pid)
        viewer: Viewer | None = viewer_of(*found) if found else None
        await console.audit(None, pid, "console.signed_in", {"via": via})
        resp = web.Response(
            status=303, headers={"Location": viewer.home() if viewer else "/console/"}
        )
        console.set_cookie(
            request, resp, SESSION_COOKIE, session, max_age=int(ABSOLUTE.total_seconds())
        )
        return resp

    async def signout(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        token = request.cookies.get(SESSION_COOKIE, "")
        now = console.now()
        everywhere = request.path.endswith("/everywhere")
        if everywhere:
            await asyncio.to_thread(console.sessions.revoke_all, viewer.id, now)
        else:
            await asyncio.to_thread(console.sessions.revoke, token, now)
        await console.audit(None, viewer.id, "console.signed_out", {"everywhere": everywhere})
        resp = web.Response(status=303, headers={"Location": "/console/signin"})
        resp.del_cookie(SESSION_COOKIE, path="/")
        resp.del_cookie(LANGUAGE_COOKIE, path="/")  # the choice was for this session
        return resp

    async def drain(_: web.Application) -> None:
        """Mail still being sent when the app stops is sent, not dropped."""
        if app[TASKS]:
            await asyncio.gather(*app[TASKS], return_exceptions=True)

    app[TASKS] = set()
    app.on_cleanup.append(drain)
    app[OPEN_SESSION] = open_session
    app.router.add_get("/console/signin", show)
    app.router.add_post("/console/signin", ask)
    app.router.add_get("/console/signin/link", link)
    app.router.add_post("/console/signin/link", spend)
    app.router.add_post("/console/signout", console.page(signout))
    app.router.add_post("/console/signout/everywhere", console.page(signout))


def operator_link(sessions: ConsoleStore, public_url: str, participant_id: str) -> str:
    """A sign-in link for the operator to hand over (the demo prints one): single use and
    15 minutes like a mailed one, bound to the first browser that presses its button."""
    token = secrets.token_urlsafe(32)
    sessions.add_token(token, participant_id, None, datetime.now(UTC) + LINK_TTL)
    return f"{public_url}/console/signin/link?" + urlencode({"token": token})


async def _send(console: Console, person: Participant, link: str) -> None:
    try:
        regions = await asyncio.to_thread(console.store.regions)
        sender = regions[0].secretariat_email if regions else "console@example.org"
        await console.mailer(signin_message(console, person, sender, link))
    except Exception:
        log.exception("the sign-in mail to %s could not be sent", person.id)
