"""`rtm agenda show|propose|decide|publish`: proposals, decisions, timetable, publishing."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from domain.agenda.items import DecideCommand, Decision, ProposeCommand, PublishCommand
from domain.agenda.template import ItemKind
from domain.common.marks import N_
from starter.cli.common import actor, add, connect, open_store
from starter.cli.inputs import parse
from starter.cli.say import say, shown
from starter.cli.views import render_agenda

if TYPE_CHECKING:
    from activities.config import Settings


async def cmd_agenda_show(args: argparse.Namespace, settings: Settings) -> int:
    from starter.client import queries

    agenda = await queries.agenda(await connect(settings), args.meeting)
    print(agenda.model_dump_json(indent=2) if args.json else render_agenda(agenda))
    return 0


async def cmd_agenda_propose(args: argparse.Namespace, settings: Settings) -> int:
    from starter.client import commands

    fields = {"title": args.title, "presenter": args.presenter, "minutes": args.minutes,
              "kind": args.kind, "project": args.project, "actor": actor(settings)}  # fmt: skip
    command = parse(ProposeCommand, {k: v for k, v in fields.items() if v is not None})
    client = await connect(settings)
    item = await commands.propose_item(client, open_store(settings), args.meeting, command)
    say(
        "%(meeting)s: proposed %(item)s '%(title)s' (%(minutes)s min), awaiting decision",
        meeting=args.meeting,
        item=item.id,
        title=item.title,
        minutes=item.minutes,
    )
    return 0


async def cmd_agenda_decide(args: argparse.Namespace, settings: Settings) -> int:
    from starter.client import commands

    fields = {"item_id": args.item, "decision": args.decision, "reason": args.reason,
              "title": args.title, "minutes": args.minutes, "kind": args.kind,
              "presenter": args.presenter, "actor": actor(settings)}  # fmt: skip
    command = parse(DecideCommand, {k: v for k, v in fields.items() if v is not None})
    client = await connect(settings)
    item = await commands.decide_item(client, open_store(settings), args.meeting, command)
    say(
        "%(meeting)s: %(item)s is %(status)s: %(title)s (%(minutes)s min)",
        meeting=args.meeting,
        item=item.id,
        status=shown(item.status.value),
        title=item.title,
        minutes=item.minutes,
    )
    return 0


async def cmd_agenda_publish(args: argparse.Namespace, settings: Settings) -> int:
    from starter.client import commands

    command = PublishCommand(actor=actor(settings))
    client = await connect(settings)
    agenda = await commands.publish_agenda(client, open_store(settings), args.meeting, command)
    say(
        "%(meeting)s: agenda version %(version)s published and mailed",
        meeting=args.meeting,
        version=agenda.published_version,
    )
    return 0


def register(agenda: argparse.ArgumentParser) -> None:
    asub = agenda.add_subparsers(dest="action", required=True)
    show = add(asub, "show", cmd_agenda_show, N_("items, decisions and the timetable"))
    show.add_argument("meeting")
    show.add_argument("--json", action="store_true")
    kinds = [k.value for k in ItemKind]
    propose = add(asub, "propose", cmd_agenda_propose, N_("propose an item (until the deadline)"))
    propose.add_argument("meeting")
    propose.add_argument("--title", required=True)
    propose.add_argument("--presenter", required=True, help=N_("participant id"))
    propose.add_argument("--minutes", required=True, type=int)
    propose.add_argument("--kind", choices=kinds)
    propose.add_argument("--project")
    decide = add(asub, "decide", cmd_agenda_decide, N_("accept, reject (with a reason) or edit"))
    decide.add_argument("meeting")
    decide.add_argument("item")
    decide.add_argument("decision", choices=[d.value for d in Decision])
    decide.add_argument("--reason")
    decide.add_argument("--title")
    decide.add_argument("--minutes", type=int)
    decide.add_argument("--kind", choices=kinds)
    decide.add_argument("--presenter", help=N_("participant id"))
    publish = add(asub, "publish", cmd_agenda_publish, N_("mail the agenda to those who accepted"))
    publish.add_argument("meeting")


PARSERS = {"agenda": register}
