"""An SMTP catcher (aiosmtpd): keeps every message it receives as an .eml file.

The embedded stack's mail server, and the real SMTP peer of the tests, which can also
make it refuse chosen addresses with a 550 or slow it down.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from activities.private_files import private_dir, write_private

_SAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Caught:
    """One received message: envelope, raw bytes and where it was stored."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    peer: str
    path: Path | None

    def message(self) -> EmailMessage:
        msg = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        return msg

    @property
    def message_id(self) -> str:
        return str(self.message()["Message-ID"]).strip()


@dataclass
class CatcherHandler:
    """aiosmtpd handler: stores messages, refuses `refuse` addresses with 550."""

    mail_dir: Path | None = None
    refuse: set[str] = field(default_factory=set)
    delay: float = 0.0
    caught: list[Caught] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        data = bytes(envelope.original_content or envelope.content)
        path = None
        with self._lock:
            n = next(self._counter)
        if self.mail_dir is not None:
            first = envelope.rcpt_tos[0] if envelope.rcpt_tos else "unknown"
            name = f"{time.strftime('%Y%m%dT%H%M%S')}-{n:06d}-{_SAFE.sub('_', first)}.eml"
            path = self.mail_dir / name
            write_private(path, data, sync=False)
        with self._lock:
            self.caught.append(
                Caught(
                    mail_from=envelope.mail_from,
                    rcpt_tos=tuple(envelope.rcpt_tos),
                    data=data,
                    peer=str(session.peer),
                    path=path,
                )
            )
        return "250 Message accepted for delivery"


class SmtpCatcher:
    """Runs the catcher on its own thread; `with SmtpCatcher(...) as c:` or start()/stop()."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 1025,
        mail_dir: Path | None = None,
        refuse: Iterable[str] = (),
        delay: float = 0.0,
    ) -> None:
        if mail_dir is not None:
            private_dir(mail_dir)
        self.handler = CatcherHandler(
            mail_dir=mail_dir, refuse={a.lower() for a in refuse}, delay=delay
        )
        self.controller = Controller(
            self.handler,
            hostname=host,
            port=port,
            decode_data=False,
            data_size_limit=25 * 1024 * 1024,
            ready_timeout=10,
        )

    @property
    def port(self) -> int:
        return int(self.controller.port)

    @property
    def caught(self) -> list[Caught]:
        with self.handler._lock:
            return list(self.handler.caught)

    def start(self) -> SmtpCatcher:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> SmtpCatcher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def read_mailbox(mail_dir: Path) -> list[EmailMessage]:
    """Every .eml in `mail_dir`, oldest first."""
    messages: list[EmailMessage] = []
    for path in sorted(mail_dir.glob("*.eml")):
        msg = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(msg, EmailMessage)
        messages.append(msg)
    return messages
