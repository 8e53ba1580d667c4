"""ActionItemWorkflow: one per follow-up action, workflow id f"{meeting_id}-{action_id}".

Started by its meeting as a child workflow (ParentClosePolicy.ABANDON: it outlives the
meeting). Sleeps on durable timers until the next moment of its plan (a reminder before
the due date, overdue reminders, one escalation to the secretariat), sends what is due,
and ends when the owner or the secretariat marks it done (a validated update). An action
overdue for years continues as new every `continue_after` turns, carrying the keys of
what it sent, so its history stays small and nothing is sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Literal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.common.contracts import RECORD_ACTION, SEND_ACTION_MAIL
    from domain.followup.actions import (
        ActionInput,
        ActionItem,
        ActionMail,
        ActionRecord,
        DoneCommand,
        done_problem,
        marked_done,
    )
    from domain.followup.chasing import ActionMoment, action_mail, next_action_moments
    from domain.followup.failures import failure_mail
    from domain.mail.notices import NoticeResult

from workflows.common.deferrals import Deferrals
from workflows.common.policies import DB_RETRY
from workflows.common.refusals import refused


@workflow.defn
class ActionItemWorkflow:
    @workflow.init
    def __init__(self, inp: ActionInput) -> None:
        item = inp.item
        if item.opened_at is None:
            item = item.model_copy(update={"opened_at": workflow.now()})
        self._input = inp.model_copy(update={"item": item})
        self._item = item
        self._sent: list[str] = list(inp.reminders_sent)
        self._iterations = inp.iterations
        self._done = done_problem(item) is not None
        self._done_recorded = False
        self._deferred = Deferrals(self._tell_later)  # an owner's address put off: sent alone
        self._telling: set[asyncio.Task[None]] = set()  # failures being told

    @workflow.run
    async def run(self, inp: ActionInput) -> ActionItem:
        if workflow.info().continued_run_id is None:
            await self._record("opened")
        while not self._done:
            if self._iterations >= inp.continue_after or (
                workflow.info().is_continue_as_new_suggested()
            ):
                await workflow.wait_condition(
                    lambda: (
                        self._done
                        or (
                            workflow.all_handlers_finished()
                            and not (self._deferred.active or self._telling)
                        )
                    )
                )
                if not self._done:
                    workflow.continue_as_new(
                        self._input.model_copy(
                            update={
                                "item": self._item,
                                "reminders_sent": self._sent,
                                "iterations": 0,
                            }
                        )
                    )
                break
            self._iterations += 1
            now = workflow.now()
            moments = next_action_moments(self._item, inp.policy, set(self._sent), now)
            due = [m for m in moments if m.at <= now]
            if due:
                await self._send(due)
                continue
            timeout = (moments[0].at - now) if moments else None
            with contextlib.suppress(TimeoutError):  # the timer fired: something is due
                await workflow.wait_condition(lambda: self._done, timeout=timeout)
        await self._deferred.stop()  # done: what is still being tried is moot
        await self._record("done")
        self._done_recorded = True
        await workflow.wait_condition(
            lambda: workflow.all_handlers_finished() and not self._telling
        )
        if workflow.patched("tell-the-meeting"):  # the meeting may have continued as new
            meeting = workflow.get_external_workflow_handle(self._item.meeting_id)
            with contextlib.suppress(Exception):  # a closed meeting needs no news
                await meeting.signal("action_finished", self._item)
        return self._item

    async def _send(self, due: list[ActionMoment]) -> None:
        """One mail per due moment (to the owners, or to the secretariat), in order."""
        for moment in due:
            if self._done:
                return
            mail: ActionMail = action_mail(
                self._input.model_copy(update={"item": self._item}), moment, workflow.now()
            )
            await self._deferred.send(SEND_ACTION_MAIL, mail, NoticeResult, stoppable=True)
            self._sent.append(moment.key)
            if self._deferred.failed:
                await self._tell()

    def _tell_later(self) -> None:
        """A message sent alone failed for good: tell the secretariat, in the background."""
        task = asyncio.create_task(self._tell())
        self._telling.add(task)
        task.add_done_callback(self._telling.discard)

    async def _tell(self) -> None:
        """What failed for good and was not told yet, in one notice to the secretariat (an
        address the relay puts off gets it later, alone; a done action does not stop it)."""
        told = self._deferred.take_failed()
        if told:
            inp = self._input.model_copy(update={"item": self._item})
            mail = failure_mail(inp, told, workflow.now())
            await self._deferred.send(SEND_ACTION_MAIL, mail, NoticeResult, stoppable=False)

    async def _record(self, event: Literal["opened", "done"]) -> None:
        await workflow.execute_activity(
            RECORD_ACTION,
            ActionRecord(item=self._item, event=event),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=DB_RETRY,
        )

    @workflow.query
    def status(self) -> ActionItem:
        return self._item

    @workflow.update
    async def mark_done(self, command: DoneCommand) -> ActionItem:
        """Done: no more reminders; answers once the projection says so too."""
        self._item = marked_done(self._item, command, workflow.now())
        self._done = True
        await workflow.wait_condition(lambda: self._done_recorded)
        return self._item

    @mark_done.validator
    def _check_mark_done(self, command: DoneCommand) -> None:
        problem = done_problem(self._item)
        if problem:
            raise refused(problem)
