"""MeetingWorkflow: one per meeting, workflow id = meeting id.

Loads the invitees, sends the invitations in batches (one SMTP connection each),
keeps every participant's invitation state for the `status` query, then waits for
the later phases (registration, agenda, follow-up).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.contracts import (
        LOAD_PARTICIPANTS,
        RECORD_MEETING,
        SEND_INVITATIONS,
        MeetingRecord,
        MeetingStatus,
        MeetingSummary,
        ParticipantList,
        ParticipantQuery,
        Phase,
    )
    from domain.invitations import (
        MAX_PARALLEL_BATCHES,
        BatchResult,
        Invitation,
        InvitationBatch,
        InvitationStatus,
        batches,
    )
    from domain.meeting import MeetingDefinition

DB_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)
)
SMTP_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
)
SEND_HEARTBEAT = timedelta(seconds=10)


@workflow.defn
class MeetingWorkflow:
    @workflow.init
    def __init__(self, meeting: MeetingDefinition) -> None:
        self._meeting = meeting
        self._phase = Phase.SCHEDULED
        self._sequence = 0
        self._invitations: dict[str, Invitation] = {}

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
        for p in invitees.participants:
            self._invitations[p.id] = Invitation(participant_id=p.id, email=p.email)
        self._phase = Phase.INVITING
        await self._send_all(invitees)
        await self._record(Phase.REGISTRATION)
        # Later phases (registration, agenda, held, follow-up) attach here.
        await workflow.wait_condition(lambda: self._phase in (Phase.CLOSED, Phase.CANCELLED))
        return self._summary()

    @workflow.query
    def status(self) -> MeetingStatus:
        return MeetingStatus(
            id=self._meeting.id,
            title=self._meeting.title,
            phase=self._phase,
            sequence=self._sequence,
            invitations=list(self._invitations.values()),
        )

    async def _send_all(self, invitees: ParticipantList) -> None:
        """Fan out the invitations; a few batches at a time, each its own SMTP connection."""
        gate = asyncio.Semaphore(MAX_PARALLEL_BATCHES)

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
                        "sequence": self._sequence,
                        "message_id": r.message_id,
                        "error": r.error,
                        "at": r.at,
                    }
                )

        await asyncio.gather(
            *(
                send(InvitationBatch(meeting=self._meeting, sequence=self._sequence, recipients=b))
                for b in batches(invitees.participants)
            )
        )

    async def _record(self, phase: Phase, note: str = "") -> None:
        self._phase = phase
        await workflow.execute_activity(
            RECORD_MEETING,
            MeetingRecord(meeting=self._meeting, phase=phase, note=note),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=DB_RETRY,
        )

    def _summary(self) -> MeetingSummary:
        failed = sum(1 for i in self._invitations.values() if i.status is InvitationStatus.FAILED)
        return MeetingSummary(
            id=self._meeting.id,
            phase=self._phase,
            invited=len(self._invitations) - failed,
            failed=failed,
        )
