"""The invitation, its update and its cancellation: one message per recipient.

The text and HTML come from the `invitation-request|update|cancel` templates, the calendar
from `domain.invitations.calendar`, the bytes from the one mail builder. An update names
what changed against the previous definition; a cancellation carries the reason given.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from domain.directory.models import Participant
from domain.invitations.batches import InvitationBatch, message_id
from domain.invitations.calendar import CalendarParts, description, invitation_ics, location
from domain.mail import views
from domain.mail.builder import Calendar, Mail, MailIdentity, build
from domain.mail.headers import refuse_controls
from domain.mail.render import MARK, Rendered, fill, fill_text, render, slot
from domain.mail.views import online
from domain.meeting.changes import CancelCommand
from domain.meeting.definition import MeetingDefinition, localized
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


def _context(
    batch: InvitationBatch,
    recipient: Participant,
    links: dict[Attendance, str] | None,
    join_url: str | None,
) -> Callable[[str], dict[str, Any]]:
    """The templates' values for `recipient`, by language."""
    meeting = batch.meeting
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

    return context


def _checked_links(
    batch: InvitationBatch, links: dict[Attendance, str] | None, join_url: str | None
) -> dict[Attendance, str] | None:
    """The answer links a message carries (none on a cancellation), each refused if it
    holds a control character."""
    if batch.method == "CANCEL":
        links = None
    for label, value in (("join_url", join_url), *(links or {}).items()):
        if value is not None:
            refuse_controls(f"link {label}", value)
    return links


def invitation_content(
    batch: InvitationBatch,
    recipient: Participant,
    stamp: datetime,
    links: dict[Attendance, str] | None = None,
    join_url: str | None = None,
) -> tuple[Rendered, bytes]:
    """Subject, text, HTML and calendar of one recipient's message (see `invitation_mail`)."""
    meeting, method, sequence = batch.meeting, batch.method, batch.sequence
    links = _checked_links(batch, links, join_url)
    langs = views.languages(recipient, meeting)
    rendered = render(_kind(method, sequence), langs, _context(batch, recipient, links, join_url))
    ics = invitation_ics(meeting, recipient, sequence, stamp, method, join_url, langs[0])
    return rendered, ics


def _mail(
    batch: InvitationBatch,
    recipient: Participant,
    stamp: datetime,
    content: tuple[Rendered, bytes],
    identity: MailIdentity | None,
) -> Mail:
    meeting = batch.meeting
    rendered, ics = content
    return build(
        sender=(meeting.organiser.name, meeting.organiser.email),
        recipient=(recipient.name, recipient.email),
        content=rendered,
        stamp=stamp,
        mid=message_id(meeting, batch.sequence, recipient.id, identity),
        headers={"X-RTM-Meeting": meeting.id, "X-RTM-Participant": recipient.id},
        calendar=Calendar(ics=ics, method=batch.method),
    )


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
    content = invitation_content(batch, recipient, stamp, links, join_url)
    return _mail(batch, recipient, stamp, content, identity)


class InvitationRenderer:
    """The invitations of one batch, the same bytes as `invitation_mail`, faster: what every
    recipient shares is rendered once per language and time zone, with placeholders where
    the name and the personal links go, and each message fills them in (as written, or
    HTML-escaped as the templates' autoescape writes them). Why: rendering was most of a
    send's CPU, and a batch is hundreds of messages differing only in those values."""

    def __init__(
        self, batch: InvitationBatch, identity: MailIdentity | None = None, shape: str = ""
    ) -> None:
        self.batch = batch.model_copy(update={"recipients": []})
        self.identity = identity
        self.shape = shape or self.shape_of(batch)
        self._kind = _kind(batch.method, batch.sequence)
        # text that already holds the placeholders' mark would be filled in wrongly
        self._shareable = MARK not in self.shape
        self._texts: dict[tuple[Any, ...], Rendered] = {}
        self._calendars: dict[tuple[str, bool], tuple[CalendarParts, str | None]] = {}

    @staticmethod
    def shape_of(batch: InvitationBatch) -> str:
        """Everything of `batch` its messages depend on but the recipients: batches of the
        same shape can share one renderer."""
        return batch.model_dump_json(exclude={"recipients"})

    def mail(
        self,
        recipient: Participant,
        stamp: datetime,
        links: dict[Attendance, str] | None = None,
        join_url: str | None = None,
    ) -> Mail:
        """`invitation_mail(batch, recipient, stamp, links, join_url, identity)`."""
        content = self.content(recipient, stamp, links, join_url)
        return _mail(self.batch, recipient, stamp, content, self.identity)

    def content(
        self,
        recipient: Participant,
        stamp: datetime,
        links: dict[Attendance, str] | None = None,
        join_url: str | None = None,
    ) -> tuple[Rendered, bytes]:
        """`invitation_content(batch, recipient, stamp, links, join_url)`."""
        batch = self.batch
        links = _checked_links(batch, links, join_url)
        join = join_url or None  # an empty link is no link (the meeting's own is shown)
        values = {"name": recipient.name, "join": join or ""}
        values |= {f"answer-{c.value}": url for c, url in (links or {}).items()}
        if not self._shareable or any(MARK in v for v in values.values()):
            return invitation_content(batch, recipient, stamp, links, join_url)
        langs = views.languages(recipient, batch.meeting)
        answers = None if links is None else tuple(links)
        key = (tuple(langs), recipient.zone, join is not None, answers)
        shared = self._texts.get(key)
        if shared is None:
            shared = self._texts[key] = self._shared(recipient, langs, join is not None, answers)
        parts, description = self._calendar(langs[0], join is not None)
        text = None if description is None else fill_text(description, values)
        ics = parts.ics(recipient, stamp, join_url, text)
        return fill(shared, values), ics

    def _shared(
        self,
        recipient: Participant,
        langs: list[str],
        join: bool,
        answers: tuple[Attendance, ...] | None,
    ) -> Rendered:
        """The texts of `recipient`'s kind of message, placeholders for their own values."""
        reader = recipient.model_copy(update={"name": slot("name")})
        links = None if answers is None else {c: slot(f"answer-{c.value}") for c in answers}
        context = _context(self.batch, reader, links, slot("join") if join else None)
        return render(self._kind, langs, context)

    def _calendar(self, lang: str, join: bool) -> tuple[CalendarParts, str | None]:
        """The calendar's shared lines in `lang`, and the DESCRIPTION with a placeholder
        for a personal join link (None: no personal link in it)."""
        found = self._calendars.get((lang, join))
        if found is None:
            meeting, batch = self.batch.meeting, self.batch
            # a personal link shows in URL and DESCRIPTION, and in LOCATION where there is
            # no venue: only online meetings have none (MeetingDefinition requires it)
            personal = join and online(meeting)
            parts = CalendarParts(meeting, batch.sequence, batch.method, lang, personal)
            words = localized(meeting, lang)
            text = description(words, slot("join"), lang) if personal else None
            found = self._calendars[(lang, join)] = (parts, text)
        return found
