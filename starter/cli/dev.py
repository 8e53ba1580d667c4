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


async def cmd_dev(args: argparse.Namespace, settings: Settings) -> int:
    from starter.devstack.stack import embedded_stack

    async with embedded_stack(settings) as stack:
        print(f"Temporal  {settings.temporal_address}  (Web UI {stack.ui_url})")
        print(
            f"SMTP      {settings.smtp_host}:{settings.smtp_port}  -> {settings.mail_dir.resolve()}"
        )
        print(f"Database  {settings.database_url}")
        print(f"Web app   {settings.public_url}  (RSVP, join and desk links)")
        print(f"Console   {settings.public_url}/console/  (sign in with your directory address)")
        print(
            f"Replies   {settings.inbound_host}:{settings.inbound_port}  (calendar replies, SMTP)"
        )
        print("Worker    running; Ctrl-C (or SIGTERM) stops the stack")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        print("stopping the stack ...")
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
