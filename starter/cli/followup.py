"""`rtm followup` (minutes and action items) and `rtm actions list|done`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from domain.common.marks import N_
from domain.common.refusals import Refusal
from domain.followup.actions import DoneCommand, action_workflow_id
from domain.followup.minutes import MinutesCommand
from domain.meeting.status import StatusPage
from starter.cli.common import actor, add, connect, open_store, print_rows
from starter.cli.errors import InputError
from starter.cli.inputs import os_reason, parse, read_document
from starter.cli.say import phrase, say, say_n

if TYPE_CHECKING:
    from activities.config import Settings
    from domain.followup.actions import ActionItem


async def cmd_followup(args: argparse.Namespace, settings: Settings) -> int:
    """`rtm followup MEETING --minutes FILE.md [--actions FILE.yaml]`."""
    from starter.client import commands

    try:
        markdown = Path(args.minutes).read_text(encoding="utf-8")
    except OSError as exc:
        why = os_reason(exc)
        problem = Refusal("file.unreadable_as", field="minutes", path=args.minutes, why=why)
        raise InputError([problem]) from exc
    actions = read_document(Path(args.actions)) if args.actions else []
    if isinstance(actions, dict):
        actions = actions.get("actions", [])
    command = parse(
        MinutesCommand, {"markdown": markdown, "actions": actions, "actor": actor(settings)}
    )
    client = await connect(settings)
    recorded = await commands.record_minutes(client, open_store(settings), args.meeting, command)
    status = await commands.status(client, args.meeting, StatusPage(limit=0))
    say_n("%(id)s: minutes recorded and mailed; %(num)s action item:",
          "%(id)s: minutes recorded and mailed; %(num)s action items:", len(recorded.actions),
          id=status.id)  # fmt: skip
    for a in status.actions:
        say(
            "  %(id)s  %(what)s  -- %(owner)s, due %(due)s",
            id=a.id,
            what=a.what,
            owner=a.owner.label(),
            due=a.due,
        )
    return 0


async def cmd_actions_list(args: argparse.Namespace, settings: Settings) -> int:
    items = open_store(settings).actions(args.region, args.country, args.open)

    def line(a: ActionItem) -> str:
        due = phrase("due %(due)s", due=a.due)
        return (
            f"{a.meeting_id:<14} {a.id:<4} {a.status.value:<5} {due}  "
            f"{a.owner.label():<32} {a.what}"
        )

    return print_rows(
        args, items, line, lambda n: say_n("%(num)s action item", "%(num)s action items", n)
    )


async def cmd_actions_done(args: argparse.Namespace, settings: Settings) -> int:
    from starter.client import commands

    fields = {"note": args.note, "actor": actor(settings)}
    command = parse(DoneCommand, {k: v for k, v in fields.items() if v is not None})
    client = await connect(settings)
    workflow_id = action_workflow_id(args.meeting, args.action)
    try:
        item = await commands.mark_action_done(client, open_store(settings), workflow_id, command)
    except commands.NoSuchAction as exc:
        problem = Refusal("action.none_in", action=args.action, meeting=args.meeting)
        raise InputError([problem]) from exc
    say("%(meeting)s %(id)s done: %(what)s", meeting=args.meeting, id=item.id, what=item.what)
    return 0


def register_followup(follow: argparse.ArgumentParser) -> None:
    follow.set_defaults(fn=cmd_followup)
    follow.add_argument("meeting")
    follow.add_argument("--minutes", required=True, help=N_("a markdown file"))
    follow.add_argument("--actions", help=N_("YAML/JSON list: what, owner {kind, code}, due"))


def register_actions(acts: argparse.ArgumentParser) -> None:
    xsub = acts.add_subparsers(dest="action_cmd", required=True)
    alist = add(xsub, "list", cmd_actions_list, N_("from the read model"))
    alist.add_argument("--region")
    alist.add_argument("--country")
    alist.add_argument("--open", action="store_true")
    alist.add_argument("--json", action="store_true")
    adone = add(xsub, "done", cmd_actions_done, N_("mark an action item done"))
    adone.add_argument("meeting")
    adone.add_argument("action", help=N_("e.g. A1"))
    adone.add_argument("--note")


PARSERS = {"followup": register_followup, "actions": register_actions}
