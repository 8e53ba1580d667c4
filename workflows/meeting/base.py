"""What every handler module of the meeting workflow shares: the one state object, the
sending lock, the reminder plan, and the few side effects all of them use (recording a
phase, mailing a notice, sending the invitations of the current sequence)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any, Literal

from temporalio import workflow

from domain.common.refusals import Refusal
from workflows.common.deferrals import Deferrals
from workflows.common.policies import DB_RETRY, in_batches, send_mail
from workflows.common.refusals import refused
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
    from domain.invitations.batches import (
        BatchResult,
        DeliveryResult,
        Invitation,
        InvitationBatch,
    )
    from domain.mail.notices import NoticeBatch, NoticeResult
    from domain.meeting.definition import MeetingDefinition
    from domain.meeting.notices import secretariat
    from domain.meeting.state import MeetingState
    from domain.meeting.timeline import next_moment
    from domain.registration.answers import Attendance
    from domain.reminders.groups import GroupedPlan, ReminderGroup, plan_groups
    from domain.reminders.moments import MomentMemo, PlannedReminder, ReminderKind

EXACT_PLAN = 2_000  # participants up to which a status query may bring the plan up to date


class MeetingBase:
    """The state and shared mechanics; the feature modules add handlers on top."""

    s: MeetingState
    _loaded: bool  # the invitees' records are here (not yet while they are being loaded)

    def _setup(self, state: MeetingState) -> None:
        self.s = state
        self._sending = asyncio.Lock()
        self._next_wake: datetime | None = None
        self._wake = False
        self._plan_cache: tuple[tuple[object, ...], GroupedPlan] | None = None
        self._moments = MomentMemo()  # send moments by zone and calendar, kept across plans
        self._shown: tuple[GroupedPlan, int, int, list[PlannedReminder], int] | None = None
        self._changes = 0  # bumped on every invitation or answer change (status caches)
        self._cancelling = False  # a cancel is sending: refuse commands as if it were done
        self._deferred = Deferrals(self._tell_failures)  # put off by the relay: sent alone

    # --- the reminder plan and the timeline's next moment ------------------------------

    def _plan(self) -> GroupedPlan:
        """The reminder plan by groups, made again only when something it depends on
        changed: a pass over the ids, the send moments come from the memo."""
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
            self._plan_cache = (key, self._plan_of(s.invitees, s.attendances()))
        return self._plan_cache[1]

    def _plan_of(
        self, invitees: dict[str, Participant], answers: dict[str, Attendance]
    ) -> GroupedPlan:
        """The reminders `invitees` with `answers` are owed at the meeting's current dates,
        sequence and policy (the whole meeting's, or one participant's after an answer)."""
        s = self.s
        return plan_groups(
            start_utc=s.meeting.start_utc(),
            agenda_deadline_utc=s.meeting.agenda_deadline_utc(),
            policy=s.policy,
            invitees=invitees,
            answers=answers,
            secretariat_zone=s.secretariat_zone,
            sequence=s.sequence,
            horizon=s.horizon,
            sent=s.reminded,
            calendars=s.calendars,
            memo=self._moments,
        )

    def _plan_for_status(self, limit: int) -> tuple[list[PlannedReminder], int]:
        """The first `limit` reminders and how many there are, without paying for the
        plan: a meeting of up to EXACT_PLAN participants brings it up to date; a larger
        one shows the timeline's last plan, less the chasers of those who have answered
        since (it is made again at the next wake-up). Only the shown rows become objects."""
        if len(self.s.invitees) <= EXACT_PLAN:
            plan = self._plan()
            return plan.reminders(limit), len(plan)
        if self._plan_cache is None:  # not planned yet (invitations still going out)
            return [], 0
        plan, answers, version = self._plan_cache[1], self.s.answers, self.s.answers_version
        shown = self._shown
        if shown is None or shown[0] is not plan or shown[1:3] != (version, limit):

            def keep(group: ReminderGroup, pid: str | None) -> bool:
                return not (group.kind is ReminderKind.CHASER and pid in answers)

            shown = self._shown = (plan, version, limit, plan.reminders(limit, keep),
                                   plan.count(keep))  # fmt: skip
        return shown[3], shown[4]

    def _next_moment(self) -> datetime | None:
        reminder = self._plan().first_at
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

    async def _ready(self, problem: Callable[[], str | None]) -> None:
        """While a run is still loading its participants, a command waits for them and is
        checked then (its validator could not tell); refused with the true reason."""
        if self._loaded:
            return
        await workflow.wait_condition(lambda: self._loaded or self._over())
        why = problem()
        if why:
            raise refused(why)

    def _loading(self) -> str | None:
        """A continued run reads its participants again first: a moment's refusal."""
        if not self._loaded and self.s.packed is not None:
            return Refusal("meeting.loading")
        return None

    def _busy(self, stoppable: bool = False) -> str | None:
        """Why a command must wait for the mail going out; a cancel or reschedule
        (`stoppable`) does not wait for invitations it can stop."""
        if self._loading():
            return self._loading()
        if stoppable and self._can_stop_sending():
            return None
        if (
            self.s.phase in (Phase.SCHEDULED, Phase.INVITING)
            or self._sending.locked()
            or self._fanning_out()
        ):
            return Refusal("meeting.busy")
        return None

    def _fanning_out(self) -> bool:
        """A change's mail still going out after its command answered (delivery)."""
        return False

    async def _send_within(self, send: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Send a change's mail, answering the command soon even if it takes longer."""
        await send()

    def _can_stop_sending(self) -> bool:
        """A fan-out or retry is running that a change may stop (workflows.meeting.delivery)."""
        return False

    async def _stop_sending(self) -> None:
        """Stop what `_can_stop_sending` found running (workflows.meeting.delivery)."""

    async def _stoppable(self, send: Callable[[], Coroutine[Any, Any, None]]) -> bool:
        """Run `send`, stoppable by a later change (workflows.meeting.delivery)."""
        await send()
        return True

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
        """One text to many: the agenda, the minutes, the cycle's request to schedule; an
        address the relay puts off gets it later, alone (a reschedule does not stop it)."""

        async def send(chunk: list[Participant]) -> None:
            batch = notice.model_copy(update={"recipients": chunk})
            await self._deferred.send(SEND_NOTICES, batch, NoticeResult, stoppable=False)

        await in_batches(recipients, send)
        if self._deferred.failed:
            self._tell_failures()

    async def _send_all(
        self,
        method: Literal["REQUEST", "CANCEL"],
        previous: MeetingDefinition | None = None,
        reason: str | None = None,
        only: list[str] | None = None,
    ) -> None:
        """Send the current sequence to every invitee (or `only` these), a few batches
        (connections) at a time; an update says what changed since `previous`, a
        cancellation gives its `reason`."""
        s = self.s
        sequence, meeting = s.sequence, s.meeting
        recipients = (
            [s.invitees[pid] for pid in only] if only is not None else list(s.invitees.values())
        )
        for p in recipients:
            s.invitations[p.id] = Invitation(participant_id=p.id, email=p.email, sequence=sequence)
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
            self._delivered(batch, result.results)

        await in_batches(recipients, send)
        self._sent_all(sequence)

    def _delivered(self, batch: InvitationBatch, results: list[DeliveryResult]) -> None:
        """A batch's outcome per recipient (workflows.meeting.delivery does more with it)."""
        s = self.s
        for r in results:
            s.invitations[r.participant_id] = s.invitations[r.participant_id].model_copy(
                update={
                    "status": r.status,
                    "message_id": r.message_id,
                    "error": r.error,
                    "at": r.at,
                }
            )
        self._changes += 1

    def _tell_failures(self) -> None:
        """Mail of any kind failed for good: the secretariat is told (delivery)."""

    def _sent_all(self, sequence: int) -> None:
        """Every recipient of the pass has an outcome (or waits on its own)."""
