"""An action's chasing mail: the owners' reminders and the secretariat's escalation, from
the `action-reminder|escalation` templates, one message per recipient; and the
`delivery-failed` notice of such mail, to the secretariat."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.directory.models import Participant
from domain.followup.actions import DONE_LINK, ActionMail, days_overdue
from domain.mail import views
from domain.mail.builder import Mail, MailIdentity, build, message_id
from domain.mail.render import render


def action_message_id(
    mail: ActionMail, participant_id: str, identity: MailIdentity | None = None
) -> str:
    item = mail.item
    parts = (item.meeting_id, item.id, mail.key, participant_id)
    return message_id(mail.organiser_email, *parts, identity=identity)


def _legacy(mail: ActionMail, done_url: str | None) -> dict[str, Any]:
    lines = [line.replace(DONE_LINK, done_url or "-") for line in mail.lines]
    return {"subject": mail.subject or "", "lines": lines}


def action_mail_message(
    mail: ActionMail,
    recipient: Participant,
    stamp: datetime,
    done_url: str | None,
    scheduled: str | None = None,
    identity: MailIdentity | None = None,
) -> Mail:
    """The message to one recipient; `done_url` is the signed mark-done link (reminders)."""
    item = mail.item
    late = mail.days_late if mail.days_late is not None else days_overdue(item, mail.at)
    kind = "notice-legacy" if mail.subject is not None else mail.kind

    def context(lang: str) -> dict[str, Any]:
        return {
            "recipient": views.reader(recipient),
            "organiser": mail.organiser_name,
            "item": item.model_dump(),
            "late": late,
            "done_url": done_url,
            "reminded": ", ".join(f"{p.name} <{p.email}>" for p in mail.owners),
            "meeting": {"title": item.meeting_title},  # delivery-failed: what it is about
            "failed": [f.model_dump() for f in mail.failed],
            "resend": "",  # action mail is not sent again
            **_legacy(mail, done_url),
        }

    rendered = render(kind, views.languages(recipient), context)
    headers = {
        "X-RTM-Meeting": item.meeting_id,
        "X-RTM-Action": item.id,
        "X-RTM-Action-Key": mail.key,
        "X-RTM-Notice": mail.kind,
    }
    if scheduled is not None:
        headers["X-RTM-Scheduled"] = scheduled
    return build(
        sender=(mail.organiser_name, mail.organiser_email),
        recipient=(recipient.name, recipient.email),
        content=rendered,
        stamp=stamp,
        mid=action_message_id(mail, recipient.id, identity),
        headers=headers,
    )
