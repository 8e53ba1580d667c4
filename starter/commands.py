"""Sending the secretariat's and participants' commands to a meeting workflow.

Every interface (CLI, web app, inbound mail) goes through here, so all of them get the
same refusals and leave the same audit trail.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.db import Store
from domain.answers import Actor, RsvpCommand
from domain.changes import CancelCommand, RescheduleCommand
from domain.contracts import MeetingStatus, MeetingSummary
from domain.meeting import MeetingDefinition
from domain.reminders import RemindCommand
from workflows.meeting import MeetingWorkflow


class CommandRefused(Exception):
    """The meeting refused the command; nothing changed. The message says why."""


class NoSuchMeeting(CommandRefused):
    pass


def _why(exc: BaseException) -> str:
    """The validator's own words, without the exception type the SDK prefixes."""
    cause = getattr(exc, "cause", None) or exc.__cause__
    if isinstance(cause, ApplicationError):
        return cause.message
    return str(cause or exc)


async def plan(client: Client, meeting: MeetingDefinition, task_queue: str, reuse: bool) -> bool:
    """Start the meeting's workflow; True if started, False if it existed and `reuse` is set.

    A meeting id is never used twice, even after its workflow ended (REJECT_DUPLICATE).
    """
    try:
        await client.start_workflow(
            MeetingWorkflow.run,
            meeting,
            id=meeting.id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        )
        return True
    except WorkflowAlreadyStartedError as exc:
        if reuse:
            return False
        raise CommandRefused(f"meeting {meeting.id} already exists") from exc


async def status(client: Client, meeting_id: str) -> MeetingStatus:
    try:
        return await client.get_workflow_handle(meeting_id).query(MeetingWorkflow.status)
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise NoSuchMeeting(f"no meeting {meeting_id!r}") from exc
        raise


async def _update(
    client: Client,
    store: Store | None,
    meeting_id: str,
    actor: Actor,
    action: str,
    update: Any,
    command: RsvpCommand | RescheduleCommand | CancelCommand | RemindCommand,
) -> MeetingStatus:
    """Run one update; audit the outcome (applied or refused) with actor and channel."""
    detail: dict[str, Any] = command.model_dump(mode="json", exclude={"actor"})
    try:
        result: MeetingStatus = await client.get_workflow_handle(meeting_id).execute_update(
            update, command, result_type=MeetingStatus
        )
    except WorkflowUpdateFailedError as exc:
        reason = _why(exc)
        _audit(store, meeting_id, actor, f"{action}.refused", detail | {"reason": reason})
        raise CommandRefused(reason) from exc
    except RPCError as exc:
        if exc.status not in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise
        try:  # an ended workflow answers updates with NOT_FOUND; describe tells it apart
            described = await client.get_workflow_handle(meeting_id).describe()
        except RPCError as missing:
            if missing.status is not RPCStatusCode.NOT_FOUND:
                raise
            _audit(store, None, actor, f"{action}.refused", detail | {"reason": "no such meeting"})
            raise NoSuchMeeting(f"no meeting {meeting_id!r}") from exc
        reason = await _ended_reason(client, meeting_id, described.status)
        _audit(store, meeting_id, actor, f"{action}.refused", detail | {"reason": reason})
        raise CommandRefused(reason) from exc
    _audit(store, meeting_id, actor, action, detail)
    return result


async def _ended_reason(
    client: Client, meeting_id: str, state: WorkflowExecutionStatus | None
) -> str:
    """'meeting X is cancelled' from the workflow's result, or how its workflow ended."""
    if state is WorkflowExecutionStatus.COMPLETED:
        handle = client.get_workflow_handle(meeting_id, result_type=MeetingSummary)
        summary = await handle.result()
        return f"meeting {meeting_id} is {summary.phase.value}"
    return f"meeting {meeting_id} has ended ({state.name.lower() if state else 'unknown'})"


def _audit(
    store: Store | None, meeting_id: str | None, actor: Actor, action: str, detail: dict[str, Any]
) -> None:
    if store is not None:
        store.append_audit(meeting_id, actor.id, actor.channel.value, action, detail)


async def rsvp(
    client: Client, store: Store | None, meeting_id: str, command: RsvpCommand
) -> MeetingStatus:
    return await _update(
        client, store, meeting_id, command.actor, "rsvp", MeetingWorkflow.rsvp, command
    )


async def reschedule(
    client: Client, store: Store | None, meeting_id: str, command: RescheduleCommand
) -> MeetingStatus:
    return await _update(
        client, store, meeting_id, command.actor, "reschedule", MeetingWorkflow.reschedule, command
    )


async def remind(
    client: Client, store: Store | None, meeting_id: str, command: RemindCommand
) -> MeetingStatus:
    return await _update(
        client, store, meeting_id, command.actor, "remind", MeetingWorkflow.remind, command
    )


async def cancel(
    client: Client, store: Store | None, meeting_id: str, command: CancelCommand
) -> MeetingStatus:
    return await _update(
        client, store, meeting_id, command.actor, "cancel", MeetingWorkflow.cancel, command
    )
