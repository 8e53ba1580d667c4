"""Rendering console pages: Jinja2 templates (autoescaped, every text through gettext) and the
security headers the link pages send, with a stylesheet of the app's own allowed."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain.common.display import printable
from starter.web.console.roles import CSRF, VIEWER
from starter.web.pages import SECURITY_HEADERS

HERE = Path(__file__).parent
STATIC = HERE / "static"

HEADERS = SECURITY_HEADERS | {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
}


def _day(value: date | datetime) -> str:
    return f"{value:%a %d %b %Y}"


def _clock(value: datetime) -> str:
    return f"{value:%a %d %b %Y, %H:%M}"


def _make_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(
            enabled_extensions=("html",), disabled_extensions=("txt",), default=True
        ),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Pages are English until the catalogues arrive; every string already goes through _().
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.filters["day"] = _day
    env.filters["clock"] = _clock
    env.filters["printable"] = printable  # outside text: control characters escaped
    return env


ENV = _make_env()


def render(request: web.Request, template: str, code: int = 200, /, **context: Any) -> web.Response:
    """A page from `template` with the request's viewer, CSRF token and language."""
    base = {
        "viewer": request.get(VIEWER),
        "csrf": request.get(CSRF, ""),
        "lang": "en",
        "path": request.path,
        "done": request.query.get("done", "")[:40],
        "who": request.query.get("who", "")[:100],
        "problem": "",
        "section": "",
    }
    text = ENV.get_template(template).render(base | context)
    return web.Response(
        status=code, text=text, content_type="text/html", charset="utf-8", headers=HEADERS
    )


async def stylesheet(_: web.Request) -> web.FileResponse:
    """The console's one stylesheet, served by the app itself."""
    return web.FileResponse(
        STATIC / "console.css", headers={"Cache-Control": "public, max-age=3600"}
    )
