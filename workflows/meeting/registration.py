"""Answers: one RSVP update for every channel (CLI, signed link, calendar reply)."""

from __future__ import annotations

from temporalio import workflow

from workflows.meeting.base import MeetingBase

with workflow.unsafe.imports_passed_through():
    from domain.meeting.status import ParticipantStatus, participant_row
    from domain.registration.answers import Answer, RsvpCommand, rsvp_problem


class RegistrationHandlers(MeetingBase):
    @workflow.update
    async def rsvp(self, command: RsvpCommand) -> ParticipantStatus:
        """An answer from any channel; changeable until registration closes. Returns the
        participant's own row."""
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
        self._poke()
        return participant_row(s.invitees[pid], s.invitations[pid], s.answers[pid])

    @rsvp.validator
    def _check_rsvp(self, command: RsvpCommand) -> None:
        s = self.s
        problem = rsvp_problem(
            s.meeting, s.invitees, s.sequence, self._over(), command, workflow.now()
        )
        if problem:
            raise ValueError(problem)
