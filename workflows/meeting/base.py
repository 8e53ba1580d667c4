"""What every handler module of the meeting workflow shares: the one state object, the
sending lock, the reminder plan, and the few side effects all of them use (recording a
phase, mailing a notice, sending the invitations of the current sequence)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Literal

from temporalio import workflow

from workflows.common.policies import DB_RETRY, in_batches, send_mail
from workflows.common.search_attributes import RTM_PHASE

with workflow.unsafe.imports_passed_through():
    from domain.common.contracts import (
        RECORD_MEETING,
        SEND_INVITATIONS,
        SEND_NOTICES,
        MeetingRecord,
        Phase,
    )
    from domain.directory.models import Participant
    from domain.invitations.batches import BatchResult, Invitation, InvitationBatch
    from domain.mail.notices import NoticeBatch, NoticeResult
    from domain.meeting.definition import MeetingDefinition
    from domain.meeting.notices import secretariat
    from domain.meeting.state import MeetingState
    from domain.meeting.timeline import next_moment
    from domain.reminders.planning import PlannedReminder, plan_reminders


class MeetingBase:
    """The state and shared mechanics; the feature modules add handlers on top."""

    s: MeetingState

    def _setup(self, state: MeetingState) -> None:
        self.s = state
        self._sending = asyncio.Lock()
        self._next_wake: datetime | None = None
        self._wake = False
        self._plan_cache: tuple[tuple[object, ...], list[PlannedReminder]] | None = None
        self._changes = 0  # bumped on every invitation or answer change (status caches)
        self._cancelling = False  # a cancel is sending: refuse commands as if it were done

    # --- the reminder plan and the timeline's next moment ------------------------------

    def _plan(self) -> list[PlannedReminder]:
        """The reminder plan, recomputed only when something it depends on changed."""
        s = self.s
        key = (
            s.sequence,
            s.horizon,
            len(s.reminded),
            s.answers_version,
            len(s.invitees),
            s.meeting.start,
            s.meeting.zone,
            s.meeting.agenda_deadline,
        )
        if self._plan_cache is None or self._plan_cache[0] != key:
            plan = plan_reminders(
                start_utc=s.meeting.start_utc(),
                agenda_deadline_utc=s.meeting.agenda_deadline_utc(),
                policy=s.policy,
                invitees=s.invitees,
                answers=s.attendances(),
                secretariat_zone=s.secretariat_zone,
                sequence=s.sequence,
                horizon=s.horizon,
                sent=s.reminded,
                calendars=s.calendars,
            )
            self._plan_cache = (key, plan)
        return self._plan_cache[1]

    def _next_moment(self) -> datetime | None:
        plan = self._plan()
        reminder = plan[0].at if plan else None
        return next_moment(self.s.meeting, self.s.phase, reminder, self.s.agenda_dirty_at)

    def _poke(self) -> None:
        """Wake the timeline when a change brings its next moment forward."""
        upcoming = self._next_moment()
        if upcoming is not None and (self._next_wake is None or upcoming < self._next_wake):
            self._wake = True

    # --- shared checks and side effects -------------------------------------------------

    def _over(self) -> bool:
        """Cancelled or closed (or being cancelled): commands are refused."""
        return self.s.ended or self._cancelling

    def _busy(self) -> str | None:
        if self.s.phase in (Phase.SCHEDULED, Phase.INVITING) or self._sending.locked():
            return "invitations are still going out; try again in a moment"
        return None

    def _secretariat(self) -> Participant:
        return secretariat(self.s.meeting, self.s.secretariat_zone)

    async def _record(self, phase: Phase, note: str = "") -> None:
        """Projection and audit first, then the phase: a status query never runs ahead."""
        await workflow.execute_activity(
            RECORD_MEETING,
            MeetingRecord(meeting=self.s.meeting, phase=phase, note=note),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=DB_RETRY,
        )
        self.s.phase = phase
        if workflow.patched("phase-search-attribute"):  # meetings started before it had none
            workflow.upsert_search_attributes([RTM_PHASE.value_set(phase.value)])

    async def _send_notice(self, notice: NoticeBatch, recipients: list[Participant]) -> None:
        """One text to many: the agenda, the minutes, the cycle's request to schedule."""

        async def send(chunk: list[Participant]) -> None:
            batch = notice.model_copy(update={"recipients": chunk})
            await send_mail(SEND_NOTICES, batch, NoticeResult)

        await in_batches(recipients, send)

    async def _send_all(
        self,
        method: Literal["REQUEST", "CANCEL"],
        previous: MeetingDefinition | None = None,
        reason: str | None = None,
    ) -> None:
        """Send the current sequence to every invitee, a few batches (connections) at a time;
        an update says what changed since `previous`, a cancellation gives its `reason`."""
        s = self.s
        sequence, meeting = s.sequence, s.meeting
        for pid, p in s.invitees.items():
            s.invitations[pid] = Invitation(participant_id=pid, email=p.email, sequence=sequence)
        self._changes += 1

        async def send(chunk: list[Participant]) -> None:
            batch = InvitationBatch(
                meeting=meeting,
                sequence=sequence,
                method=method,
                recipients=chunk,
                previous=previous,
                reason=reason,
            )
            result = await send_mail(SEND_INVITATIONS, batch, BatchResult)
            for r in result.results:
                s.invitations[r.participant_id] = s.invitations[r.participant_id].model_copy(
                    update={
                        "status": r.status,
                        "message_id": r.message_id,
                        "error": r.error,
                        "at": r.at,
                    }
                )
            self._changes += 1

        await in_batches(list(s.invitees.values()), send)
