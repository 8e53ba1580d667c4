"""`rtm rsvp` and `rtm remind`: answers and chasing those who have not answered."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from domain.registration.answers import Attendance, RsvpCommand
from domain.reminders.planning import RemindCommand
from starter.cli.common import actor, connect, open_store
from starter.cli.inputs import parse
from starter.cli.say import say, say_n, shown

if TYPE_CHECKING:
    from activities.config import Settings


async def cmd_rsvp(args: argparse.Namespace, settings: Settings) -> int:
    from starter.client import commands

    command = parse(
        RsvpCommand,
        {"participant_id": args.participant, "attendance": args.attend, "actor": actor(settings)},
    )
    row = await commands.rsvp(await connect(settings), open_store(settings), args.meeting, command)
    say(
        "%(meeting)s: %(name)s (%(id)s) answered %(answer)s",
        meeting=args.meeting,
        name=row.name,
        id=row.participant_id,
        answer=shown(args.attend),
    )
    return 0


async def cmd_remind(args: argparse.Namespace, settings: Settings) -> int:
    from starter.client import commands

    command = RemindCommand(actor=actor(settings))
    ack = await commands.remind(
        await connect(settings), open_store(settings), args.meeting, command
    )
    say_n("%(id)s: reminder sent now to %(num)s participant who has not answered",
          "%(id)s: reminder sent now to %(num)s participants who have not answered", ack.chased,
          id=ack.id)  # fmt: skip
    if ack.phase.value == "inviting":
        say("the invitations are still going out: only those who have theirs were reminded")
    return 0


def register_rsvp(rsvp: argparse.ArgumentParser) -> None:
    rsvp.set_defaults(fn=cmd_rsvp)
    rsvp.add_argument("meeting")
    rsvp.add_argument("participant")
    rsvp.add_argument("--attend", required=True, choices=[a.value for a in Attendance])


def register_remind(remind: argparse.ArgumentParser) -> None:
    remind.set_defaults(fn=cmd_remind)
    remind.add_argument("meeting")


PARSERS = {"rsvp": register_rsvp, "remind": register_remind}
