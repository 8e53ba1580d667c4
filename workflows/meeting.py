"""MeetingWorkflow: one per meeting, workflow id = meeting id.

Loads the invitees, sends the invitations in batches (one SMTP connection each), keeps
every participant's invitation and answer for the `status` query, and takes the
secretariat's and participants' commands as validated updates: rsvp, reschedule, cancel.
Every decision is a domain function; every side effect an activity.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import Literal

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.answers import Answer, RsvpCommand, count_answers, rsvp_problem
    from domain.changes import (
        CancelCommand,
        RescheduleCommand,
        cancel_problem,
        reschedule_problem,
        rescheduled,
    )
    from domain.contracts import (
        LOAD_PARTICIPANTS,
        RECORD_MEETING,
        SEND_INVITATIONS,
        SEND_REMINDERS,
        MeetingRecord,
        MeetingStatus,
        MeetingSummary,
        ParticipantList,
        ParticipantQuery,
        ParticipantStatus,
        Phase,
    )
    from domain.directory import Participant, Role
    from domain.invitations import (
        MAX_PARALLEL_BATCHES,
        BatchResult,
        Invitation,
        InvitationBatch,
        InvitationStatus,
        batches,
    )
    from domain.meeting import MeetingDefinition
    from domain.reminder_mail import ReminderBatch, ReminderItem, ReminderResult
    from domain.reminder_policy import ReminderPolicy
    from domain.reminders import (
        PlannedReminder,
        RemindCommand,
        ReminderKind,
        countries_without_accepted_nfp,
        plan_reminders,
        remind_problem,
    )

DB_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)
)
SMTP_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
)
SEND_HEARTBEAT = timedelta(seconds=10)
ENDED = (Phase.CLOSED, Phase.CANCELLED)


@workflow.defn
class MeetingWorkflow:
    @workflow.init
    def __init__(self, meeting: MeetingDefinition) -> None:
        self._meeting = meeting
        self._phase = Phase.SCHEDULED
        self._sequence = 0
        self._invitees: dict[str, Participant] = {}
        self._invitations: dict[str, Invitation] = {}
        self._answers: dict[str, Answer] = {}
        self._sending = asyncio.Lock()
        self._policy = meeting.reminders or ReminderPolicy()
        self._secretariat_zone = meeting.zone
        self._horizon = workflow.now()
        self._reminded: set[str] = set()
        self._next_reminder: datetime | None = None
        self._wake = False
        self._adhoc = 0

    @workflow.run
    async def run(self, meeting: MeetingDefinition) -> MeetingSummary:
        await self._record(Phase.SCHEDULED)
        invitees = await workflow.execute_activity(
            LOAD_PARTICIPANTS,
            ParticipantQuery.of(meeting),
            result_type=ParticipantList,
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=DB_RETRY,
        )
        self._invitees = {p.id: p for p in invitees.participants}
        self._policy = meeting.reminders or invitees.reminders
        self._secretariat_zone = invitees.secretariat_zone
        self._phase = Phase.INVITING
        async with self._sending:
            await self._send_all("REQUEST")
        if self._phase is Phase.INVITING:
            await self._record(Phase.REGISTRATION)
        await self._remind_until_ended()
        # Later phases (agenda, held, follow-up) attach here.
        await workflow.wait_condition(
            lambda: self._phase in ENDED and workflow.all_handlers_finished()
        )
        return self._summary()

    # --- reminders -------------------------------------------------------------------

    def _plan(self) -> list[PlannedReminder]:
        return plan_reminders(
            start_utc=self._meeting.start_utc(),
            agenda_deadline_utc=self._meeting.agenda_deadline_utc(),
            policy=self._policy,
            invitees=self._invitees,
            answers={pid: a.attendance for pid, a in self._answers.items()},
            secretariat_zone=self._secretariat_zone,
            sequence=self._sequence,
            horizon=self._horizon,
            sent=self._reminded,
        )

    def _replan(self) -> None:
        """Wake the reminder loop when a change brings a reminder forward."""
        plan = self._plan()
        if plan and (self._next_reminder is None or plan[0].at < self._next_reminder):
            self._wake = True

    async def _remind_until_ended(self) -> None:
        """Sleep until the next reminder is due, send what is due, repeat; durable timers."""
        while self._phase not in ENDED:
            plan = self._plan()
            now = workflow.now()
            if plan and plan[0].at <= now:
                async with self._sending:
                    due = [r for r in self._plan() if r.at <= workflow.now()]
                    if self._phase not in ENDED and due:
                        await self._send_reminders(due)
                continue
            self._next_reminder = plan[0].at if plan else None
            self._wake = False
            with contextlib.suppress(TimeoutError):  # the timer fired: a reminder is due
                await workflow.wait_condition(
                    lambda: self._wake or self._phase in ENDED,
                    timeout=(plan[0].at - now) if plan else None,
                )

    async def _send_reminders(self, due: list[PlannedReminder]) -> None:
        answers = {pid: a.attendance for pid, a in self._answers.items()}
        items: list[ReminderItem] = []
        for r in due:
            if r.participant_id is None:
                countries = countries_without_accepted_nfp(self._invitees, answers)
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
                        recipient=self._invitees[r.participant_id],
                        attendance=answers.get(r.participant_id),
                    )
                )
        await self._send_items(items)
        self._reminded.update(r.key for r in due)

    async def _send_items(self, items: list[ReminderItem]) -> None:
        gate = asyncio.Semaphore(MAX_PARALLEL_BATCHES)

        async def send(chunk: list[ReminderItem]) -> None:
            async with gate:
                await workflow.execute_activity(
                    SEND_REMINDERS,
                    ReminderBatch(meeting=self._meeting, sequence=self._sequence, items=chunk),
                    result_type=ReminderResult,
                    start_to_close_timeout=timedelta(minutes=30),
                    heartbeat_timeout=SEND_HEARTBEAT,
                    retry_policy=SMTP_RETRY,
                )

        await asyncio.gather(*(send(chunk) for chunk in batches(items)))

    def _secretariat(self) -> Participant:
        organiser = self._meeting.organiser
        return Participant(
            id="secretariat",
            name=organiser.name,
            email=organiser.email,
            role=Role.SECRETARIAT,
            organisation="SECRETARIAT",
            zone=self._secretariat_zone,
        )

    # --- queries ---------------------------------------------------------------------

    @workflow.query
    def status(self) -> MeetingStatus:
        rows = []
        for pid, p in self._invitees.items():
            answer = self._answers.get(pid)
            rows.append(
                ParticipantStatus(
                    participant_id=pid,
                    name=p.name,
                    email=p.email,
                    affiliation=p.country or p.organisation or "",
                    zone=p.zone,
                    invitation=self._invitations[pid],
                    attendance=answer.attendance if answer else None,
                    answered_via=answer.actor.channel.value if answer else None,
                )
            )
        return MeetingStatus(
            id=self._meeting.id,
            title=self._meeting.title,
            phase=self._phase,
            sequence=self._sequence,
            meeting=self._meeting,
            participants=rows,
            answers=count_answers(self._invitees, self._answers),
            reminders=self._plan() if self._phase not in ENDED else [],
        )

    # --- updates ---------------------------------------------------------------------

    @workflow.update
    async def rsvp(self, command: RsvpCommand) -> MeetingStatus:
        """An answer from any channel; changeable until registration closes."""
        self._answers[command.participant_id] = Answer(
            attendance=command.attendance,
            at=workflow.now(),
            actor=command.actor,
            sequence=self._sequence,
        )
        self._replan()
        return self.status()

    @rsvp.validator
    def _check_rsvp(self, command: RsvpCommand) -> None:
        problem = rsvp_problem(
            self._meeting,
            self._invitees,
            self._sequence,
            self._phase in ENDED,
            command,
            workflow.now(),
        )
        if problem:
            raise ValueError(problem)

    @workflow.update
    async def reschedule(self, command: RescheduleCommand) -> MeetingStatus:
        """New dates (or venue, zone, link): everyone invited gets the update, SEQUENCE+1."""
        async with self._sending:
            self._meeting = rescheduled(self._meeting, command)
            self._sequence += 1
            self._horizon = workflow.now()
            self._wake = True
            await self._record(self._phase, f"rescheduled by {command.actor.id}")
            await self._send_all("REQUEST")
        return self.status()

    @reschedule.validator
    def _check_reschedule(self, command: RescheduleCommand) -> None:
        problem = self._busy() or reschedule_problem(
            self._meeting, self._phase in ENDED, command, workflow.now()
        )
        if problem:
            raise ValueError(problem)

    @workflow.update
    async def cancel(self, command: CancelCommand) -> MeetingStatus:
        """Cancel before the meeting: everyone invited gets METHOD:CANCEL, SEQUENCE+1."""
        async with self._sending:
            self._sequence += 1
            self._phase = Phase.CANCELLED
            await self._send_all("CANCEL")
            await self._record(Phase.CANCELLED, f"{command.reason} ({command.actor.id})")
        return self.status()

    @cancel.validator
    def _check_cancel(self, command: CancelCommand) -> None:
        problem = self._busy() or cancel_problem(
            self._meeting, self._phase in ENDED, workflow.now()
        )
        if problem:
            raise ValueError(problem)

    @workflow.update
    async def remind(self, command: RemindCommand) -> MeetingStatus:
        """An ad-hoc chaser, now, to everyone who has not answered."""
        async with self._sending:
            self._adhoc += 1
            items = [
                ReminderItem(
                    key=f"s{self._sequence}:adhoc-{self._adhoc}:{pid}",
                    kind=ReminderKind.CHASER,
                    days_before=0,
                    recipient=p,
                )
                for pid, p in self._invitees.items()
                if pid not in self._answers
            ]
            await self._send_items(items)
        return self.status()

    @remind.validator
    def _check_remind(self, command: RemindCommand) -> None:
        problem = self._busy() or remind_problem(
            self._meeting,
            self._phase in ENDED,
            set(self._invitees) - set(self._answers),
            workflow.now(),
        )
        if problem:
            raise ValueError(problem)

    # --- helpers ---------------------------------------------------------------------

    def _busy(self) -> str | None:
        if self._phase in (Phase.SCHEDULED, Phase.INVITING) or self._sending.locked():
            return "invitations are still going out; try again in a moment"
        return None

    async def _send_all(self, method: Literal["REQUEST", "CANCEL"]) -> None:
        """Send the current sequence to every invitee, a few batches (connections) at a time."""
        gate = asyncio.Semaphore(MAX_PARALLEL_BATCHES)
        sequence = self._sequence
        for pid, p in self._invitees.items():
            self._invitations[pid] = Invitation(
                participant_id=pid, email=p.email, sequence=sequence
            )

        async def send(batch: InvitationBatch) -> None:
            async with gate:
                result = await workflow.execute_activity(
                    SEND_INVITATIONS,
                    batch,
                    result_type=BatchResult,
                    start_to_close_timeout=timedelta(minutes=30),
                    heartbeat_timeout=SEND_HEARTBEAT,
                    retry_policy=SMTP_RETRY,
                )
            for r in result.results:
                self._invitations[r.participant_id] = self._invitations[
                    r.participant_id
                ].model_copy(
                    update={
                        "status": r.status,
                        "message_id": r.message_id,
                        "error": r.error,
                        "at": r.at,
                    }
                )

        meeting = self._meeting
        await asyncio.gather(
            *(
                send(
                    InvitationBatch(meeting=meeting, sequence=sequence, method=method, recipients=b)
                )
                for b in batches(list(self._invitees.values()))
            )
        )

    async def _record(self, phase: Phase, note: str = "") -> None:
        """Projection and audit first, then the phase: a status query never runs ahead."""
        await workflow.execute_activity(
            RECORD_MEETING,
            MeetingRecord(meeting=self._meeting, phase=phase, note=note),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=DB_RETRY,
        )
        self._phase = phase

    def _summary(self) -> MeetingSummary:
        failed = sum(1 for i in self._invitations.values() if i.status is InvitationStatus.FAILED)
        return MeetingSummary(
            id=self._meeting.id,
            phase=self._phase,
            invited=len(self._invitations) - failed,
            failed=failed,
        )
