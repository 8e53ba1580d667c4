"""The console's sign-in mail: a one-time link, in the reader's language, from the
`console-signin` templates and the one mail builder."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from domain.directory.models import Participant
from domain.mail import views
from domain.mail.builder import Mail, build, message_id
from domain.mail.render import render


def signin_mail(
    person: Participant, sender: tuple[str, str], link: str, minutes: int, stamp: datetime
) -> Mail:
    """The sign-in message to `person`; its Message-ID derives from the (one-time) link."""
    views.refuse_link_controls(link)

    def context(lang: str) -> dict[str, Any]:
        return {
            "recipient": views.reader(person),
            "organiser": sender[0],
            "link": link,
            "minutes": minutes,
        }

    rendered = render("console-signin", views.languages(person), context)
    return build(
        sender=sender,
        recipient=(person.name, person.email),
        content=rendered,
        stamp=stamp,
        mid=message_id(sender[1], "signin", hashlib.sha256(link.encode()).hexdigest()[:24]),
        headers={"Auto-Submitted": "auto-generated"},
    )
