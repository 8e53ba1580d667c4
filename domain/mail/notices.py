"""Notices: one text to many recipients (the published agenda and its updates, ...).

The workflow decides the text once (a pure function of its state); the send activity
greets each recipient by name, so the history carries the text once per batch.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from pydantic import Field

from domain.common.base import Frozen, Text
from domain.directory.models import Participant
from domain.invitations.batches import DeliveryResult
from domain.mail.invitation import html_body
from domain.meeting.definition import MeetingDefinition

_UNSAFE = re.compile(r"[^A-Za-z0-9.-]")


class NoticeBatch(Frozen):
    meeting: MeetingDefinition
    kind: str = Field(pattern=r"^[a-z][a-z-]{0,30}$")
    key: str = Field(description="unique per notice; with the participant id, the outbox key")
    subject: Text
    lines: list[str]
    recipients: list[Participant]


class NoticeResult(Frozen):
    results: dict[str, DeliveryResult] = Field(default_factory=dict)


def notice_message_id(meeting: MeetingDefinition, key: str, participant_id: str) -> str:
    domain = meeting.organiser.email.rpartition("@")[2]
    return f"<{_UNSAFE.sub('_', f'{meeting.id}.{key}.{participant_id}')}@{domain}>"


def notice_message(batch: NoticeBatch, recipient: Participant, stamp: datetime) -> EmailMessage:
    meeting = batch.meeting
    lines = [f"Dear {recipient.name},", "", *batch.lines, "", meeting.organiser.name]
    msg = EmailMessage(policy=SMTP)
    msg["From"] = Address(meeting.organiser.name, addr_spec=meeting.organiser.email)
    msg["To"] = Address(recipient.name, addr_spec=recipient.email)
    msg["Subject"] = batch.subject
    msg["Date"] = format_datetime(stamp)
    msg["Message-ID"] = notice_message_id(meeting, batch.key, recipient.id)
    msg["X-RTM-Meeting"] = meeting.id
    msg["X-RTM-Notice"] = batch.kind
    msg.set_content("\n".join(lines), subtype="plain", charset="utf-8")
    msg.add_alternative(html_body(lines), subtype="html", charset="utf-8")
    return msg
