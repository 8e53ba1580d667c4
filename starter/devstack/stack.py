"""The embedded stack: Temporal dev server, SMTP catcher and worker, state under var/.

Nothing to install or start by hand; a piece that is already running (say, an
`rtm dev` in another terminal) is reused rather than started twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from temporalio.client import Client
from temporalio.worker import Worker

from activities.config import Settings
from activities.private_files import private_dir, restrict_umask
from activities.store import Store
from starter.client.connection import connect
from starter.devstack.binaries import temporal_cli
from starter.devstack.catcher import SmtpCatcher
from starter.inbound.authentication import TrustPolicy
from starter.inbound.endpoint import InboundReplies
from starter.web.app import make_app, serve
from worker import build_worker, ensure_search_attributes


def port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host or "127.0.0.1", int(port)


class DevServer:
    """`temporal server start-dev` persisting to var/temporal/ (WAL, so it stays quick)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.ui_port = settings.temporal_ui_port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> bool:
        """Start the server unless one already answers; True when this call started it."""
        host, port = _host_port(self.settings.temporal_address)
        if port_open(host, port):
            return False
        state = private_dir(self.settings.var_dir / "temporal")
        log = (state / "server.log").open("ab")
        self.process = subprocess.Popen(
            [
                str(temporal_cli()),
                "server",
                "start-dev",
                "--ip",
                host,
                "--port",
                str(port),
                "--ui-port",
                str(self.ui_port),
                "--db-filename",
                str(state / "temporal.db"),
                "--sqlite-pragma",
                "journal_mode=wal",
                "--sqlite-pragma",
                "synchronous=normal",
                "--log-level",
                "warn",
                "--namespace",
                self.settings.temporal_namespace,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not port_open(host, port):
            if self.process.poll() is not None:
                raise RuntimeError(f"Temporal dev server exited; see {state / 'server.log'}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("Temporal dev server did not start in time")
            time.sleep(0.2)
        return True

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@dataclass
class Stack:
    """What the embedded stack runs; fields are None where an existing piece was reused."""

    settings: Settings
    store: Store
    client: Client
    server: DevServer
    catcher: SmtpCatcher | None
    worker: Worker

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.server.ui_port}"


async def _client(settings: Settings, timeout: float = 60.0) -> Client:
    """Connect, waiting while a just-started server finishes booting."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await connect(settings)
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


@contextlib.asynccontextmanager
async def embedded_stack(settings: Settings) -> AsyncIterator[Stack]:
    """Bring up server, catcher and an in-process worker; tear down what this call started.

    Everything under the var directory (mail, database, Temporal's state, the link key) is
    readable by this user only: the umask covers files the dev server and SQLite create.
    """
    restrict_umask()
    private_dir(settings.var_dir)
    store = Store(settings.database_url, None, settings.db_timeout, settings.report_timeout)
    store.upgrade_schema()  # the embedded stack is the one process that upgrades on start
    server = DevServer(settings)
    await asyncio.to_thread(server.start)
    catcher: SmtpCatcher | None = None
    try:
        if not port_open(settings.smtp_host, settings.smtp_port):
            catcher = SmtpCatcher(settings.smtp_host, settings.smtp_port, settings.mail_dir).start()
        client = await _client(settings)
        await ensure_search_attributes(client, settings.temporal_namespace)
        worker = build_worker(client, settings, store)
        async with worker, _web(settings, client, store), _inbound(settings, client, store):
            yield Stack(settings, store, client, server, catcher, worker)
    finally:
        if catcher is not None:
            catcher.stop()
        await asyncio.to_thread(server.stop)


@contextlib.asynccontextmanager
async def _web(settings: Settings, client: Client, store: Store) -> AsyncIterator[None]:
    """The web app behind the personal links, unless its port is taken."""
    if port_open(settings.web_host, settings.web_port):
        yield
        return
    runner = await serve(
        make_app(client, store, settings.link_key(), settings=settings),
        settings.web_host,
        settings.web_port,
    )
    try:
        yield
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def _inbound(settings: Settings, client: Client, store: Store) -> AsyncIterator[None]:
    """The inbound SMTP endpoint for calendar replies, unless its port is taken."""
    if port_open(settings.inbound_host, settings.inbound_port):
        yield
        return
    trust = TrustPolicy.parse(settings.inbound_authserv_id, settings.inbound_trusted_peers)
    with InboundReplies(client, store, settings.inbound_host, settings.inbound_port, trust=trust):
        yield
