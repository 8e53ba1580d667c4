"""Moving the time-skipping server's clock without ever leaving it locked.

Why not `env.sleep` alone: the test server's sleep unlocks time skipping, and when its
virtual time is up it locks it again and answers. The SDK gives that call a 30 s RPC
deadline; while activities run (a fan-out, a killed worker's tasks waiting for their
heartbeat timeout) the clock only moves at wall speed, the deadline passes and the call is
abandoned, but the server still holds the sleep. Asking again before it has ended can find
the clock unlocked: the server refuses that unlock ("Unbalanced lock and unlock calls") yet
keeps the new sleep's timer, which locks the clock once more when it ends. The clock then
stays locked for good, time moves at wall speed only and a year of meetings never ends.

So each sleep gets a deadline long enough for any fan-out, and after a sleep that failed
anyway (a dropped connection), the next one waits until the server's clock has passed the
end of the abandoned one, which has then locked again.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio.api.testservice.v1 import SleepRequest
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

SLEEP_DEADLINE = timedelta(minutes=15)
# how far past an abandoned sleep's end the clock must be before the next one: the server
# starts a sleep a little after the time read before it (wall time, the clock being locked)
SETTLE = timedelta(seconds=20)
TRANSIENT = ("Timeout", "http2", "h2 protocol", "transport", "connection")


def transient(exc: RPCError) -> bool:
    """A deadline or a dropped connection under load, as opposed to a refused call.

    "Unbalanced lock and unlock calls" is not: the server refused an unlock but keeps the
    sleep's timer, which will lock the clock once more (its message lists every timer, so it
    mentions timeouts too)."""
    if "Unbalanced" in str(exc):
        return False
    return exc.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.UNAVAILABLE) or any(
        t in str(exc) for t in TRANSIENT
    )


async def server_time(env: WorkflowEnvironment, attempts: int = 60) -> datetime:
    """The server's clock, asked again after a transient failure (a read changes nothing)."""
    for _ in range(attempts - 1):
        try:
            return await env.get_current_time()
        except RPCError as exc:
            if not transient(exc):
                raise
            await asyncio.sleep(1)
    return await env.get_current_time()


async def sleep(env: WorkflowEnvironment, duration: timedelta) -> None:
    """Let the server skip `duration`; never leaves an extra lock behind."""
    if not env.supports_time_skipping:
        await asyncio.sleep(duration.total_seconds())
        return
    start = await server_time(env)
    request = SleepRequest()
    request.duration.FromTimedelta(duration)
    try:
        await env.client.test_service.unlock_time_skipping_with_sleep(
            request, timeout=SLEEP_DEADLINE
        )
    except RPCError as exc:
        if not transient(exc):
            raise
        await _outlive(env, start + duration + SETTLE)


async def _outlive(env: WorkflowEnvironment, end: datetime) -> None:
    """Wait until the server's clock passes `end`, the end of a sleep it may still hold.

    If that sleep never reached the server, the clock stays locked and moves at wall speed:
    give up after SLEEP_DEADLINE rather than wait for ever."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SLEEP_DEADLINE.total_seconds()
    while (now := await server_time(env)) < end:
        if loop.time() > deadline:
            raise TimeoutError(f"the time-skipping server stays at {now}, short of {end}")
        await asyncio.sleep(0.5)


async def advance_to(
    env: WorkflowEnvironment, target: datetime, step: timedelta = timedelta(days=2)
) -> None:
    """Move the clock to `target` in steps, so that no single sleep has to get through
    months of timers and activities at once."""
    while (now := await server_time(env)) < target:
        await sleep(env, min(step, target - now))
