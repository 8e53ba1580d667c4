"""Chart routes: GET /charts/{kind}/{subject} (an HTML page, each chart's SVG with its
numbers in a table beside it) and /charts/{kind}/{subject}/{chart}.svg; kind is meeting
or region. Links are signed and expire; ?language=ru answers in Russian."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from temporalio.client import Client

from activities.store import Store
from domain.common.marks import N_
from domain.reports.charts import Chart
from domain.reports.links import KINDS, PURPOSE
from domain.reports.render import chart_svg, charts_page, languages
from starter.client import commands
from starter.client.reports import meeting_charts, region_charts
from starter.web.pages import error_page, link_refused, page_language, translator

HINT = N_("Ask the secretariat for a new link to the charts.")


def _refused(request: web.Request, status: int, text: str, **values: str) -> web.Response:
    """An error page in the language the link asks for (?language=), else the browser's:
    a charts link names a meeting or a region, not a person."""
    asked = request.query.get("language", "")
    lang = asked if asked in languages() else page_language(request)
    return error_page(status, translator(lang)(text) % values, lang=lang)


def add_chart_routes(app: web.Application, client: Client, store: Store, key: bytes,
                     now: Callable[[], datetime]) -> None:  # fmt: skip
    reports = store.for_reports()  # a report's queries may take longer than a link's

    async def charts(request: web.Request) -> tuple[str, list[Chart], str] | web.Response:
        kind, subject = request.match_info["kind"], request.match_info["subject"]
        if kind not in KINDS:
            return _refused(request, 404, N_("There are no such charts."))
        actor = f"unverified:charts:{subject}"
        signed = (key, now())
        parts = (kind, subject)
        if refused := await link_refused(request, store, signed, PURPOSE, parts, actor=actor,
                                         hint=HINT):  # fmt: skip
            return refused
        language = request.query.get("language", "en")
        if language not in languages():
            text = N_("language: %(language)s is not one of %(languages)s.")
            return _refused(request, 400, text, language=repr(language[:20]),
                            languages=", ".join(languages()))  # fmt: skip
        try:
            if kind == "meeting":
                title, found = await meeting_charts(client, reports, subject, language)
            else:
                today = now().date()
                title, found = await region_charts(client, reports, subject, language, today)
        except commands.NoSuchMeeting:
            text = (N_("There is no meeting %(id)s.") if kind == "meeting"
                    else N_("There is no region %(id)s."))  # fmt: skip
            return _refused(request, 404, text, id=subject[:64])
        return title, found, language

    async def page(request: web.Request) -> web.Response:
        got = await charts(request)
        if isinstance(got, web.Response):
            return got
        title, found, language = got
        return web.Response(text=charts_page(title, found, language), content_type="text/html",
                            charset="utf-8")  # fmt: skip

    async def svg(request: web.Request) -> web.Response:
        got = await charts(request)
        if isinstance(got, web.Response):
            return got
        _, found, language = got
        chart = next((c for c in found if c.id == request.match_info["chart"]), None)
        if chart is None:
            return _refused(request, 404, N_("There is no such chart."))
        return web.Response(text=chart_svg(chart, language), content_type="image/svg+xml",
                            charset="utf-8")  # fmt: skip

    app.router.add_get("/charts/{kind}/{subject}", page)
    app.router.add_get("/charts/{kind}/{subject}/{chart}.svg", svg)
