"""The reports' web routes, added to the app in one call: calendar feeds and charts."""

from __future__ import annotations

from aiohttp import web

from starter.web.charts import add_chart_routes
from starter.web.feeds import add_feed_routes
from starter.web.pages import Parts


def add_report_routes(app: web.Application, parts: Parts) -> None:
    """Feeds and charts read the store; without one (a bare link app) they are absent."""
    client, store, key, now = parts
    if store is None:
        return
    add_feed_routes(app, store, key, now)
    add_chart_routes(app, client, store, key, now)
