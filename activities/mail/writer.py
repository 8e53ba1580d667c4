"""Writes a batch's outcomes to the outbox without letting the database hold the mail back.

While the database answers, each message is recorded before the next one is sent (a crash
then repeats at most the one message in flight). When a write takes longer than its timeout
the batch goes on sending; the writer keeps what is unrecorded (the heartbeat carries it too)
and writes it, all at once, as soon as the database answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import Executor

from domain.outbox.delivery import OutboxEntry

RETRY_EVERY = 1.0  # seconds between writes while the database does not answer


class OutboxWriter:
    """One background task that writes pending entries in order, a transaction at a time."""

    def __init__(
        self,
        write: Callable[[Sequence[OutboxEntry]], object],
        executor: Executor,
        timeout: float,
    ) -> None:
        self._write = write
        self._executor = executor
        self._timeout = timeout
        self._pending: dict[str, OutboxEntry] = {}
        self._wake = asyncio.Event()
        self._empty = asyncio.Event()
        self._empty.set()
        self._task: asyncio.Task[None] | None = None
        self.last_error: str | None = None

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def record(self, entry: OutboxEntry) -> None:
        """Queue `entry`; wait for it to be written while the database keeps up, not longer
        than the timeout (after that the sender goes on and the writer catches up)."""
        healthy = self._empty.is_set()
        self._pending[entry.key] = entry
        self._empty.clear()
        self._wake.set()
        if self._task is None:
            self._task = asyncio.create_task(self._run())
        if healthy:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._empty.wait(), self._timeout)

    async def drain(self) -> None:
        """Wait until everything is written (the batch's ticker keeps the heartbeat going)."""
        await self._empty.wait()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                entries = list(self._pending.values())
                try:
                    # the store's own timeouts bound the call; this bounds a call that ignores
                    # them (the thread is the writer's own, never the worker's shared pool)
                    await asyncio.wait_for(
                        loop.run_in_executor(self._executor, self._write, entries),
                        self._timeout * 2,
                    )
                except Exception as exc:  # locked, refused, timed out: keep, try again
                    self.last_error = f"{type(exc).__name__}: {exc}"[:300]
                    await asyncio.sleep(RETRY_EVERY)
                    continue
                self.last_error = None
                for e in entries:
                    if self._pending.get(e.key) is e:
                        del self._pending[e.key]
            self._empty.set()
