"""`rtm smtp check [--to ADDRESS]`: can this installation send mail, and if not, why."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from domain.common.marks import N_
from starter.cli.common import add
from starter.cli.say import say

if TYPE_CHECKING:
    from activities.config import Settings


async def cmd_smtp_check(args: argparse.Namespace, settings: Settings) -> int:
    from activities.mail.check import check_relay
    from activities.mail.smtp import SmtpFailure

    config = settings.smtp()
    identity = settings.mail_identity()
    sender = args.sender or f"rtm@{settings.mail_domain or 'localhost'}"
    try:
        print(await check_relay(config, sender, args.to, identity))
    except SmtpFailure as exc:
        say("smtp check failed: %(failure)s", failure=exc.failure.line(), file=sys.stderr)
        return 1
    return 0


def register(smtp: argparse.ArgumentParser) -> None:
    sub = smtp.add_subparsers(dest="action", required=True)
    check = add(
        sub,
        "check",
        cmd_smtp_check,
        N_("connect, negotiate TLS, authenticate with the SMTP_* settings; --to sends a test"),
    )
    check.add_argument("--to", help=N_("send a test message to this address"))
    check.add_argument(
        "--from", dest="sender", help=N_("envelope and header sender (default rtm@RTM_MAIL_DOMAIN)")
    )


PARSERS = {"smtp": register}
