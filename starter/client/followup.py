"""Follow-up: the minutes, and action items marked done (one workflow each, id
f"{meeting_id}-{action_id}")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from temporalio.client import Client

from domain.common.refusals import Refusal
from domain.followup.actions import ActionItem, DoneCommand
from domain.followup.minutes import MinutesCommand
from domain.meeting.status import MinutesRecorded
from starter.client.refusals import CommandRefused, NoSuchAction, NoSuchMeeting, refused_detail
from starter.client.updates import action_ended, audit, update
from workflows.followup.action_item import ActionItemWorkflow
from workflows.meeting.workflow import MeetingWorkflow as W

if TYPE_CHECKING:
    from activities.store import Store


async def record_minutes(
    client: Client, store: Store | None, meeting_id: str, c: MinutesCommand
) -> MinutesRecorded:
    return await update(client, store, meeting_id, "minutes", W.record_minutes, c)


async def mark_action_done(
    client: Client, store: Store | None, workflow_id: str, c: DoneCommand
) -> ActionItem:
    """The owner (signed link) or the secretariat (CLI) marks an action item done."""
    action = "action.done"
    reason = await action_ended(client, workflow_id)
    if reason is None:
        try:
            return await update(client, store, workflow_id, action, ActionItemWorkflow.mark_done, c)
        except NoSuchMeeting as exc:
            raise NoSuchAction(Refusal("action.missing", action=workflow_id)) from exc
    detail = c.model_dump(mode="json", exclude={"actor"}) | refused_detail(reason)
    audit(store, workflow_id, c.actor, f"{action}.refused", detail)
    raise CommandRefused(reason)
