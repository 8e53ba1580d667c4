"""The reader's own choice of language, on every console page: a small form that keeps it
in a cookie for the session (signing out forgets it). Without a choice the directory's
ordered list decides (the first language with a catalogue), then the browser's."""

from __future__ import annotations

import hmac

from aiohttp import web

from domain.common import i18n
from starter.web.console.context import ABSOLUTE, BROWSER_COOKIE, SESSION_COOKIE, Console
from starter.web.console.render import LANGUAGE_COOKIE, Msg, render
from starter.web.console.roles import CSRF

_NEXT_MAX = 500


def _back_to(value: str) -> str | None:
    """The console page to return to: a path of the console, never another site."""
    if len(value) > _NEXT_MAX or not value.startswith("/console") or "\\" in value:
        return None
    if any(ord(c) < 32 for c in value):
        return None
    return value


def add_language_routes(app: web.Application, console: Console) -> None:
    async def choose(request: web.Request) -> web.StreamResponse:
        """Keep the chosen language; the form's token is the page's (session or sign-in)."""
        form = {k: str(v) for k, v in (await request.post()).items()}
        viewer = await console.viewer(request)
        if viewer is not None:
            expected = console.mac("csrf", request.cookies.get(SESSION_COOKIE, ""))
        else:
            nonce = request.cookies.get(BROWSER_COOKIE, "")
            expected = console.mac("pre", nonce) if 20 <= len(nonce) <= 100 else ""
        sent = form.get("csrf", "")
        if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            return await console.form_refused(request, viewer)
        request[CSRF] = expected
        lang = form.get("lang", "")
        back = _back_to(form.get("next", ""))
        if lang not in i18n.available() or back is None:
            return render(
                request,
                "error.html",
                400,
                title=Msg("Language not changed"),
                message=Msg("There is no such language here. Nothing was changed."),
            )
        resp = web.Response(status=303, headers={"Location": back})
        console.set_cookie(
            request, resp, LANGUAGE_COOKIE, lang, max_age=int(ABSOLUTE.total_seconds())
        )
        return resp

    app.router.add_post("/console/language", choose)
