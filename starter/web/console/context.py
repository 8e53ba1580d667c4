"""What every console page needs: the engine's client and store, the session behind the
request's cookie, the CSRF check of every form, and the audited 403 for a wrong role."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

from aiohttp import web
from temporalio.client import Client

from activities.config import Settings
from activities.store import Store
from activities.store.console import ConsoleStore
from domain.agenda.view import AgendaView
from domain.attendance.register import AttendanceView
from domain.meeting.status import MeetingStatus, ParticipantStatus, StatusPage
from domain.registration.answers import Actor, Channel
from starter.client import commands
from starter.web.console.recent import Recent
from starter.web.console.render import Msg, form_expired, render
from starter.web.console.roles import CSRF, NAMES, VIEWER, Forbidden, Viewer, viewer_of

log = logging.getLogger(__name__)

SESSION_COOKIE = "rtm_session"
BROWSER_COOKIE = "rtm_browser"  # the nonce that binds a sign-in link to the browser that asked
IDLE = timedelta(hours=8)
ABSOLUTE = timedelta(days=7)
TOUCH_AFTER = timedelta(minutes=1)

Mailer = Callable[[EmailMessage], Awaitable[None]]

PageHandler = Callable[[web.Request, Viewer], Awaitable[web.StreamResponse]]


@dataclass
class Console:
    """The console's dependencies, shared by every page module."""

    client: Client
    store: Store
    sessions: ConsoleStore
    key: bytes
    settings: Settings
    now: Callable[[], datetime]
    mailer: Mailer
    oidc: Any = None  # starter.web.console.oidc.OidcProvider when single sign-on is set
    recent: Recent = field(default_factory=Recent)
    regions: dict[str, str] = field(default_factory=dict)  # by meeting id: never changes

    async def page_of(self, meeting_id: str, page: StatusPage) -> MeetingStatus:
        """The summary and one page of participants (the status query's own paging)."""
        return await self.recent.get(
            meeting_id,
            page.model_dump_json(),
            lambda: commands.status(self.client, meeting_id, page),
        )

    async def names(self) -> dict[str, str]:
        """Country and organisation names by code, as the directory has them: the pages
        show "Kazakhstan", not "KZ". Read again every half minute at most."""

        def read() -> dict[str, str]:
            found = {o.code: o.name for o in self.store.organisations()}
            return found | {c.code: c.name for c in self.store.countries()}

        return await self.recent.get("", "names", lambda: asyncio.to_thread(read), ttl=30)

    async def people(self, ids: list[str]) -> dict[str, str]:
        """The names of these people by id; no thread hop when there are none (most pages
        have no held reply to name)."""
        return await asyncio.to_thread(self.sessions.names_of, ids) if ids else {}

    async def in_directory_languages(
        self, rows: list[ParticipantStatus]
    ) -> list[ParticipantStatus]:
        """`rows` with each person's languages as the directory has them now: the meeting
        keeps those it invited them with, and its next mail follows the directory."""
        if not rows:
            return rows
        now = await asyncio.to_thread(self.store.languages_by_id, [r.participant_id for r in rows])
        return [
            r.model_copy(update={"languages": now[r.participant_id]})
            if now.get(r.participant_id, r.languages) != r.languages
            else r
            for r in rows
        ]

    async def agenda(self, meeting_id: str) -> AgendaView:
        return await self.recent.get(
            meeting_id, "agenda", lambda: commands.agenda(self.client, meeting_id)
        )

    async def attendance(self, meeting_id: str) -> AttendanceView:
        return await self.recent.get(
            meeting_id, "attendance", lambda: commands.attendance(self.client, meeting_id)
        )

    def actor(self, viewer: Viewer) -> Actor:
        """Who a page's command comes from: the signed-in person, through the web."""
        return Actor(id=viewer.id, channel=Channel.WEB)

    def mac(self, purpose: str, value: str) -> str:
        return hmac.new(self.key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:43]

    def secure(self, request: web.Request) -> bool:
        return request.secure or self.settings.public_url.startswith("https://")

    def set_cookie(
        self,
        request: web.Request,
        resp: web.StreamResponse,
        name: str,
        value: str,
        max_age: int | None,
    ) -> None:
        resp.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            httponly=True,
            secure=self.secure(request),
            samesite="Lax",
        )

    async def form_refused(self, request: web.Request, viewer: Viewer | None) -> web.Response:
        """403 for a form without its token (audited when someone is signed in); nothing changed."""
        if viewer is not None:
            await self.audit(None, viewer.id, "console.csrf_refused", {"path": request.path[:200]})
        return form_expired(
            request,
            Msg(
                "This form was not accepted (its security token is "
                "missing or stale). Nothing was changed; please try again."
            ),
        )

    async def audit(
        self, meeting_id: str | None, actor: str, action: str, detail: dict[str, Any]
    ) -> None:
        await asyncio.to_thread(
            self.store.append_audit, meeting_id, actor, Channel.WEB.value, action, detail
        )

    async def viewer(self, request: web.Request) -> Viewer | None:
        """The person whose live session the request's cookie holds, else None."""
        token = request.cookies.get(SESSION_COOKIE, "")
        if not token or len(token) > 100:
            return None
        found = await asyncio.to_thread(
            self.sessions.signed_in, token, self.now(), IDLE, ABSOLUTE, TOUCH_AFTER
        )
        if found is None:
            return None
        return viewer_of(*found)

    def page(self, handler: PageHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """A page for signed-in people: sign-in first, CSRF on every POST, 403 audited."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            viewer = await self.viewer(request)
            if viewer is None:
                if request.method == "GET":
                    raise web.HTTPSeeOther(f"/console/signin?next={quote(request.path_qs)}")
                return render(
                    request,
                    "error.html",
                    401,
                    title=Msg("Signed out"),
                    message=Msg("Your session has ended. Please sign in again."),
                )
            token = request.cookies[SESSION_COOKIE]
            request[VIEWER] = viewer
            request[CSRF] = self.mac("csrf", token)
            request[NAMES] = await self.names()
            if request.method == "POST":
                form = await request.post()
                sent = str(form.get("csrf", ""))
                if not hmac.compare_digest(sent.encode(), request[CSRF].encode()):
                    return await self.form_refused(request, viewer)
            try:
                return await handler(request, viewer)
            except Forbidden as exc:
                await self.audit(
                    exc.meeting_id,
                    viewer.id,
                    "console.forbidden",
                    {"path": request.path[:200], "method": request.method, "why": str(exc)},
                )
                return render(
                    request,
                    "error.html",
                    403,
                    title=Msg("Not allowed"),
                    message=Msg("This page is not yours to see or change."),
                )
            except web.HTTPNotFound:  # no such meeting or action: the console's page, theirs
                return render(  # language (the link pages' answer knows only the browser's)
                    request,
                    "error.html",
                    404,
                    title=Msg("Not found"),
                    message=Msg("There is no such page."),
                )
            finally:
                if request.method == "POST":  # the page after a change shows it at once
                    self.recent.drop(request.match_info.get("meeting"))

        return wrapped
