"""The one send skeleton every kind of mail goes through.

One SMTP connection per batch. What the batch has sent is remembered three ways: in memory,
in the activity's heartbeat details (a retry of the same activity finds it there, with or
without the database) and in the outbox table once the database answers. Failures are
classified (`activities.mail.smtp.classify`): a refusal of one message never stops the rest;
a 4xx for one address leaves that message pending with the server's words (the workflow
retries it on its own); a connection that cannot be opened or authenticated raises for a
Temporal retry until `domain.outbox.delivery.gives_up` says to stop, and then every message
left is `failed` with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import aiosmtplib
from pydantic import TypeAdapter, ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from activities.mail.smtp import (
    SmtpConfig,
    SmtpFailure,
    classify,
    close_smtp,
    open_smtp,
    transmit,
)
from activities.mail.writer import OutboxWriter, Slot
from activities.store import Store
from domain.directory.models import Participant
from domain.invitations.batches import DeliveryResult, InvitationStatus
from domain.mail.builder import Mail
from domain.outbox.delivery import Failure, FailureKind, OutboxEntry, Step, gives_up

HEARTBEAT_EVERY = 1.0  # seconds; the heartbeat timeout is 10 s
# The SDK sends a heartbeat's details at most this often (the worker's
# max_heartbeat_throttle_interval; by default 8 s, 80% of the timeout): a crash loses what
# the last few seconds' heartbeats said. While the outbox cannot record a message, the next
# one waits until the heartbeat that names it has reached the server (HEARTBEAT_FLUSH), so
# that a retry after a crash repeats only the one message in flight per connection.
HEARTBEAT_THROTTLE = 1.0
HEARTBEAT_FLUSH = HEARTBEAT_THROTTLE + 0.25
# heartbeats between progress reports: each report is a signal, a workflow task and history
# events for the meeting, and the status needs no fresher news than this while sending
REPORT_EVERY = 2
_MEMORY = TypeAdapter(dict[str, DeliveryResult])

Progress = Callable[[dict[str, DeliveryResult]], Awaitable[None]]


@dataclass(frozen=True)
class MailJob:
    """One message to send: its outbox key and kind, recipient, how to build it at send time."""

    key: str
    kind: str
    recipient: Participant
    build: Callable[[datetime], Mail]
    sequence: int | None = None


def remembered() -> dict[str, DeliveryResult]:
    """What earlier attempts of this activity reported in their heartbeats."""
    details = activity.info().heartbeat_details
    if not details:
        return {}
    try:
        return _MEMORY.validate_python(details[0])
    except ValidationError:
        return {}


class _Batch:
    """One run of the skeleton: its connection, results, heartbeat and progress."""

    def __init__(self, delivery: Delivery, meeting_id: str, progress: Progress | None) -> None:
        self.d = delivery
        self.meeting_id = meeting_id
        self.progress = progress
        self.results: dict[str, DeliveryResult] = {}
        self.writer = delivery.writer()
        self.recorded: list[Slot] = []  # (meeting, key) of what was handed to the writer
        self.smtp: aiosmtplib.SMTP | None = None
        self._reported: dict[str, DeliveryResult] = {}

    def beat(self) -> None:
        """Heartbeat with every final outcome so far: a retry of this activity starts there."""
        final = {k: r for k, r in self.results.items() if r.status is not InvitationStatus.PENDING}
        activity.heartbeat(_MEMORY.dump_python(final, mode="json"))

    async def report(self) -> None:
        """Tell the workflow what changed since the last report."""
        if self.progress is None or self.results == self._reported:
            return
        changed = {k: r for k, r in self.results.items() if self._reported.get(k) != r}
        self._reported = dict(self.results)
        try:
            await self.progress(changed)
        except Exception as exc:  # the status is a courtesy: never fail the mail for it
            activity.logger.warning("progress report failed: %s", exc)

    async def tick(self) -> None:
        """Once a second, whatever the relay or the database is doing: heartbeat; every
        REPORT_EVERY seconds, report."""
        beats = 0
        while True:
            self.beat()
            if beats % REPORT_EVERY == 0:
                await self.report()
            beats += 1
            await asyncio.sleep(HEARTBEAT_EVERY)

    async def connection(self) -> aiosmtplib.SMTP:
        if self.smtp is None or not self.smtp.is_connected:
            self.smtp = await open_smtp(self.d.config)
        return self.smtp

    async def done(self, job: MailJob, result: DeliveryResult, pace: bool = True) -> None:
        """`job`'s outcome: kept, handed to the writer and (`pace`, a message just sent)
        waited on while the database is away, see HEARTBEAT_FLUSH."""
        self.results[job.key] = result
        if result.status is not InvitationStatus.PENDING:
            entry = OutboxEntry(
                meeting_id=self.meeting_id,
                key=job.key,
                kind=job.kind,
                sequence=job.sequence,
                email=job.recipient.email,
                result=result,
            )
            slot = (self.meeting_id, job.key)
            self.recorded.append(slot)
            await self.writer.record(entry)
            if pace and not self.writer.written(slot):  # the database is away: the heartbeat
                self.beat()  # alone remembers it, once the SDK has sent it on
                await self.report()  # one message at a time now: the status keeps up
                await asyncio.sleep(HEARTBEAT_FLUSH)

    async def drain(self) -> None:
        """Until what this batch handed to the writer is written."""
        await self.writer.drain(self.recorded)


class Delivery:
    """Sends jobs over the configured relay; see the module docstring for the guarantees."""

    def __init__(self, store: Store, config: SmtpConfig, timeout: float = 5.0) -> None:
        self.store = store
        self.config = config
        self.timeout = timeout
        # the database's own threads: a stalled write never holds the worker's shared pool
        self.executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="outbox")
        self._writers: dict[asyncio.AbstractEventLoop, OutboxWriter] = {}

    def writer(self) -> OutboxWriter:
        """The one outbox writer of the running event loop, shared by the batches it sends
        at the same time (their entries go in one transaction)."""
        loop = asyncio.get_running_loop()
        found = self._writers.get(loop)
        if found is None:
            for old in [lp for lp in self._writers if lp.is_closed()]:
                del self._writers[old]
            found = self._writers[loop] = OutboxWriter(
                self.store.record_entries, self.executor, self.timeout
            )
        return found

    async def _recorded(self, meeting_id: str, keys: list[str]) -> dict[str, DeliveryResult]:
        """Messages the outbox has as sent; nothing if the database does not answer in time
        (the heartbeat memory then stands alone)."""
        loop = asyncio.get_running_loop()
        try:
            found = await asyncio.wait_for(
                loop.run_in_executor(self.executor, self.store.outbox, meeting_id, keys),
                self.timeout * 2,
            )
        except Exception as exc:
            activity.logger.warning("outbox not readable, relying on the heartbeat: %s", exc)
            return {}
        return {k: r for k, r in found.items() if r.status is InvitationStatus.SENT}

    async def deliver(
        self,
        meeting_id: str,
        jobs: list[MailJob],
        alone: bool = False,
        progress: Progress | None = None,
    ) -> dict[str, DeliveryResult]:
        """Send each job not yet sent; the outcome of every job, by key.

        `alone`: the jobs were deferred by an earlier batch, so a 4xx now raises (Temporal
        retries this activity with backoff) instead of deferring again.
        """
        batch = _Batch(self, meeting_id, progress)
        memory = remembered()
        for job in jobs:  # an earlier attempt sent it; the outbox may not have it (a crash
            if job.key in memory:  # while the database was away): written now, once
                await batch.done(job, memory[job.key], pace=False)
        batch.results.update(
            await self._recorded(meeting_id, [j.key for j in jobs if j.key not in memory])
        )
        todo = [j for j in jobs if j.key not in batch.results]
        ticker = asyncio.create_task(batch.tick())
        recording: asyncio.Task[None] | None = None  # the previous message's `done`
        try:
            for index, job in enumerate(todo):
                try:
                    smtp = await batch.connection()
                    result = await self._send(smtp, job, alone, recording)
                except SmtpFailure as exc:
                    if recording is not None:
                        await recording
                    await self._connection_failed(batch, todo[index:], exc.failure)
                    break
                if recording is not None:  # a refusal returns before waiting for it
                    await recording
                # recorded while the next message is rendered and its envelope goes out
                recording = asyncio.create_task(batch.done(job, result))
            if recording is not None:
                await recording
            await batch.drain()
        finally:
            ticker.cancel()
            if recording is not None:
                recording.cancel()  # its entry stays with the writer: drained below
            if batch.smtp is not None:
                await close_smtp(batch.smtp)
            # cancelled (the meeting was cancelled or rescheduled) or failed: what was sent is
            # still written, within the database's timeout, and is in the last heartbeat
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(batch.drain()), self.timeout)
            batch.beat()
        return {j.key: batch.results[j.key] for j in jobs}

    async def _send(
        self,
        smtp: aiosmtplib.SMTP,
        job: MailJob,
        alone: bool,
        previous: Awaitable[None] | None = None,
    ) -> DeliveryResult:
        """One message, its content sent once `previous` (the last message's record) is
        done; a failure that concerns only this message is its result, one that concerns
        the connection raises SmtpFailure."""
        now = datetime.now(UTC)
        mail = job.build(now)
        message_id = mail.message_id
        sending = transmit(smtp, mail.sender, mail.recipient, mail.data, previous)

        def outcome(status: InvitationStatus, error: str | None = None) -> DeliveryResult:
            return DeliveryResult(
                participant_id=job.recipient.id,
                status=status,
                message_id=message_id,
                error=error,
                at=now,
            )

        try:
            await sending
        except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPDataError) as exc:
            failure = classify(exc, Step.SEND)
            if not failure.temporary:
                return outcome(InvitationStatus.FAILED, failure.line())
            if alone:
                raise SmtpFailure(failure) from exc
            return outcome(InvitationStatus.PENDING, failure.line())
        except aiosmtplib.SMTPReadTimeoutError as exc:
            if alone:
                raise SmtpFailure(classify(exc, Step.SEND)) from exc
            smtp.close()  # this address is slow: it waits on its own, the rest go on
            slow = Failure(
                kind=FailureKind.TEMPORARY,
                step=Step.SEND,
                text=f"no answer within {self.config.timeout:g} s",
            )
            return outcome(InvitationStatus.PENDING, slow.line())
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SmtpFailure(classify(exc, Step.SEND)) from exc
        return outcome(InvitationStatus.SENT)

    async def _connection_failed(
        self, batch: _Batch, left: list[MailJob], failure: Failure
    ) -> None:
        """Every job in `left` fails for good, or the activity raises for a retry."""
        info = activity.info()
        ending = gives_up(
            failure,
            info.attempt,
            info.scheduled_time,
            info.current_attempt_scheduled_time,
            self.config.retry_window,
        )
        if ending:
            at = datetime.now(UTC)
            for job in left:
                result = DeliveryResult(
                    participant_id=job.recipient.id,
                    status=InvitationStatus.FAILED,
                    message_id=_message_id(job, at),
                    error=failure.line(),
                    at=at,
                )
                await batch.done(job, result)
            return
        for job in left:
            batch.results[job.key] = _pending(job, datetime.now(UTC), failure.line())
        await batch.report()
        await batch.drain()
        batch.beat()
        activity.logger.info("SMTP %s, retrying: %s", failure.kind.value, failure.line())
        raise ApplicationError(  # benign: one log line per attempt, not a traceback
            failure.line(),
            type=f"smtp.{failure.kind.value}",
            category=ApplicationErrorCategory.BENIGN,
        )


def _message_id(job: MailJob, at: datetime) -> str:
    return job.build(at).message_id


def _pending(job: MailJob, at: datetime, error: str) -> DeliveryResult:
    """A job waiting for a retry, with the reason (its Message-ID is made when it is sent)."""
    return DeliveryResult(
        participant_id=job.recipient.id,
        status=InvitationStatus.PENDING,
        message_id="",
        error=error,
        at=at,
    )


__all__ = ["Delivery", "FailureKind", "MailJob", "Progress"]
