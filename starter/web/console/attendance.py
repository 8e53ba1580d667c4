"""Attendance: the register per meeting day, and the desk's check-in page for a phone."""

from __future__ import annotations

from datetime import date
from itertools import groupby
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import ValidationError

from domain.attendance.register import AttendanceView, CheckInCommand, Presence
from domain.meeting.status import MeetingStatus
from domain.registration.answers import Attendance
from starter.client import commands
from starter.web.console import reads
from starter.web.console.context import Console
from starter.web.console.forms import done, fields
from starter.web.console.render import Msg, Text, render, why
from starter.web.console.roles import Viewer

REGISTERED = (Attendance.IN_PERSON, Attendance.ONLINE, Attendance.TENTATIVE)


def by_day(register: AttendanceView) -> list[tuple[date, list[Presence]]]:
    ordered = sorted(register.presences, key=lambda p: (p.day, p.at))
    return [(d, list(ps)) for d, ps in groupby(ordered, key=lambda p: p.day)]


def add_attendance_routes(app: web.Application, console: Console) -> None:
    async def register(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = request.match_info["meeting"]
        status = await reads.readable(console, viewer, meeting_id)
        view = await console.attendance(meeting_id)
        names = {r.participant_id: r.name for r in status.participants}
        return render(
            request,
            "attendance.html",
            title=Msg("Attendance: %(t)s", t=status.title),
            status=status,
            register=view,
            days=by_day(view),
            names=names,
            manage=viewer.manages(status.meeting.region),
            section="attendance",
        )

    async def desk_page(
        request: web.Request,
        viewer: Viewer,
        status: MeetingStatus,
        problem: Text = "",
        code: int = 200,
    ) -> web.Response:
        view = await console.attendance(status.id)
        today = console.now().astimezone(ZoneInfo(status.meeting.zone)).date()
        present = {p.participant_id: p.mode for p in view.presences if p.day == today}
        query = request.query.get("q", "").strip().lower()[:100]
        rows = [
            r
            for r in status.participants
            if r.attendance in REGISTERED
            and (not query or query in r.name.lower() or query in r.affiliation.lower())
        ]
        return render(
            request,
            "desk.html",
            code,
            title=Msg("Desk: %(t)s", t=status.title),
            status=status,
            rows=rows,
            present=present,
            query=query,
            today=today,
            problem=problem,
        )

    async def desk(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = request.match_info["meeting"]
        await reads.managed(console, viewer, meeting_id)
        return await desk_page(request, viewer, await reads.status(console, meeting_id))

    async def check_in(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = request.match_info["meeting"]
        await reads.managed(console, viewer, meeting_id)
        form = await fields(request)
        pid = form.get("participant", "")
        status = await reads.status(console, meeting_id)
        try:
            name = status.participant(pid).name
            command = CheckInCommand(participant_id=pid, actor=console.actor(viewer))
            await commands.check_in(console.client, console.store, meeting_id, command)
        except (KeyError, ValidationError):
            return await desk_page(request, viewer, status, Msg("No such participant."), 400)
        except commands.CommandRefused as exc:
            return await desk_page(
                request, viewer, status, Msg("Not checked in: %(why)s", why=why(exc)), 409
            )
        return done(f"/console/meetings/{meeting_id}/desk", "checked-in", who=name)

    base = "/console/meetings/{meeting}"
    app.router.add_get(base + "/attendance", console.page(register))
    app.router.add_get(base + "/desk", console.page(desk))
    app.router.add_post(base + "/desk", console.page(check_in))
