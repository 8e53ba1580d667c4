"""The action-item workflow's side effects: its projection row and its chasing mail.

The mail goes through the same send skeleton and outbox as every other message
(activities.mail.delivery): each (action, moment, recipient) is recorded right after the server
answered, so a retried send skips what is recorded and keeps the Message-ID.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from temporalio import activity

from activities.config import Settings
from activities.mail.delivery import Delivery, MailJob
from activities.mail.languages import in_current_languages
from activities.store import Store
from domain.common.contracts import RECORD_ACTION, SEND_ACTION_MAIL
from domain.common.links import done_link
from domain.directory.models import Participant
from domain.followup.actions import ActionMail, ActionRecord, done_link_expiry
from domain.mail.action import action_mail_message
from domain.mail.builder import Mail
from domain.mail.notices import NoticeResult


class ActionActivities:
    """Records action projections and sends action reminders and escalations."""

    def __init__(self, store: Store, settings: Settings, delivery: Delivery | None = None) -> None:
        self.store = store
        self.settings = settings
        self._delivery = delivery or Delivery(store, settings.smtp(), settings.db_timeout)
        self._key = settings.link_key()
        self._identity = settings.mail_identity()

    @activity.defn(name=RECORD_ACTION)
    def record_action(self, record: ActionRecord) -> None:
        """The action's projection row (and the audit row of an event)."""
        self.store.record_action(record.item, record.event)

    @activity.defn(name=SEND_ACTION_MAIL)
    async def send_action_mail(self, mail: ActionMail) -> NoticeResult:
        """Send `mail` to each recipient not yet recorded in the outbox."""
        item = mail.item
        scheduled = activity.info().scheduled_time
        # signed per action, not per recipient: whoever of the owners follows it, it is done
        url = done_link(
            self._key,
            self.settings.public_url,
            item.meeting_id,
            item.id,
            done_link_expiry(item, mail.at),
        )

        at = scheduled.astimezone(UTC).isoformat()
        link = url if mail.kind == "action-reminder" else None

        def build(recipient: Participant) -> Callable[[datetime], Mail]:
            return lambda now: action_mail_message(mail, recipient, now, link, at, self._identity)

        d = self._delivery
        jobs = [
            MailJob(key=mail.job_key(p.id), kind=mail.kind, recipient=p, build=build(p))
            for p in await in_current_languages(self.store, d.executor, d.timeout, mail.recipients)
        ]
        results = await self._delivery.deliver(item.meeting_id, jobs, alone=mail.alone)
        return NoticeResult.of(results)
