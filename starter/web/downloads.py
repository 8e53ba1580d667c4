"""The reports in the console, for those who may read the meeting or the region (its
secretariat, auditors): the report (md, pdf), the register (csv, xlsx), the desk's list
(pdf), the charts pages (a meeting's, a region's), and the region's action tracker (csv,
xlsx). Downloads only: GET
changes nothing. Bad parameters answer 400 naming the parameter."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import date

from aiohttp import web
from pydantic import ValidationError

from activities.reports.documents import (
    Format,
    desk_document,
    register_document,
    report_document,
    tracker_document,
)
from domain.common.invalid import invalid
from domain.common.refusals import Refusal
from domain.reports.facts import MeetingFacts
from domain.reports.render import charts_page, languages
from domain.reports.tracker import TrackerFilter
from starter.client import commands
from starter.client.reports import meeting_charts, meeting_facts, region_charts
from starter.web.console import reads
from starter.web.console.context import Console, PageHandler
from starter.web.console.render import language as page_language
from starter.web.console.roles import Viewer

TYPES = {
    Format.MD: "text/markdown",
    Format.PDF: "application/pdf",
    Format.CSV: "text/csv",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


Build = Callable[[MeetingFacts, Format, str], bytes]


class BadParameter(Exception):
    """A download's parameter that is not one it takes; the refusal says which, by code."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal)
        self.refusal = refusal


def _not_one_of(field: str, value: str, allowed: Iterable[str]) -> BadParameter:
    return BadParameter(
        Refusal("input.not_one_of", field=field, value=repr(value[:20]), allowed=", ".join(allowed))
    )


def _language(request: web.Request) -> str:
    language = request.query.get("language", "en")
    if language not in languages():
        raise _not_one_of("language", language, languages())
    return language


def _format(request: web.Request, allowed: tuple[Format, ...]) -> Format:
    value = request.match_info["fmt"]
    if value not in {f.value for f in allowed}:
        raise _not_one_of("format", value, (f.value for f in allowed))
    return Format(value)


def _file(data: bytes, fmt: Format, name: str) -> web.Response:
    text = fmt in (Format.MD, Format.CSV)
    return web.Response(
        body=data,
        content_type=TYPES[fmt],
        charset="utf-8" if text else None,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{fmt.value}"',
            "Cache-Control": "private, no-store",
        },
    )


def _bad(request: web.Request, exc: BadParameter) -> web.Response:
    """The refusal as plain text, in the reader's language."""
    said = exc.refusal.text(page_language(request))
    return web.Response(status=400, text=f"{said}\n", content_type="text/plain")


def add_download_routes(app: web.Application, console: Console | None) -> None:
    if console is None:
        return
    store = console.store.for_reports()  # a report's queries may take longer than a page's

    def meeting_document(formats: tuple[Format, ...], build: Build, name: str) -> PageHandler:
        """A download of one meeting's facts: `formats` from the path (none: the PDF),
        `name` formatted with the meeting and the language."""

        async def download(request: web.Request, viewer: Viewer) -> web.StreamResponse:
            try:
                fmt = _format(request, formats) if formats else Format.PDF
                language = _language(request)
            except BadParameter as exc:
                return _bad(request, exc)
            meeting_id = request.match_info["meeting"]
            await reads.readable(console, viewer, meeting_id)
            facts = await meeting_facts(console.client, store, meeting_id)
            data = await asyncio.to_thread(build, facts, fmt, language)
            return _file(data, fmt, name.format(meeting=meeting_id, language=language))

        return download

    report_name = "{meeting}-report-{language}"
    report = meeting_document((Format.MD, Format.PDF), report_document, report_name)
    register = meeting_document((Format.CSV, Format.XLSX), register_document, "{meeting}-register")
    desk = meeting_document(
        (), lambda facts, _fmt, language: desk_document(facts, language), "{meeting}-participants"
    )

    async def charts(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        try:
            language = _language(request)
        except BadParameter as exc:
            return _bad(request, exc)
        meeting_id = request.match_info["meeting"]
        await reads.readable(console, viewer, meeting_id)
        title, found = await meeting_charts(console.client, store, meeting_id, language)
        return web.Response(text=charts_page(title, found, language), content_type="text/html",
                            charset="utf-8")  # fmt: skip

    async def region_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        try:
            language = _language(request)
        except BadParameter as exc:
            return _bad(request, exc)
        region = request.match_info["region"]
        viewer.require_read(region)
        today = console.now().date()
        try:
            title, found = await region_charts(console.client, store, region, language,
                                               today)  # fmt: skip
        except commands.NoSuchMeeting as exc:
            raise web.HTTPNotFound(reason=str(exc)) from None
        return web.Response(text=charts_page(title, found, language), content_type="text/html",
                            charset="utf-8")  # fmt: skip

    async def tracker(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        q = request.query
        try:
            fmt, language = _format(request, (Format.CSV, Format.XLSX)), _language(request)
            region = q.get("region") or viewer.region or ""
            f = TrackerFilter.model_validate({
                "region": region, "country": q.get("country") or None,
                "owner": q.get("owner") or None, "state": q.get("state") or None,
                "overdue": q.get("overdue", "") in ("1", "true", "yes", "on"),
            })  # fmt: skip
        except BadParameter as exc:
            return _bad(request, exc)
        except ValidationError as exc:
            return _bad(request, BadParameter(invalid(exc)))
        viewer.require_read(region)
        items = await asyncio.to_thread(store.actions, f.region, f.country)
        now = console.now()
        data = await asyncio.to_thread(tracker_document, items, f, now, fmt, language)
        return _file(data, fmt, f"actions-{region}-{date.isoformat(now.date())}")

    base = "/console/meetings/{meeting}"
    app.router.add_get(base + "/report.{fmt}", console.page(report))
    app.router.add_get(base + "/register.{fmt}", console.page(register))
    app.router.add_get(base + "/participants.pdf", console.page(desk))
    app.router.add_get(base + "/charts", console.page(charts))
    app.router.add_get("/console/actions.{fmt}", console.page(tracker))
    app.router.add_get("/console/regions/{region}/charts", console.page(region_page))
