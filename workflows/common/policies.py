"""Retry and heartbeat settings, and the way mail is sent, shared by every workflow."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.invitations.batches import MAX_PARALLEL_BATCHES, ROUND_BATCH, batches

R = TypeVar("R")
T = TypeVar("T")

# the database: short outages are retried, quickly
DB_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)
)
# SMTP: a relay that cannot be reached or refuses the connection retries with backoff; the
# send activity itself ends the retries (failed) after its window (activities.mail.delivery)
SMTP_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
)
# a send activity heartbeats at most once a second; a dead worker is noticed after this
SEND_HEARTBEAT = timedelta(seconds=10)
# a meeting's workflow task may take this long: after an eviction (a continue-as-new that
# raced an answer is one) a 10,000-participant meeting replays thousands of events in one
# task, and the default 10 s made that replay time out and start over, again and again
MEETING_TASK_TIMEOUT = timedelta(minutes=1)


def send_mail(activity: str, payload: Any, result_type: type[R]) -> Awaitable[R]:
    """A mail-sending activity with the shared timeouts, heartbeat and SMTP retries."""
    return workflow.execute_activity(
        activity,
        payload,
        result_type=result_type,
        start_to_close_timeout=timedelta(minutes=30),
        heartbeat_timeout=SEND_HEARTBEAT,
        retry_policy=SMTP_RETRY,
        # a cancel or reschedule that stops it waits until it has really stopped
        cancellation_type=workflow.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    )


async def in_batches(items: list[T], send: Callable[[list[T]], Awaitable[None]]) -> None:
    """`send` each batch of `items`, a few at a time: one activity (and SMTP connection) each."""
    gate = asyncio.Semaphore(MAX_PARALLEL_BATCHES)

    async def one(chunk: list[T]) -> None:
        async with gate:
            await send(chunk)

    if workflow.patched("fan-out-whole-rounds"):
        split = batches(items, ROUND_BATCH, whole_rounds=True)
    else:  # meetings started before: batches of 50 as they were recorded
        split = batches(items)
    await asyncio.gather(*(one(chunk) for chunk in split))
