"""Retrying a call the server turned away for load, not for its content.

Temporal admits a bounded number of updates in flight per workflow (10 by default) and
answers the next ones RESOURCE_EXHAUSTED before they reach the workflow; when a workflow
task fails or times out under load, the updates it carried are aborted (UNAVAILABLE).
Sixty people answering at once must queue, not fail. The caller retries with one update id,
so that an update the workflow did accept is answered, not applied again.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio.service import RPCError, RPCStatusCode

R = TypeVar("R")
RETRIED = (RPCStatusCode.RESOURCE_EXHAUSTED, RPCStatusCode.UNAVAILABLE)


async def admitted(call: Callable[[], Awaitable[R]], patience: float = 120.0) -> R:
    """`call()`, again after a jittered, growing pause while the server is at its limit."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    pause = 0.05
    while True:
        try:
            return await call()
        except RPCError as exc:
            if exc.status not in RETRIED or loop.time() > deadline:
                raise
        await asyncio.sleep(random.uniform(pause / 2, pause))
        pause = min(pause * 2, 2.0)
