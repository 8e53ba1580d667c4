"""Reminders: the planned ones when they fall due, and the secretariat's ad-hoc chaser."""

from __future__ import annotations

from temporalio import workflow

from workflows.common.policies import in_batches
from workflows.common.refusals import refused
from workflows.meeting.base import MeetingBase

with workflow.unsafe.imports_passed_through():
    from domain.common.contracts import SEND_REMINDERS, Phase
    from domain.invitations.batches import InvitationStatus
    from domain.mail.reminder import ReminderBatch, ReminderItem, ReminderResult
    from domain.meeting.status import ChangeAck, change_ack
    from domain.reminders.groups import GroupedPlan
    from domain.reminders.planning import (
        RemindCommand,
        ReminderKind,
        countries_without_accepted_nfp,
        remind_problem,
        to_chase,
    )


class ReminderHandlers(MeetingBase):
    async def _send_reminders(self, due: GroupedPlan) -> None:
        s = self.s
        answers = s.attendances()
        items: list[ReminderItem] = []
        for group, pid in due.pairs():
            if pid is None:
                countries = countries_without_accepted_nfp(s.invitees, answers)
                if countries:
                    items.append(
                        ReminderItem(
                            key=group.key(None),
                            kind=group.kind,
                            days_before=group.days_before,
                            recipient=self._secretariat(),
                            countries=countries,
                        )
                    )
            else:
                items.append(
                    ReminderItem(
                        key=group.key(pid),
                        kind=group.kind,
                        days_before=group.days_before,
                        recipient=s.invitees[pid],
                        attendance=answers.get(pid),
                    )
                )
        await self._send_items(items)
        s.reminded.update(group.key(pid) for group, pid in due.pairs())

    async def _send_items(self, items: list[ReminderItem]) -> None:
        """A few batches at a time; an address the relay puts off gets its reminder later,
        alone, while the rest (and the timeline) go on; a reschedule stops that."""
        s = self.s

        async def send(chunk: list[ReminderItem]) -> None:
            batch = ReminderBatch(meeting=s.meeting, sequence=s.sequence, items=chunk)
            await self._deferred.send(SEND_REMINDERS, batch, ReminderResult, stoppable=True)

        await in_batches(items, send)
        if self._deferred.failed:
            self._tell_failures()

    def _inviting_now(self) -> bool:
        """The first invitations are going out (not a change's mail): a chaser may go out
        beside them to those who have theirs."""
        return self.s.phase is Phase.INVITING and not self._cancelling

    def _to_chase(self) -> list[str]:
        s = self.s
        if not self._inviting_now():
            return to_chase(s.invitees, s.answers)
        sent = {p for p, i in s.invitations.items() if i.status is InvitationStatus.SENT}
        return to_chase(s.invitees, s.answers, sent)

    @workflow.update
    async def remind(self, command: RemindCommand) -> ChangeAck:
        """An ad-hoc chaser, now, to everyone who has not answered; while the invitations
        are still going out, to those who have theirs, beside the fan-out."""
        s = self.s
        if self._inviting_now() and workflow.patched("remind-while-inviting"):
            chased = await self._chase(self._to_chase())
        else:
            async with self._sending:
                chased = await self._chase(self._to_chase())
        return change_ack(s.meeting, s.phase, s.sequence, s.invitations, chased=chased)

    async def _chase(self, pids: list[str]) -> int:
        s = self.s
        s.adhoc += 1
        items = [
            ReminderItem(
                key=f"s{s.sequence}:adhoc-{s.adhoc}:{pid}",
                kind=ReminderKind.CHASER,
                days_before=0,
                recipient=s.invitees[pid],
            )
            for pid in pids
        ]
        await self._send_items(items)
        return len(items)

    @remind.validator
    def _check_remind(self, command: RemindCommand) -> None:
        s = self.s
        inviting = self._inviting_now()
        problem = (self._loading() if inviting else self._busy()) or remind_problem(
            s.meeting, self._over(), self._to_chase(), workflow.now(), inviting
        )
        if problem:
            raise refused(problem)
