"""The auditor's timeline of a meeting (history and audit log merged) with filters, and the
auditors' read-only view of every region's meetings."""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from dataclasses import dataclass

from aiohttp import web
from temporalio.client import Client, WorkflowHistory
from temporalio.converter import DataConverter

from activities.store import AuditRow, Store
from starter.client.audit import Run, TimelineEntry, closed, history_entries, merged, runs
from starter.web.console import reads
from starter.web.console.context import Console
from starter.web.console.forms import page_number, pager
from starter.web.console.reads import listed
from starter.web.console.render import Msg, render
from starter.web.console.roles import Forbidden, Viewer

PAGE = 100
TIMELINE_TTL = 10.0  # the history of a large meeting is costly to read; it only grows
FILTERS = ("kind", "actor", "channel", "participant")
KEPT_RUNS = 64


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


async def run_entries(
    history: WorkflowHistory, run: int, converter: DataConverter
) -> list[TimelineEntry]:
    """One run's entries. Decoding a large meeting's history takes a few hundred ms: in a
    worker thread (its own loop) so the pages keep being served meanwhile; a payload codec,
    async by contract and perhaps bound to this loop, decodes here."""

    def decode() -> list[TimelineEntry]:
        return asyncio.run(history_entries(json.loads(history.to_json()), run, converter))

    if converter.payload_codec is None:
        return await asyncio.to_thread(decode)
    return await history_entries(json.loads(history.to_json()), run, converter)


class ClosedRuns:
    """The entries of runs that have ended, by run id: their history no longer grows, so
    each is fetched and decoded once (the few most recent kept)."""

    def __init__(self, size: int = KEPT_RUNS) -> None:
        self.size = size
        self._runs: OrderedDict[str, tuple[str, list[TimelineEntry]]] = OrderedDict()

    def held(self) -> dict[str, tuple[str, list[TimelineEntry]]]:
        """Each held run's id: the run it continued as, and its entries (a copy: another
        meeting's reading may drop the oldest meanwhile)."""
        return dict(self._runs)

    def keep(self, run: Run, entries: list[TimelineEntry]) -> None:
        self._runs[run.run_id] = (run.next_run_id, entries)
        self._runs.move_to_end(run.run_id)
        while len(self._runs) > self.size:
            self._runs.popitem(last=False)


@dataclass(frozen=True)
class Timeline:
    """A meeting's whole timeline and the filters' choices (read once per refresh, not once
    per page: a large meeting has thousands of entries)."""

    entries: list[TimelineEntry]
    kinds: list[str]
    channels: list[str]


class Timelines:
    """Reads meetings' timelines for the pages: closed runs once, decoding off the loop."""

    def __init__(self, client: Client, store: Store) -> None:
        self.client = client
        self.store = store
        self.ended = ClosedRuns()

    async def read(self, meeting_id: str) -> Timeline:
        held = self.ended.held()
        known = {run_id: after for run_id, (after, _) in held.items()}
        per_run = []
        for number, run in enumerate(await runs(self.client, meeting_id, known), start=1):
            if run.history is None:
                per_run.append(held[run.run_id][1])
                continue
            entries = await run_entries(run.history, number, self.client.data_converter)
            if closed(run.history):
                self.ended.keep(run, entries)
            per_run.append(entries)
        rows = await asyncio.to_thread(self.store.audit, meeting_id)
        return await asyncio.to_thread(_timeline, per_run, rows)  # a row per mail: thousands


def _timeline(per_run: list[list[TimelineEntry]], rows: list[AuditRow]) -> Timeline:
    entries = merged(per_run, rows)
    return Timeline(
        entries,
        sorted({e.action.split(".")[0] for e in entries}),
        sorted({e.channel for e in entries}),
    )


def add_timeline_routes(app: web.Application, console: Console) -> None:
    timelines = Timelines(console.client, console.store)

    async def show(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = request.match_info["meeting"]
        status = await reads.readable(console, viewer, meeting_id)
        read = await console.recent.get(
            meeting_id, "timeline", lambda: timelines.read(meeting_id), ttl=TIMELINE_TTL
        )
        entries = read.entries
        want = {k: request.query.get(k, "").strip()[:100] for k in FILTERS}
        chosen = [e for e in entries if matches(e, want)] if any(want.values()) else entries
        number = page_number(request)
        shown = chosen[(number - 1) * PAGE : number * PAGE]
        return render(
            request,
            "timeline.html",
            title=Msg("Timeline: %(t)s", t=status.title),
            status=status,
            entries=shown,
            want=want,
            kinds=read.kinds,
            channels=read.channels,
            **pager(len(chosen), number, PAGE),
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
