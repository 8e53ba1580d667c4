"""`rtm web`, `rtm inbound` and `rtm health`: the engine's doors as processes of their own.

In production each runs alone (a container or a systemd unit per service) beside
`rtm worker`, all against the same Temporal, database and link key. `rtm health SERVICE`
is what a container's or a unit's health check runs: exit 0 when the service answers.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import signal
import smtplib
import socket
import sys
import time
import urllib.request
from typing import TYPE_CHECKING

from starter.cli.common import Register, connect, open_store
from starter.cli.say import phrase, say

if TYPE_CHECKING:
    from activities.config import Settings

WORKER_STALE_AFTER = 90.0


async def _until_stopped() -> None:
    """Wait for SIGTERM (docker stop, systemctl stop) or SIGINT (Ctrl-C)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def settled() -> None:
    """After start-up: what was loaded so far (modules, templates, models) is never garbage,
    so the collector stops scanning it; a full collection of the whole heap stalled every
    request for 150-250 ms under load."""
    gc.collect()
    gc.freeze()


async def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    """The web app: personal links, the console, calendar feeds."""
    from starter.web.app import make_app, serve

    store = open_store(settings)
    client = await connect(settings)
    app = make_app(client, store, settings.link_key(), settings=settings)
    runner = await serve(app, settings.web_host, settings.web_port)
    settled()
    say(
        "web app on %(host)s:%(port)s, links as %(url)s",
        host=settings.web_host,
        port=settings.web_port,
        url=settings.public_url,
    )
    sys.stdout.flush()
    try:
        await _until_stopped()
    finally:
        await runner.cleanup()
    return 0


async def cmd_inbound(args: argparse.Namespace, settings: Settings) -> int:
    """The SMTP endpoint for calendar replies, behind the organisation's MTA."""
    from starter.inbound.authentication import TrustPolicy
    from starter.inbound.endpoint import InboundReplies

    store = open_store(settings)
    client = await connect(settings)
    trust = TrustPolicy.parse(settings.inbound_authserv_id, settings.inbound_trusted_peers)
    server = InboundReplies(
        client, store, settings.inbound_host, settings.inbound_port, trust=trust
    )
    with server:
        say("calendar replies on %(host)s:%(port)s, trusting %(verdict)s from %(peers)s",
            host=settings.inbound_host, port=settings.inbound_port,
            verdict=trust.authserv_id or phrase("no MTA verdict"),
            peers=settings.inbound_trusted_peers)  # fmt: skip
        sys.stdout.flush()
        await _until_stopped()
    return 0


def _probe_host(host: str) -> str:
    """Where a health check on the same host reaches a service bound to `host`."""
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host


def _health(service: str, settings: Settings) -> str | None:
    """Why `service` is not healthy, or None."""
    try:
        if service == "web":
            url = f"http://{_probe_host(settings.web_host)}:{settings.web_port}/healthz"
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return None
                return phrase("%(url)s answered %(status)s", url=url, status=resp.status)
        if service == "inbound":
            host = _probe_host(settings.inbound_host)
            with smtplib.SMTP(host, settings.inbound_port, timeout=5) as smtp:
                code, _ = smtp.noop()
                return None if code == 250 else phrase("%(probe)s answered %(code)s",
                                                      probe="SMTP NOOP", code=code)  # fmt: skip
        alive = settings.var_dir / f"worker.{socket.gethostname()}.alive"  # as worker.py
        age = time.time() - alive.stat().st_mtime
        if age > WORKER_STALE_AFTER:
            return phrase("the worker last reached %(server)s %(seconds)s s ago (%(file)s)",
                         server="Temporal", seconds=f"{age:.0f}", file=alive)  # fmt: skip
        return None
    except OSError as exc:
        return phrase("%(service)s does not answer: %(error)s", service=service, error=exc)


async def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    problem = _health(args.service, settings)
    if problem:
        say("unhealthy: %(problem)s", problem=problem, file=sys.stderr)
        return 1
    say("%(service)s: healthy", service=args.service)
    return 0


def _web(cmd: argparse.ArgumentParser) -> None:
    cmd.set_defaults(fn=cmd_web)


def _inbound(cmd: argparse.ArgumentParser) -> None:
    cmd.set_defaults(fn=cmd_inbound)


def _health_parser(cmd: argparse.ArgumentParser) -> None:
    cmd.set_defaults(fn=cmd_health)
    cmd.add_argument("service", choices=["worker", "web", "inbound"])


PARSERS: dict[str, Register] = {"web": _web, "inbound": _inbound, "health": _health_parser}
