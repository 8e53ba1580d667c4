"""The six-monthly cycle of a region as a Temporal Schedule: create, show, pause, resume,
trigger, delete. Each action starts an RtmCycleWorkflow, which plans the next RTM."""

from __future__ import annotations

from datetime import datetime

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleHandle,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
)
from temporalio.service import RPCError, RPCStatusCode

from domain.common.base import Frozen
from domain.common.refusals import Refusal
from domain.cycle.next_meeting import CycleInput
from starter.client.cycle_months import DEFAULT_MONTHS
from starter.client.cycle_months import CycleError as CycleError
from starter.client.cycle_months import months_of as months_of
from workflows.cycle.workflow import RtmCycleWorkflow


class CycleView(Frozen):
    region: str
    months: list[int]
    day: int
    hour: int
    zone: str
    paused: bool
    note: str
    next_runs: list[datetime]
    recent_runs: list[str]


def schedule_id(region: str) -> str:
    return f"rtm-cycle-{region}"


async def create(
    client: Client,
    region: str,
    zone: str,
    task_queue: str,
    months: tuple[int, ...] = DEFAULT_MONTHS,
    day: int = 1,
    hour: int = 9,
    spec: ScheduleSpec | None = None,
    paused: bool = False,
    series: str | None = None,
) -> ScheduleHandle:
    """The region's Schedule: on `day` of each of `months` at `hour` in the region's zone.
    With `series`, the Schedule of that series (organised by `region`), named after it."""
    key = series or region
    if not 1 <= day <= 28:
        raise CycleError(Refusal("cycle.day", field="day"))
    if not 0 <= hour <= 23:
        raise CycleError(Refusal("cycle.hour", field="hour"))
    calendar = ScheduleCalendarSpec(
        month=[ScheduleRange(m) for m in months],
        day_of_month=[ScheduleRange(day)],
        hour=[ScheduleRange(hour)],
        comment=f"the {key} cycle",
    )
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            RtmCycleWorkflow.run,
            CycleInput(region=region, series=series),
            id=f"rtm-cycle-{key}-run",
            task_queue=task_queue,
        ),
        spec=spec or ScheduleSpec(calendars=[calendar], time_zone_name=zone),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.BUFFER_ONE),
        state=ScheduleState(paused=paused, note="created by rtm cycle create"),
    )
    try:
        return await client.create_schedule(schedule_id(key), schedule)
    except ScheduleAlreadyRunningError as exc:
        exists = Refusal(f"cycle.exists.{'series' if series else 'region'}", key=key)
        raise CycleError(exists) from exc


async def _handle(client: Client, region: str) -> ScheduleHandle:
    handle = client.get_schedule_handle(schedule_id(region))
    try:
        await handle.describe()
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            hint = f"rtm cycle create --region {region}"
            raise CycleError(Refusal("cycle.none", region=region, hint=hint)) from exc
        raise
    return handle


async def show(client: Client, region: str) -> CycleView:
    desc = await (await _handle(client, region)).describe()
    spec = desc.schedule.spec
    calendar = spec.calendars[0] if spec.calendars else ScheduleCalendarSpec()
    return CycleView(
        region=region,
        months=[r.start for r in calendar.month],
        day=calendar.day_of_month[0].start,
        hour=calendar.hour[0].start,
        zone=spec.time_zone_name or "UTC",
        paused=desc.schedule.state.paused,
        note=desc.schedule.state.note or "",
        next_runs=list(desc.info.next_action_times[:3]),
        recent_runs=[
            a.action.workflow_id
            for a in desc.info.recent_actions
            if hasattr(a.action, "workflow_id")
        ],
    )


async def pause(client: Client, region: str, note: str) -> None:
    await (await _handle(client, region)).pause(note=note)


async def resume(client: Client, region: str, note: str) -> None:
    await (await _handle(client, region)).unpause(note=note)


async def trigger(client: Client, region: str) -> None:
    """Run the cycle now; a paused region is refused, so 'paused' means nothing starts."""
    handle = await _handle(client, region)
    if (await handle.describe()).schedule.state.paused:
        hint = f"rtm cycle resume --region {region}"
        raise CycleError(Refusal("cycle.paused", region=region, hint=hint))
    await handle.trigger(overlap=ScheduleOverlapPolicy.BUFFER_ALL)


async def delete(client: Client, region: str) -> None:
    await (await _handle(client, region)).delete()
