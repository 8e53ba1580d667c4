"""Answers: one RSVP update for every channel (CLI, signed link, calendar reply)."""

from __future__ import annotations

from temporalio import workflow

from domain.common.refusals import Refusal
from workflows.common.refusals import refused
from workflows.meeting.base import MeetingBase

with workflow.unsafe.imports_passed_through():
    from domain.common.contracts import Phase
    from domain.invitations.batches import Invitation
    from domain.meeting.status import ParticipantStatus, participant_row
    from domain.registration.answers import Answer, RsvpCommand, rsvp_problem
    from domain.reminders.moments import ReminderKind


class RegistrationHandlers(MeetingBase):
    @workflow.update
    async def rsvp(self, command: RsvpCommand) -> ParticipantStatus:
        """An answer from any channel; changeable until registration closes. Returns the
        participant's own row. An answer that arrives while the invitees are still being
        loaded waits for them, then is taken or refused for the true reason."""
        await self._ready(lambda: self._rsvp_problem(command))
        return self._answer(command)

    def _answer(self, command: RsvpCommand) -> ParticipantStatus:
        """Record an answer the validator accepted (also a confirmed held reply's)."""
        s, pid = self.s, command.participant_id
        s.answers[pid] = Answer(
            attendance=command.attendance,
            at=workflow.now(),
            actor=command.actor,
            sequence=s.sequence,
        )
        s.answers_version += 1
        self._changes += 1
        self._poke_for(pid)
        invitation = s.invitations.get(pid) or Invitation(
            participant_id=pid, email=s.invitees[pid].email, sequence=s.sequence
        )
        return participant_row(s.invitees[pid], invitation, s.answers[pid])

    @rsvp.validator
    def _check_rsvp(self, command: RsvpCommand) -> None:
        if self.s.phase is Phase.PLANNED and not self._over():
            raise refused(Refusal("meeting.not_yet_scheduled", meeting=self.s.meeting.id))
        problem = self._rsvp_problem(command) if self._loaded else None
        if problem:
            raise refused(problem)

    def _rsvp_problem(self, command: RsvpCommand) -> str | None:
        s = self.s
        return rsvp_problem(
            s.meeting, s.invitees, s.sequence, self._over(), command, workflow.now()
        )

    def _poke_for(self, pid: str) -> None:
        """Wake the timeline if this answer brings a reminder of its own forward (a
        pre-meeting note once accepted); other participants' reminders do not move."""
        s = self.s
        own = self._plan_of({pid: s.invitees[pid]}, {pid: s.answers[pid].attendance})
        upcoming = next((g.at for g in own.groups if g.kind is not ReminderKind.ESCALATION), None)
        if upcoming is not None and (self._next_wake is None or upcoming < self._next_wake):
            self._wake = True
