"""The secretariat's changes to the meeting itself: schedule (a meeting the cycle planned),
reschedule and cancel. Everyone invited hears of each change (SEQUENCE+1)."""

from __future__ import annotations

from temporalio import workflow

from domain.common.refusals import Refusal
from workflows.common.refusals import refused
from workflows.meeting.base import MeetingBase

with workflow.unsafe.imports_passed_through():
    from domain.common.contracts import Phase
    from domain.meeting.changes import (
        CancelCommand,
        RescheduleCommand,
        cancel_problem,
        reschedule_problem,
        rescheduled,
        schedule_problem,
    )
    from domain.meeting.notices import schedule_request
    from domain.meeting.status import ChangeAck, change_ack


class ChangeHandlers(MeetingBase):
    def _ack(self, chased: int = 0) -> ChangeAck:
        s = self.s
        return change_ack(s.meeting, s.phase, s.sequence, s.invitations, chased)

    async def _ask_secretariat_to_schedule(self) -> None:
        """Tell the secretariat the cycle planned this meeting and what it needs from them."""
        await self._send_notice(schedule_request(self.s.meeting), [self._secretariat()])

    @workflow.update
    async def schedule(self, command: RescheduleCommand) -> ChangeAck:
        """Dates, host and format for a meeting the cycle planned: invitations follow."""
        s = self.s
        s.meeting = rescheduled(s.meeting, command).model_copy(update={"planned": False})
        s.horizon = workflow.now()
        await workflow.wait_condition(lambda: self.s.phase is not Phase.PLANNED)
        return self._ack()

    @schedule.validator
    def _check_schedule(self, command: RescheduleCommand) -> None:
        if self.s.ended:
            raise refused(Refusal("meeting.ended", meeting=self.s.meeting.id))
        problem = schedule_problem(self.s.meeting, command, workflow.now())
        if problem:
            raise refused(problem)

    @workflow.update
    async def reschedule(self, command: RescheduleCommand) -> ChangeAck:
        """New dates (or venue, zone, link): everyone invited gets the update, SEQUENCE+1."""
        s = self.s
        await self._stop_sending()
        async with self._sending:
            previous, s.meeting = s.meeting, rescheduled(s.meeting, command)
            s.sequence += 1
            s.horizon = workflow.now()
            self._wake = True
            await self._record(s.phase, f"rescheduled by {command.actor.id}")
            if workflow.patched("change-mail-within"):  # a later cancel may stop it
                await self._send_within(lambda: self._send_all("REQUEST", previous=previous))
            elif workflow.patched("stoppable-sending"):
                await self._stoppable(lambda: self._send_all("REQUEST", previous=previous))
            else:
                await self._send_all("REQUEST", previous=previous)
        return self._ack()

    @reschedule.validator
    def _check_reschedule(self, command: RescheduleCommand) -> None:
        if self.s.meeting.planned:
            raise refused(Refusal("meeting.planned_only", meeting=self.s.meeting.id))
        problem = self._busy(stoppable=True) or reschedule_problem(
            self.s.meeting, self._over(), command, workflow.now()
        )
        if problem:
            raise refused(problem)

    @workflow.update
    async def cancel(self, command: CancelCommand) -> ChangeAck:
        """Cancel before the meeting: everyone invited gets METHOD:CANCEL, SEQUENCE+1.
        The phase changes once the cancellation is recorded, not before."""
        s = self.s
        await self._stop_sending()
        async with self._sending:
            s.sequence += 1
            if workflow.patched("cancel-records-first"):
                self._cancelling = True
            else:  # meetings started before: the phase was set before it was recorded
                s.phase = Phase.CANCELLED
            if workflow.patched("change-mail-within"):  # answers even when the relay is down
                await self._send_within(lambda: self._send_all("CANCEL", reason=command.reason))
            else:
                await self._send_all("CANCEL", reason=command.reason)
            await self._record(Phase.CANCELLED, f"{command.reason} ({command.actor.id})")
        return self._ack()

    @cancel.validator
    def _check_cancel(self, command: CancelCommand) -> None:
        problem = self._busy(stoppable=True) or cancel_problem(
            self.s.meeting, self._over(), workflow.now()
        )
        if problem:
            raise refused(problem)
