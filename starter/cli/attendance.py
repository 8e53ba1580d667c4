"""`rtm attendance check-in MEETING PARTICIPANT | show MEETING`: the register."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from domain.attendance.register import CheckInCommand
from domain.common.marks import N_
from starter.cli.common import actor, add, connect, open_store
from starter.cli.inputs import parse
from starter.cli.say import say
from starter.cli.views import attendance_summary, render_attendance

if TYPE_CHECKING:
    from activities.config import Settings


async def cmd_attendance_check_in(args: argparse.Namespace, settings: Settings) -> int:
    from starter.client import commands

    command = parse(CheckInCommand, {"participant_id": args.participant, "actor": actor(settings)})
    client = await connect(settings)
    await commands.check_in(client, open_store(settings), args.meeting, command)
    view = await commands.attendance(client, args.meeting)
    say(
        "%(meeting)s: %(participant)s checked in; %(summary)s",
        meeting=args.meeting,
        participant=args.participant,
        summary=attendance_summary(view.counts),
    )
    return 0


async def cmd_attendance_show(args: argparse.Namespace, settings: Settings) -> int:
    from starter.client import queries

    view = await queries.attendance(await connect(settings), args.meeting)
    print(view.model_dump_json(indent=2) if args.json else render_attendance(view))
    return 0


def register(attendance: argparse.ArgumentParser) -> None:
    tsub = attendance.add_subparsers(dest="action", required=True)
    checkin = add(tsub, "check-in", cmd_attendance_check_in, N_("registration desk: in the room"))
    checkin.add_argument("meeting")
    checkin.add_argument("participant")
    ashow = add(tsub, "show", cmd_attendance_show, N_("the register and its counts"))
    ashow.add_argument("meeting")
    ashow.add_argument("--json", action="store_true")


PARSERS = {"attendance": register}
