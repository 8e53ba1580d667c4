"""One SMTP connection, opened step by step so that each failure says where and why.

Why not aiosmtplib's all-in-one connect: it decides STARTTLS by itself (and, with credentials
and STARTTLS off, sends the password in clear); here TLS is a setting, AUTH only ever
follows TLS, and every refusal is classified (`domain.outbox.delivery.Failure`).
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import aiosmtplib

from domain.outbox.delivery import DEFAULT_RETRY_WINDOW, Failure, FailureKind, Step

AUTH_CODES = frozenset({530, 534, 535, 538})  # RFC 4954: authentication required / refused


class TlsMode(StrEnum):
    STARTTLS = "starttls"
    IMPLICIT = "implicit"
    NONE = "none"


@dataclass(frozen=True)
class SmtpConfig:
    """Where the relay is and how to talk to it (from SMTP_* settings)."""

    host: str = "127.0.0.1"
    port: int = 1025
    tls: TlsMode = TlsMode.NONE
    username: str = ""
    password: str = ""
    ca_file: str = ""
    timeout: float = 30.0
    retry_window: timedelta = DEFAULT_RETRY_WINDOW

    @staticmethod
    def tls_for(mode: str, port: int, username: str, starttls_flag: bool) -> TlsMode:
        """SMTP_TLS if set; else implicit on port 465, starttls with credentials or the old
        SMTP_STARTTLS flag, none otherwise (the embedded catcher)."""
        if mode:
            return TlsMode(mode)
        if port == 465:
            return TlsMode.IMPLICIT
        if username or starttls_flag:
            return TlsMode.STARTTLS
        return TlsMode.NONE

    def tls_context(self) -> ssl.SSLContext:
        """The system's trust store, or only SMTP_CA_FILE's CA when it is set."""
        return ssl.create_default_context(cafile=self.ca_file or None)


class SmtpFailure(Exception):
    """A classified failure of the connection or of one message."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.line())
        self.failure = failure


def _reply(exc: aiosmtplib.SMTPResponseException) -> str:
    return f"{exc.code} {exc.message}".strip()


def classify(exc: BaseException, step: Step) -> Failure:
    """The kind of `exc`, raised at `step`, with the server's words when it gave any."""
    if isinstance(exc, SmtpFailure):
        return exc.failure
    if isinstance(exc, ssl.SSLCertVerificationError):
        text = f"certificate verify failed: {exc.verify_message or exc.reason}"
        hint = "; for a private CA set SMTP_CA_FILE"
        return Failure(kind=FailureKind.CERTIFICATE, step=step, text=text + hint)
    if isinstance(exc, ssl.SSLError):
        return Failure(kind=FailureKind.CERTIFICATE, step=step, text=exc.reason or str(exc))
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        replies = [_reply(r) for r in exc.recipients]
        temporary = all(r.code < 500 for r in exc.recipients)
        kind = FailureKind.TEMPORARY if temporary else FailureKind.REFUSED
        return Failure(kind=kind, step=step, text="; ".join(replies))
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        if exc.code in AUTH_CODES:
            kind = FailureKind.AUTHENTICATION
        else:
            kind = FailureKind.TEMPORARY if exc.code < 500 else FailureKind.REFUSED
        return Failure(kind=kind, step=step, text=_reply(exc))
    if isinstance(exc, (aiosmtplib.SMTPTimeoutError, aiosmtplib.SMTPServerDisconnected)):
        text = str(exc) or type(exc).__name__
        return Failure(kind=FailureKind.CONNECTION, step=step, text=text)
    if isinstance(exc, aiosmtplib.SMTPException) and step is Step.AUTH:
        return Failure(kind=FailureKind.AUTHENTICATION, step=step, text=str(exc))
    if isinstance(exc, aiosmtplib.SMTPException) and step is Step.TLS:
        return Failure(kind=FailureKind.TLS, step=step, text=str(exc))
    if isinstance(exc, (aiosmtplib.SMTPException, OSError, TimeoutError)):
        text = str(exc) or type(exc).__name__
        return Failure(kind=FailureKind.CONNECTION, step=step, text=text)
    raise exc


async def open_smtp(config: SmtpConfig) -> aiosmtplib.SMTP:
    """A connected, TLS-protected (unless `none`) and authenticated session, or SmtpFailure."""
    if config.username and config.tls is TlsMode.NONE:
        raise SmtpFailure(
            Failure(
                kind=FailureKind.CONFIG,
                step=Step.AUTH,
                text="SMTP_USERNAME is set but SMTP_TLS=none: the password would go out "
                "in clear; use starttls or implicit",
            )
        )
    implicit = config.tls is TlsMode.IMPLICIT
    context = config.tls_context() if config.tls is not TlsMode.NONE else None
    smtp = aiosmtplib.SMTP(
        hostname=config.host,
        port=config.port,
        use_tls=implicit,
        start_tls=False,
        tls_context=context if implicit else None,
        timeout=config.timeout,
    )
    step = Step.CONNECT
    try:
        await smtp.connect()
        await smtp.ehlo()
        if config.tls is TlsMode.STARTTLS:
            step = Step.TLS
            if not smtp.supports_extension("starttls"):
                raise SmtpFailure(
                    Failure(
                        kind=FailureKind.TLS,
                        step=step,
                        text=f"{config.host}:{config.port} does not offer STARTTLS "
                        "(SMTP_TLS=starttls)",
                    )
                )
            await smtp.starttls(tls_context=context)
        if config.username:
            step = Step.AUTH
            await smtp.login(config.username, config.password)
    except BaseException as exc:
        smtp.close()
        if isinstance(exc, SmtpFailure):
            raise
        if not isinstance(exc, Exception):
            raise
        raise SmtpFailure(classify(exc, step)) from exc
    return smtp


async def close_smtp(smtp: aiosmtplib.SMTP) -> None:
    """QUIT politely; a connection that is already gone is just closed."""
    if smtp.is_connected:
        try:
            await smtp.quit()
        except (aiosmtplib.SMTPException, OSError):
            smtp.close()


async def transmit(
    smtp: aiosmtplib.SMTP,
    sender: str,
    recipient: str,
    data: bytes,
    ready: Awaitable[object] | None = None,
) -> None:
    """One message, as aiosmtplib's sendmail sends it, except that the content goes only
    once `ready` is done: the envelope (MAIL FROM, RCPT TO) goes out while the previous
    message is still being recorded, and nothing is sent before it is. A refusal resets the
    envelope and raises what sendmail would raise."""
    try:
        options = [f"size={len(data)}"] if smtp.supports_extension("size") else []
        await smtp.mail(sender, options=options)
        try:
            await smtp.rcpt(recipient)
        except aiosmtplib.SMTPRecipientRefused as exc:
            raise aiosmtplib.SMTPRecipientsRefused([exc]) from exc
        if ready is not None:
            await ready
        await smtp.data(data)  # CRLF lines already (domain.mail.builder): SIZE is exact
    except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused):
        with contextlib.suppress(ConnectionError, aiosmtplib.SMTPResponseException):
            await smtp.rset()
        raise
