"""Follow-up: the minutes, and one child workflow per action item that chases its owner."""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

from workflows.common.refusals import refused
from workflows.followup.action_item import ActionItemWorkflow
from workflows.meeting.base import MeetingBase

with workflow.unsafe.imports_passed_through():
    from domain.common.contracts import Phase
    from domain.followup.actions import ActionItem, ActionStatus, action_input
    from domain.followup.minutes import MinutesCommand, minutes_problem
    from domain.meeting.notices import action_ids, minutes_notice, minutes_recipients
    from domain.meeting.status import MinutesRecorded


class FollowupHandlers(MeetingBase):
    _tracking: list[asyncio.Task[None]]

    def _open_actions(self) -> int:
        return sum(1 for a in self.s.actions.values() if a.status is not ActionStatus.DONE)

    @workflow.update
    async def record_minutes(self, command: MinutesCommand) -> MinutesRecorded:
        """Minutes and action items: each action becomes its own workflow that chases its
        owner; minutes and actions are mailed to everyone who did not decline."""
        await self._ready(lambda: self._minutes_problem(command))
        s = self.s
        participants = list(s.invitees.values())
        s.minutes = command.markdown
        started: list[ActionItem] = []
        for action_id, spec in zip(
            action_ids(len(s.actions), len(command.actions)), command.actions, strict=True
        ):
            action = action_input(s.meeting, action_id, spec, participants, self._secretariat())
            s.actions[action_id] = action.item
            handle = await workflow.start_child_workflow(
                ActionItemWorkflow.run,
                action,
                id=action.item.workflow_id,
                parent_close_policy=ParentClosePolicy.ABANDON,
            )
            self._tracking.append(asyncio.create_task(self._track(action_id, handle)))
            started.append(action.item)
        recipients = minutes_recipients(s.invitees, s.answers)
        await self._send_notice(minutes_notice(s.meeting, command.markdown, started), recipients)
        return MinutesRecorded(
            meeting_id=s.meeting.id, actions=[a.id for a in started], recipients=len(recipients)
        )

    @record_minutes.validator
    def _check_minutes(self, command: MinutesCommand) -> None:
        problem = self._minutes_problem(command) if self._loaded else None
        if problem:
            raise refused(problem)

    def _minutes_problem(self, command: MinutesCommand) -> str | None:
        s = self.s
        return minutes_problem(
            s.meeting,
            command,
            list(s.invitees.values()),
            s.phase in (Phase.HELD, Phase.FOLLOW_UP),
            self._over(),
            s.minutes is not None,
        )

    async def _track(
        self, action_id: str, handle: workflow.ChildWorkflowHandle[Any, ActionItem]
    ) -> None:
        """Keep the action's final state when its workflow completes."""
        self.s.actions[action_id] = await handle

    @workflow.signal
    def action_finished(self, item: ActionItem) -> None:
        """An action's workflow completed (it signals the meeting's current run)."""
        if item.id in self.s.actions:
            self.s.actions[item.id] = item
