"""Record tests/histories/*.json: histories that the replay test replays forever after.

Run it after adding behaviour (new files sit beside the old ones; never delete old ones
while meetings recorded by them may still run). A change that breaks replay of an old
history must go behind `workflow.patched(...)` instead.
    .venv/bin/python -m scripts.record_histories
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.cycle.next_meeting import CycleInput
from starter.devstack.binaries import temporal_test_server
from starter.devstack.catcher import SmtpCatcher
from tests.factories import central_asia
from tests.harness import running_worker
from tests.ports import free_port
from tests.scenarios import cancelled_meeting, followed_up_meeting, full_lifecycle
from worker import ensure_search_attributes
from workflows.cycle.workflow import RtmCycleWorkflow

HISTORIES = Path(__file__).resolve().parent.parent / "tests" / "histories"


async def record() -> None:
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=str(temporal_test_server()),
    )
    await ensure_search_attributes(env.client, "default")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M")  # never overwrites an older one
    try:
        with tempfile.TemporaryDirectory() as tmp, SmtpCatcher(port=free_port()) as catcher:
            store = Store(f"sqlite:///{Path(tmp) / 'rtm.db'}")
            store.upgrade_schema()
            store.load_directory(central_asia())
            async with running_worker(env.client, store, catcher.port) as queue:
                lifecycle = await full_lifecycle(env, store, queue, meeting_id="RTM-CA-16")
                cancelled = await cancelled_meeting(env, store, queue)
                closed = await followed_up_meeting(env, store, queue)
                run = await env.client.execute_workflow(
                    RtmCycleWorkflow.run, CycleInput(region="CA"), id="rtm-cycle-CA-run",
                    task_queue=queue,
                )  # fmt: skip
                recorded = {
                    "meeting_lifecycle": lifecycle.id,
                    "meeting_cancelled": cancelled,
                    "meeting_closed": closed,
                    "action_done": f"{closed}-A1",
                    "cycle_run": "rtm-cycle-CA-run",
                    "meeting_planned": run.meeting_id,
                }
                for name, workflow_id in recorded.items():
                    history = await env.client.get_workflow_handle(workflow_id).fetch_history()
                    path = HISTORIES / f"{name}_{stamp}.json"
                    path.write_text(history.to_json())
                    print(f"wrote {path.name} ({len(history.events)} events)")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(record())
