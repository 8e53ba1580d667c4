"""The invitation email: one message per recipient, in the MIME shape calendar clients expect.

multipart/mixed [ multipart/alternative [ text/plain, text/html, text/calendar; method=X ],
invite.ics ]. Built with policy=SMTP so a CR/LF smuggled into a header raises.
"""

from __future__ import annotations

import html
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from domain.directory.models import Participant
from domain.invitations.batches import message_id
from domain.invitations.calendar import invitation_ics, location
from domain.meeting.definition import MeetingDefinition, MeetingFormat, to_utc
from domain.registration.answers import Attendance


def span(meeting: MeetingDefinition, zone: str) -> str:
    start = to_utc(meeting.start, meeting.zone).astimezone(ZoneInfo(zone))
    end = to_utc(meeting.end, meeting.zone).astimezone(ZoneInfo(zone))
    if start.date() == end.date():
        return f"{start:%a %d %b %Y, %H:%M}-{end:%H:%M} ({zone})"
    return f"{start:%a %d %b %Y %H:%M} - {end:%a %d %b %Y %H:%M} ({zone})"


def subject(meeting: MeetingDefinition, cancelled: bool = False, updated: bool = False) -> str:
    prefix = "Cancelled" if cancelled else ("Updated invitation" if updated else "Invitation")
    where = meeting.venue.city if meeting.venue else "online"
    return f"{prefix}: {meeting.title} ({where}, {meeting.start:%d %b %Y})"


CHOICE_TEXT = {
    Attendance.IN_PERSON: "I will attend in person",
    Attendance.ONLINE: "I will attend online",
    Attendance.TENTATIVE: "I might attend (tentative)",
    Attendance.DECLINE: "I cannot attend",
}


def body_lines(
    meeting: MeetingDefinition,
    recipient: Participant,
    method: str = "REQUEST",
    updated: bool = False,
    links: dict[Attendance, str] | None = None,
    join_url: str | None = None,
) -> list[str]:
    """Plain-text lines of the message; shared by the text and HTML parts."""
    if method == "CANCEL":
        return [
            f"Dear {recipient.name},",
            "",
            f"The {meeting.title}, planned for {span(meeting, meeting.zone)}, is cancelled.",
            "",
            meeting.organiser.name,
        ]
    intro = (
        f"The {meeting.title} has changed; this is the updated invitation."
        if updated
        else f"You are invited to the {meeting.title}."
    )
    lines = [f"Dear {recipient.name},", "", intro]
    if meeting.join_link and meeting.format is not MeetingFormat.IN_PERSON:
        lines += ["", f"Join online: {join_url or meeting.join_link}"]
    lines += ["", f"When (venue time): {span(meeting, meeting.zone)}"]
    if recipient.zone != meeting.zone:
        lines.append(f"When (your time):  {span(meeting, recipient.zone)}")
    loc = location(meeting)
    if meeting.venue is not None and loc:
        lines.append(f"Where: {loc}")
    lines.append(f"Format: {meeting.format.value.replace('_', ' ')}")
    lines += ["", f"Please answer by {meeting.registration_deadline_text()}:"]
    if links:
        lines += [f"  {CHOICE_TEXT[choice]}: {url}" for choice, url in links.items()]
        lines.append("or use your calendar's Accept / Decline buttons.")
    else:
        lines.append("use your calendar's Accept / Decline buttons.")
    lines += ["", meeting.organiser.name]
    return lines


def html_line(line: str) -> str:
    """One paragraph; a trailing http(s) link becomes a clickable anchor."""
    head, sep, url = line.rpartition(": ")
    if sep and url.startswith(("https://", "http://")):
        href = html.escape(url, quote=True)
        return f'<p>{html.escape(head)}: <a href="{href}">{html.escape(url)}</a></p>'
    return f"<p>{html.escape(line)}</p>"


def html_body(lines: list[str]) -> str:
    """The HTML alternative of a plain-text body."""
    body = "".join(html_line(line) for line in lines if line)
    return f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'


def invitation_message(
    meeting: MeetingDefinition,
    recipient: Participant,
    sequence: int,
    stamp: datetime,
    method: str = "REQUEST",
    links: dict[Attendance, str] | None = None,
    join_url: str | None = None,
) -> EmailMessage:
    """The complete message for one recipient, with its deterministic Message-ID.

    `join_url` is the recipient's personal join link (it records the join, then redirects).
    """
    ics = invitation_ics(meeting, recipient, sequence, stamp, method, join_url)
    lines = body_lines(meeting, recipient, method, sequence > 0, links, join_url)

    msg = EmailMessage(policy=SMTP)
    msg["From"] = Address(meeting.organiser.name, addr_spec=meeting.organiser.email)
    msg["To"] = Address(recipient.name, addr_spec=recipient.email)
    msg["Subject"] = subject(meeting, cancelled=method == "CANCEL", updated=sequence > 0)
    msg["Date"] = format_datetime(stamp)
    msg["Message-ID"] = message_id(meeting, sequence, recipient.id)
    msg["X-RTM-Meeting"] = meeting.id
    msg["X-RTM-Participant"] = recipient.id

    msg.set_content("\n".join(lines), subtype="plain", charset="utf-8")
    msg.add_alternative(html_body(lines), subtype="html", charset="utf-8")
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
