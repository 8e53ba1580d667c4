"""Attendance: the register per meeting day, and the desk's check-in page for a phone."""

from __future__ import annotations

from datetime import date
from itertools import groupby
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import ValidationError

from domain.attendance.register import AttendanceView, CheckInCommand, Presence
from domain.meeting.status import StatusPage
from starter.client import commands
from starter.web.console import reads
from starter.web.console.context import Console
from starter.web.console.forms import done, fields, page_number, pager
from starter.web.console.render import Msg, Text, render, why
from starter.web.console.roles import Viewer

DESK = 50  # people per desk page; the search box finds anyone else


def by_day(register: AttendanceView) -> list[tuple[date, list[Presence]]]:
    ordered = sorted(register.presences, key=lambda p: (p.day, p.at))
    return [(d, list(ps)) for d, ps in groupby(ordered, key=lambda p: p.day)]


def add_attendance_routes(app: web.Application, console: Console) -> None:
    async def register(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = request.match_info["meeting"]
        status = await reads.readable(console, viewer, meeting_id)
        view = await console.attendance(meeting_id)
        ids = sorted({p.participant_id for p in view.presences})
        people = await console.people(ids)
        return render(
            request,
            "attendance.html",
            title=Msg("Attendance: %(t)s", t=status.title),
            status=status,
            register=view,
            days=by_day(view),
            people=people,
            manage=viewer.manages(status.meeting.region),
            section="attendance",
        )

    async def desk_page(
        request: web.Request, meeting_id: str, problem: Text = "", code: int = 200
    ) -> web.Response:
        """Those coming (in person, online, tentative), a page at a time, found by name."""
        query = request.query.get("q", "").strip()[:100]
        number = page_number(request)
        offset = (number - 1) * DESK
        which = StatusPage(attending=True, text=query or None, offset=offset, limit=DESK)
        status = await reads.page(console, meeting_id, which)
        view = await console.attendance(meeting_id)
        today = console.now().astimezone(ZoneInfo(status.meeting.zone)).date()
        present = {p.participant_id: p.mode for p in view.presences if p.day == today}
        return render(
            request,
            "desk.html",
            code,
            title=Msg("Desk: %(t)s", t=status.title),
            status=status,
            rows=status.participants,
            **pager(status.matching, number, DESK),
            present=present,
            query=query,
            today=today,
            problem=problem,
        )

    async def desk(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = await reads.managed_at(console, viewer, request)
        return await desk_page(request, meeting_id)

    async def check_in(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = await reads.managed_at(console, viewer, request)
        form = await fields(request)
        pid = form.get("participant", "")
        try:
            one = await reads.page(console, meeting_id, StatusPage(participant_id=pid, limit=1))
            name = one.participant(pid).name
            command = CheckInCommand(participant_id=pid, actor=console.actor(viewer))
            await commands.check_in(console.client, console.store, meeting_id, command)
        except (KeyError, ValidationError):
            return await desk_page(request, meeting_id, Msg("No such participant."), 400)
        except commands.CommandRefused as exc:
            return await desk_page(
                request, meeting_id, Msg("Not checked in: %(why)s", why=why(exc)), 409
            )
        return done(f"/console/meetings/{meeting_id}/desk", "checked-in", who=name)

    base = "/console/meetings/{meeting}"
    app.router.add_get(base + "/attendance", console.page(register))
    app.router.add_get(base + "/desk", console.page(desk))
    app.router.add_post(base + "/desk", console.page(check_in))
