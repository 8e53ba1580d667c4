"""Running one command (a typed workflow update) with its audit row, and saying why an ended
workflow takes no more commands.

Every door's commands go through `update`, so all of them get the same refusals and leave
the same audit trail (applied or refused, with actor and channel).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.common.contracts import MeetingSummary
from domain.common.refusals import Refusal, refusal_of
from domain.followup.actions import ActionItem, done_problem
from domain.registration.answers import Actor
from starter.client.backoff import admitted
from starter.client.refusals import CommandRefused, NoSuchAction, NoSuchMeeting, refused_detail

if TYPE_CHECKING:
    from temporalio.workflow import UpdateMethodMultiParam

    from activities.store import Store

R = TypeVar("R")


class Command(Protocol):
    """Every update payload carries its actor (who, through which channel)."""

    @property
    def actor(self) -> Actor: ...

    def model_dump(self, *, mode: str, exclude: set[str]) -> dict[str, Any]: ...


C = TypeVar("C", bound=Command)


def _why(exc: BaseException) -> Refusal:
    """The validator's refusal: its words (without the exception type the SDK prefixes)
    and the code and parameters the workflow sent with them."""
    cause = getattr(exc, "cause", None) or exc.__cause__
    if isinstance(cause, ApplicationError):
        return refusal_of(cause.message, cause.details[0] if cause.details else None)
    return refusal_of(str(cause or exc))


async def update(
    client: Client,
    store: Store | None,
    workflow_id: str,
    action: str,
    handler: UpdateMethodMultiParam[[Any, C], R],
    command: C,
    counted: str | None = None,
) -> R:
    """Run one typed update; audit the outcome (applied or refused) with actor and channel
    (counted under `counted`, see `audit`, when a flood of them is to be expected)."""
    actor = command.actor
    detail: dict[str, Any] = command.model_dump(mode="json", exclude={"actor"})
    handle = client.get_workflow_handle(workflow_id)
    try:
        # one id for every retry (applied at most once); 72 random bits in 12 characters,
        # since the history holds it four times per update (a UUID: 96 bytes more each)
        update_id = secrets.token_urlsafe(9)
        result: R = await admitted(lambda: handle.execute_update(handler, command, id=update_id))
    except WorkflowUpdateFailedError as exc:
        reason = _why(exc)
        refusal = detail | refused_detail(reason)
        audit(store, workflow_id, actor, f"{action}.refused", refusal, counted)
        raise CommandRefused(reason) from exc
    except RPCError as exc:
        if exc.status not in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise
        try:  # an ended workflow answers updates with NOT_FOUND; describe tells it apart
            described = await handle.describe()
        except RPCError as missing:
            if missing.status is not RPCStatusCode.NOT_FOUND:
                raise
            missing_meeting = Refusal("meeting.missing", meeting=workflow_id)
            why = detail | refused_detail(missing_meeting)
            audit(store, None, actor, f"{action}.refused", why, counted)
            raise NoSuchMeeting(missing_meeting) from exc
        ended: str
        if described.workflow_type == "ActionItemWorkflow":
            ended = await action_ended(client, workflow_id) or Refusal(
                "action.ended", action=workflow_id
            )
        else:
            ended = await _meeting_ended(client, workflow_id, described.status)
        refusal = detail | refused_detail(ended)
        audit(store, workflow_id, actor, f"{action}.refused", refusal, counted)
        raise CommandRefused(ended) from exc
    audit(store, workflow_id, actor, action, detail, counted)
    return result


async def _meeting_ended(
    client: Client, meeting_id: str, state: WorkflowExecutionStatus | None
) -> str:
    """'meeting X is cancelled' from the workflow's result, or how its workflow ended."""
    if state is WorkflowExecutionStatus.COMPLETED:
        handle = client.get_workflow_handle(meeting_id, result_type=MeetingSummary)
        try:
            summary = await handle.result()
        except Exception:
            return Refusal("meeting.finished", meeting=meeting_id)
        return Refusal("meeting.phase", meeting=meeting_id, phase=summary.phase.value)
    how = state.name.lower() if state else "unknown"
    return Refusal("meeting.finished_how", meeting=meeting_id, how=how)


async def action_ended(client: Client, workflow_id: str) -> str | None:
    """Why an action workflow takes no more commands (done, or ended), or None if running."""
    try:
        described = await client.get_workflow_handle(workflow_id).describe()
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise NoSuchAction(Refusal("action.missing", action=workflow_id)) from exc
        raise
    state = described.status
    if state in (WorkflowExecutionStatus.RUNNING, WorkflowExecutionStatus.CONTINUED_AS_NEW):
        return None
    if state is WorkflowExecutionStatus.COMPLETED:
        item = await client.get_workflow_handle(workflow_id, result_type=ActionItem).result()
        return done_problem(item) or Refusal(
            "action.finished", action=item.id, meeting=item.meeting_id
        )
    how = state.name.lower() if state else "unknown"
    return Refusal("action.finished_how", action=workflow_id, how=how)


REPLY_WINDOW = timedelta(hours=1)
"""Unconfirmed calendar replies are audited counted: one row per sender (or, for senders who
are no invitee, one per meeting) and hour, whatever a forger sends."""


def audit(
    store: Store | None,
    meeting_id: str | None,
    actor: Actor,
    action: str,
    detail: dict[str, Any],
    counted: str | None = None,
) -> None:
    """One audit row; with `counted` (whose repeats are collapsed), a count in the row of
    (meeting, action and `counted`, hour) instead (the audit log stays append-only)."""
    if store is None:
        return
    if counted is None:
        store.append_audit(meeting_id, actor.id, actor.channel.value, action, detail)
        return
    kind = f"{action} {counted}"[:200]
    store.tally_refusal(
        meeting_id, kind, actor.id, actor.channel.value, action, detail, per=REPLY_WINDOW
    )
