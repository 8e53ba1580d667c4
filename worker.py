"""The worker: connects to Temporal and runs every workflow and activity of the engine.

`python worker.py` (or `rtm worker`) runs it against the configured cluster; the
embedded stack and the tests build the same worker through `build_worker`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.config import Settings
from activities.db import Store
from activities.directory import DirectoryActivities
from activities.mail import MailActivities
from workflows.meeting import MeetingWorkflow

WORKFLOWS = [MeetingWorkflow]


def sandbox_runner() -> SandboxedWorkflowRunner:
    """The domain package is pure and deterministic: pass it through the sandbox.

    That keeps its zoneinfo look-ups (venue zones) working inside workflow code and
    avoids re-importing pydantic models for every workflow run.
    """
    restrictions = SandboxRestrictions.default.with_passthrough_modules("domain", "zoneinfo")
    return SandboxedWorkflowRunner(restrictions=restrictions)


async def connect(settings: Settings) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
    )


def build_worker(
    client: Client, settings: Settings, store: Store, task_queue: str | None = None
) -> Worker:
    """A worker with every workflow and activity, bound to `store` and the SMTP settings."""
    directory = DirectoryActivities(store)
    mail = MailActivities(store, settings)
    return Worker(
        client,
        task_queue=task_queue or settings.task_queue,
        workflows=WORKFLOWS,
        activities=[
            directory.load_participants,
            directory.record_meeting,
            mail.send_invitations,
            mail.send_reminders,
            mail.send_notices,
        ],
        activity_executor=ThreadPoolExecutor(max_workers=8),
        workflow_runner=sandbox_runner(),
    )


async def run(settings: Settings) -> None:
    store = Store(settings.database_url)
    store.create_schema()
    client = await connect(settings)
    worker = build_worker(client, settings, store)
    logging.info("worker on %s, task queue %s", settings.temporal_address, settings.task_queue)
    await worker.run()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(Settings()))


if __name__ == "__main__":
    main()
