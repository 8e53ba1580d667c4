"""A real SMTP relay for the tests (aiosmtpd on 127.0.0.1) in every shape production meets:
STARTTLS or implicit TLS with a CA the test makes (trustme), AUTH, and each refusal.

Every connection's commands are logged, so a test can check that AUTH never came before TLS.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from starter.devstack.catcher import CatcherHandler, SmtpCatcher
from tests.ports import free_port

USER, PASSWORD = "rtm-relay", "correct horse battery staple"


@dataclass
class Conversation:
    """What one client connection did, in order: ("STARTTLS", tls) / ("AUTH", tls) / ..."""

    steps: list[tuple[str, bool]] = field(default_factory=list)


class DeferringHandler(CatcherHandler):
    """Answers 451 to the addresses in `defer` (for `defer_for` seconds, or for ever), and
    holds a message to an address in `hold` at DATA until `release()`."""

    def __init__(self, defer: set[str], defer_for: float | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.defer = {a.lower() for a in defer}
        self.defer_until = None if defer_for is None else time.monotonic() + defer_for
        self.deferred = 0
        self.hold: set[str] = set()
        self.holding = 0  # messages that reached DATA while held
        self.released = threading.Event()

    def release(self) -> None:
        self.released.set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        held = self.hold & {a.lower() for a in envelope.rcpt_tos}
        self.holding += bool(held)
        while held and not self.released.is_set():
            await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)

    def stop_deferring(self) -> None:
        self.defer_until = 0.0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        deferring = self.defer_until is None or time.monotonic() < self.defer_until
        if address.lower() in self.defer and deferring:
            self.deferred += 1
            return "451 4.7.1 greylisted, try again later"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


class _LoggingSMTP(SMTP):
    def __init__(self, *args: Any, conversations: list[Conversation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._conversation = Conversation()
        conversations.append(self._conversation)

    def _tls(self) -> bool:
        return (
            self.transport is not None and self.transport.get_extra_info("ssl_object") is not None
        )

    async def smtp_STARTTLS(self, arg: str) -> None:
        self._conversation.steps.append(("STARTTLS", self._tls()))
        await super().smtp_STARTTLS(arg)

    async def smtp_AUTH(self, arg: str) -> None:
        self._conversation.steps.append(("AUTH", self._tls()))
        await super().smtp_AUTH(arg)

    async def smtp_MAIL(self, arg: str) -> None:
        self._conversation.steps.append(("MAIL", self._tls()))
        await super().smtp_MAIL(arg)


for _verb in ("smtp_STARTTLS", "smtp_AUTH", "smtp_MAIL"):  # keep what EHLO advertises
    for _attr in ("__smtp_syntax__", "__smtp_syntax_extended__", "__smtp_syntax_when__"):
        setattr(getattr(_LoggingSMTP, _verb), _attr, getattr(getattr(SMTP, _verb), _attr))


class _Controller(Controller):
    def __init__(self, *args: Any, conversations: list[Conversation], **kwargs: Any) -> None:
        self._conversations = conversations
        super().__init__(*args, **kwargs)

    def factory(self) -> SMTP:
        return _LoggingSMTP(self.handler, conversations=self._conversations, **self.SMTP_kwargs)


class CertificateAuthority:
    """A CA made by the test, and a certificate for 127.0.0.1 signed by it."""

    def __init__(self, directory: Path) -> None:
        self.ca = trustme.CA()
        self.cert = self.ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = directory / f"ca-{id(self)}.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.cert.configure_cert(context)
        return context


class Relay(SmtpCatcher):
    """`with Relay(ca, tls="starttls", auth=True) as relay:` — then relay.port, relay.caught.

    tls: "starttls" (offered and required before MAIL/AUTH), "implicit" (TLS from the first
    byte), "none" (no STARTTLS on offer). auth: AUTH required before MAIL (530 otherwise).
    auth_reply: every AUTH is answered with this line (e.g. a 538) instead of checked.
    """

    def __init__(
        self,
        ca: CertificateAuthority,
        tls: str = "starttls",
        auth: bool = False,
        auth_reply: str | None = None,
        defer: set[str] | None = None,
        defer_for: float | None = None,
        refuse: set[str] | None = None,
    ) -> None:  # the catcher's handler and controller, in the relay's shape
        self.conversations: list[Conversation] = []
        self.handler = DeferringHandler(defer or set(), defer_for, refuse=refuse or set())
        self.auth_reply = auth_reply
        self.password = PASSWORD  # what the relay expects; a test may change it mid-run
        self.logins: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        kwargs: dict[str, Any] = {
            "hostname": "127.0.0.1",
            "port": free_port(),
            "decode_data": False,
            "ready_timeout": 10,
            "conversations": self.conversations,
        }
        if tls == "starttls":
            kwargs |= {"tls_context": ca.server_context(), "require_starttls": True}
        elif tls == "implicit":
            kwargs |= {"ssl_context": ca.server_context(), "server_hostname": "127.0.0.1"}
        if auth:
            kwargs |= {
                "authenticator": self._authenticate,
                "auth_required": True,
                # aiosmtpd only counts STARTTLS as TLS; implicit TLS is TLS from the start
                "auth_require_tls": tls == "starttls",
            }
        self.controller = _Controller(self.handler, **kwargs)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if self.auth_reply is not None:
            return AuthResult(success=False, handled=False, message=self.auth_reply)
        assert isinstance(auth_data, LoginPassword)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        with self._lock:
            self.logins.append((user, password))
        return AuthResult(success=(user, password) == (USER, self.password), handled=False)

    @property
    def talks(self) -> list[Conversation]:
        """The conversations that said anything (not the controller's own readiness probe)."""
        return [c for c in self.conversations if c.steps]

    def tls_before_auth(self) -> bool:
        """In every conversation, AUTH (if any) came over TLS."""
        return all(tls for c in self.conversations for step, tls in c.steps if step == "AUTH")

    def __enter__(self) -> Relay:
        self.start()
        return self
