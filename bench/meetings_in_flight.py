"""Many meetings in flight on one worker: status query latency while their invitations go
out, worker memory per meeting, and whether any workflow task took over 5 s or was redone.

    .venv/bin/python -m bench.meetings_in_flight [--meetings 500 2000] [--size 60]
        [--cache N] [--tasks N] [--activities N] [--worker-log PATH]

Runs on the Temporal dev server (real time: the meetings' timers stay months ahead) with
one in-process worker configured as the settings configure it (RTM_WORKFLOW_CACHE,
RTM_WORKFLOW_TASKS, RTM_ACTIVITY_TASKS; the options override them) and an SMTP server
that accepts and drops the mail, in its own process (bench.drop) as a relay would be.
The baseline is 10 meetings, measured first in the same run. For each count it prints the
status query's median, p95 and worst latency while the invitations go out, how late the
worker's event loop ran a 10 ms timer meanwhile (what a query waits on besides its own
cost), the worker's RSS growth per meeting, and from every meeting's history (all runs):
the longest workflow task, and the number of tasks that timed out or failed (a redone
task). The worker's log (the SDK core's warnings go to the process's stderr) is counted
for "Workflow task duration exceeded", "not found when completing" and activities whose
heartbeat timed out ("Activity not found on completion").

Targets (issue 11): p95 under 100 ms at 500 meetings; at 2,000 none over 5 s, none redone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType, TimeoutType, WorkflowTaskFailedCause
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from bench.drop import DropProcess
from domain.common.contracts import Phase
from domain.meeting.status import StatusPage
from starter.client import commands
from starter.client.audit import chain
from starter.devstack.binaries import temporal_cli
from tests.factories import meeting, synthetic_directory
from tests.harness import INVITING, plan, settings_for
from worker import build_worker, ensure_search_attributes, tune_gc

P95_TARGET_MS, TASK_TARGET_S = 100, 5.0
REDONE = (
    EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
    EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
)


WARNINGS = {  # what the worker's log says, counted per run
    "tasks_over_deadline": "Workflow task duration exceeded",
    "tasks_not_found": "not found when completing",
    "activities_timed_out": "Activity not found on completion",
}


def rss_mb() -> float:
    """This process's resident memory now (the worker runs in it), in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


@contextlib.contextmanager
def worker_log(path: Path) -> Iterator[None]:
    """This process's stderr (the SDK core writes its warnings there) appended to `path`."""
    sys.stderr.flush()
    saved = os.dup(2)
    with path.open("ab") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def count_warnings(path: Path, offset: int) -> dict[str, int]:
    text = path.read_bytes()[offset:].decode(errors="replace")
    return {name: text.count(needle) for name, needle in WARNINGS.items()}


class LoopLag:
    """How late the event loop runs a timer of `every` seconds: the wait every callback on
    it (a query's activation among them) has before it runs."""

    def __init__(self, every: float = 0.01) -> None:
        self.every = every
        self.late: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            t0 = loop.time()
            await asyncio.sleep(self.every)
            self.late.append(loop.time() - t0 - self.every)

    def __enter__(self) -> LoopLag:
        self._task = asyncio.create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()


def task_seconds(events: Any) -> list[tuple[float, int]]:
    """Each workflow task's time from started to completed, with its turn in the run."""
    started: dict[int, float] = {}
    out: list[tuple[float, int]] = []
    for e in events:
        when = e.event_time.ToDatetime().timestamp()
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            started[e.event_id] = when
        elif e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            attrs = e.workflow_task_completed_event_attributes
            out.append((when - started.get(attrs.started_event_id, when), len(out) + 1))
    return out


def redone_why(e: Any) -> str:
    """A redone task's reason: which timeout (a sticky task nobody picked up within 5 s is
    SCHEDULE_TO_START and goes to the normal queue), or the failure's cause."""
    if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
        kind = TimeoutType.Name(e.workflow_task_timed_out_event_attributes.timeout_type)
        return "timed out: " + kind.removeprefix("TIMEOUT_TYPE_").lower()
    cause = e.workflow_task_failed_event_attributes.cause
    return (
        "failed: "
        + WorkflowTaskFailedCause.Name(cause).removeprefix("WORKFLOW_TASK_FAILED_CAUSE_").lower()
    )


def slow_turns(tasks: list[tuple[float, int]], over: float = 0.5) -> dict[str, int]:
    """Which turns of a run the tasks over `over` seconds were (1: the run's first task)."""
    turns: dict[str, int] = {}
    for took, turn in tasks:
        if took > over:
            key = str(turn) if turn <= 8 else "later"
            turns[key] = turns.get(key, 0) + 1
    return dict(sorted(turns.items()))


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(int(len(ordered) * q), len(ordered) - 1)] * 1000, 1) if values else 0.0


async def in_flight(
    env: WorkflowEnvironment, count: int, size: int, tuning: dict[str, int], log: Path
) -> dict[str, Any]:
    drop = DropProcess().start()
    c = env.client
    offset = log.stat().st_size if log.exists() else 0
    try:
        with tempfile.TemporaryDirectory() as tmp, worker_log(log):
            store = Store(f"sqlite:///{Path(tmp) / 'rtm.db'}")
            store.upgrade_schema()
            store.load_directory(synthetic_directory(size))
            settings = settings_for(drop.port, store.url).model_copy(update=tuning)
            async with build_worker(c, settings, store):
                tune_gc()  # as the worker process does
                before = rss_mb()
                t0 = time.perf_counter()
                ids = []
                for _ in range(count):
                    m = meeting(organisations=[])
                    await plan(c, m, settings.task_queue)
                    ids.append(m.id)
                latencies: list[float] = []
                timed_out = 0
                pending = set(ids)
                rng = random.Random(1)
                with LoopLag() as lag:
                    while pending:
                        meeting_id = rng.choice(sorted(pending))
                        q0 = time.perf_counter()
                        try:
                            status = await commands.status(c, meeting_id, StatusPage(limit=20))
                        except RPCError as exc:  # the query's deadline passed: counted, its
                            timed_out += 1  # time is in the latencies
                            if "Timeout" not in str(exc) and "deadline" not in str(exc).lower():
                                raise
                            status = None
                        latencies.append(time.perf_counter() - q0)
                        if status is not None and status.phase not in INVITING:
                            pending.discard(meeting_id)
                        if time.perf_counter() - t0 > 3600:
                            raise TimeoutError(f"{len(pending)} meetings still inviting after 1 h")
                        await asyncio.sleep(0.02)
                seconds = time.perf_counter() - t0
                load = [round(x, 1) for x in os.getloadavg()]
                grown = rss_mb() - before
                tasks: list[tuple[float, int]] = []
                redone, runs = 0, 0
                redone_by: dict[str, int] = {}
                for meeting_id in ids:
                    histories = await chain(c, meeting_id)
                    runs += len(histories)
                    for h in histories:
                        tasks += task_seconds(h.events)
                        for e in h.events:
                            if e.event_type in REDONE:
                                redone += 1
                                why = redone_why(e)
                                redone_by[why] = redone_by.get(why, 0) + 1
                registered = 0
                for meeting_id in ids:
                    found = await commands.status(c, meeting_id, StatusPage(limit=0))
                    registered += found.phase is Phase.REGISTRATION
    finally:
        mails = drop.stop()
    return {
        "meetings": count,
        "size": size,
        "cache": settings.workflow_cache,
        "workflow_tasks": settings.workflow_tasks,
        "activity_tasks": settings.activity_tasks,
        "seconds": round(seconds, 1),
        "mails": mails,
        "status_ms_median": _ms(latencies, 0.5),
        "status_ms_p95": _ms(latencies, 0.95),
        "status_ms_max": _ms(latencies, 1.0),
        "queries": len(latencies),
        "queries_timed_out": timed_out,
        "loop_lag_ms_median": _ms(lag.late, 0.5),
        "loop_lag_ms_p95": _ms(lag.late, 0.95),
        "rss_mb_per_meeting": round(grown / count, 3),
        "longest_task_s": round(max(t for t, _ in tasks), 2),
        "task_s_p95": round(sorted(t for t, _ in tasks)[int(len(tasks) * 0.95)], 3),
        "slow_tasks_by_turn": slow_turns(tasks),
        "tasks_redone": redone,
        "redone_by": redone_by,
        **count_warnings(log, offset),
        "runs": runs,
        "in_registration": registered,
        "load_average": load,
    }


def _line(r: dict[str, Any], base: dict[str, Any] | None) -> str:
    ratio = ""
    if base is not None:
        p95 = r["status_ms_p95"] / max(base["status_ms_p95"], 0.1)
        memory = r["rss_mb_per_meeting"] / max(base["rss_mb_per_meeting"], 1e-3)
        ratio = f"  (p95 x{p95:.1f}, memory per meeting x{memory:.2f} against baseline)"
    return (
        f"{r['meetings']:>5} meetings of {r['size']}: invitations out in {r['seconds']} s "
        f"({r['mails']} mails); status query {r['status_ms_median']} ms median, "
        f"{r['status_ms_p95']} ms p95, {r['status_ms_max']} ms worst over {r['queries']} "
        f"({r['queries_timed_out']} past their deadline); "
        f"event loop late {r['loop_lag_ms_median']} ms median, {r['loop_lag_ms_p95']} ms p95; "
        f"worker +{r['rss_mb_per_meeting']} MB per meeting; longest workflow task "
        f"{r['longest_task_s']} s (p95 {r['task_s_p95']} s; over 0.5 s by turn in the run "
        f"{r['slow_tasks_by_turn']}), {r['tasks_redone']} redone {r['redone_by']}; log: "
        f"{r['tasks_over_deadline']} over deadline, {r['tasks_not_found']} not found when "
        f"completing, {r['activities_timed_out']} activities timed out; "
        f"{r['in_registration']}/{r['meetings']} in registration; cache {r['cache']}, "
        f"{r['workflow_tasks']} workflow tasks and {r['activity_tasks']} activities at once; "
        f"load {r['load_average']}{ratio}"
    )


def failed(r: dict[str, Any]) -> bool:
    over = r["longest_task_s"] > TASK_TARGET_S or r["tasks_redone"] > 0
    over |= r["tasks_over_deadline"] > 0 or r["tasks_not_found"] > 0
    return bool(over or (r["meetings"] <= 500 and r["status_ms_p95"] > P95_TARGET_MS))


async def run(counts: list[int], size: int, tuning: dict[str, int], log: Path) -> int:
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=str(temporal_cli()),
        dev_server_extra_args=["--sqlite-pragma", "journal_mode=wal"],
    )
    await ensure_search_attributes(env.client, "default")
    missed = False
    try:
        base = await in_flight(env, 10, size, tuning, log)
        print(_line(base, None) + "  [baseline]", flush=True)
        for count in counts:
            r = await in_flight(env, count, size, tuning, log)
            print(_line(r, base), flush=True)
            print(json.dumps(r), flush=True)
            missed |= failed(r)
    finally:
        await env.shutdown()
    return 1 if missed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--meetings", type=int, nargs="+", default=[500, 2_000])
    parser.add_argument("--size", type=int, default=60)
    parser.add_argument("--cache", type=int, default=None, help="worker's workflow cache")
    parser.add_argument("--tasks", type=int, default=None, help="workflow tasks at once")
    parser.add_argument("--activities", type=int, default=None, help="activities at once")
    parser.add_argument("--worker-log", type=Path, default=None, help="keep the worker's log")
    args = parser.parse_args()
    tuning = {
        name: value
        for name, value in (
            ("workflow_cache", args.cache),
            ("workflow_tasks", args.tasks),
            ("activity_tasks", args.activities),
        )
        if value is not None
    }
    with tempfile.TemporaryDirectory() as tmp:
        log = args.worker_log or Path(tmp) / "worker.log"
        sys.exit(asyncio.run(run(args.meetings, args.size, tuning, log)))


if __name__ == "__main__":
    main()
