"""Attendance on the meeting days: check-in at the desk, online joins by personal link."""

from __future__ import annotations

from datetime import date

from temporalio import workflow

from workflows.common.refusals import refused
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
    from domain.meeting.status import RegisterPage
    from domain.registration.answers import Actor


class AttendanceHandlers(MeetingBase):
    @workflow.query
    def attendance(self, page: RegisterPage | None = None) -> AttendanceView:
        """The register: its counts, and the presences by day (a page of them if asked)."""
        s, page = self.s, page or RegisterPage()
        end = None if page.limit is None else page.offset + page.limit
        ordered = sorted(s.presences.values(), key=lambda p: (p.day, p.participant_id))
        return AttendanceView(
            meeting_id=s.meeting.id,
            presences=ordered[page.offset : end],
            counts=count_register(s.invitees, s.presences.values()),
        )

    @workflow.update
    async def check_in(self, command: CheckInCommand) -> Presence:
        """The registration desk: in the room today."""
        await self._ready(lambda: self._presence_problem(command.participant_id, Mode.IN_PERSON))
        return self._record_presence(command.participant_id, Mode.IN_PERSON, command.actor)

    @check_in.validator
    def _check_check_in(self, command: CheckInCommand) -> None:
        self._presence_refusal(command.participant_id, Mode.IN_PERSON)

    @workflow.update
    async def join_online(self, command: JoinCommand) -> Presence:
        """The participant opened their personal join link today."""
        await self._ready(lambda: self._presence_problem(command.participant_id, Mode.ONLINE))
        return self._record_presence(command.participant_id, Mode.ONLINE, command.actor)

    @join_online.validator
    def _check_join(self, command: JoinCommand) -> None:
        self._presence_refusal(command.participant_id, Mode.ONLINE)

    def _today(self) -> date | None:
        m = self.s.meeting
        return meeting_day(workflow.now(), m.zone, meeting_days(m.start, m.end))

    def _presence_refusal(self, participant_id: str, mode: Mode) -> None:
        problem = self._presence_problem(participant_id, mode) if self._loaded else None
        if problem:
            raise refused(problem)

    def _presence_problem(self, participant_id: str, mode: Mode) -> str | None:
        s, today = self.s, self._today()
        answer = s.answers.get(participant_id)
        return presence_problem(
            participant_id,
            mode,
            s.invitees,
            {participant_id: answer.attendance} if answer else {},
            s.presence(participant_id, today),
            today,
            self._over(),
        )

    def _record_presence(self, participant_id: str, mode: Mode, actor: Actor) -> Presence:
        today = self._today()
        assert today is not None  # the validator refused otherwise
        presence = Presence(
            participant_id=participant_id, day=today, mode=mode, at=workflow.now(), actor=actor
        )
        self.s.presences[presence_key(participant_id, today)] = presence
        return presence
