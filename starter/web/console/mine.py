"""The participants' own pages: my meetings, my answer, the published agenda, the .ics,
proposing an item for my country, and my country's actions."""

from __future__ import annotations

import asyncio

from aiohttp import web

from starter.web.console.context import Console
from starter.web.console.reads import listed
from starter.web.console.render import render
from starter.web.console.roles import Viewer


def add_mine_routes(app: web.Application, console: Console) -> None:
    async def my_meetings(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        ids = await asyncio.to_thread(console.sessions.invited_to, viewer.id)
        rows = [await asyncio.to_thread(console.sessions.meeting, i) for i in ids]
        meetings = [listed(r) for r in rows if r is not None]
        return render(request, "my_meetings.html", title="My meetings", meetings=meetings)

    app.router.add_get("/console/my", console.page(my_meetings))
