"""A meeting's life from the secretariat's side: plan it, schedule or reschedule it, cancel
it, send its mail again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.common.contracts import Phase
from domain.common.refusals import Refusal
from domain.meeting.changes import CancelCommand, RescheduleCommand
from domain.meeting.definition import MeetingDefinition
from domain.meeting.status import ChangeAck
from domain.outbox.tracking import ResendCommand
from starter.client.refusals import CommandRefused
from starter.client.updates import update
from workflows.common import search_attributes
from workflows.common.policies import MEETING_TASK_TIMEOUT
from workflows.meeting.workflow import MeetingWorkflow as W

if TYPE_CHECKING:
    from activities.store import Store


async def plan(client: Client, meeting: MeetingDefinition, task_queue: str, reuse: bool) -> bool:
    """Start the meeting's workflow; True if started, False if it existed and `reuse` is set.

    A meeting id is never used twice, even after its workflow ended (REJECT_DUPLICATE).
    """
    try:
        await client.start_workflow(
            W.run,
            meeting,
            id=meeting.id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            task_timeout=MEETING_TASK_TIMEOUT,
            search_attributes=search_attributes.initial(
                meeting.region, meeting.number, Phase.SCHEDULED.value
            ),
        )
        return True
    except WorkflowAlreadyStartedError as exc:
        if reuse:
            return False
        raise CommandRefused(Refusal("meeting.exists", meeting=meeting.id)) from exc


async def reschedule(
    client: Client, store: Store | None, meeting_id: str, c: RescheduleCommand
) -> ChangeAck:
    return await update(client, store, meeting_id, "reschedule", W.reschedule, c)


async def schedule(
    client: Client, store: Store | None, meeting_id: str, c: RescheduleCommand
) -> ChangeAck:
    return await update(client, store, meeting_id, "schedule", W.schedule, c)


async def cancel(
    client: Client, store: Store | None, meeting_id: str, c: CancelCommand
) -> ChangeAck:
    return await update(client, store, meeting_id, "cancel", W.cancel, c)


async def resend(
    client: Client, store: Store | None, meeting_id: str, c: ResendCommand
) -> ChangeAck:
    return await update(client, store, meeting_id, "resend", W.resend, c)
