"""The invitation, its update and its cancellation: one message per recipient.

The text and HTML come from the `invitation-request|update|cancel` templates, the calendar
from `domain.invitations.calendar`, the bytes from the one mail builder. An update names
what changed against the previous definition; a cancellation carries the reason given.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.directory.models import Participant
from domain.invitations.batches import InvitationBatch, message_id
from domain.invitations.calendar import invitation_ics, location
from domain.mail import views
from domain.mail.builder import Calendar, Mail, MailIdentity, build
from domain.mail.headers import refuse_controls
from domain.mail.render import Rendered, render
from domain.meeting.changes import CancelCommand
from domain.meeting.definition import MeetingDefinition
from domain.registration.answers import Attendance

_DEFAULT_REASON = CancelCommand.model_fields["reason"].default


def changes(previous: MeetingDefinition | None, meeting: MeetingDefinition) -> dict[str, Any]:
    """What an update changed: the old dates, venue and format where they differ."""
    if previous is None:
        return {}
    found: dict[str, Any] = {
        "when": None,
        "where": None,
        "format": None,
        "join": views.online(meeting) and previous.join_link != meeting.join_link,
    }
    if (previous.start, previous.end, previous.zone) != (meeting.start, meeting.end, meeting.zone):
        found["when"] = views.span(previous, previous.zone)
    if previous.venue is not None and location(previous) != location(meeting):
        found["where"] = location(previous)
    if previous.format != meeting.format:
        found["format"] = previous.format.value
    return found if any(found.values()) else {}


def _kind(method: str, sequence: int) -> str:
    if method == "CANCEL":
        return "invitation-cancel"
    return "invitation-update" if sequence > 0 else "invitation-request"


def invitation_content(
    batch: InvitationBatch,
    recipient: Participant,
    stamp: datetime,
    links: dict[Attendance, str] | None = None,
    join_url: str | None = None,
) -> tuple[Rendered, bytes]:
    """Subject, text, HTML and calendar of one recipient's message (see `invitation_mail`)."""
    meeting, method, sequence = batch.meeting, batch.method, batch.sequence
    if method == "CANCEL":
        links = None
    for label, value in (("join_url", join_url), *(links or {}).items()):
        if value is not None:
            refuse_controls(f"link {label}", value)
    langs = views.languages(recipient, meeting)
    reason = batch.reason if batch.reason != _DEFAULT_REASON else None
    changed = changes(batch.previous, meeting)

    def context(lang: str) -> dict[str, Any]:
        return {
            "recipient": views.reader(recipient),
            "organiser": views.organiser(meeting, lang),
            "host": meeting.host_name,
            "meeting": views.meeting_view(meeting, lang, join_url),
            "when": views.when(meeting, recipient.zone),
            "deadline": views.deadline(meeting, recipient.zone),
            "answers": views.answers(links, lang),
            "changes": changed,
            "reason": reason,
        }

    rendered = render(_kind(method, sequence), langs, context)
    ics = invitation_ics(meeting, recipient, sequence, stamp, method, join_url, langs[0])
    return rendered, ics


def invitation_mail(
    batch: InvitationBatch,
    recipient: Participant,
    stamp: datetime,
    links: dict[Attendance, str] | None = None,
    join_url: str | None = None,
    identity: MailIdentity | None = None,
) -> Mail:
    """The complete message for one recipient of `batch`, with its deterministic Message-ID.

    `links` are the recipient's signed answer links (none on a cancellation); `join_url` is
    their personal join link (it records the join, then redirects).
    """
    meeting = batch.meeting
    rendered, ics = invitation_content(batch, recipient, stamp, links, join_url)
    return build(
        sender=(meeting.organiser.name, meeting.organiser.email),
        recipient=(recipient.name, recipient.email),
        subject=rendered.subject,
        stamp=stamp,
        mid=message_id(meeting, batch.sequence, recipient.id, identity),
        text=rendered.text,
        html=rendered.html,
        headers={"X-RTM-Meeting": meeting.id, "X-RTM-Participant": recipient.id},
        calendar=Calendar(ics=ics, method=batch.method),
    )
