"""`rtm mail list`: what the SMTP catcher holds."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from domain.common.marks import N_
from starter.cli.common import add, print_json
from starter.cli.say import say_n

if TYPE_CHECKING:
    from activities.config import Settings


async def cmd_mail_list(args: argparse.Namespace, settings: Settings) -> int:
    from starter.devstack.catcher import read_mailbox

    mail_dir = Path(args.dir) if args.dir else settings.mail_dir
    messages = read_mailbox(mail_dir) if mail_dir.exists() else []
    if args.json:
        fields = ("Date", "From", "To", "Subject", "Message-ID")
        print_json([{f.lower(): str(msg[f]) for f in fields if msg[f]} for msg in messages])
        return 0
    for msg in messages:
        print(f"{msg['Date']}  {msg['To']}  {msg['Subject']}  {msg['Message-ID']}")
    say_n(
        "%(num)s message in %(dir)s",
        "%(num)s messages in %(dir)s",
        len(messages),
        dir=mail_dir.resolve(),
    )
    return 0


def register(mail: argparse.ArgumentParser) -> None:
    msub = mail.add_subparsers(dest="action", required=True)
    listing = add(msub, "list", cmd_mail_list, N_("list caught messages"))
    listing.add_argument("--dir")
    listing.add_argument("--json", action="store_true")


PARSERS = {"mail": register}
