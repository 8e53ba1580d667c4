"""The agenda as the secretariat builds it: proposals to accept or reject with a reason,
edits, the slotted timetable by day, and publishing."""

from __future__ import annotations

from itertools import groupby

from aiohttp import web
from pydantic import ValidationError

from domain.agenda.items import AgendaItem, DecideCommand, Decision, PublishCommand
from domain.agenda.template import ItemStatus
from domain.agenda.view import AgendaView
from starter.client import commands
from starter.web.console import reads
from starter.web.console.context import Console
from starter.web.console.forms import done, fields, recorded
from starter.web.console.render import Msg, Text, render, why
from starter.web.console.roles import Viewer


def days(agenda: AgendaView) -> list[tuple[object, list[tuple[object, AgendaItem]]]]:
    """The timetable by day: (day, [(slot, item), ...])."""
    by_id = {i.id: i for i in agenda.items}
    return [
        (day, [(s, by_id[s.item_id]) for s in slots])
        for day, slots in groupby(agenda.slots, key=lambda s: s.day)
    ]


def _minutes(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() else None


def add_agenda_routes(app: web.Application, console: Console) -> None:
    async def page(
        request: web.Request, viewer: Viewer, problem: Text = "", code: int = 200
    ) -> web.Response:
        meeting_id = request.match_info["meeting"]
        status = await reads.readable(console, viewer, meeting_id)
        agenda = await console.agenda(meeting_id)
        proposed = [i for i in agenda.items if i.status is ItemStatus.PROPOSED]
        return render(
            request,
            "agenda.html",
            code,
            title=Msg("Agenda: %(t)s", t=status.title),
            status=status,
            agenda=agenda,
            days=days(agenda),
            manage=viewer.manages(status.meeting.region),
            proposed=proposed,
            proposers=await console.people([i.proposed_by for i in proposed if i.proposed_by]),
            problem=problem,
            section="agenda",
        )

    async def show(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        return await page(request, viewer)

    async def decide(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = await reads.managed_at(console, viewer, request)
        form = await fields(request)
        try:
            command = DecideCommand(
                item_id=form.get("item", ""),
                decision=Decision(form.get("decision", "")),
                reason=form.get("reason") or None,
                title=form.get("title") or None,
                minutes=_minutes(form.get("minutes", "")),
                actor=console.actor(viewer),
            )
            await commands.decide_item(console.client, console.store, meeting_id, command)
        except (ValueError, ValidationError) as exc:
            return await page(request, viewer, Msg("Not recorded: %(why)s", why=why(exc)), 400)
        except commands.CommandRefused as exc:
            return await page(request, viewer, Msg("Not recorded: %(why)s", why=why(exc)), 409)
        return done(f"/console/meetings/{meeting_id}/agenda", "decided")

    async def publish(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = await reads.managed_at(console, viewer, request)
        command = PublishCommand(actor=console.actor(viewer))
        return await recorded(
            commands.publish_agenda(console.client, console.store, meeting_id, command),
            lambda why: page(request, viewer, Msg("Not published: %(why)s", why=why), 409),
            f"/console/meetings/{meeting_id}/agenda",
            "published",
        )

    base = "/console/meetings/{meeting}/agenda"
    app.router.add_get(base, console.page(show))
    app.router.add_post(base + "/decide", console.page(decide))
    app.router.add_post(base + "/publish", console.page(publish))
