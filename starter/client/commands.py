"""Sending the secretariat's and participants' commands to a meeting workflow.

Every interface (CLI, web app, inbound mail) goes through here, so all of them get the
same refusals and leave the same audit trail.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.workflow import UpdateMethodMultiParam

from domain.agenda.items import AgendaItem, DecideCommand, ProposeCommand, PublishCommand
from domain.agenda.view import AgendaView
from domain.attendance.register import AttendanceView, CheckInCommand, JoinCommand, Presence
from domain.common.base import Frozen
from domain.common.contracts import MeetingSummary, Phase
from domain.common.refusals import Refusal, refusal_of
from domain.followup.actions import ActionItem, DoneCommand, done_problem
from domain.followup.minutes import MinutesCommand
from domain.meeting.changes import CancelCommand, RescheduleCommand
from domain.meeting.definition import MeetingDefinition
from domain.meeting.status import (
    MAX_PAGE,
    AgendaPublished,
    ChangeAck,
    MeetingStatus,
    MinutesRecorded,
    ParticipantStatus,
    RegisterPage,
    StatusPage,
)
from domain.outbox.tracking import ResendCommand
from domain.registration.answers import Actor, RsvpCommand
from domain.registration.held import (
    ConfirmReplyCommand,
    DiscardReplyCommand,
    HeldReply,
    HoldReplyCommand,
)
from domain.reminders.planning import RemindCommand
from starter.client.backoff import admitted
from workflows.common import search_attributes
from workflows.common.policies import MEETING_TASK_TIMEOUT
from workflows.followup.action_item import ActionItemWorkflow
from workflows.meeting.workflow import MeetingWorkflow
from workflows.meeting.workflow import MeetingWorkflow as W

if TYPE_CHECKING:
    from activities.store import Store

R = TypeVar("R")


class CommandRefused(Exception):
    """The meeting refused the command; nothing changed. The message says why (English);
    `refusal` carries its code and parameters, for each door to write in its reader's
    language (domain.common.refusals)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.refusal = refusal_of(reason)


class NoSuchMeeting(CommandRefused):
    pass


def _why(exc: BaseException) -> Refusal:
    """The validator's refusal: its words (without the exception type the SDK prefixes)
    and the code and parameters the workflow sent with them."""
    cause = getattr(exc, "cause", None) or exc.__cause__
    if isinstance(cause, ApplicationError):
        return refusal_of(cause.message, cause.details[0] if cause.details else None)
    return refusal_of(str(cause or exc))


def refused_detail(reason: str) -> dict[str, Any]:
    """What the audit log keeps of a refusal: the English text for auditors, and the code
    and parameters that do not depend on the wording."""
    found = refusal_of(reason)
    return {"reason": str(found)} | found.detail()


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


async def _query(client: Client, meeting_id: str, query: Callable[[W], R]) -> R:
    try:
        return await client.get_workflow_handle(meeting_id).query(query)
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise NoSuchMeeting(Refusal("meeting.missing", meeting=meeting_id)) from exc
        raise


async def status(client: Client, meeting_id: str, page: StatusPage | None = None) -> MeetingStatus:
    """The meeting's summary and one page of its participants (the first 100 by default)."""
    try:
        return await client.get_workflow_handle(meeting_id).query(W.status, page or StatusPage())
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise NoSuchMeeting(Refusal("meeting.missing", meeting=meeting_id)) from exc
        raise


async def participant(
    client: Client, meeting_id: str, participant_id: str
) -> ParticipantStatus | None:
    """One participant's row, or None if they are not invited."""
    found = await status(client, meeting_id, StatusPage(participant_id=participant_id, limit=1))
    return found.participants[0] if found.participants else None


async def full_status(client: Client, meeting_id: str) -> MeetingStatus:
    """The status with every participant's row, read a page at a time (for reports and
    pages that list the whole meeting; a large meeting pays for its size here only)."""
    first = await status(client, meeting_id, StatusPage(limit=MAX_PAGE))
    rows = list(first.participants)
    current = first.next_page
    while current is not None:
        found = await status(client, meeting_id, current)
        rows += found.participants
        current = found.next_page
    return first.model_copy(update={"participants": rows})


