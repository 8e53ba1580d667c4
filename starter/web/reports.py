"""The reports' web routes, added to the app in one call: calendar feeds and charts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from temporalio.client import Client

from activities.store import Store
from starter.web.charts import add_chart_routes
from starter.web.feeds import add_feed_routes


def add_report_routes(
    app: web.Application,
    client: Client,
    store: Store | None,
    key: bytes,
    now: Callable[[], datetime],
) -> None:
    """Feeds and charts read the store; without one (a bare link app) they are absent."""
    if store is None:
        return
    add_feed_routes(app, store, key, now)
    add_chart_routes(app, client, store, key, now)
