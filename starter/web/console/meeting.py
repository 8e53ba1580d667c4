"""A meeting as its secretariat sees it: the facts in venue time, registration (each
participant's invitation and answer, counts, chase now, an answer on someone's behalf), and
reschedule or cancel behind a page that names who will be mailed."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime

from aiohttp import web
from pydantic import ValidationError

from domain.common.refusals import Refusal
from domain.invitations.batches import InvitationStatus
from domain.meeting.changes import CancelCommand, RescheduleCommand
from domain.meeting.status import MeetingStatus, StatusPage
from domain.registration.answers import Attendance, RsvpCommand
from domain.registration.held import ConfirmReplyCommand, DiscardReplyCommand
from domain.reminders.planning import RemindCommand
from starter.client import commands
from starter.web.console import reads
from starter.web.console.context import Console
from starter.web.console.forms import done, fields, page_number, pager, recorded
from starter.web.console.render import Msg, Text, render, why
from starter.web.console.roles import Viewer

PAGE = 50
STATES = ("all", "none", *(a.value for a in Attendance), "failed")


def wanted(state: str, country: str, number: int) -> StatusPage:
    """The status query's page for the list's filters (answer state, country) and number."""
    answer = state if state in {a.value for a in Attendance} else None
    return StatusPage(
        answer=Attendance(answer) if answer else None,
        unanswered=state == "none",
        invitation=InvitationStatus.FAILED if state == "failed" else None,
        country=country or None,
        offset=(number - 1) * PAGE,
        limit=PAGE,
    )


MAILED = StatusPage(invitation=InvitationStatus.SENT, limit=200)
"""Who gets the update or cancellation: everyone whose invitation went out (the first 200
are named; the count is the whole meeting's)."""


def _local(value: str, name: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(Refusal("input.local_time", field=name)) from None


def change_page(
    request: web.Request,
    status: MeetingStatus,
    kind: str,
    form: dict[str, str],
    problem: Text = "",
    code: int = 200,
    template: str = "change.html",
) -> web.Response:
    """The reschedule or cancel form (or its confirmation), naming who will be mailed."""
    return render(
        request,
        template,
        code,
        title=status.title,
        status=status,
        kind=kind,
        form=form,
        mailed=status.participants,
        mailed_total=status.matching,
        problem=problem,
    )


def add_meeting_routes(app: web.Application, console: Console) -> None:
    async def show(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = request.match_info["meeting"]
        viewer.require_read(await reads.region_of(console, meeting_id), meeting_id)
        return await registration_page(request, viewer, meeting_id)

    async def registration_page(
        request: web.Request,
        viewer: Viewer,
        meeting_id: str,
        problem: Text = "",
        code: int = 200,
    ) -> web.Response:
        state = request.query.get("state", "all")
        state = state if state in STATES else "all"
        country = request.query.get("country", "")[:64]
        number = page_number(request)
        status = await reads.page(console, meeting_id, wanted(state, country, number))
        held = [r.participant_id for r in status.held_replies]
        return render(
            request,
            "meeting.html",
            code,
            title=status.title,
            status=status,
            m=status.meeting,
            rows=await console.in_directory_languages(status.participants),
            **pager(status.matching, number, PAGE),
            state=state,
            states=STATES,
            country=country,
            countries=sorted(status.answers.by_country),
            answers=list(Attendance),
            manage=viewer.manages(status.meeting.region),
            failed=status.count(InvitationStatus.FAILED),
            held_names=await console.people(held),
            problem=problem,
            section="registration",
        )

    async def registered(
        request: web.Request, viewer: Viewer, sent: Awaitable[object], notice: str, back: str = ""
    ) -> web.StreamResponse:
        """A registration command sent: back to the meeting (or `back`) with `notice`, or the
        registration page again with the refusal beside it."""
        meeting_id = request.match_info["meeting"]
        return await recorded(
            sent,
            lambda why: registration_page(request, viewer, meeting_id, why, 409),
            back or f"/console/meetings/{meeting_id}",
            notice,
        )

    async def answer(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = await reads.managed_at(console, viewer, request)
        form = await fields(request)
        try:
            command = RsvpCommand(
                participant_id=form.get("participant", ""),
                attendance=Attendance(form.get("attendance", "")),
                actor=console.actor(viewer),
            )
        except (ValueError, ValidationError):
            return await registration_page(
                request, viewer, meeting_id, Msg("Choose an answer."), 400
            )
        sent = commands.rsvp(console.client, console.store, meeting_id, command)
        return await registered(request, viewer, sent, "answer")

    async def held_reply(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        """Confirm a held calendar reply (it becomes the answer) or discard it, through the
        same updates as `rtm reply confirm|discard`; back to the dashboard or the meeting."""
        meeting_id = await reads.managed_at(console, viewer, request)
        form = await fields(request)
        reply, verb = request.match_info["reply"], request.match_info["verb"]
        back = "/console/" if form.get("back") == "dashboard" else f"/console/meetings/{meeting_id}"
        sent: Awaitable[object]
        try:
            if verb == "confirm":
                confirm = ConfirmReplyCommand(reply_id=reply, actor=console.actor(viewer))
                sent = commands.confirm_reply(console.client, console.store, meeting_id, confirm)
            else:
                discard = DiscardReplyCommand(reply_id=reply, actor=console.actor(viewer))
                sent = commands.discard_reply(console.client, console.store, meeting_id, discard)
        except ValidationError:
            return await registration_page(request, viewer, meeting_id, Msg("No such reply."), 400)
        return await registered(request, viewer, sent, f"reply-{verb}ed", back)

    async def chase(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = await reads.managed_at(console, viewer, request)
        command = RemindCommand(actor=console.actor(viewer))
        sent = commands.remind(console.client, console.store, meeting_id, command)
        return await registered(request, viewer, sent, "chased")

    async def change_form(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        """The reschedule or cancel form (GET), its confirmation page (POST)."""
        meeting_id = await reads.managed_at(console, viewer, request)
        status = await reads.page(console, meeting_id, MAILED)
        kind = "cancel" if request.path.endswith("/cancel") else "reschedule"
        form = await fields(request) if request.method == "POST" else {}
        problem: Text = ""
        if request.method == "POST":
            try:
                if kind == "reschedule":
                    _local(form.get("start", ""), "start")
                    _local(form.get("end", ""), "end")
            except ValueError as exc:
                problem = why(exc)
            template = "change_confirm.html" if not problem else "change.html"
            return change_page(
                request, status, kind, form, problem, 400 if problem else 200, template
            )
        m = status.meeting
        form = {
            "start": f"{m.start:%Y-%m-%dT%H:%M}",
            "end": f"{m.end:%Y-%m-%dT%H:%M}",
            "reason": "",
        }
        return change_page(request, status, kind, form)

    async def change(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = await reads.managed_at(console, viewer, request)
        form = await fields(request)
        kind = "cancel" if "/cancel/" in request.path else "reschedule"
        try:
            if kind == "cancel":
                await commands.cancel(
                    console.client,
                    console.store,
                    meeting_id,
                    CancelCommand(
                        reason=form.get("reason") or "cancelled by the secretariat",
                        actor=console.actor(viewer),
                    ),
                )
            else:
                await commands.reschedule(
                    console.client,
                    console.store,
                    meeting_id,
                    RescheduleCommand(
                        start=_local(form.get("start", ""), "start"),
                        end=_local(form.get("end", ""), "end"),
                        actor=console.actor(viewer),
                    ),
                )
        except (commands.CommandRefused, ValueError, ValidationError) as exc:
            status = await reads.page(console, meeting_id, MAILED)
            return change_page(request, status, kind, form, why(exc), 409)
        return done(f"/console/meetings/{meeting_id}", "cancelled" if kind == "cancel" else "moved")

    base = "/console/meetings/{meeting}"
    app.router.add_get(base, console.page(show))
    app.router.add_post(base + "/answer", console.page(answer))
    app.router.add_post(base + "/remind", console.page(chase))
    app.router.add_post(base + "/replies/{reply}/{verb:confirm|discard}", console.page(held_reply))
    for kind in ("reschedule", "cancel"):
        app.router.add_get(f"{base}/{kind}", console.page(change_form))
        app.router.add_post(f"{base}/{kind}", console.page(change_form))
        app.router.add_post(f"{base}/{kind}/confirm", console.page(change))
