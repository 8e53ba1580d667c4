"""Action-item routes of the web app: the signed "mark done" link in action reminders.

GET /action/{meeting}/{action}/done shows what the action is and a confirmation button;
it changes nothing (mail scanners prefetch links). The POST from that page marks the
action done through starter.client.commands, like the CLI. Refused links are audited.
"""

from __future__ import annotations

import html
import logging
from urllib.parse import urlencode

from aiohttp import web
from pydantic import ValidationError

from domain.common import i18n
from domain.common.links import DONE_PURPOSE
from domain.common.marks import N_
from domain.followup.actions import ActionItem, ActionStatus, DoneCommand, action_workflow_id
from domain.registration.answers import Actor, Channel
from starter.client import commands
from starter.web.pages import (
    Parts,
    error_page,
    link_refused,
    page,
    page_language,
    reason,
    translator,
)

log = logging.getLogger(__name__)

DONE_PATH = "/action/{meeting}/{action}/done"
_AUDIT_MAX = 200  # path parts are attacker-controlled: keep what is logged short
_NOTE_MAX = 300


DONE_HINT = N_(
    "Please use the link in your most recent reminder, or tell the secretariat "
    "that the action is done."
)


def _confirm_form(exp: str, sig: str, lang: str) -> str:
    """A POST form back to this very link, with an optional note."""
    _ = translator(lang)
    action = html.escape("?" + urlencode({"exp": exp, "sig": sig}), quote=True)
    note = html.escape(_("Note (optional):"))
    confirm = html.escape(_("Confirm: the action is done"))
    return (
        f'<form method="post" action="{action}">'
        f'<p><label>{note}<br><textarea name="note" rows="3" cols="50" '
        f'maxlength="{_NOTE_MAX}"></textarea></label></p>'
        f'<button type="submit">{confirm}</button></form>'
    )


def _owner(item: ActionItem, lang: str) -> str:
    _ = translator(lang)
    kind = {"country": _("country"), "organisation": _("organisation")}.get(
        item.owner.kind.value, _("participant")
    )
    o = item.owner
    return f"{kind} {o.name} ({o.code})" if o.name else f"{kind} {o.code}"


def _described(item: ActionItem, lang: str) -> list[str]:
    _ = translator(lang)
    return [
        f"{item.id}: {item.what}",
        _("From the %(title)s; owner: %(owner)s; due %(due)s.")
        % {
            "title": item.meeting_title,
            "owner": _owner(item, lang),
            "due": i18n.format_date(item.due, lang, "long"),
        },
    ]


def _already_done(item: ActionItem, lang: str) -> web.Response:
    _ = translator(lang)
    if item.done_at:
        when = i18n.format_date(item.done_at, lang, "long")
        text = _("This action was already marked done on %(day)s. Nothing was changed.")
        text %= {"day": when}
    else:
        text = _("This action was already marked done. Nothing was changed.")
    return page(409, _("Already done"), *_described(item, lang), text, lang=lang)


def _no_action(meeting_id: str, action_id: str, lang: str) -> web.Response:
    _ = translator(lang)
    text = _("There is no action %(action)s of %(meeting)s.")
    return error_page(404, text % {"action": action_id, "meeting": meeting_id}, lang=lang)


def _note(value: object) -> str | None:
    """The form's note on one line, at most _NOTE_MAX characters; None when empty."""
    text = " ".join(str(value or "").split())[:_NOTE_MAX]
    return text or None


def add_action_routes(app: web.Application, parts: Parts) -> None:
    client, store, key, now = parts

    async def checked(request: web.Request) -> tuple[str, str, str] | web.Response:
        """The verified (meeting, action) of the link and the page's language, or the page
        that refuses the link."""
        meeting_id = request.match_info["meeting"]
        action_id = request.match_info["action"]
        actor = f"unverified:action/{action_id[:_AUDIT_MAX]}"
        signed = (key, now())
        parts = (meeting_id, action_id)
        if refused := await link_refused(
            request, store, signed, DONE_PURPOSE, parts, actor=actor, hint=DONE_HINT
        ):
            return refused
        return meeting_id, action_id, page_language(request)

    async def show(request: web.Request) -> web.Response:
        """The confirmation page; reads the action's status query only, changes nothing."""
        parts = await checked(request)
        if isinstance(parts, web.Response):
            return parts
        meeting_id, action_id, lang = parts
        _ = translator(lang)
        try:
            item = await commands.action_status(client, action_workflow_id(meeting_id, action_id))
        except commands.NoSuchMeeting:
            return _no_action(meeting_id, action_id, lang)
        if item.status is ActionStatus.DONE:
            return _already_done(item, lang)
        return page(
            200,
            _("Mark the action done"),
            *_described(item, lang),
            _(
                "Please confirm that this action is done. "
                "Nothing is recorded until you press the button."
            ),
            form=_confirm_form(request.query["exp"], request.query["sig"], lang),
            lang=lang,
        )

    async def record(request: web.Request) -> web.Response:
        """The owner's confirmation: verify again, then the mark_done update."""
        parts = await checked(request)
        if isinstance(parts, web.Response):
            return parts
        meeting_id, action_id, lang = parts
        _ = translator(lang)
        workflow_id = action_workflow_id(meeting_id, action_id)
        form = await request.post()
        try:
            command = DoneCommand(
                note=_note(form.get("note")),
                actor=Actor(id=f"owner:{meeting_id}/{action_id}", channel=Channel.LINK),
            )
        except ValidationError:
            text = _("The note could not be read; please write it in plain text.")
            return error_page(400, text, lang=lang)
        try:
            item = await commands.mark_action_done(client, store, workflow_id, command)
        except commands.NoSuchMeeting:
            return _no_action(meeting_id, action_id, lang)
        except commands.CommandRefused as exc:
            try:
                current = await commands.action_status(client, workflow_id)
            except commands.NoSuchMeeting:
                current = None
            if current is not None and current.status is ActionStatus.DONE:
                return _already_done(current, lang)
            return page(409, _("Not recorded"), reason(exc, lang), lang=lang)
        return page(
            200,
            _("Thank you"),
            *_described(item, lang),
            _("The action is recorded as done; no more reminders will be sent."),
            lang=lang,
        )

    app.router.add_get(DONE_PATH, show)
    app.router.add_post(DONE_PATH, record)