async def all_participants(
    client: Client, meeting_id: str, page: StatusPage | None = None
) -> AsyncIterator[ParticipantStatus]:
    """Every participant matching `page`'s filters, a page at a time."""
    current: StatusPage | None = (page or StatusPage()).model_copy(update={"limit": MAX_PAGE})
    while current is not None:
        found = await status(client, meeting_id, current)
        for row in found.participants:
            yield row
        current = found.next_page


class Command(Protocol):
    """Every update payload carries its actor (who, through which channel)."""

    @property
    def actor(self) -> Actor: ...

    def model_dump(self, *, mode: str, exclude: set[str]) -> dict[str, Any]: ...


C = TypeVar("C", bound=Command)


async def _update(
    client: Client,
    store: Store | None,
    workflow_id: str,
    action: str,
    update: UpdateMethodMultiParam[[Any, C], R],
    command: C,
    counted: str | None = None,
) -> R:
    """Run one typed update; audit the outcome (applied or refused) with actor and channel
    (counted under `counted`, see `_audit`, when a flood of them is to be expected)."""
    actor = command.actor
    detail: dict[str, Any] = command.model_dump(mode="json", exclude={"actor"})
    handle = client.get_workflow_handle(workflow_id)
    try:
        update_id = str(uuid.uuid4())  # one id for every retry: applied at most once
        result: R = await admitted(lambda: handle.execute_update(update, command, id=update_id))
    except WorkflowUpdateFailedError as exc:
        reason = _why(exc)
        refusal = detail | refused_detail(reason)
        _audit(store, workflow_id, actor, f"{action}.refused", refusal, counted)
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
            _audit(store, None, actor, f"{action}.refused", why, counted)
            raise NoSuchMeeting(missing_meeting) from exc
        ended: str
        if described.workflow_type == "ActionItemWorkflow":
            ended = await _action_ended(client, workflow_id) or Refusal(
                "action.ended", action=workflow_id
            )
        else:
            ended = await _ended_reason(client, workflow_id, described.status)
        refusal = detail | refused_detail(ended)
        _audit(store, workflow_id, actor, f"{action}.refused", refusal, counted)
        raise CommandRefused(ended) from exc
    _audit(store, workflow_id, actor, action, detail, counted)
    return result


