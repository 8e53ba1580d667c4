"""Attendance on the meeting days: check-in at the desk, online joins by personal link."""

from __future__ import annotations

from datetime import date

from temporalio import workflow

from workflows.meeting.base import MeetingBase

with workflow.unsafe.imports_passed_through():
    from domain.agenda.slotting import meeting_days
    from domain.attendance.register import (
        AttendanceView,
        CheckInCommand,
        JoinCommand,
        Mode,
        Presence,
        count_register,
        meeting_day,
        presence_problem,
    )
    from domain.meeting.state import presence_key
    from domain.registration.answers import Actor


class AttendanceHandlers(MeetingBase):
    @workflow.query
    def attendance(self) -> AttendanceView:
        s = self.s
        return AttendanceView(
            meeting_id=s.meeting.id,
            presences=sorted(s.presences.values(), key=lambda p: (p.day, p.participant_id)),
            counts=count_register(s.invitees, s.presences.values()),
        )

    @workflow.update
    async def check_in(self, command: CheckInCommand) -> Presence:
        """The registration desk: in the room today."""
        return self._record_presence(command.participant_id, Mode.IN_PERSON, command.actor)

    @check_in.validator
    def _check_check_in(self, command: CheckInCommand) -> None:
        self._presence_refusal(command.participant_id, Mode.IN_PERSON)

    @workflow.update
    async def join_online(self, command: JoinCommand) -> Presence:
        """The participant opened their personal join link today."""
        return self._record_presence(command.participant_id, Mode.ONLINE, command.actor)

    @join_online.validator
    def _check_join(self, command: JoinCommand) -> None:
        self._presence_refusal(command.participant_id, Mode.ONLINE)

    def _today(self) -> date | None:
        m = self.s.meeting
        return meeting_day(workflow.now(), m.zone, meeting_days(m.start, m.end))

    def _presence_refusal(self, participant_id: str, mode: Mode) -> None:
        s, today = self.s, self._today()
        problem = presence_problem(
            participant_id,
            mode,
            s.invitees,
            s.attendances(),
            s.presence(participant_id, today),
            today,
            self._over(),
        )
        if problem:
            raise ValueError(problem)

    def _record_presence(self, participant_id: str, mode: Mode, actor: Actor) -> Presence:
        today = self._today()
        assert today is not None  # the validator refused otherwise
        presence = Presence(
            participant_id=participant_id, day=today, mode=mode, at=workflow.now(), actor=actor
        )
        self.s.presences[presence_key(participant_id, today)] = presence
        return presence
