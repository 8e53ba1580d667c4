"""Reminder messages: chasers, pre-meeting reminders, escalations, agenda deadlines.

Plain text and HTML, one message per recipient, deterministic Message-ID per reminder.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from pydantic import Field

from domain.directory.models import Frozen, Participant
from domain.invitations.batches import DeliveryResult
from domain.mail.invitation import CHOICE_TEXT, html_body, span
from domain.meeting.definition import MeetingDefinition
from domain.registration.answers import Attendance
from domain.reminders.planning import ReminderKind

_UNSAFE = re.compile(r"[^A-Za-z0-9.-]")


class ReminderItem(Frozen):
    key: str
    kind: ReminderKind
    days_before: int
    recipient: Participant
    attendance: Attendance | None = None
    countries: list[str] = Field(default_factory=list, description="escalation: without NFP")
    links: dict[Attendance, str] = Field(default_factory=dict, description="chaser: RSVP links")


class ReminderBatch(Frozen):
    meeting: MeetingDefinition
    sequence: int
    items: list[ReminderItem]


class ReminderResult(Frozen):
    results: dict[str, DeliveryResult] = Field(default_factory=dict)


def reminder_message_id(meeting: MeetingDefinition, key: str) -> str:
    domain = meeting.organiser.email.rpartition("@")[2]
    return f"<{_UNSAFE.sub('_', f'{meeting.id}.{key}')}@{domain}>"


def _subject(meeting: MeetingDefinition, item: ReminderItem) -> str:
    return {
        ReminderKind.CHASER: f"Reminder: please answer the invitation to the {meeting.title}",
        ReminderKind.PRE_MEETING: f"Reminder: the {meeting.title} starts in {item.days_before} "
        f"day{'s' if item.days_before != 1 else ''}",
        ReminderKind.ESCALATION: f"Escalation: countries without an accepted NFP for the "
        f"{meeting.title}",
        ReminderKind.AGENDA: f"Reminder: agenda proposals for the {meeting.title} are due",
    }[item.kind]


def _lines(meeting: MeetingDefinition, item: ReminderItem) -> list[str]:
    r = item.recipient
    when = [f"When (venue time): {span(meeting, meeting.zone)}"]
    if r.zone != meeting.zone:
        when.append(f"When (your time):  {span(meeting, r.zone)}")
    lines = [f"Dear {r.name},", ""]
    if item.kind is ReminderKind.CHASER:
        lines += [
            f"We have not yet received your answer to the invitation to the {meeting.title}.",
            "",
            *when,
            "",
            f"Please answer by {meeting.registration_deadline_text()}:",
        ]
        lines += [f"  {CHOICE_TEXT[c]}: {url}" for c, url in item.links.items()]
    elif item.kind is ReminderKind.PRE_MEETING:
        lines += [f"The {meeting.title} is coming up.", "", *when, ""]
        if item.attendance is Attendance.ONLINE and meeting.join_link:
            lines.append(f"You attend online. Join here: {meeting.join_link}")
        elif meeting.venue is not None:
            v = meeting.venue
            address = ", ".join(x for x in (v.name, v.address, v.city, v.country) if x)
            lines.append(f"You attend in person. Venue: {address}")
    elif item.kind is ReminderKind.ESCALATION:
        lines += [
            f"{len(item.countries)} invited countries have no NFP or deputy who accepted "
            f"the invitation to the {meeting.title}:",
            "",
        ]
        lines += [f"  {c}" for c in item.countries]
        lines += ["", *when]
    else:
        deadline = meeting.agenda_deadline_local()
        lines += [
            f"Agenda proposals for the {meeting.title} are due by "
            f"{deadline:%Y-%m-%d %H:%M} {meeting.zone}.",
            "",
            *when,
        ]
    lines += ["", meeting.organiser.name]
    return lines


def reminder_message(
    meeting: MeetingDefinition, item: ReminderItem, stamp: datetime
) -> EmailMessage:
    """The reminder for one recipient, with its deterministic Message-ID."""
    lines = _lines(meeting, item)
    msg = EmailMessage(policy=SMTP)
    msg["From"] = Address(meeting.organiser.name, addr_spec=meeting.organiser.email)
    msg["To"] = Address(item.recipient.name, addr_spec=item.recipient.email)
    msg["Subject"] = _subject(meeting, item)
    msg["Date"] = format_datetime(stamp)
    msg["Message-ID"] = reminder_message_id(meeting, item.key)
    msg["X-RTM-Meeting"] = meeting.id
    msg["X-RTM-Reminder"] = item.kind.value
    msg["X-RTM-Reminder-Key"] = item.key
    msg.set_content("\n".join(lines), subtype="plain", charset="utf-8")
    msg.add_alternative(html_body(lines), subtype="html", charset="utf-8")
    return msg
