"""A meeting as its secretariat sees it: the facts in venue time, registration (each
participant's invitation and answer, counts, chase now, an answer on someone's behalf), and
reschedule or cancel behind a page that names who will be mailed."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from pydantic import ValidationError

from domain.invitations.batches import InvitationStatus
from domain.meeting.changes import CancelCommand, RescheduleCommand
from domain.meeting.status import MeetingStatus, ParticipantStatus
from domain.registration.answers import Attendance, RsvpCommand
from domain.reminders.planning import RemindCommand
from starter.client import commands
from starter.web.console import reads
from starter.web.console.context import Console
from starter.web.console.forms import done, fields
from starter.web.console.render import render
from starter.web.console.roles import Viewer

PAGE = 50
STATES = ("all", "none", *(a.value for a in Attendance), "failed")


def page_of(
    rows: list[ParticipantStatus], state: str, query: str, number: int
) -> tuple[list[ParticipantStatus], int]:
    """One page of the registration list, filtered by answer state and name; and the count."""
    q = query.strip().lower()
    chosen = [
        r
        for r in rows
        if (
            state == "all"
            or (state == "none" and r.attendance is None)
            or (state == "failed" and r.invitation.status is InvitationStatus.FAILED)
            or (r.attendance is not None and r.attendance.value == state)
        )
        and (not q or q in r.name.lower() or q in r.affiliation.lower())
    ]
    start = max(0, number - 1) * PAGE
    return chosen[start : start + PAGE], len(chosen)


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
        status = await reads.readable(console, viewer, meeting_id)
        return registration_page(request, viewer, status)

    def registration_page(
        request: web.Request,
        viewer: Viewer,
        status: MeetingStatus,
        problem: str = "",
        code: int = 200,
    ) -> web.Response:
        state = request.query.get("state", "all")
        state = state if state in STATES else "all"
        query = request.query.get("q", "")[:100]
        try:
            number = max(1, int(request.query.get("page", "1")))
        except ValueError:
            number = 1
        rows, total = page_of(status.participants, state, query, number)
        return render(
            request,
            "meeting.html",
            code,
            title=status.title,
            status=status,
            m=status.meeting,
            rows=rows,
            total=total,
            number=number,
            pages=max(1, -(-total // PAGE)),
            state=state,
            states=STATES,
            query=query,
            answers=list(Attendance),
            manage=viewer.manages(status.meeting.region),
            failed=status.count(InvitationStatus.FAILED),
            done=request.query.get("done", ""),
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
            status = await reads.status(console, meeting_id)
            return registration_page(request, viewer, status, "Choose an answer.", 400)
        try:
            await commands.rsvp(console.client, console.store, meeting_id, command)
        except commands.CommandRefused as exc:
            status = await reads.status(console, meeting_id)
            return registration_page(request, viewer, status, str(exc), 409)
        return done(f"/console/meetings/{meeting_id}", "answer")

    async def chase(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = request.match_info["meeting"]
        await reads.managed(console, viewer, meeting_id)
        try:
            await commands.remind(
                console.client,
                console.store,
                meeting_id,
                RemindCommand(actor=console.actor(viewer)),
            )
        except commands.CommandRefused as exc:
            status = await reads.status(console, meeting_id)
            return registration_page(request, viewer, status, str(exc), 409)
        return done(f"/console/meetings/{meeting_id}", "chased")

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
