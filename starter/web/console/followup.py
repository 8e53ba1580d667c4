"""Follow-up: the minutes in Markdown with a preview, and the actions with owner and due
date, recorded in one go like `rtm followup`; then each action's state."""

from __future__ import annotations

from datetime import date

from aiohttp import web
from markdown_it import MarkdownIt
from markupsafe import Markup
from pydantic import ValidationError

from domain.followup.actions import ActionSpec, Owner, OwnerKind
from domain.followup.minutes import MinutesCommand
from starter.client import commands
from starter.web.console import reads
from starter.web.console.context import Console
from starter.web.console.forms import done, fields
from starter.web.console.render import Msg, Text, language, render, why
from starter.web.console.roles import Viewer

ROWS = 5
_MD = MarkdownIt("commonmark", {"html": False})  # raw HTML in minutes is shown as text


def preview(markdown: str, under: int = 3) -> Markup:
    """The minutes as HTML; markdown-it escapes any HTML and refuses javascript: links.

    Their headings move below the page's heading `under`, so the page's outline holds."""
    tokens = _MD.parse(markdown)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + under)}"
    return Markup(_MD.renderer.render(tokens, _MD.options, {}))


def action_specs(form: dict[str, str]) -> tuple[list[ActionSpec], dict[str, Text]]:
    """The filled action rows, and the problems by field name (e.g. 'due-2')."""
    specs: list[ActionSpec] = []
    problems: dict[str, Text] = {}
    for n in range(1, ROWS + 1):
        what = form.get(f"what-{n}", "").strip()
        if not what:
            continue
        try:
            kind = OwnerKind(form.get(f"kind-{n}", ""))
        except ValueError:
            problems[f"kind-{n}"] = Msg("Choose who owns it.")
            continue
        try:
            due = date.fromisoformat(form.get(f"due-{n}", ""))
        except ValueError:
            problems[f"due-{n}"] = Msg("Give the due date like 2027-06-30.")
            continue
        try:
            specs.append(
                ActionSpec(
                    what=what, due=due, owner=Owner(kind=kind, code=form.get(f"owner-{n}", ""))
                )
            )
        except ValidationError as exc:
            problems[f"owner-{n}"] = why(exc)
    return specs, problems


def add_followup_routes(app: web.Application, console: Console) -> None:
    async def page(
        request: web.Request,
        viewer: Viewer,
        form: dict[str, str] | None = None,
        problems: dict[str, Text] | None = None,
        code: int = 200,
        shown: Markup | None = None,
    ) -> web.Response:
        meeting_id = request.match_info["meeting"]
        status = await reads.readable(console, viewer, meeting_id)
        return render(
            request,
            "followup.html",
            code,
            title=Msg("Follow-up: %(t)s", t=status.title),
            status=status,
            manage=viewer.manages(status.meeting.region),
            form=form or {},
            problems=problems or {},
            rows=range(1, ROWS + 1),
            kinds=list(OwnerKind),
            shown=shown,
            section="followup",
            problem=(problems or {}).get("", ""),
        )

    async def show(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        return await page(request, viewer)

    async def record(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        meeting_id = await reads.managed_at(console, viewer, request)
        form = await fields(request)
        markdown = form.get("minutes", "")
        if form.get("preview"):
            return await page(request, viewer, form, shown=preview(markdown))
        specs, problems = action_specs(form)
        if not markdown.strip():
            problems["minutes"] = Msg("Write the minutes first.")
        if problems:
            return await page(request, viewer, form, problems, 400)
        try:
            command = MinutesCommand(markdown=markdown, actions=specs, actor=console.actor(viewer))
            await commands.record_minutes(console.client, console.store, meeting_id, command)
        except ValidationError as exc:
            return await page(request, viewer, form, {"": why(exc)}, 400)
        except commands.CommandRefused as exc:  # next to its field, in the reader's words
            said = exc.refusal.text(language(request))
            where, _, reason = said.partition(": ")
            field = _field_of(where)
            return await page(request, viewer, form, {field: reason if field else said}, 409)
        return done(f"/console/meetings/{meeting_id}/followup", "minutes")

    base = "/console/meetings/{meeting}/followup"
    app.router.add_get(base, console.page(show))
    app.router.add_post(base, console.page(record))


def _field_of(where: str) -> str:
    """'actions[2].due' -> 'due-2'; anything else -> '' (shown above the form)."""
    if where.startswith("actions[") and "]." in where:
        n, _, name = where.removeprefix("actions[").partition("].")
        part = {"owner": "owner", "due": "due"}.get(name.split(".")[0], "what")
        return f"{part}-{n}"
    return ""
