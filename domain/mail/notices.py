"""Notices: one message to many recipients (the agenda and its updates, the minutes and
their actions, the cycle's request to schedule), from the `<kind>` templates.

The workflow says what the notice is about (the agenda, the minutes); the send activity
writes it to each recipient in their language, so the history carries the facts once per
batch and no text at all. `subject` and `lines` are what older workflows decided; such a
notice is still sent as it was written.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import Field

from domain.agenda.view import AgendaView
from domain.common.base import Text
from domain.directory.models import Participant
from domain.followup.actions import ActionItem
from domain.invitations.batches import DeliverySummary
from domain.mail import views
from domain.mail.builder import Mail, MailIdentity, build, message_id
from domain.mail.render import render
from domain.meeting.definition import MeetingDefinition
from domain.outbox.deferral import ToRecipients
from domain.outbox.delivery import FailedMessage

TEMPLATES = {
    "agenda": "agenda",
    "minutes": "minutes",
    "cycle": "cycle-schedule",
    "delivery-failed": "delivery-failed",
}


class NoticeBatch(ToRecipients):
    meeting: MeetingDefinition
    kind: str = Field(pattern=r"^[a-z][a-z-]{0,30}$")
    key: str = Field(description="unique per notice; with the participant id, the outbox key")
    agenda: AgendaView | None = Field(default=None, description="agenda: what is published")
    updated: bool = Field(default=False, description="agenda: an update of a published one")
    minutes: str | None = Field(default=None, description="minutes: the markdown as written")
    actions: list[ActionItem] = Field(default_factory=list, description="minutes: the actions")
    subject: Text | None = Field(default=None, description="legacy: text of older workflows")
    lines: list[str] = Field(default_factory=list, description="legacy: text of older workflows")
    failed: list[FailedMessage] = Field(
        default_factory=list, description="delivery-failed: the messages that will not go out"
    )

    def job_key(self, participant_id: str) -> str:
        return f"{self.key}:{participant_id}"

    def mail_kind(self) -> str:
        return self.kind


class NoticeResult(DeliverySummary):
    """What a notice's send activity answers."""


def notice_message_id(
    meeting: MeetingDefinition,
    key: str,
    participant_id: str,
    identity: MailIdentity | None = None,
) -> str:
    return message_id(meeting.organiser.email, meeting.id, key, participant_id, identity=identity)


def agenda_days(agenda: AgendaView) -> list[dict[str, Any]]:
    """The timetable day by day, each slot with its item's title, presenter and details."""
    by_id = {i.id: i for i in agenda.items}
    days: list[dict[str, Any]] = []
    for slot in agenda.slots:
        if not days or days[-1]["day"] != slot.day:
            days.append({"day": slot.day, "slots": []})
        item = by_id[slot.item_id]
        days[-1]["slots"].append(
            {
                "start": slot.start,
                "end": slot.end,
                "title": item.title,
                "presenter": item.presenter,
                "details": item.details,
            }
        )
    return days


def schedule_example(meeting: MeetingDefinition) -> str:
    """The `rtm meeting schedule` line the secretariat can start from: the provisional dates
    and the region's zone the cycle planned with."""
    end = meeting.end if meeting.end > meeting.start else meeting.start + timedelta(days=1)
    return (
        f"rtm meeting schedule {meeting.id} --start {meeting.start:%Y-%m-%dT%H:%M} "
        f"--end {end:%Y-%m-%dT%H:%M} --zone {meeting.zone} --format hybrid "
        "--venue-name ... --venue-city ... --venue-country ... --join-link https://..."
    )


def _kind(batch: NoticeBatch) -> str:
    if batch.subject is not None or batch.kind not in TEMPLATES:
        return "notice-legacy"
    return TEMPLATES[batch.kind]


def notice_mail(
    batch: NoticeBatch,
    recipient: Participant,
    stamp: datetime,
    identity: MailIdentity | None = None,
) -> Mail:
    meeting = batch.meeting

    def context(lang: str) -> dict[str, Any]:
        return {
            "recipient": views.reader(recipient),
            "organiser": views.organiser(meeting, lang),
            "meeting": views.meeting_view(meeting, lang),
            "days": agenda_days(batch.agenda) if batch.agenda else [],
            "updated": batch.updated,
            "minutes": batch.minutes or "",
            "actions": [a.model_dump() for a in batch.actions],
            "command": schedule_example(meeting),
            "subject": batch.subject or "",
            "lines": batch.lines,
            "failed": [f.model_dump() for f in batch.failed],
            "resend": f"rtm meeting resend {meeting.id} --failed",
        }

    rendered = render(_kind(batch), views.languages(recipient, meeting), context)
    return build(
        sender=(meeting.organiser.name, meeting.organiser.email),
        recipient=(recipient.name, recipient.email),
        content=rendered,
        stamp=stamp,
        mid=notice_message_id(meeting, batch.key, recipient.id, identity),
        headers={"X-RTM-Meeting": meeting.id, "X-RTM-Notice": batch.kind},
    )
