"""Held calendar replies: those whose sender is not authenticated wait for the secretariat.

The inbound endpoint holds them here (an update, so they live as long as the meeting); the
status lists them; the secretariat confirms one (it becomes the participant's answer, under
the same rules as any other) or discards it.
"""

from __future__ import annotations

from temporalio import workflow

from domain.common.refusals import Refusal
from workflows.common.refusals import refused
from workflows.meeting.registration import RegistrationHandlers

with workflow.unsafe.imports_passed_through():
    from domain.meeting.status import ParticipantStatus
    from domain.registration.answers import rsvp_problem
    from domain.registration.held import (
        ConfirmReplyCommand,
        DiscardReplyCommand,
        HeldReply,
        HoldReplyCommand,
        confirmed_answer,
        held_problem,
        hold,
    )


class HeldReplyHandlers(RegistrationHandlers):
    @workflow.update
    async def hold_reply(self, command: HoldReplyCommand) -> HeldReply:
        """A reply that would answer for a participant, from an unauthenticated sender."""
        s = self.s
        s.held_number += 1
        return hold(s.held, command, s.held_number, workflow.now())

    @hold_reply.validator
    def _check_hold(self, command: HoldReplyCommand) -> None:
        s = self.s
        if self._over():
            raise refused(Refusal("meeting.ended", meeting=s.meeting.id))
        if command.participant_id not in s.invitees:
            raise refused(Refusal("held.not_invited", participant=command.participant_id))

    @workflow.update
    async def confirm_reply(self, command: ConfirmReplyCommand) -> ParticipantStatus:
        """The secretariat vouches for a held reply: it becomes the participant's answer."""
        reply = self.s.held.pop(command.reply_id)
        return self._answer(confirmed_answer(reply, command.actor))

    @confirm_reply.validator
    def _check_confirm(self, command: ConfirmReplyCommand) -> None:
        s = self.s
        problem = held_problem(s.held, command.reply_id)
        if problem is None:
            answer = confirmed_answer(s.held[command.reply_id], command.actor)
            problem = rsvp_problem(
                s.meeting, s.invitees, s.sequence, self._over(), answer, workflow.now()
            )
        if problem:
            raise refused(problem)

    @workflow.update
    async def discard_reply(self, command: DiscardReplyCommand) -> HeldReply:
        """The secretariat drops a held reply: nothing changes but the list."""
        return self.s.held.pop(command.reply_id)

    @discard_reply.validator
    def _check_discard(self, command: DiscardReplyCommand) -> None:
        problem = held_problem(self.s.held, command.reply_id)
        if problem:
            raise refused(problem)
