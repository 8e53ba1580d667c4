"""What happens to the invitations after the relay answered: live progress, messages put off
by the relay (sent again one by one, with backoff, while the others go on: the same
`workflows.common.deferrals` every kind of mail uses), failures told to the secretariat
once, `resend`, and sending that a cancel or reschedule can stop.

The send activities decide what a failure is (`domain.outbox.delivery`); this module keeps the
meeting's invitations in step with them (`domain.outbox.tracking`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, Literal

from temporalio import workflow
from temporalio.exceptions import ActivityError

from workflows.common.refusals import refused
from workflows.meeting.base import MeetingBase

with workflow.unsafe.imports_passed_through():
    from domain.common.contracts import SEND_INVITATIONS, Phase
    from domain.invitations.batches import (
        BatchResult,
        DeliveryResult,
        Invitation,
        InvitationBatch,
        invitation_key,
        put_off,
    )
    from domain.mail.notices import NoticeBatch
    from domain.meeting.status import ChangeAck, change_ack
    from domain.outbox.delivery import DELIVERY_PROGRESS, DeliveryProgress, FailedMessage
    from domain.outbox.failures import NOTICE, notice_key
    from domain.outbox.tracking import (
        ResendCommand,
        applied,
        failures,
        resend_problem,
        resend_targets,
    )


CHANGE_WAIT = timedelta(seconds=60)  # a cancel or reschedule answers within this


class DeliveryHandlers(MeetingBase):
    def _delivery_setup(self) -> None:
        self._fanout: asyncio.Task[None] | None = None
        self._superseding = False
        self._unreported: list[FailedMessage] = []
        self._notices: set[asyncio.Task[None]] = set()
        self._background: set[asyncio.Task[bool]] = set()

    # --- what the activities report ------------------------------------------------------

    @workflow.signal(name=DELIVERY_PROGRESS)
    def delivery_progress(self, progress: DeliveryProgress) -> None:
        """A running batch's outcomes so far: the status shows them as they happen."""
        self._apply(progress.sequence, progress.results)

    def _apply(self, sequence: int, results: list[DeliveryResult]) -> list[DeliveryResult]:
        s, changed = self.s, []
        for r in results:
            current = s.invitations.get(r.participant_id)
            after = applied(current, r, sequence) if current is not None else None
            if after is not None:
                s.invitations[r.participant_id] = after
                changed.append(r)
        if changed:
            self._changes += 1
        return changed

    def _standing(self, sequence: int, results: list[DeliveryResult]) -> list[DeliveryResult]:
        """The results that are what the meeting now holds (of this sequence, same status)."""
        invitations = self.s.invitations
        return [
            r
            for r in results
            if (i := invitations.get(r.participant_id)) is not None
            and i.sequence == sequence
            and i.status is r.status
        ]

    def _delivered(self, batch: InvitationBatch, results: list[DeliveryResult]) -> None:
        """A batch's final answer: messages the relay put off wait on their own, failures
        are kept for the secretariat's notice (meetings started before: neither)."""
        self._apply(batch.sequence, results)
        final = self._standing(batch.sequence, results)  # a progress signal may have been first
        failed = failures(final, self.s.invitees)
        later = put_off({invitation_key(batch.sequence, r.participant_id): r for r in final})
        if not (failed or later) or not workflow.patched("delivery-failures"):
            return
        self._unreported += failed
        self._deferred.defer(SEND_INVITATIONS, batch, later, BatchResult, True, self._settled)

    def _settled(self, batch: InvitationBatch, result: BatchResult) -> None:
        """A deferred invitation's final answer, long after its batch went on; the failures
        are told once no other invitation is still being tried."""
        self._apply(batch.sequence, result.results)
        self._unreported += failures(
            self._standing(batch.sequence, result.results), self.s.invitees
        )
        if not self._deferred.running(SEND_INVITATIONS):
            self._tell_secretariat(batch.sequence)

    def _tell_failures(self) -> None:
        self._tell_secretariat(self.s.sequence)

    def _tell_secretariat(self, sequence: int) -> None:
        """One notice for the failures not yet told, of every kind of mail, in the
        background (the relay that failed them may fail it too; nothing waits for it)."""
        told, self._unreported = self._unreported + self._deferred.take_failed(), []
        if not told:
            return
        notice = NoticeBatch(
            meeting=self.s.meeting,
            kind=NOTICE,
            key=notice_key(sequence, told),
            failed=told,
            recipients=[],
        )
        task = asyncio.create_task(self._send_notice(notice, [self._secretariat()]))
        self._notices.add(task)
        task.add_done_callback(self._notices.discard)

    def _sent_all(self, sequence: int) -> None:
        """The pass over every recipient is over: tell what failed for good so far."""
        self._tell_secretariat(sequence)

    # --- sending that a cancel or reschedule can stop -------------------------------------

    async def _stoppable(self, send: Callable[[], Coroutine[Any, Any, None]]) -> bool:
        """Run `send`; False when a cancel or reschedule stopped it first."""
        task = asyncio.create_task(send())
        self._fanout = task
        try:
            await task
        except (asyncio.CancelledError, ActivityError):  # a cancelled batch: ActivityError
            if not self._superseding:
                raise
            return False
        finally:
            self._fanout = None
        return True

    def _fanning_out(self) -> bool:
        return bool(self._background)

    async def _send_within(self, send: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """A change's mail (cancel, reschedule): the command answers once it is out or after
        CHANGE_WAIT, whichever is first; when the relay is down the mail goes on being
        tried (and the meeting does not close before it is out or failed)."""
        task = asyncio.create_task(self._stoppable(send))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(task.done, timeout=CHANGE_WAIT)

    def _can_stop_sending(self) -> bool:
        return self._fanout is not None or self._deferred.stoppable

    async def _stop_sending(self) -> None:
        """Stop the fan-out and the deferred invitations and reminders in progress: the
        change replaces them."""
        if not self._can_stop_sending():
            return
        self._superseding = True
        if self._fanout is not None:
            self._fanout.cancel()
        await self._deferred.stop()
        await workflow.wait_condition(lambda: self._fanout is None)
        self._superseding = False

    # --- resend -----------------------------------------------------------------------------

    @workflow.update
    async def resend(self, command: ResendCommand) -> ChangeAck:
        """The current invitation again (same sequence and Message-ID) to whoever it failed
        for, or to one participant: once the relay's problem is fixed."""
        s = self.s
        async with self._sending:
            targets = resend_targets(command, s.invitations)
            for pid in targets:
                s.invitations[pid] = Invitation(
                    participant_id=pid, email=s.invitees[pid].email, sequence=s.sequence
                )
            self._changes += 1
            await self._record(s.phase, f"resent to {len(targets)} by {command.actor.id}")
            method: Literal["REQUEST", "CANCEL"] = (
                "CANCEL" if s.phase is Phase.CANCELLED else "REQUEST"
            )
            await self._send_all(method, only=targets)
        return change_ack(s.meeting, s.phase, s.sequence, s.invitations)

    @resend.validator
    def _check_resend(self, command: ResendCommand) -> None:
        s = self.s
        problem = self._busy() or resend_problem(
            command, s.invitations, closed=s.phase is Phase.CLOSED
        )
        if problem:
            raise refused(problem)
