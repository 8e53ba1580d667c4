"""The test message of `rtm smtp check --to ADDRESS`, from the `smtp-check` templates."""

from __future__ import annotations

from datetime import datetime

from domain.mail.builder import Mail, MailIdentity, build, message_id
from domain.mail.render import render


def relay_check_mail(
    sender: str, to: str, relay: str, stamp: datetime, identity: MailIdentity | None = None
) -> Mail:
    """One short message from `sender` to `to` that names the relay it went through."""
    rendered = render("smtp-check", ["en"], lambda lang: {"relay": relay, "stamp": stamp})
    return build(
        sender=("Round-Table Meeting engine", sender),
        recipient=("", to),
        content=rendered,
        stamp=stamp,
        mid=message_id(sender, "smtp-check", f"{stamp:%Y%m%dT%H%M%S}", identity=identity),
    )
