"""The mail activities of a meeting: invitations, reminders and notices.

Each builds its messages (`domain.mail`) and hands them to the one send skeleton
(`activities.mail.delivery`), which owns the connection, the failure rules and the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from temporalio import activity
from temporalio.client import Client

from activities.config import Settings
from activities.mail.delivery import Delivery, MailJob, Progress
from activities.mail.languages import in_current_languages
from activities.store import Store
from domain.common.contracts import SEND_INVITATIONS, SEND_NOTICES, SEND_REMINDERS
from domain.common.links import join_link, rsvp_links
from domain.directory.models import Participant
from domain.invitations.batches import BatchResult, DeliveryResult, InvitationBatch
from domain.mail.builder import Mail
from domain.mail.invitation import InvitationRenderer
from domain.mail.notices import NoticeBatch, NoticeResult, notice_mail
from domain.mail.reminder import ReminderBatch, ReminderItem, ReminderResult, reminder_mail
from domain.outbox.delivery import DELIVERY_PROGRESS, DeliveryProgress
from domain.registration.answers import Attendance
from domain.reminders.planning import ReminderKind

RENDERERS_KEPT = 8  # fan-outs whose shared texts stay rendered (a few meetings at a time)


class MailActivities:
    """Sends a meeting's mail through the configured SMTP relay and records each outcome."""

    def __init__(self, store: Store, settings: Settings, client: Client | None = None) -> None:
        self.settings = settings
        self.delivery = Delivery(store, settings.smtp(), settings.db_timeout)
        self._client = client
        self._key = settings.link_key()
        self._identity = settings.mail_identity()
        self._renderers: dict[str, InvitationRenderer] = {}

    async def _current(self, people: list[Participant]) -> list[Participant]:
        """`people` in the languages the directory gives them now."""
        d = self.delivery
        return await in_current_languages(d.store, d.executor, d.timeout, people)

    def _links(
        self, batch: InvitationBatch, recipient: Participant
    ) -> dict[Attendance, str] | None:
        if batch.method != "REQUEST":
            return None
        return rsvp_links(self._key, self.settings.public_url, batch.meeting, recipient.id)

    def _renderer(self, batch: InvitationBatch) -> InvitationRenderer:
        """The renderer of `batch`'s shape: the batches of one fan-out share what their
        messages have in common (rendered once per language and zone, not once a batch)."""
        shape = InvitationRenderer.shape_of(batch)
        found = self._renderers.pop(shape, None) or InvitationRenderer(batch, self._identity, shape)
        self._renderers[shape] = found  # the most recent last; the oldest go first
        while len(self._renderers) > RENDERERS_KEPT:
            del self._renderers[next(iter(self._renderers))]
        return found

    def _progress(self, sequence: int) -> Progress | None:
        """Signals the meeting what this batch has done so far (its status stays current)."""
        if self._client is None:
            return None
        handle = self._client.get_workflow_handle(activity.info().workflow_id or "")

        async def report(results: dict[str, DeliveryResult]) -> None:
            progress = DeliveryProgress(sequence=sequence, results=list(results.values()))
            await handle.signal(DELIVERY_PROGRESS, progress)

        return report

    @activity.defn(name=SEND_INVITATIONS)
    async def send_invitations(self, batch: InvitationBatch) -> BatchResult:
        """Send every not-yet-sent invitation of `batch` over one SMTP connection."""
        meeting, sequence = batch.meeting, batch.sequence
        renderer = self._renderer(batch)

        def build(recipient: Participant) -> Callable[[datetime], Mail]:
            links = self._links(batch, recipient)
            join = join_link(self._key, self.settings.public_url, meeting, recipient.id)
            return lambda now: renderer.mail(recipient, now, links, join)

        jobs = [
            MailJob(
                key=batch.job_key(p.id),
                kind="invitation",
                recipient=p,
                build=build(p),
                sequence=sequence,
            )
            for p in await self._current(batch.recipients)
        ]
        done = await self.delivery.deliver(
            meeting.id, jobs, alone=batch.alone, progress=self._progress(sequence)
        )
        return BatchResult(results=[done[j.key] for j in jobs])

    @activity.defn(name=SEND_REMINDERS)
    async def send_reminders(self, batch: ReminderBatch) -> ReminderResult:
        """Send every not-yet-sent reminder of `batch` over one SMTP connection."""
        meeting = batch.meeting
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
            return lambda now: reminder_mail(meeting, item, now, at, self._identity)

        people = await self._current([i.recipient for i in batch.items])
        items = [
            i.model_copy(update={"recipient": p}) if p is not i.recipient else i
            for i, p in zip(batch.items, people, strict=True)
        ]
        jobs = [
            MailJob(key=i.key, kind="reminder", recipient=i.recipient, build=build(i))
            for i in items
        ]
        return ReminderResult.of(await self.delivery.deliver(meeting.id, jobs, alone=batch.alone))

    @activity.defn(name=SEND_NOTICES)
    async def send_notices(self, batch: NoticeBatch) -> NoticeResult:
        """Send one notice (e.g. the agenda) to each recipient not yet sent."""

        def build(recipient: Participant) -> Callable[[datetime], Mail]:
            return lambda now: notice_mail(batch, recipient, now, self._identity)

        jobs = [
            MailJob(key=batch.job_key(p.id), kind=batch.kind, recipient=p, build=build(p))
            for p in await self._current(batch.recipients)
        ]
        results = await self.delivery.deliver(batch.meeting.id, jobs, alone=batch.alone)
        return NoticeResult.of(results)
