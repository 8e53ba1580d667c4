"""Planning a meeting from a form (the same validation as `rtm meeting plan` gives a file,
each problem next to its field), and scheduling one that the cycle planned."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from domain.meeting.changes import RescheduleCommand
from domain.meeting.definition import MeetingFormat
from starter.cli.inputs import InputError, check_meeting, parse
from starter.client import commands
from starter.web.console import reads
from starter.web.console.context import Console
from starter.web.console.forms import done, fields, problems_by_field
from starter.web.console.render import Msg, Text, render, why
from starter.web.console.roles import Forbidden, Viewer

VENUE = ("name", "city", "country", "address")


def definition(
    form: dict[str, str], picked: dict[str, list[str]], region: str, organiser: dict[str, str]
) -> dict[str, Any]:
    """The form as a meeting definition document (what a YAML file would hold)."""
    data: dict[str, Any] = {
        k: form[k].strip()
        for k in (
            "id",
            "title",
            "format",
            "zone",
            "start",
            "end",
            "join_link",
            "registration_deadline",
            "agenda_deadline",
            "number",
        )
        if form.get(k, "").strip()
    }
    venue = {k: form.get(f"venue.{k}", "").strip() for k in VENUE}
    if venue["name"] or venue["city"]:
        data["venue"] = {k: v for k, v in venue.items() if v}
    return data | {"region": region, "organiser": organiser, **picked}


def add_plan_routes(app: web.Application, console: Console) -> None:
    async def region_of(viewer: Viewer) -> str:
        if not viewer.is_secretariat or viewer.region is None:
            raise Forbidden("planning is the secretariat's")
        return viewer.region

    async def form_page(
        request: web.Request,
        viewer: Viewer,
        form: dict[str, str],
        picked: dict[str, list[str]],
        problems: Mapping[str, Text],
        code: int = 200,
    ) -> web.Response:
        region = await region_of(viewer)
        countries = await asyncio.to_thread(console.store.countries, region)
        organisations = await asyncio.to_thread(console.store.organisations)
        return render(
            request,
            "plan.html",
            code,
            title=Msg("Plan a meeting"),
            form=form,
            picked=picked,
            problems=problems,
            countries=countries,
            organisations=organisations,
            formats=list(MeetingFormat),
            problem=problems.get("", ""),
        )

    async def show(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        region = await region_of(viewer)
        countries = [c.code for c in await asyncio.to_thread(console.store.countries, region)]
        return await form_page(
            request, viewer, {"format": "hybrid"}, {"countries": countries, "organisations": []}, {}
        )

    async def plan(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        region = await region_of(viewer)
        post = await request.post()
        form = {
            k: str(v) for k, v in post.items() if k not in ("csrf", "countries", "organisations")
        }
        picked = {k: [str(v) for v in post.getall(k, [])] for k in ("countries", "organisations")}
        found = await asyncio.to_thread(console.store.region, region)
        assert found is not None
        organiser = {
            "name": f"CBRN CoE Regional Secretariat for {found.name}",
            "email": found.secretariat_email,
        }
        data = definition(form, picked, region, organiser)
        try:
            meeting = await asyncio.to_thread(check_meeting, data, console.store, console.now())
            await commands.plan(console.client, meeting, console.settings.task_queue, reuse=False)
        except InputError as exc:
            return await form_page(
                request, viewer, form, picked, problems_by_field(exc.problems), 400
            )
        except commands.CommandRefused as exc:
            return await form_page(request, viewer, form, picked, {"id": why(exc)}, 409)
        await console.audit(meeting.id, viewer.id, "plan", {"title": meeting.title})
        return done(f"/console/meetings/{meeting.id}", "planned")

    async def schedule_form(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = await reads.managed_at(console, viewer, request)
        status = await reads.status(console, meeting_id)
        m = status.meeting
        form = {
            "start": f"{m.start:%Y-%m-%dT%H:%M}",
            "end": f"{m.end:%Y-%m-%dT%H:%M}",
            "zone": m.zone,
            "format": m.format.value,
            "join_link": m.join_link or "",
        }
        return render(
            request,
            "schedule.html",
            title=Msg("Schedule %(id)s", id=m.id),
            status=status,
            form=form,
            problems={},
            formats=list(MeetingFormat),
        )

    async def schedule(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = await reads.managed_at(console, viewer, request)
        form = await fields(request)
        venue = {k: form.get(f"venue.{k}", "").strip() for k in VENUE}
        data: dict[str, Any] = {
            k: form[k].strip()
            for k in ("start", "end", "zone", "format", "join_link", "registration_deadline")
            if form.get(k, "").strip()
        }
        if venue["name"]:
            data["venue"] = {k: v for k, v in venue.items() if v}
        try:
            command = parse(RescheduleCommand, data | {"actor": console.actor(viewer)})
            await commands.schedule(console.client, console.store, meeting_id, command)
        except (InputError, commands.CommandRefused) as exc:
            problems = (
                problems_by_field(exc.problems)
                if isinstance(exc, InputError)
                else problems_by_field([exc.refusal])
            )
            status = await reads.status(console, meeting_id)
            return render(
                request,
                "schedule.html",
                400,
                title=Msg("Schedule %(id)s", id=meeting_id),
                status=status,
                form=form,
                problems=problems,
                formats=list(MeetingFormat),
                problem=problems.get("", ""),
            )
        return done(f"/console/meetings/{meeting_id}", "scheduled")

    app.router.add_get("/console/plan", console.page(show))
    app.router.add_post("/console/plan", console.page(plan))
    app.router.add_get("/console/meetings/{meeting}/schedule", console.page(schedule_form))
    app.router.add_post("/console/meetings/{meeting}/schedule", console.page(schedule))
