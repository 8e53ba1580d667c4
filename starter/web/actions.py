"""Action-item routes of the web app: the signed "mark done" link in action reminders.

GET /action/{meeting}/{action}/done shows what the action is and a confirmation button;
it changes nothing (mail scanners prefetch links). The POST from that page marks the
action done through starter.client.commands, like the CLI. Refused links are audited.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlencode

from aiohttp import web
from pydantic import ValidationError
from temporalio.client import Client

from activities.store import Store
from domain.common.links import DONE_PURPOSE, LinkError
from domain.followup.actions import ActionItem, ActionStatus, DoneCommand, action_workflow_id
from domain.registration.answers import Actor, Channel
from starter.client import commands
from starter.web.pages import error_page, page, refuse_link, sentence, verified

log = logging.getLogger(__name__)

DONE_PATH = "/action/{meeting}/{action}/done"
_AUDIT_MAX = 200  # path parts are attacker-controlled: keep what is logged short
_NOTE_MAX = 300


def _confirm_form(exp: str, sig: str) -> str:
    """A POST form back to this very link, with an optional note."""
    action = html.escape("?" + urlencode({"exp": exp, "sig": sig}), quote=True)
    return (
        f'<form method="post" action="{action}">'
        '<p><label>Note (optional):<br><textarea name="note" rows="3" cols="50" '
        f'maxlength="{_NOTE_MAX}"></textarea></label></p>'
        '<button type="submit">Confirm: the action is done</button></form>'
    )


def _described(item: ActionItem) -> list[str]:
    return [
        f"{item.id}: {item.what}",
        f"From the {item.meeting_title}; owner: {item.owner.label()}; due {item.due:%d %B %Y}.",
    ]


def _already_done(item: ActionItem) -> web.Response:
    when = f" on {item.done_at:%d %B %Y}" if item.done_at else ""
    return page(
        409,
        "Already done",
        *_described(item),
        f"This action was already marked done{when}. Nothing was changed.",
    )


def _note(value: object) -> str | None:
    """The form's note on one line, at most _NOTE_MAX characters; None when empty."""
    text = " ".join(str(value or "").split())[:_NOTE_MAX]
    return text or None


def add_action_routes(
    app: web.Application,
    client: Client,
    store: Store | None,
    key: bytes,
    now: Callable[[], datetime],
) -> None:
    async def refuse(request: web.Request, exc: LinkError) -> web.Response:
        action_id = request.match_info.get("action", "")[:_AUDIT_MAX]
        return await refuse_link(
            store,
            request,
            exc,
            actor=f"unverified:action/{action_id}",
            hint="Please use the link in your most recent reminder, or tell the secretariat "
            "that the action is done.",
        )

    async def checked(request: web.Request) -> tuple[str, str] | web.Response:
        """The verified (meeting, action) of the link, or the page that refuses it."""
        meeting_id = request.match_info["meeting"]
        action_id = request.match_info["action"]
        try:
            verified(request, key, DONE_PURPOSE, (meeting_id, action_id), now())
        except LinkError as exc:
            return await refuse(request, exc)
        return meeting_id, action_id

    async def show(request: web.Request) -> web.Response:
        """The confirmation page; reads the action's status query only, changes nothing."""
        parts = await checked(request)
        if isinstance(parts, web.Response):
            return parts
        meeting_id, action_id = parts
        try:
            item = await commands.action_status(client, action_workflow_id(meeting_id, action_id))
        except commands.NoSuchMeeting:
            return error_page(404, f"There is no action {action_id} of {meeting_id}.")
        if item.status is ActionStatus.DONE:
            return _already_done(item)
        return page(
            200,
            "Mark the action done",
            *_described(item),
            "Please confirm that this action is done. "
            "Nothing is recorded until you press the button.",
            form=_confirm_form(request.query["exp"], request.query["sig"]),
        )

    async def record(request: web.Request) -> web.Response:
        """The owner's confirmation: verify again, then the mark_done update."""
        parts = await checked(request)
        if isinstance(parts, web.Response):
            return parts
        meeting_id, action_id = parts
        workflow_id = action_workflow_id(meeting_id, action_id)
        form = await request.post()
        try:
            command = DoneCommand(
                note=_note(form.get("note")),
                actor=Actor(id=f"owner:{meeting_id}/{action_id}", channel=Channel.LINK),
            )
        except ValidationError:
            return error_page(400, "The note could not be read; please write it in plain text.")
        try:
            item = await commands.mark_action_done(client, store, workflow_id, command)
        except commands.NoSuchMeeting:
            return error_page(404, f"There is no action {action_id} of {meeting_id}.")
        except commands.CommandRefused as exc:
            try:
                current = await commands.action_status(client, workflow_id)
            except commands.NoSuchMeeting:
                current = None
            if current is not None and current.status is ActionStatus.DONE:
                return _already_done(current)
            return page(409, "Not recorded", sentence(str(exc)))
        return page(
            200,
            "Thank you",
            *_described(item),
            "The action is recorded as done; no more reminders will be sent.",
        )

    app.router.add_get(DONE_PATH, show)
    app.router.add_post(DONE_PATH, record)
