"""The invitation sender: one SMTP connection per batch, a durable record per message.

Retries are safe: each message is recorded in the invitation table right after the
server answered, and a retried batch skips what is recorded. A kill can therefore
duplicate at most the one message in flight on each open connection, and the copy
carries the same Message-ID.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import aiosmtplib
from temporalio import activity

from activities.config import Settings
from activities.store import Store
from domain.common.contracts import SEND_INVITATIONS, SEND_NOTICES, SEND_REMINDERS
from domain.common.links import join_link, rsvp_links
from domain.directory.models import Participant
from domain.invitations.batches import (
    BatchResult,
    DeliveryResult,
    InvitationBatch,
    InvitationStatus,
)
from domain.mail.builder import Mail
from domain.mail.invitation import invitation_mail
from domain.mail.notices import NoticeBatch, NoticeResult, notice_mail
from domain.mail.reminder import ReminderBatch, ReminderItem, ReminderResult, reminder_mail
from domain.registration.answers import Attendance
from domain.reminders.planning import ReminderKind


def _permanent(exc: Exception) -> str | None:
    """The SMTP reply text when `exc` is a permanent (5xx) refusal, else None (retry)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        if codes and all(code >= 500 for code in codes):
            return "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
        return None
    if isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code >= 500:
        return f"{exc.code} {exc.message}"
    return None


HEARTBEAT_EVERY = 1.0  # seconds; the heartbeat timeout is 10 s


@dataclass(frozen=True)
class MailJob:
    """One message to send: its outbox key, recipient, and how to build it at send time."""

    key: str
    recipient: Participant
    build: Callable[[datetime], Mail]


class MailActivities:
    """Sends invitations through the configured SMTP relay and records each outcome."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._key = settings.link_key()

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username or None,
            password=s.smtp_password or None,
            start_tls=s.smtp_starttls,
            use_tls=False,
            timeout=s.smtp_timeout,
        )

    def _links(
        self, batch: InvitationBatch, recipient: Participant
    ) -> dict[Attendance, str] | None:
        if batch.method != "REQUEST":
            return None
        return rsvp_links(self._key, self.settings.public_url, batch.meeting, recipient.id)

    @activity.defn(name=SEND_INVITATIONS)
    async def send_invitations(self, batch: InvitationBatch) -> BatchResult:
        """Send every not-yet-recorded invitation of `batch` over one SMTP connection."""
        meeting, sequence = batch.meeting, batch.sequence
        done = self.store.deliveries(meeting.id, sequence)

        def build(recipient: Participant) -> Callable[[datetime], Mail]:
            links = self._links(batch, recipient)
            join = join_link(self._key, self.settings.public_url, meeting, recipient.id)
            return lambda now: invitation_mail(batch, recipient, now, links, join)

        jobs = [
            MailJob(key=p.id, recipient=p, build=build(p))
            for p in batch.recipients
            if p.id not in done
        ]

        def record(job: MailJob, result: DeliveryResult) -> None:
            self.store.record_delivery(meeting.id, sequence, job.recipient.email, result)

        done |= await self.deliver(jobs, record)
        return BatchResult(results=[done[p.id] for p in batch.recipients])

    @activity.defn(name=SEND_REMINDERS)
    async def send_reminders(self, batch: ReminderBatch) -> ReminderResult:
        """Send every not-yet-recorded reminder of `batch` over one SMTP connection."""
        meeting = batch.meeting
        done = self.store.outbox(meeting.id, [item.key for item in batch.items])
        scheduled = activity.info().scheduled_time

        def build(item: ReminderItem) -> Callable[[datetime], Mail]:
            if item.kind is ReminderKind.CHASER and not item.links:
                item = item.model_copy(
                    update={
                        "links": rsvp_links(
                            self._key, self.settings.public_url, meeting, item.recipient.id
                        )
                    }
                )

            at = scheduled.astimezone(UTC).isoformat()
            return lambda now: reminder_mail(meeting, item, now, at)

        jobs = [
            MailJob(key=i.key, recipient=i.recipient, build=build(i))
            for i in batch.items
            if i.key not in done
        ]

        def record(job: MailJob, result: DeliveryResult) -> None:
            self.store.record_outbox(meeting.id, job.key, job.recipient.email, "reminder", result)

        done |= await self.deliver(jobs, record)
        return ReminderResult(results={i.key: done[i.key] for i in batch.items})

    @activity.defn(name=SEND_NOTICES)
    async def send_notices(self, batch: NoticeBatch) -> NoticeResult:
        """Send one notice (e.g. the agenda) to each recipient not yet recorded."""
        keys = {p.id: f"{batch.key}:{p.id}" for p in batch.recipients}
        done = self.store.outbox(batch.meeting.id, list(keys.values()))

        def build(recipient: Participant) -> Callable[[datetime], Mail]:
            return lambda now: notice_mail(batch, recipient, now)

        jobs = [
            MailJob(key=keys[p.id], recipient=p, build=build(p))
            for p in batch.recipients
            if keys[p.id] not in done
        ]

        def record(job: MailJob, result: DeliveryResult) -> None:
            self.store.record_outbox(
                batch.meeting.id, job.key, job.recipient.email, batch.kind, result
            )

        done |= await self.deliver(jobs, record)
        return NoticeResult(results={k: done[k] for k in keys.values()})

    async def deliver(
        self, jobs: list[MailJob], record: Callable[[MailJob, DeliveryResult], None]
    ) -> dict[str, DeliveryResult]:
        """Send each job over one connection, recording each outcome before the next send.

        4xx replies and dropped connections raise (the activity retries and skips what is
        recorded); 5xx refusals are recorded as failed and the rest go on.
        """
        results: dict[str, DeliveryResult] = {}
        if not jobs:
            return results
        smtp = self._client()
        await smtp.connect()
        next_beat = time.monotonic()
        try:
            for job in jobs:
                now = datetime.now(UTC)
                mail = job.build(now)
                message_id = mail.message_id
                try:
                    await smtp.sendmail(mail.sender, [mail.recipient], mail.data)
                    result = DeliveryResult(
                        participant_id=job.recipient.id,
                        status=InvitationStatus.SENT,
                        message_id=message_id,
                        at=now,
                    )
                except aiosmtplib.SMTPException as exc:
                    reason = _permanent(exc)
                    if reason is None:
                        raise  # 4xx or a dropped connection: the activity retries
                    result = DeliveryResult(
                        participant_id=job.recipient.id,
                        status=InvitationStatus.FAILED,
                        message_id=message_id,
                        error=reason,
                        at=now,
                    )
                await asyncio.to_thread(record, job, result)  # commits off the event loop
                results[job.key] = result
                if time.monotonic() >= next_beat:  # a heartbeat costs more than a message
                    activity.heartbeat(len(results))
                    next_beat = time.monotonic() + HEARTBEAT_EVERY
        finally:
            if smtp.is_connected:
                try:
                    await smtp.quit()
                except aiosmtplib.SMTPException:
                    smtp.close()
        return results
