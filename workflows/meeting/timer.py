"""The meeting's one wake-up mechanism: a durable timer that a command can cut short."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime

from temporalio import workflow


async def sleep_until(moment: datetime | None, wake: Callable[[], bool]) -> None:
    """Sleep until `moment` (for ever when None) or until `wake()` turns true."""
    timeout = (moment - workflow.now()) if moment else None
    with contextlib.suppress(TimeoutError):  # the timer fired: something is due
        await workflow.wait_condition(wake, timeout=timeout)
