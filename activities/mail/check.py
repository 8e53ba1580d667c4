"""`rtm smtp check`: the relay's every step as the sender takes it, and one line on the result.

Why its own entry point: an operator fixing SMTP_* settings wants the answer in seconds, not
after a meeting's invitations have failed; the steps and the failure classes are the very ones
the send activities use (`activities.mail.smtp`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from activities.mail.smtp import SmtpConfig, SmtpFailure, TlsMode, classify, close_smtp, open_smtp
from domain.mail.builder import MailIdentity
from domain.mail.relay_check import relay_check_mail
from domain.outbox.delivery import Step


async def check_relay(
    config: SmtpConfig, sender: str, to: str | None, identity: MailIdentity | None = None
) -> str:
    """What succeeded, in one line; raises SmtpFailure naming the step that failed."""
    relay = f"{config.host}:{config.port}"
    smtp = await open_smtp(config)
    steps = [f"connected to {relay}"]
    if config.tls is TlsMode.NONE:
        steps.append("no TLS (SMTP_TLS=none)")
    else:
        steps.append(f"TLS ({config.tls.value}) with a trusted certificate")
    if config.username:
        steps.append(f"authenticated as {config.username}")
    try:
        if to:
            mail = relay_check_mail(sender, to, relay, datetime.now(UTC), identity)
            try:
                await smtp.sendmail(mail.sender, [mail.recipient], mail.data)
            except Exception as exc:
                raise SmtpFailure(classify(exc, Step.SEND)) from exc
            steps.append(f"test message {mail.message_id} to {to} accepted")
    finally:
        await close_smtp(smtp)
    return "ok: " + ", ".join(steps)
