"""`rtm dev`, `rtm demo`, `rtm worker`: the processes of the engine."""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import TYPE_CHECKING

from starter.cli.common import Register
from starter.cli.errors import InputError

if TYPE_CHECKING:
    from activities.config import Settings


def banner(settings: Settings, ui_url: str) -> None:
    """What `rtm dev` prints once the stack is up, in the operator's language."""
    from starter.cli.say import say

    say("Temporal  %(address)s  (Web UI %(ui)s)", address=settings.temporal_address, ui=ui_url)
    say(
        "SMTP      %(address)s  -> %(folder)s",
        address=f"{settings.smtp_host}:{settings.smtp_port}",
        folder=settings.mail_dir.resolve(),
    )
    say("Database  %(url)s", url=settings.database_url)
    say("Web app   %(url)s  (RSVP, join and desk links)", url=settings.public_url)
    say(
        "Console   %(url)s  (sign in with your directory address)",
        url=f"{settings.public_url}/console/",
    )
    say(
        "Replies   %(address)s  (calendar replies, SMTP)",
        address=f"{settings.inbound_host}:{settings.inbound_port}",
    )
    say("Worker    running; Ctrl-C (or SIGTERM) stops the stack")


async def cmd_dev(args: argparse.Namespace, settings: Settings) -> int:
    from starter.cli.say import say
    from starter.devstack.stack import embedded_stack

    async with embedded_stack(settings) as stack:
        banner(settings, stack.ui_url)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        say("stopping the stack ...")
    return 0


async def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from starter.devstack.demo import demo

    return await demo(settings)


async def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from activities.store import SchemaNotReady
    from worker import run

    try:
        await run(settings)
    except SchemaNotReady as exc:
        raise InputError([exc.refusal]) from exc
    return 0


PARSERS: dict[str, Register] = {
    "dev": lambda cmd: cmd.set_defaults(fn=cmd_dev),
    "demo": lambda cmd: cmd.set_defaults(fn=cmd_demo),
    "worker": lambda cmd: cmd.set_defaults(fn=cmd_worker),
}
