"""The participants' own pages: my meetings, my answer (until the deadline), the published
agenda, the .ics, proposing an item for my country, and my country's actions."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiohttp import web
from pydantic import ValidationError

from domain.agenda.items import ProposeCommand
from domain.agenda.template import ItemKind
from domain.common.contracts import Phase
from domain.common.links import choices
from domain.followup.actions import ActionItem, DoneCommand, OwnerKind, action_workflow_id
from domain.invitations.calendar import invitation_ics
from domain.mail.views import answer_label
from domain.meeting.status import MeetingStatus
from domain.registration.answers import Attendance, RsvpCommand
from starter.client import commands
from starter.web.console import reads
from starter.web.console.agenda import days
from starter.web.console.context import Console
from starter.web.console.forms import done, fields, recorded
from starter.web.console.reads import listed
from starter.web.console.render import HEADERS, Msg, Text, render, why
from starter.web.console.roles import Forbidden, Viewer

KINDS = [ItemKind.NATIONAL_UPDATE, ItemKind.PROJECT_REVIEW, ItemKind.ACTION_PLAN, ItemKind.OTHER]


def owns(viewer: Viewer, item: ActionItem) -> bool:
    """An NFP or deputy owns their country's actions; anyone owns the ones in their name."""
    if item.owner.kind is OwnerKind.PARTICIPANT and item.owner.code == viewer.id:
        return True
    return viewer.country is not None and item.owner_country == viewer.country


def add_mine_routes(app: web.Application, console: Console) -> None:
    async def my_meetings(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        rows = await asyncio.to_thread(console.sessions.invited_to, viewer.id)
        meetings = [listed(r) for r in rows]
        return render(request, "my_meetings.html", title=Msg("My meetings"), meetings=meetings)

    async def page(
        request: web.Request,
        viewer: Viewer,
        status: MeetingStatus,
        problem: Text = "",
        code: int = 200,
        form: dict[str, str] | None = None,
    ) -> web.Response:
        m = status.meeting
        agenda = await console.agenda(status.id)
        now = console.now()
        open_phase = status.phase not in (Phase.CANCELLED, Phase.CLOSED)
        mine = [
            i
            for i in agenda.items
            if (viewer.country and i.country == viewer.country) or i.proposed_by == viewer.id
        ]
        return render(
            request,
            "my_meeting.html",
            code,
            title=status.title,
            status=status,
            m=m,
            me=status.participant(viewer.id),
            agenda=agenda,
            days=days(agenda),
            answers=[(a, answer_label(a, "en")) for a in choices(m)],
            can_answer=open_phase and now < m.registration_deadline_utc(),
            can_propose=open_phase and now < m.agenda_deadline_utc(),
            kinds=KINDS,
            mine=mine,
            form=form or {},
            problem=problem,
        )

    async def my_meeting(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        status = await reads.as_invitee(console, viewer, request.match_info["meeting"])
        return await page(request, viewer, status)

    async def answer(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = request.match_info["meeting"]
        status = await reads.as_invitee(console, viewer, meeting_id)
        form = await fields(request)
        try:
            command = RsvpCommand(
                participant_id=viewer.id,
                attendance=Attendance(form.get("attendance", "")),
                actor=console.actor(viewer),
            )
        except (ValueError, ValidationError):
            return await page(request, viewer, status, Msg("Choose an answer."), 400)
        return await recorded(
            commands.rsvp(console.client, console.store, meeting_id, command),
            lambda why: page(request, viewer, status, Msg("Not recorded: %(why)s", why=why), 409),
            f"/console/my/{meeting_id}",
            "answer",
        )

    async def propose(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = request.match_info["meeting"]
        status = await reads.as_invitee(console, viewer, meeting_id)
        form = await fields(request)
        try:
            command = ProposeCommand(
                title=form.get("title", ""),
                presenter=viewer.id,
                minutes=int(form.get("minutes", "0") or 0),
                kind=ItemKind(form.get("kind", ItemKind.OTHER.value)),
                project=form.get("project") or None,
                actor=console.actor(viewer),
            )
        except (ValueError, ValidationError) as exc:
            problem = (
                why(exc)
                if isinstance(exc, ValidationError)
                else Msg("minutes: give a whole number")
            )
            return await page(
                request, viewer, status, Msg("Not sent: %(why)s", why=problem), 400, form
            )
        try:
            await commands.propose_item(console.client, console.store, meeting_id, command)
        except commands.CommandRefused as exc:
            return await page(
                request, viewer, status, Msg("Not sent: %(why)s", why=why(exc)), 409, form
            )
        return done(f"/console/my/{meeting_id}", "proposed")

    async def ics(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = request.match_info["meeting"]
        status = await reads.as_invitee(console, viewer, meeting_id)
        method = "CANCEL" if status.phase is Phase.CANCELLED else "REQUEST"
        body = invitation_ics(
            status.meeting,
            viewer.person,
            status.sequence,
            datetime.now(UTC),
            method,
            status.meeting.join_link,
        )
        return web.Response(
            body=body,
            headers=HEADERS
            | {
                "Content-Type": "text/calendar; charset=utf-8",
                "Content-Disposition": f'attachment; filename="{meeting_id}.ics"',
            },
        )

    async def actions(
        request: web.Request, viewer: Viewer, problem: Text = "", code: int = 200
    ) -> web.Response:
        if viewer.country:
            items = await asyncio.to_thread(console.store.actions, None, viewer.country)
        else:
            items = [a for a in await asyncio.to_thread(console.store.actions) if owns(viewer, a)]
        return render(
            request,
            "my_actions.html",
            code,
            title=Msg("My country's actions"),
            items=items,
            problem=problem,
        )

    async def show_actions(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        return await actions(request, viewer)

    async def mark_done(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id, action_id = request.match_info["meeting"], request.match_info["action"]
        workflow_id = action_workflow_id(meeting_id, action_id)
        try:
            item = await commands.action_status(console.client, workflow_id)
        except commands.NoSuchMeeting:
            raise web.HTTPNotFound(reason=f"There is no action {action_id}") from None
        if not owns(viewer, item):
            raise Forbidden(f"action {action_id} is not {viewer.id}'s to mark", meeting_id)
        form = await fields(request)
        note = " ".join(form.get("note", "").split())[:300] or None
        command = DoneCommand(note=note, actor=console.actor(viewer))
        return await recorded(
            commands.mark_action_done(console.client, console.store, workflow_id, command),
            lambda why: actions(request, viewer, Msg("Not recorded: %(why)s", why=why), 409),
            "/console/my/actions",
            "action-done",
        )

    app.router.add_get("/console/my", console.page(my_meetings))
    app.router.add_get("/console/my/actions", console.page(show_actions))
    app.router.add_post("/console/my/actions/{meeting}/{action}", console.page(mark_done))
    app.router.add_get("/console/my/{meeting}", console.page(my_meeting))
    app.router.add_post("/console/my/{meeting}/answer", console.page(answer))
    app.router.add_post("/console/my/{meeting}/propose", console.page(propose))
    app.router.add_get("/console/my/{meeting}/invite.ics", console.page(ics))
