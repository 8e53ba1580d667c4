"""The region's six-monthly cycle (a Temporal Schedule): next runs, pause, resume, trigger,
and creating it when the region has none."""

from __future__ import annotations

import asyncio

from aiohttp import web

from starter.client import cycle
from starter.web.console.context import Console
from starter.web.console.forms import done
from starter.web.console.render import Msg, Text, render, why
from starter.web.console.roles import Forbidden, Viewer

ACTIONS = ("create", "pause", "resume", "trigger")


def add_cycle_routes(app: web.Application, console: Console) -> None:
    def region_of(viewer: Viewer) -> str:
        if not viewer.is_secretariat or viewer.region is None:
            raise Forbidden("the cycle is the secretariat's")
        return viewer.region

    async def page(
        request: web.Request, viewer: Viewer, problem: Text = "", code: int = 200
    ) -> web.Response:
        region = region_of(viewer)
        try:
            view: cycle.CycleView | None = await cycle.show(console.client, region)
        except cycle.CycleError:
            view = None
        return render(
            request,
            "cycle.html",
            code,
            title=Msg("Cycle"),
            region=region,
            view=view,
            problem=problem,
        )

    async def show(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        return await page(request, viewer)

    async def act(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        region = region_of(viewer)
        action = request.match_info["action"]
        note = f"{action}d by {viewer.id} in the console"
        try:
            if action == "create":
                found = await asyncio.to_thread(console.store.region, region)
                assert found is not None
                await cycle.create(console.client, region, found.zone, console.settings.task_queue)
            elif action == "pause":
                await cycle.pause(console.client, region, note)
            elif action == "resume":
                await cycle.resume(console.client, region, note)
            else:
                await cycle.trigger(console.client, region)
        except cycle.CycleError as exc:
            return await page(request, viewer, why(exc), 409)
        await console.audit(None, viewer.id, f"cycle.{action}", {"region": region})
        return done("/console/cycle", "cycle")

    app.router.add_get("/console/cycle", console.page(show))
    for action in ACTIONS:
        app.router.add_post(f"/console/cycle/{{action:{action}}}", console.page(act))
