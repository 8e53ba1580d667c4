"""The worker: connects to Temporal and runs every workflow and activity of the engine.

`python worker.py` (or `rtm worker`) runs it against the configured cluster; the
embedded stack and the tests build the same worker through `build_worker`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import socket
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.common import SearchAttributeIndexedValueType
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.config import Settings, SettingsError, load_settings
from activities.directory.activities import DirectoryActivities
from activities.followup.actions import ActionActivities
from activities.mail.delivery import HEARTBEAT_THROTTLE
from activities.mail.sender import MailActivities
from activities.private_files import private_dir, restrict_umask
from activities.store import SchemaNotReady, Store
from starter.client.connection import connect
from workflows.common import search_attributes
from workflows.cycle.workflow import RtmCycleWorkflow
from workflows.followup.action_item import ActionItemWorkflow
from workflows.meeting.workflow import MeetingWorkflow


def worker_alive_file(var_dir: Path) -> Path:
    """The mark this host's (this container's) worker touches; `rtm health worker` reads it.

    Per host name, so that workers sharing one volume (`--scale worker=3`) each have their own.
    """
    return var_dir / f"worker.{socket.gethostname()}.alive"


WORKFLOWS = [MeetingWorkflow, RtmCycleWorkflow, ActionItemWorkflow]


def tune_gc() -> None:
    """Fewer full garbage collections, and none over what start-up loaded. A worker holds
    thousands of meetings' objects; each full collection walks all of them, inside whatever
    workflow activation is running. Rebuilding a 10,000-participant run took 0.8 s of CPU
    with the defaults and 0.3 s like this, and a stall over 2 s fails the workflow task
    (the SDK's deadlock detector)."""
    gc.set_threshold(10_000, 20, 100)
    gc.freeze()


def sandbox_runner(strict: bool = False) -> SandboxedWorkflowRunner:
    """The domain package is pure and deterministic: pass it through the sandbox.

    That keeps its zoneinfo look-ups (venue zones) working inside workflow code and
    avoids re-importing pydantic models for every workflow run. The worker passes the
    workflows package through as well (it holds no module state but constants): the sandbox
    re-imported it for every run, 50-65 ms of CPU in each meeting's first workflow task
    (0.3 s at a load of 15, while status queries waited on it). `strict`, for the replay
    tests: the workflows re-imported in the sandbox, under its restrictions, so a workflow
    that reads the clock or a random number still fails there.
    """
    passed = ("domain", "zoneinfo") if strict else ("domain", "zoneinfo", "workflows")
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*passed)
    return SandboxedWorkflowRunner(restrictions=restrictions)


async def ensure_search_attributes(client: Client, namespace: str) -> None:
    """Register the meeting search attributes (RtmRegion, RtmNumber, RtmPhase) if missing."""
    kinds = {
        SearchAttributeIndexedValueType.KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        SearchAttributeIndexedValueType.INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
    }
    try:
        existing = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
        known = set(existing.custom_attributes)
    except RPCError as exc:  # the time-skipping test server cannot list them
        if exc.status is not RPCStatusCode.UNIMPLEMENTED:
            raise
        known = set()
    missing = {
        key.name: kinds[key.indexed_value_type]
        for key in search_attributes.ALL
        if key.name not in known
    }
    if missing:
        try:
            await client.operator_service.add_search_attributes(
                AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
            )
        except RPCError as exc:
            if exc.status is not RPCStatusCode.ALREADY_EXISTS:
                raise


def build_worker(
    client: Client,
    settings: Settings,
    store: Store,
    task_queue: str | None = None,
    workflows: Sequence[type] = WORKFLOWS,
    max_cached_workflows: int | None = None,
) -> Worker:
    """A worker with every workflow and activity, bound to `store` and the SMTP settings.
    Its workflow cache and concurrency come from the settings (RTM_WORKFLOW_CACHE,
    RTM_WORKFLOW_TASKS, RTM_ACTIVITY_TASKS); `max_cached_workflows=0` keeps no workflow in
    memory (no sticky queue to wait out when the worker goes away)."""
    directory = DirectoryActivities(store)
    mail = MailActivities(store, settings, client)
    actions = ActionActivities(store, settings, mail.delivery)
    return Worker(
        client,
        task_queue=task_queue or settings.task_queue,
        workflows=workflows,
        activities=[
            directory.load_participants,
            directory.record_meeting,
            directory.allocate_rtm,
            mail.send_invitations,
            mail.send_reminders,
            mail.send_notices,
            actions.record_action,
            actions.send_action_mail,
        ],
        activity_executor=ThreadPoolExecutor(max_workers=settings.activity_tasks),
        workflow_runner=sandbox_runner(),
        max_cached_workflows=(
            settings.workflow_cache if max_cached_workflows is None else max_cached_workflows
        ),
        max_concurrent_workflow_tasks=settings.workflow_tasks,
        max_concurrent_activities=settings.activity_tasks,
        # what a send activity has sent reaches the server within a second
        # (activities.mail.delivery)
        max_heartbeat_throttle_interval=timedelta(seconds=HEARTBEAT_THROTTLE),
    )


async def run(settings: Settings) -> None:
    store = Store(settings.database_url, None, settings.db_timeout, settings.report_timeout)
    store.check_schema()  # the schema is `rtm db upgrade`'s job, never the worker's
    client = await connect(settings)
    await ensure_search_attributes(client, settings.temporal_namespace)
    worker = build_worker(client, settings, store)
    tune_gc()
    logging.info("worker on %s, task queue %s", settings.temporal_address, settings.task_queue)
    alive = asyncio.create_task(_alive(client, worker_alive_file(private_dir(settings.var_dir))))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):  # docker stop, systemctl stop, Ctrl-C
        loop.add_signal_handler(sig, stop.set)
    try:
        async with worker:  # on the way out: running activities finish or are cancelled
            await stop.wait()
    finally:
        alive.cancel()
    logging.info("worker stopped")


async def _alive(client: Client, path: Path, every: float = 15.0) -> None:
    """Touch `path` while Temporal answers: what `rtm health worker` looks at."""
    while True:
        try:
            await client.service_client.check_health()
            path.touch()
        except Exception as exc:  # reported by the health check's staleness, not fatal here
            logging.warning("Temporal health check failed: %s", exc)
        await asyncio.sleep(every)


def main() -> None:
    restrict_umask()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run(load_settings()))
    except (SettingsError, SchemaNotReady) as exc:  # in the operator's language, as `rtm` says it
        from starter.cli.language import error_line, terminal_language

        lang = terminal_language()
        problems = exc.problems if isinstance(exc, SettingsError) else [exc.refusal]
        for problem in problems:
            print(error_line(problem, lang), file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
