"""Reminders: the planned ones when they fall due, and the secretariat's ad-hoc chaser."""

from __future__ import annotations

from temporalio import workflow

from workflows.common.policies import in_batches
from workflows.meeting.base import MeetingBase

with workflow.unsafe.imports_passed_through():
    from domain.common.contracts import SEND_REMINDERS
    from domain.mail.reminder import ReminderBatch, ReminderItem, ReminderResult
    from domain.meeting.status import ChangeAck, change_ack
    from domain.reminders.planning import (
        PlannedReminder,
        RemindCommand,
        ReminderKind,
        countries_without_accepted_nfp,
        remind_problem,
    )


class ReminderHandlers(MeetingBase):
    async def _send_reminders(self, due: list[PlannedReminder]) -> None:
        s = self.s
        answers = s.attendances()
        items: list[ReminderItem] = []
        for r in due:
            if r.participant_id is None:
                countries = countries_without_accepted_nfp(s.invitees, answers)
                if countries:
                    items.append(
                        ReminderItem(
                            key=r.key,
                            kind=r.kind,
                            days_before=r.days_before,
                            recipient=self._secretariat(),
                            countries=countries,
                        )
                    )
            else:
                items.append(
                    ReminderItem(
                        key=r.key,
                        kind=r.kind,
                        days_before=r.days_before,
                        recipient=s.invitees[r.participant_id],
                        attendance=answers.get(r.participant_id),
                    )
                )
        await self._send_items(items)
        s.reminded.update(r.key for r in due)

    async def _send_items(self, items: list[ReminderItem]) -> None:
        """A few batches at a time; an address the relay puts off gets its reminder later,
        alone, while the rest (and the timeline) go on; a reschedule stops that."""
        s = self.s

        async def send(chunk: list[ReminderItem]) -> None:
            batch = ReminderBatch(meeting=s.meeting, sequence=s.sequence, items=chunk)
            await self._deferred.send(SEND_REMINDERS, batch, ReminderResult, stoppable=True)

        await in_batches(items, send)

    @workflow.update
    async def remind(self, command: RemindCommand) -> ChangeAck:
        """An ad-hoc chaser, now, to everyone who has not answered."""
        s = self.s
        async with self._sending:
            s.adhoc += 1
            items = [
                ReminderItem(
                    key=f"s{s.sequence}:adhoc-{s.adhoc}:{pid}",
                    kind=ReminderKind.CHASER,
                    days_before=0,
                    recipient=p,
                )
                for pid, p in s.invitees.items()
                if pid not in s.answers
            ]
            await self._send_items(items)
        return change_ack(s.meeting, s.phase, s.sequence, s.invitations, chased=len(items))

    @remind.validator
    def _check_remind(self, command: RemindCommand) -> None:
        s = self.s
        problem = self._busy() or remind_problem(
            s.meeting, self._over(), set(s.invitees) - set(s.answers), workflow.now()
        )
        if problem:
            raise ValueError(problem)
