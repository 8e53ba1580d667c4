"""`rtm reply list|confirm|discard MEETING [ID]`: calendar replies awaiting the secretariat.

A reply whose sender is not authenticated (no MTA verdict, no valid DKIM signature) changes
nothing until the secretariat confirms it here (or on the console)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from domain.common.marks import N_
from starter.cli.common import actor, add, connect, open_store
from starter.cli.say import phrase, say, say_n, shown

if TYPE_CHECKING:
    from activities.config import Settings
    from domain.registration.held import HeldReply


def held_line(reply: HeldReply) -> str:
    """One held reply on one line; outside text (the envelope sender, the reason) escaped."""
    from domain.common.display import printable

    sequence = phrase("none") if reply.sequence is None else str(reply.sequence)
    return printable(phrase(
        "%(id)s  %(participant)s: %(answer)s (sequence %(sequence)s), From %(sender)s, "
        "envelope %(envelope)s, %(at)s UTC; held: %(reason)s", id=reply.id,
        participant=reply.participant_id, answer=shown(reply.attendance.value), sequence=sequence,
        sender=reply.sender, envelope=reply.envelope_from or "<>",
        at=f"{reply.received_at:%Y-%m-%d %H:%M}", reason=reply.reason,
    ))  # fmt: skip


async def cmd_reply_list(args: argparse.Namespace, settings: Settings) -> int:
    from starter.client import queries

    status = await queries.status(await connect(settings), args.meeting)
    for reply in status.held_replies:
        print(held_line(reply))
    say_n(
        "%(num)s reply awaits confirmation",
        "%(num)s replies await confirmation",
        len(status.held_replies),
    )
    return 0


async def cmd_reply_confirm(args: argparse.Namespace, settings: Settings) -> int:
    from domain.registration.held import ConfirmReplyCommand
    from starter.cli.inputs import parse
    from starter.client import commands

    command = parse(ConfirmReplyCommand, {"reply_id": args.id, "actor": actor(settings)})
    client = await connect(settings)
    row = await commands.confirm_reply(client, open_store(settings), args.meeting, command)
    say("%(meeting)s: %(id)s confirmed; %(name)s (%(participant)s) answered %(answer)s",
        meeting=args.meeting, id=args.id, name=row.name, participant=row.participant_id,
        answer=shown(row.attendance.value) if row.attendance else "-")  # fmt: skip
    return 0


async def cmd_reply_discard(args: argparse.Namespace, settings: Settings) -> int:
    from domain.registration.held import DiscardReplyCommand
    from starter.cli.inputs import parse
    from starter.client import commands

    fields = {"reply_id": args.id, "actor": actor(settings)}
    command = parse(DiscardReplyCommand, fields | ({"reason": args.reason} if args.reason else {}))
    client = await connect(settings)
    reply = await commands.discard_reply(client, open_store(settings), args.meeting, command)
    say("%(meeting)s: %(id)s discarded; nothing changed", meeting=args.meeting, id=reply.id)
    return 0


def register(reply: argparse.ArgumentParser) -> None:
    sub = reply.add_subparsers(dest="action", required=True)
    listing = add(sub, "list", cmd_reply_list, N_("calendar replies awaiting confirmation"))
    listing.add_argument("meeting")
    confirm = add(sub, "confirm", cmd_reply_confirm, N_("apply a held reply as the answer"))
    confirm.add_argument("meeting")
    confirm.add_argument("id", help=N_("e.g. H1"))
    discard = add(sub, "discard", cmd_reply_discard, N_("drop a held reply; nothing changes"))
    discard.add_argument("meeting")
    discard.add_argument("id", help=N_("e.g. H1"))
    discard.add_argument("--reason")


PARSERS = {"reply": register}
