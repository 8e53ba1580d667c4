"""Test oracle: the invitation assembled by the standard library's EmailMessage.

The production builder (domain.mail.builder) writes the MIME structure itself; this
reference builds the same message from the same texts and calendar with EmailMessage
(policy=SMTP), so that tests can compare the two part by part.
"""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any, cast

from domain.directory.models import Participant
from domain.invitations.batches import InvitationBatch, message_id
from domain.mail.invitation import invitation_content
from domain.meeting.definition import MeetingDefinition
from domain.registration.answers import Attendance


def invitation_message(
    meeting: MeetingDefinition,
    recipient: Participant,
    sequence: int,
    stamp: datetime,
    method: str = "REQUEST",
    links: dict[Attendance, str] | None = None,
    join_url: str | None = None,
) -> EmailMessage:
    """The complete message for one recipient, as EmailMessage writes it."""
    batch = InvitationBatch.model_construct(
        meeting=meeting,
        sequence=sequence,
        method=cast(Any, method),
        recipients=[recipient],
        previous=None,
        reason=None,
    )
    rendered, ics = invitation_content(batch, recipient, stamp, links, join_url)

    msg = EmailMessage(policy=SMTP)
    msg["From"] = Address(meeting.organiser.name, addr_spec=meeting.organiser.email)
    msg["To"] = Address(recipient.name, addr_spec=recipient.email)
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(stamp)
    msg["Message-ID"] = message_id(meeting, sequence, recipient.id)
    msg["X-RTM-Meeting"] = meeting.id
    msg["X-RTM-Participant"] = recipient.id

    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    msg.add_alternative(
        ics.decode("utf-8"),
        subtype="calendar",
        charset="utf-8",
        cte="7bit" if ics.isascii() else "base64",
        params={"method": method},
    )
    msg.make_mixed()
    msg.add_attachment(
        ics, maintype="application", subtype="ics", filename="invite.ics", params={"method": method}
    )
    return msg
