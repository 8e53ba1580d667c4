"""Writes the outbox without letting the database hold the mail back.

While the database answers, each message is recorded before the next one is sent on its
connection (a crash then repeats at most the one message in flight per connection). When a
write takes longer than its timeout the senders go on; the writer keeps what is unrecorded
(the heartbeat carries it too) and writes it, all at once, as soon as the database answers.

One writer serves every batch a worker sends at the same time: the entries that wait while a
transaction runs go together in the next one, so four connections sending at once cost about
one transaction (and one hand-over to the database's thread) per round, not four.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor

from domain.outbox.delivery import OutboxEntry

# an entry's place: its meeting and its key (the same person's invitation key comes up in every
# meeting they are invited to, and one writer serves the batches of every meeting)
Slot = tuple[str, str]
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
        self._pending: dict[Slot, OutboxEntry] = {}
        self._written: dict[Slot, asyncio.Future[None]] = {}
        self._task: asyncio.Task[None] | None = None
        self._stalled = False  # a wait ran out: senders go on without waiting, until a write
        self.last_error: str | None = None

    @property
    def pending(self) -> int:
        return len(self._pending)

    def written(self, slot: Slot) -> bool:
        """The entry of `slot` is in the database (or was never handed over)."""
        return slot not in self._pending

    async def record(self, entry: OutboxEntry) -> None:
        """Queue `entry`; wait for it to be written while the database keeps up, not longer
        than the timeout (after that the senders go on and the writer catches up)."""
        healthy = not self._stalled and self.last_error is None
        slot = (entry.meeting_id, entry.key)
        self._pending[slot] = entry
        written = self._future(slot)
        if self._task is None or self._task.done():  # it ends once nothing is pending
            self._task = asyncio.create_task(self._run())
        if healthy:
            try:
                await asyncio.wait_for(asyncio.shield(written), self._timeout)
            except TimeoutError:
                self._stalled = True

    async def drain(self, slots: Iterable[Slot]) -> None:
        """Wait until the entries of `slots` are written (the batch's ticker keeps the
        heartbeat going); entries of other batches do not hold it."""
        waiting = [f for k in slots if (f := self._written.get(k)) is not None]
        if waiting:
            await asyncio.gather(*(asyncio.shield(f) for f in waiting))

    def _future(self, slot: Slot) -> asyncio.Future[None]:
        found = self._written.get(slot)
        if found is None or found.done():
            found = self._written[slot] = asyncio.get_running_loop().create_future()
        return found

    async def _run(self) -> None:
        """Write what is pending, a transaction at a time, until nothing is."""
        loop = asyncio.get_running_loop()
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
            self._stalled = False
            for e in entries:
                slot = (e.meeting_id, e.key)
                if self._pending.get(slot) is e:
                    del self._pending[slot]
                    written = self._written.pop(slot, None)
                    if written is not None and not written.done():
                        written.set_result(None)
