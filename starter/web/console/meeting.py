"""A meeting as its secretariat sees it: the facts in venue time, registration (each
participant's invitation and answer, counts, chase now, an answer on someone's behalf), and
reschedule or cancel behind a page that names who will be mailed."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from pydantic import ValidationError

from domain.invitations.batches import InvitationStatus
from domain.meeting.changes import CancelCommand, RescheduleCommand
from domain.meeting.status import MeetingStatus, ParticipantStatus, StatusPage
from domain.registration.answers import Attendance, RsvpCommand
from domain.reminders.planning import RemindCommand
from starter.client import commands
from starter.web.console import reads
from starter.web.console.context import Console
from starter.web.console.forms import done, fields, recorded
from starter.web.console.render import render
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


def to_be_mailed(status: MeetingStatus) -> list[ParticipantStatus]:
    """Who gets the update or cancellation: everyone whose invitation went out."""
    return [r for r in status.participants if r.invitation.status is InvitationStatus.SENT]


def _local(value: str, name: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}: give a date and time like 2027-03-22T09:00") from None


def add_meeting_routes(app: web.Application, console: Console) -> None:
    async def show(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = request.match_info["meeting"]
        viewer.require_read(await reads.region_of(console, meeting_id), meeting_id)
        return await registration_page(request, viewer, meeting_id)

    async def registration_page(
        request: web.Request,
        viewer: Viewer,
        meeting_id: str,
        problem: str = "",
        code: int = 200,
    ) -> web.Response:
        state = request.query.get("state", "all")
        state = state if state in STATES else "all"
        country = request.query.get("country", "")[:64]
        try:
            number = max(1, int(request.query.get("page", "1")))
        except ValueError:
            number = 1
        status = await reads.page(console, meeting_id, wanted(state, country, number))
        return render(
            request,
            "meeting.html",
            code,
            title=status.title,
            status=status,
            m=status.meeting,
            rows=status.participants,
            total=status.matching,
            number=number,
            pages=max(1, -(-status.matching // PAGE)),
            state=state,
            states=STATES,
            country=country,
            countries=sorted(status.answers.by_country),
            answers=list(Attendance),
            manage=viewer.manages(status.meeting.region),
            failed=status.count(InvitationStatus.FAILED),
            problem=problem,
            section="registration",
        )

    async def answer(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = request.match_info["meeting"]
        await reads.managed(console, viewer, meeting_id)
        form = await fields(request)
        try:
            command = RsvpCommand(
                participant_id=form.get("participant", ""),
                attendance=Attendance(form.get("attendance", "")),
                actor=console.actor(viewer),
            )
        except (ValueError, ValidationError):
            return await registration_page(request, viewer, meeting_id, "Choose an answer.", 400)
        return await recorded(
            commands.rsvp(console.client, console.store, meeting_id, command),
            lambda why: registration_page(request, viewer, meeting_id, why, 409),
            f"/console/meetings/{meeting_id}",
            "answer",
        )

    async def chase(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = request.match_info["meeting"]
        await reads.managed(console, viewer, meeting_id)
        command = RemindCommand(actor=console.actor(viewer))
        return await recorded(
            commands.remind(console.client, console.store, meeting_id, command),
            lambda why: registration_page(request, viewer, meeting_id, why, 409),
            f"/console/meetings/{meeting_id}",
            "chased",
        )

    async def change_form(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        """The reschedule or cancel form (GET), its confirmation page (POST)."""
        meeting_id = request.match_info["meeting"]
        await reads.managed(console, viewer, meeting_id)
        status = await reads.status(console, meeting_id)
        kind = "cancel" if request.path.endswith("/cancel") else "reschedule"
        form = await fields(request) if request.method == "POST" else {}
        problem = ""
        if request.method == "POST":
            try:
                if kind == "reschedule":
                    _local(form.get("start", ""), "start")
                    _local(form.get("end", ""), "end")
            except ValueError as exc:
                problem = str(exc)
            return render(
                request,
                "change_confirm.html" if not problem else "change.html",
                400 if problem else 200,
                title=status.title,
                status=status,
                kind=kind,
                form=form,
                mailed=to_be_mailed(status),
                problem=problem,
            )
        m = status.meeting
        form = {
            "start": f"{m.start:%Y-%m-%dT%H:%M}",
            "end": f"{m.end:%Y-%m-%dT%H:%M}",
            "reason": "",
        }
        return render(
            request,
            "change.html",
            title=status.title,
            status=status,
            kind=kind,
            form=form,
            mailed=to_be_mailed(status),
            problem="",
        )

    async def change(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = request.match_info["meeting"]
        await reads.managed(console, viewer, meeting_id)
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
            status = await reads.status(console, meeting_id)
            return render(
                request,
                "change.html",
                409,
                title=status.title,
                status=status,
                kind=kind,
                form=form,
                mailed=to_be_mailed(status),
                problem=str(exc),
            )
        return done(f"/console/meetings/{meeting_id}", "cancelled" if kind == "cancel" else "moved")

    base = "/console/meetings/{meeting}"
    app.router.add_get(base, console.page(show))
    app.router.add_post(base + "/answer", console.page(answer))
    app.router.add_post(base + "/remind", console.page(chase))
    for kind in ("reschedule", "cancel"):
        app.router.add_get(f"{base}/{kind}", console.page(change_form))
        app.router.add_post(f"{base}/{kind}", console.page(change_form))
        app.router.add_post(f"{base}/{kind}/confirm", console.page(change))
