"""Running the engine inside a test: a worker on its own task queue, and a planned meeting."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from activities.config import Settings
from activities.store import Store
from domain.common.contracts import MeetingSummary, Phase
from domain.meeting.definition import MeetingDefinition
from domain.meeting.status import MAX_PAGE, MeetingStatus, StatusPage
from tests.clock import advance_to as advance_to
from tests.factories import LINK_KEY as LINK_KEY
from worker import build_worker
from workflows.common import search_attributes
from workflows.common.policies import MEETING_TASK_TIMEOUT
from workflows.meeting.workflow import MeetingWorkflow

INVITING = (Phase.PLANNED, Phase.SCHEDULED, Phase.INVITING)


def settings_for(smtp_port: int, database_url: str = "sqlite://", task_queue: str = "") -> Settings:
    return Settings(
        smtp_port=smtp_port,
        database_url_env=database_url,
        task_queue=task_queue or f"rtm-test-{uuid.uuid4().hex[:8]}",
        smtp_timeout=10,
        link_key_env=LINK_KEY.decode(),
        public_url_env="http://127.0.0.1:8000",
    )


@asynccontextmanager
async def running_worker(client: Client, store: Store, smtp_port: int) -> AsyncIterator[str]:
    """An in-process worker bound to `store` and the catcher; yields its task queue."""
    settings = settings_for(smtp_port, store.url)
    async with build_worker(client, settings, store):
        yield settings.task_queue


async def plan(
    client: Client, meeting: MeetingDefinition, task_queue: str
) -> WorkflowHandle[MeetingWorkflow, MeetingSummary]:
    return await client.start_workflow(
        MeetingWorkflow.run,
        meeting,
        id=meeting.id,
        task_queue=task_queue,
        task_timeout=MEETING_TASK_TIMEOUT,  # as `rtm meeting plan` starts it
        search_attributes=search_attributes.initial(meeting.region, meeting.number, "scheduled"),
    )


QUERY_PATIENCE = 15.0  # seconds a status query may wait for its answer before it is asked again


async def invited(
    handle: WorkflowHandle[MeetingWorkflow, MeetingSummary], timeout: float = 120
) -> MeetingStatus:
    """Poll the status query until the invitation phase is over.

    A query that the server handed to a worker just killed (a test of crashes) is never
    answered: it is asked again, until `timeout`.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            status = await handle.query(
                MeetingWorkflow.status,
                StatusPage(limit=MAX_PAGE),
                rpc_timeout=timedelta(seconds=QUERY_PATIENCE),
            )
        except RPCError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.1)
            continue
        if status.phase not in INVITING:
            return status
        if loop.time() > deadline:
            raise TimeoutError(f"{handle.id} still in {status.phase} after {timeout}s")
        await asyncio.sleep(0.1)
