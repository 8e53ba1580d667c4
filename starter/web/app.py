"""The web app behind the signed RSVP links in invitations and reminders.

GET only shows a confirmation page (mail scanners prefetch links, so it never changes
anything); the participant's POST from that page records the answer through
starter.client.commands, like every other channel. Refused links are written to the audit log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlencode

from aiohttp import web
from pydantic import ValidationError
from temporalio.client import Client

from activities.config import Settings
from activities.store import Store
from domain.common.contracts import Phase
from domain.common.links import LinkError
from domain.mail.views import answer_label
from domain.meeting.status import MeetingStatus, ParticipantStatus, StatusPage
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.client import commands
from starter.web import log_redaction
from starter.web.actions import add_action_routes
from starter.web.attendance import add_attendance_routes
from starter.web.console import add_console_routes
from starter.web.link_templates import meeting_facts, render_page, translate
from starter.web.pages import error_page, html_errors, refuse_link, sentence, verified
from starter.web.reports import add_report_routes

log = logging.getLogger(__name__)

PURPOSE = "rsvp"
RSVP_PATH = "/rsvp/{meeting}/{participant}/{choice}"


def choice_text(choice: Attendance) -> str:
    """The words the invitation uses for a choice."""
    return answer_label(choice, "en")


def make_app(
    client: Client,
    store: Store | None,
    key: bytes,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    settings: Settings | None = None,
) -> web.Application:
    """The RSVP app: GET shows the confirmation, POST records the answer, /healthz."""

    async def refuse(request: web.Request, exc: LinkError) -> web.Response:
        return await refuse_link(store, request, exc)

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
            verified(request, key, PURPOSE, (meeting_id, pid, choice), now())
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
            status = await commands.status(client, meeting_id, _only(pid))
        except commands.NoSuchMeeting:
            return error_page(404, f"There is no meeting {meeting_id}.")
        row = _row(status, pid)
        if row is None:
            return error_page(404, f"This link's participant is not invited to {status.title}.")
        if status.phase in (Phase.CANCELLED, Phase.CLOSED):
            return error_page(
                409, f"{status.title} is {status.phase.value}: answers are no longer accepted."
            )
        return render_page(
            "rsvp_confirm.html",
            title=translate("Confirm your answer"),
            name=row.name,
            choice=choice_text(choice),
            facts=meeting_facts(status.meeting),
            action="?" + urlencode({"exp": exp, "sig": sig}),
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
            row = await commands.rsvp(client, store, meeting_id, command)
            status = await commands.status(client, meeting_id, _only(pid))
        except commands.NoSuchMeeting:
            return await missing_or_ended(meeting_id)
        except commands.CommandRefused as exc:
            return error_page(409, "Your answer was not recorded.", sentence(str(exc)))
        name = row.name
        return render_page(
            "rsvp_done.html",
            title=translate("Thank you"),
            name=name,
            choice=choice_text(choice),
            facts=meeting_facts(status.meeting),
        )

    async def healthz(_: web.Request) -> web.Response:
        """Liveness for load balancers: the process answers, nothing else is checked."""
        return web.Response(text="ok", content_type="text/plain", charset="utf-8")

    app = web.Application(middlewares=[html_errors])
    app.router.add_get(RSVP_PATH, show)
    app.router.add_post(RSVP_PATH, record)
    app.router.add_get("/healthz", healthz)
    add_attendance_routes(app, client, store, key, now)
    add_action_routes(app, client, store, key, now)
    add_report_routes(app, client, store, key, now)
    add_console_routes(app, client, store, key, now, settings)
    return app


def _only(participant_id: str) -> StatusPage:
    return StatusPage(participant_id=participant_id, limit=1)


def _row(status: MeetingStatus, participant_id: str) -> ParticipantStatus | None:
    """The participant's status row, None when they are not (or no longer) invited."""
    try:
        return status.participant(participant_id)
    except KeyError:
        return None


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Start `app` on host:port; the caller stops it with `await runner.cleanup()`."""
    log_redaction.install()
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner
