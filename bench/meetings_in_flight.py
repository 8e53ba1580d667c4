"""Many meetings in flight on one worker: status query latency while their invitations go
out, worker memory per meeting, and whether any workflow task took over 5 s or was redone.

    .venv/bin/python -m bench.meetings_in_flight [--meetings 500 2000] [--size 60]

Runs on the Temporal dev server (real time: the meetings' timers stay months ahead) with
one in-process worker configured as the settings configure it (RTM_WORKFLOW_CACHE,
RTM_WORKFLOW_TASKS; `--cache` overrides the cache) and an SMTP server that accepts and
drops the mail.
The baseline is 10 meetings, measured first in the same run. For each count it prints the
status query's median, p95 and worst latency while the invitations go out, the worker's
RSS growth per meeting, and from every meeting's history (all runs): the longest workflow
task, and the number of tasks that timed out or failed (a redone task).

Targets (issue 11): p95 under 100 ms at 500 meetings; at 2,000 none over 5 s, none redone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from temporalio.api.enums.v1 import EventType
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from bench.lifecycle_events import Drop
from domain.common.contracts import Phase
from domain.meeting.status import StatusPage
from starter.client import commands
from starter.client.audit import chain
from starter.devstack.binaries import temporal_cli
from tests.factories import meeting, synthetic_directory
from tests.harness import INVITING, plan, settings_for
from tests.ports import free_port
from worker import build_worker, ensure_search_attributes, tune_gc

P95_TARGET_MS, TASK_TARGET_S = 100, 5.0
REDONE = (
    EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
    EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
)


def rss_mb() -> float:
    """This process's resident memory now (the worker runs in it), in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


async def in_flight(
    env: WorkflowEnvironment, count: int, size: int, cache: int | None
) -> dict[str, Any]:
    drop = Drop()
    smtp = Controller(drop, hostname="127.0.0.1", port=free_port())
    smtp.start()
    c = env.client
    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(f"sqlite:///{Path(tmp) / 'rtm.db'}")
            store.upgrade_schema()
            store.load_directory(synthetic_directory(size))
            settings = settings_for(smtp.port, store.url)
            async with build_worker(c, settings, store, max_cached_workflows=cache):
                tune_gc()  # as the worker process does
                before = rss_mb()
                t0 = time.perf_counter()
                ids = []
                for _ in range(count):
                    m = meeting(organisations=[])
                    await plan(c, m, settings.task_queue)
                    ids.append(m.id)
                latencies: list[float] = []
                pending = set(ids)
                rng = random.Random(1)
                while pending:
                    meeting_id = rng.choice(sorted(pending))
                    q0 = time.perf_counter()
                    status = await commands.status(c, meeting_id, StatusPage(limit=20))
                    latencies.append(time.perf_counter() - q0)
                    if status.phase not in INVITING:
                        pending.discard(meeting_id)
                    if time.perf_counter() - t0 > 3600:
                        raise TimeoutError(f"{len(pending)} meetings still inviting after 1 h")
                    await asyncio.sleep(0.02)
                seconds = time.perf_counter() - t0
                grown = rss_mb() - before
                longest, redone, runs = 0.0, 0, 0
                for meeting_id in ids:
                    histories = await chain(c, meeting_id)
                    runs += len(histories)
                    for h in histories:
                        started: dict[int, float] = {}
                        for e in h.events:
                            when = e.event_time.ToDatetime().timestamp()
                            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
                                started[e.event_id] = when
                            elif e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                                attrs = e.workflow_task_completed_event_attributes
                                took = when - started.get(attrs.started_event_id, when)
                                longest = max(longest, took)
                            elif e.event_type in REDONE:
                                redone += 1
                registered = 0
                for meeting_id in ids:
                    found = await commands.status(c, meeting_id, StatusPage(limit=0))
                    registered += found.phase is Phase.REGISTRATION
    finally:
        smtp.stop()
    ms = sorted(x * 1000 for x in latencies)
    return {
        "meetings": count,
        "size": size,
        "cache": settings.workflow_cache if cache is None else cache,
        "workflow_tasks": settings.workflow_tasks,
        "seconds": round(seconds, 1),
        "mails": drop.count,
        "status_ms_median": round(statistics.median(ms), 1),
        "status_ms_p95": round(ms[int(len(ms) * 0.95)], 1),
        "status_ms_max": round(ms[-1], 1),
        "queries": len(ms),
        "rss_mb_per_meeting": round(grown / count, 3),
        "longest_task_s": round(longest, 2),
        "tasks_redone": redone,
        "runs": runs,
        "in_registration": registered,
        "load_average": [round(x, 1) for x in os.getloadavg()],
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
        f"{r['status_ms_p95']} ms p95, {r['status_ms_max']} ms worst over {r['queries']}; "
        f"worker +{r['rss_mb_per_meeting']} MB per meeting; longest workflow task "
        f"{r['longest_task_s']} s, {r['tasks_redone']} redone; "
        f"{r['in_registration']}/{r['meetings']} in registration; cache {r['cache']}, "
        f"{r['workflow_tasks']} workflow tasks at once; load {r['load_average']}{ratio}"
    )


async def run(counts: list[int], size: int, cache: int | None) -> int:
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=str(temporal_cli()),
        dev_server_extra_args=["--sqlite-pragma", "journal_mode=wal"],
    )
    await ensure_search_attributes(env.client, "default")
    failed = False
    try:
        base = await in_flight(env, 10, size, cache)
        print(_line(base, None) + "  [baseline]", flush=True)
        for count in counts:
            r = await in_flight(env, count, size, cache)
            print(_line(r, base), flush=True)
            failed |= r["longest_task_s"] > TASK_TARGET_S or r["tasks_redone"] > 0
            failed |= count <= 500 and r["status_ms_p95"] > P95_TARGET_MS
    finally:
        await env.shutdown()
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--meetings", type=int, nargs="+", default=[500, 2_000])
    parser.add_argument("--size", type=int, default=60)
    parser.add_argument("--cache", type=int, default=None, help="worker's workflow cache")
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args.meetings, args.size, args.cache)))


if __name__ == "__main__":
    main()
