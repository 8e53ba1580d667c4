"""The auditor's timeline of a meeting (history and audit log merged) with filters, and the
auditors' read-only view of every region's meetings."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from starter.client.audit import TimelineEntry, chain, timeline
from starter.web.console import reads
from starter.web.console.context import Console
from starter.web.console.forms import page_number
from starter.web.console.reads import listed
from starter.web.console.render import Msg, render
from starter.web.console.roles import Forbidden, Viewer

PAGE = 100
TIMELINE_TTL = 10.0  # the history of a large meeting is costly to read; it only grows
FILTERS = ("kind", "actor", "channel", "participant")


def matches(entry: TimelineEntry, want: dict[str, str]) -> bool:
    """The entry passes every filter given (kind: its action's prefix; participant: any
    mention of the id in its detail)."""
    if want.get("kind") and not entry.action.startswith(want["kind"]):
        return False
    if want.get("actor") and want["actor"] != entry.actor:
        return False
    if want.get("channel") and want["channel"] != entry.channel:
        return False
    pid = want.get("participant")
    return not pid or pid in json.dumps(entry.detail, default=str) or pid in entry.summary


def add_timeline_routes(app: web.Application, console: Console) -> None:
    async def entries_of(meeting_id: str) -> list[TimelineEntry]:
        runs = await chain(console.client, meeting_id)
        rows = await asyncio.to_thread(console.store.audit, meeting_id)
        # a large meeting's history takes a few hundred ms to turn into JSON: off the loop
        histories = await asyncio.to_thread(lambda: [json.loads(h.to_json()) for h in runs])
        return await timeline(histories, rows, console.client.data_converter)

    async def show(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = request.match_info["meeting"]
        status = await reads.readable(console, viewer, meeting_id)
        entries = await console.recent.get(
            meeting_id, "timeline", lambda: entries_of(meeting_id), ttl=TIMELINE_TTL
        )
        want = {k: request.query.get(k, "").strip()[:100] for k in FILTERS}
        chosen = [e for e in entries if matches(e, want)]
        number = page_number(request)
        shown = chosen[(number - 1) * PAGE : number * PAGE]
        return render(
            request,
            "timeline.html",
            title=Msg("Timeline: %(t)s", t=status.title),
            status=status,
            entries=shown,
            total=len(chosen),
            want=want,
            kinds=sorted({e.action.split(".")[0] for e in entries}),
            channels=sorted({e.channel for e in entries}),
            number=number,
            pages=max(1, -(-len(chosen) // PAGE)),
            section="timeline",
        )

    async def overview(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        if not viewer.is_auditor:
            raise Forbidden("the overview of every region is the auditors'")
        rows = [listed(r) for r in await asyncio.to_thread(console.sessions.meetings, None)]
        regions = sorted({r.region for r in rows})
        return render(
            request,
            "audit_overview.html",
            title=Msg("All regions"),
            by_region={g: [r for r in rows if r.region == g] for g in regions},
        )

    app.router.add_get("/console/meetings/{meeting}/timeline", console.page(show))
    app.router.add_get("/console/audit", console.page(overview))
