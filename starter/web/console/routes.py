"""Every console page on the link app, with the console's parts (sessions, mailer, sign-in)."""

from __future__ import annotations

from aiohttp import web

from activities.config import Settings
from activities.store.console import ConsoleStore
from starter.web.console.agenda import add_agenda_routes
from starter.web.console.attendance import add_attendance_routes
from starter.web.console.auth import add_auth_routes, smtp_mailer
from starter.web.console.context import Console, Mailer
from starter.web.console.cycle import add_cycle_routes
from starter.web.console.dashboard import add_dashboard_routes
from starter.web.console.directory import add_directory_routes
from starter.web.console.followup import add_followup_routes
from starter.web.console.language import add_language_routes
from starter.web.console.meeting import add_meeting_routes
from starter.web.console.mine import add_mine_routes
from starter.web.console.oidc import OidcProvider, add_oidc_routes
from starter.web.console.plan import add_plan_routes
from starter.web.console.render import stylesheet
from starter.web.console.timeline import add_timeline_routes
from starter.web.pages import Parts

CONSOLE = web.AppKey("console", Console)


def add_console_routes(
    app: web.Application,
    parts: Parts,
    settings: Settings | None = None,
    mailer: Mailer | None = None,
) -> Console | None:
    """Mount every console page on `app` (nothing without a store: sessions live there)."""
    client, store, key, now = parts
    if store is None:
        return None
    settings = settings or Settings()
    console = Console(
        client=client,
        store=store,
        sessions=ConsoleStore(store.url, store.engine),
        key=key,
        settings=settings,
        now=now,
        mailer=mailer or smtp_mailer(settings),
    )
    app.router.add_get("/console/static/console.css", stylesheet)
    app.router.add_get("/console", _to_console)
    add_auth_routes(app, console)
    add_language_routes(app, console)
    add_dashboard_routes(app, console)
    add_mine_routes(app, console)
    add_meeting_routes(app, console)
    add_agenda_routes(app, console)
    add_attendance_routes(app, console)
    add_followup_routes(app, console)
    add_timeline_routes(app, console)
    add_plan_routes(app, console)
    add_directory_routes(app, console)
    add_cycle_routes(app, console)
    if settings.oidc_issuer:
        console.oidc = OidcProvider(
            settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret
        )
        add_oidc_routes(app, console, console.oidc)
    app[CONSOLE] = console
    return console


async def _to_console(_: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther("/console/")
