"""RtmCycleWorkflow: what a region's six-monthly Schedule starts.

Takes the region's next RTM number (once per run, even across retries) and starts that
RTM's meeting workflow in the planned phase; the meeting then asks the secretariat for
dates, host and format. The meeting outlives this short run (ParentClosePolicy.ABANDON).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from domain.common.contracts import ALLOCATE_RTM
    from domain.cycle.next_meeting import Allocation, CycleInput, CycleRun
    from domain.meeting.definition import MeetingDefinition

from workflows.common.policies import MEETING_TASK_TIMEOUT
from workflows.common.search_attributes import initial
from workflows.meeting.workflow import MeetingWorkflow

ATTEMPTS = 5


@workflow.defn
class RtmCycleWorkflow:
    @workflow.run
    async def run(self, cycle: CycleInput) -> CycleRun:
        info = workflow.info()
        for attempt in range(ATTEMPTS):
            meeting = await workflow.execute_activity(
                ALLOCATE_RTM,
                Allocation(
                    region=cycle.region,
                    key=f"{info.workflow_id}/{info.run_id}/{attempt}",
                    series=cycle.series,
                ),
                result_type=MeetingDefinition,
                start_to_close_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=30)),
            )
            long_tasks = workflow.patched("meeting-task-timeout")  # cycles before: the default
            try:
                await workflow.start_child_workflow(
                    MeetingWorkflow.run,
                    meeting,
                    id=meeting.id,
                    parent_close_policy=ParentClosePolicy.ABANDON,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    search_attributes=initial(meeting.region, meeting.number, "planned"),
                    task_timeout=MEETING_TASK_TIMEOUT if long_tasks else None,
                )
            except WorkflowAlreadyStartedError:
                continue  # a meeting planned by hand took that number: take the next one
            return CycleRun(meeting_id=meeting.id, number=meeting.number or 0)
        raise ApplicationError(
            f"no free RTM number for region {cycle.region} after {ATTEMPTS} attempts",
            non_retryable=True,
        )
