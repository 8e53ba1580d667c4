"""Retrying a call the server turned away for load, not for its content.

Temporal admits a bounded number of updates in flight per workflow (10 by default) and
answers the next ones RESOURCE_EXHAUSTED before they reach the workflow, so nothing of them
was applied: sixty people answering at once must queue, not fail.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio.service import RPCError, RPCStatusCode

R = TypeVar("R")


async def admitted(call: Callable[[], Awaitable[R]], patience: float = 120.0) -> R:
    """`call()`, again after a jittered, growing pause while the server is at its limit."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    pause = 0.05
    while True:
        try:
            return await call()
        except RPCError as exc:
            if exc.status is not RPCStatusCode.RESOURCE_EXHAUSTED or loop.time() > deadline:
                raise
        await asyncio.sleep(random.uniform(pause / 2, pause))
        pause = min(pause * 2, 2.0)