async def _ended_reason(
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


REPLY_WINDOW = timedelta(hours=1)
"""Unconfirmed calendar replies are audited counted: one row per sender (or, for senders who
are no invitee, one per meeting) and hour, whatever a forger sends."""


def _audit(
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


async def rsvp(
    client: Client, store: Store | None, meeting_id: str, c: RsvpCommand
) -> ParticipantStatus:
    """The participant's own row after the answer."""
    return await _update(client, store, meeting_id, "rsvp", W.rsvp, c)


async def reschedule(
    client: Client, store: Store | None, meeting_id: str, c: RescheduleCommand
) -> ChangeAck:
    return await _update(client, store, meeting_id, "reschedule", W.reschedule, c)


async def schedule(
    client: Client, store: Store | None, meeting_id: str, c: RescheduleCommand
) -> ChangeAck:
    return await _update(client, store, meeting_id, "schedule", W.schedule, c)


async def remind(
    client: Client, store: Store | None, meeting_id: str, c: RemindCommand
) -> ChangeAck:
    return await _update(client, store, meeting_id, "remind", W.remind, c)


async def cancel(
    client: Client, store: Store | None, meeting_id: str, c: CancelCommand
) -> ChangeAck:
    return await _update(client, store, meeting_id, "cancel", W.cancel, c)


async def resend(
    client: Client, store: Store | None, meeting_id: str, c: ResendCommand
) -> ChangeAck:
    return await _update(client, store, meeting_id, "resend", W.resend, c)


async def propose_item(
    client: Client, store: Store | None, meeting_id: str, c: ProposeCommand
) -> AgendaItem:
    return await _update(client, store, meeting_id, "agenda.propose", W.propose_item, c)


async def decide_item(
    client: Client, store: Store | None, meeting_id: str, c: DecideCommand
) -> AgendaItem:
    return await _update(client, store, meeting_id, "agenda.decide", W.decide_item, c)


async def publish_agenda(
    client: Client, store: Store | None, meeting_id: str, c: PublishCommand
) -> AgendaPublished:
    return await _update(client, store, meeting_id, "agenda.publish", W.publish_agenda, c)


async def check_in(
    client: Client, store: Store | None, meeting_id: str, c: CheckInCommand
) -> Presence:
    return await _update(client, store, meeting_id, "check-in", W.check_in, c)


async def join_online(
    client: Client, store: Store | None, meeting_id: str, c: JoinCommand
) -> Presence:
    return await _update(client, store, meeting_id, "join", W.join_online, c)


async def hold_reply(
    client: Client, store: Store | None, meeting_id: str, c: HoldReplyCommand
) -> HeldReply:
    """A calendar reply from an unauthenticated sender, kept for the secretariat (the
    workflow keeps the latest per participant; the audit log a count per sender and hour)."""
    sender = c.sender.lower()
    return await _update(client, store, meeting_id, "reply.held", W.hold_reply, c, sender)


async def confirm_reply(
    client: Client, store: Store | None, meeting_id: str, c: ConfirmReplyCommand
) -> ParticipantStatus:
    """The secretariat vouches for a held reply: the participant's row after the answer."""
    return await _update(client, store, meeting_id, "reply.confirmed", W.confirm_reply, c)


async def discard_reply(
    client: Client, store: Store | None, meeting_id: str, c: DiscardReplyCommand
) -> HeldReply:
    return await _update(client, store, meeting_id, "reply.discarded", W.discard_reply, c)


async def agenda(client: Client, meeting_id: str) -> AgendaView:
    return await _query(client, meeting_id, W.agenda)


async def attendance(
    client: Client, meeting_id: str, page: RegisterPage | None = None
) -> AttendanceView:
    """The register's counts and its presences (all, or the page asked for)."""
    try:
        handle = client.get_workflow_handle(meeting_id)
        return await handle.query(W.attendance, page or RegisterPage())
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise NoSuchMeeting(Refusal("meeting.missing", meeting=meeting_id)) from exc
        raise


class MeetingListing(Frozen):
    id: str
    region: str | None
    number: int | None
    phase: str | None
    status: str
    started: datetime


async def list_meetings(
    client: Client, region: str | None = None, phase: Phase | None = None
) -> list[MeetingListing]:
    """Meetings by region and phase: a visibility query over the search attributes."""
    query = ["WorkflowType = 'MeetingWorkflow'"]
    if region is not None:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", region):
            raise CommandRefused(Refusal("input.region_code", field="region", region=repr(region)))
        query.append(f"{search_attributes.RTM_REGION.name} = '{region}'")
    if phase is not None:
        query.append(f"{search_attributes.RTM_PHASE.name} = '{phase.value}'")
    found = []
    async for wf in client.list_workflows(" AND ".join(query)):
        attrs = wf.typed_search_attributes
        found.append(
            MeetingListing(
                id=wf.id,
                region=attrs.get(search_attributes.RTM_REGION),
                number=attrs.get(search_attributes.RTM_NUMBER),
                phase=attrs.get(search_attributes.RTM_PHASE),
                status=wf.status.name.lower() if wf.status else "unknown",
                started=wf.start_time,
            )
        )
    return sorted(found, key=lambda m: (m.region or "", m.number or 0, m.id))


# --- action items (one workflow each, id f"{meeting_id}-{action_id}") -------------------


class NoSuchAction(NoSuchMeeting):
    pass


async def action_status(client: Client, workflow_id: str) -> ActionItem:
    """An action item as its workflow holds it (also after it completed)."""
    try:
        return await client.get_workflow_handle(workflow_id).query(ActionItemWorkflow.status)
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise NoSuchAction(Refusal("action.missing", action=workflow_id)) from exc
        raise


async def _action_ended(client: Client, workflow_id: str) -> str | None:
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


async def mark_action_done(
    client: Client, store: Store | None, workflow_id: str, c: DoneCommand
) -> ActionItem:
    """The owner (signed link) or the secretariat (CLI) marks an action item done."""
    action = "action.done"
    reason = await _action_ended(client, workflow_id)
    if reason is None:
        try:
            return await _update(
                client, store, workflow_id, action, ActionItemWorkflow.mark_done, c
            )
        except NoSuchMeeting as exc:
            raise NoSuchAction(Refusal("action.missing", action=workflow_id)) from exc
    detail = c.model_dump(mode="json", exclude={"actor"}) | refused_detail(reason)
    _audit(store, workflow_id, c.actor, f"{action}.refused", detail)
    raise CommandRefused(reason)


async def record_minutes(
    client: Client, store: Store | None, meeting_id: str, c: MinutesCommand
) -> MinutesRecorded:
    return await _update(client, store, meeting_id, "minutes", W.record_minutes, c)
