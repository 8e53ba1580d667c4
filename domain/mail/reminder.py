"""Reminder messages: chasers, pre-meeting reminders, escalations, agenda deadlines.

One message per recipient from the `reminder-<kind>` templates, deterministic Message-ID
per reminder key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from domain.common.packing import PackedRows
from domain.directory.models import Frozen, Participant
from domain.invitations.batches import DeliverySummary
from domain.mail import views
from domain.mail.builder import Mail, MailIdentity, build, message_id
from domain.mail.render import render
from domain.meeting.definition import MeetingDefinition
from domain.outbox.deferral import MailBatch
from domain.registration.answers import Attendance
from domain.reminders.planning import ReminderKind


class ReminderItem(Frozen):
    key: str
    kind: ReminderKind
    days_before: int
    recipient: Participant
    attendance: Attendance | None = None
    countries: list[str] = Field(default_factory=list, description="escalation: without NFP")
    links: dict[Attendance, str] = Field(default_factory=dict, description="chaser: RSVP links")


class ReminderBatch(MailBatch):
    meeting: MeetingDefinition
    sequence: int
    items: PackedRows[ReminderItem]  # stays in the history: 10,000 reminders were 5 MB in one run

    def job_keys(self) -> list[str]:
        return [i.key for i in self.items]

    def only(self, key: str) -> ReminderBatch:
        one = [i for i in self.items if i.key == key]
        return self.model_copy(update={"items": one, "alone": True})

    def addressees(self) -> dict[str, Participant]:
        return {i.key: i.recipient for i in self.items}

    def mail_kind(self) -> str:
        return "reminder"


class ReminderResult(DeliverySummary):
    """What a reminder batch's send activity answers."""


def reminder_message_id(
    meeting: MeetingDefinition, key: str, identity: MailIdentity | None = None
) -> str:
    return message_id(meeting.organiser.email, meeting.id, key, identity=identity)


def reminder_mail(
    meeting: MeetingDefinition,
    item: ReminderItem,
    stamp: datetime,
    scheduled: str | None = None,
    identity: MailIdentity | None = None,
) -> Mail:
    """The reminder for one recipient, with its deterministic Message-ID."""
    r = item.recipient

    def context(lang: str) -> dict[str, Any]:
        return {
            "recipient": views.reader(r),
            "organiser": views.organiser(meeting, lang),
            "meeting": views.meeting_view(meeting, lang),
            "when": views.when(meeting, r.zone),
            "deadline": views.deadline(meeting, r.zone),
            "answers": views.answers(item.links, lang),
            "days": item.days_before,
            "attend_online": item.attendance is Attendance.ONLINE and bool(meeting.join_link),
            "join_link": meeting.join_link,
            "countries": item.countries,
            "agenda_deadline": meeting.agenda_deadline_local(),
        }

    rendered = render(f"reminder-{item.kind.value}", views.languages(r, meeting), context)
    headers = {
        "X-RTM-Meeting": meeting.id,
        "X-RTM-Reminder": item.kind.value,
        "X-RTM-Reminder-Key": item.key,
    }
    if scheduled is not None:
        headers["X-RTM-Scheduled"] = scheduled
    return build(
        sender=(meeting.organiser.name, meeting.organiser.email),
        recipient=(r.name, r.email),
        content=rendered,
        stamp=stamp,
        mid=reminder_message_id(meeting, item.key, identity),
        headers=headers,
    )
