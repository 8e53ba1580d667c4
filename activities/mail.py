"""The invitation sender: one SMTP connection per batch, a durable record per message.

Retries are safe: each message is recorded in the invitation table right after the
server answered, and a retried batch skips what is recorded. A kill can therefore
duplicate at most the one message in flight on each open connection, and the copy
carries the same Message-ID.
"""

from __future__ import annotations

from datetime import UTC, datetime

import aiosmtplib
from temporalio import activity

from activities.config import Settings
from activities.db import Store
from domain.answers import Attendance
from domain.contracts import SEND_INVITATIONS
from domain.directory import Participant
from domain.invitation_mail import invitation_message
from domain.invitations import BatchResult, DeliveryResult, InvitationBatch, InvitationStatus
from domain.links import rsvp_links


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
        todo = [p for p in batch.recipients if p.id not in done]
        if todo:
            smtp = self._client()
            await smtp.connect()
            try:
                for recipient in todo:
                    now = datetime.now(UTC)
                    message = invitation_message(
                        meeting,
                        recipient,
                        sequence,
                        now,
                        batch.method,
                        self._links(batch, recipient),
                    )
                    message_id = str(message["Message-ID"])
                    try:
                        await smtp.send_message(message)
                        result = DeliveryResult(
                            participant_id=recipient.id,
                            status=InvitationStatus.SENT,
                            message_id=message_id,
                            at=now,
                        )
                    except aiosmtplib.SMTPException as exc:
                        reason = _permanent(exc)
                        if reason is None:
                            raise  # 4xx or a dropped connection: the activity retries
                        result = DeliveryResult(
                            participant_id=recipient.id,
                            status=InvitationStatus.FAILED,
                            message_id=message_id,
                            error=reason,
                            at=now,
                        )
                    self.store.record_delivery(meeting.id, sequence, recipient.email, result)
                    done[recipient.id] = result
                    activity.heartbeat(len(done))
            finally:
                if smtp.is_connected:
                    try:
                        await smtp.quit()
                    except aiosmtplib.SMTPException:
                        smtp.close()
        return BatchResult(results=[done[p.id] for p in batch.recipients])
