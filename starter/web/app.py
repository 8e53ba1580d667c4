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
from domain.mail.views import answer_label
from domain.meeting.definition import localized
from domain.meeting.status import MeetingStatus, ParticipantStatus, StatusPage
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.client import commands
from starter.web import log_redaction
from starter.web.actions import add_action_routes
from starter.web.attendance import add_attendance_routes
from starter.web.console.routes import add_console_routes
from starter.web.downloads import add_download_routes
from starter.web.link_templates import meeting_facts, render_page, translate
from starter.web.pages import (
    Parts,
    error_page,
    html_errors,
    link_refused,
    page_language,
    person_language,
    reason,
    translator,
)
from starter.web.reports import add_report_routes

log = logging.getLogger(__name__)

PURPOSE = "rsvp"
RSVP_PATH = "/rsvp/{meeting}/{participant}/{choice}"


def choice_text(choice: Attendance, lang: str = "en") -> str:
    """The words the invitation uses for a choice."""
    return answer_label(choice, lang)


def no_meeting(meeting_id: str, lang: str) -> str:
    _ = translator(lang)
    return _("There is no meeting %(id)s.") % {"id": meeting_id}


def no_longer(status: MeetingStatus, lang: str) -> str:
    """Why a cancelled or closed meeting takes no answer."""
    _ = translator(lang)
    text = (
        _("The %(title)s is cancelled: answers are no longer accepted.")
        if status.phase is Phase.CANCELLED
        else _("The %(title)s is closed: answers are no longer accepted.")
    )
    return text % {"title": localized(status.meeting, lang).title}


def make_app(
    client: Client,
    store: Store | None,
    key: bytes,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    settings: Settings | None = None,
) -> web.Application:
    """The RSVP app: GET shows the confirmation, POST records the answer, /healthz."""

    async def checked(
        request: web.Request,
    ) -> tuple[str, str, Attendance, str, str] | web.Response:
        """The link's verified parts (meeting, participant, choice, exp, sig), or the page."""
        meeting_id = request.match_info["meeting"]
        pid = request.match_info["participant"]
        choice = request.match_info["choice"]
        exp = request.query.get("exp", "")
        sig = request.query.get("sig", "")
        signed = (key, now())
        parts = (meeting_id, pid, choice)
        if refused := await link_refused(request, store, signed, PURPOSE, parts):
            return refused
        try:
            attendance = Attendance(choice)
        except ValueError:
            lang = await person_language(request, store, pid)
            _ = translator(lang)
            text = _("%(choice)s is not an answer to an invitation.")
            return error_page(404, text % {"choice": repr(choice)}, lang=lang)
        return meeting_id, pid, attendance, exp, sig

    async def invitee(
        request: web.Request, meeting_id: str, pid: str
    ) -> tuple[MeetingStatus, ParticipantStatus | None] | web.Response:
        """The meeting and the link's participant's row in it (None: not invited), or the
        page saying there is no such meeting (in the language of the person the link names:
        their directory entry's)."""
        try:
            status = await commands.status(client, meeting_id, _only(pid))
        except commands.NoSuchMeeting:
            lang = await person_language(request, store, pid)
            return error_page(404, no_meeting(meeting_id, lang), lang=lang)
        return status, _row(status, pid)

    async def show(request: web.Request) -> web.Response:
        """The confirmation page; reads the status query only, changes nothing."""
        parts = await checked(request)
        if isinstance(parts, web.Response):
            return parts
        meeting_id, pid, choice, exp, sig = parts
        found = await invitee(request, meeting_id, pid)
        if isinstance(found, web.Response):
            return found
        status, row = found
        if row is None:
            lang = await person_language(request, store, pid)
            _ = translator(lang)
            text = _("This link's participant is not invited to %(title)s.")
            return error_page(
                404, text % {"title": localized(status.meeting, lang).title}, lang=lang
            )
        lang = page_language(request, row.languages)
        _ = translator(lang)
        if status.phase in (Phase.CANCELLED, Phase.CLOSED):
            return error_page(409, no_longer(status, lang), lang=lang)
        return render_page(
            "rsvp_confirm.html",
            lang=lang,
            title=translate("Confirm your answer", lang),
            name=row.name,
            choice=choice_text(choice, lang),
            facts=meeting_facts(status.meeting, lang),
            action="?" + urlencode({"exp": exp, "sig": sig}),
        )

    async def reader_language(request: web.Request, meeting_id: str, pid: str) -> str:
        """The language of the link's participant (a refusal is written to them too)."""
        try:
            row = _row(await commands.status(client, meeting_id, _only(pid)), pid)
        except commands.NoSuchMeeting:
            row = None
        return await person_language(request, store, pid, row.languages if row else ())

    async def missing_or_ended(request: web.Request, meeting_id: str, pid: str) -> web.Response:
        """Temporal answers an update to a finished workflow with NOT_FOUND: tell them apart."""
        found = await invitee(request, meeting_id, pid)
        if isinstance(found, web.Response):
            return found
        status, row = found
        lang = await person_language(request, store, pid, row.languages if row else ())
        _ = translator(lang)
        not_recorded = _("Your answer was not recorded.")
        return error_page(409, not_recorded, no_longer(status, lang), lang=lang)

    async def record(request: web.Request) -> web.Response:
        """The participant's confirmation: verify again, then the rsvp update."""
        parts = await checked(request)
        if isinstance(parts, web.Response):
            return parts
        meeting_id, pid, choice = parts[:3]
        try:
            command = RsvpCommand(
                participant_id=pid,
                attendance=choice,
                actor=Actor(id=pid, channel=Channel.LINK),
            )
        except ValidationError:
            lang = await person_language(request, store, pid)
            _ = translator(lang)
            text = _("This link does not name a valid participant.")
            return error_page(400, text, lang=lang)
        try:
            row = await commands.rsvp(client, store, meeting_id, command)
            status = await commands.status(client, meeting_id, _only(pid))
        except commands.NoSuchMeeting:
            return await missing_or_ended(request, meeting_id, pid)
        except commands.CommandRefused as exc:
            lang = await reader_language(request, meeting_id, pid)
            _ = translator(lang)
            text = _("Your answer was not recorded.")
            return error_page(409, text, reason(exc, lang), lang=lang)
        name = row.name
        lang = page_language(request, row.languages)
        return render_page(
            "rsvp_done.html",
            lang=lang,
            title=translate("Thank you", lang),
            name=name,
            choice=choice_text(choice, lang),
            facts=meeting_facts(status.meeting, lang),
        )

    async def healthz(_: web.Request) -> web.Response:
        """Liveness for load balancers: the process answers, nothing else is checked."""
        return web.Response(text="ok", content_type="text/plain", charset="utf-8")

    app = web.Application(middlewares=[html_errors])
    app.router.add_get(RSVP_PATH, show)
    app.router.add_post(RSVP_PATH, record)
    app.router.add_get("/healthz", healthz)
    parts = Parts(client, store, key, now)
    add_attendance_routes(app, parts)
    add_action_routes(app, parts)
    add_report_routes(app, parts)
    add_download_routes(app, add_console_routes(app, parts, settings))
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
