"""Recent answers of the read queries, shared by the pages for a moment.

Twenty people looking at one 1,000-participant meeting cost one status query every
couple of seconds instead of twenty; requests that arrive while a query is in flight wait
for it. Once an answer is older than `ttl` the next request still gets it at once while a
fresh one is asked for in the background (a query to a busy worker can take a second, and
nobody should wait for it who has a page that is two seconds old); older than `stale`, it
waits. A change made through the console drops the meeting's answers at once, so its own
result shows; a change through another door (CLI, link, reply) shows within `ttl` plus the
time one query takes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class _Entry:
    at: float
    future: asyncio.Future[Any]
    refreshing: bool = False


class Recent:
    def __init__(self, ttl: float = 2.0, stale: float = 5.0) -> None:
        self.ttl = ttl
        self.stale = stale  # as a multiple of the ttl: served while a fresh one is asked for
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def get(
        self, meeting_id: str, what: str, load: Callable[[], Awaitable[T]], ttl: float = 0
    ) -> T:
        """`load()`'s answer, shared while younger than `ttl` (default: the instance's)."""
        key, ttl = (meeting_id, what), ttl or self.ttl
        now = time.monotonic()
        found = self._entries.get(key)
        if found is not None:
            age = now - found.at
            usable = found.future.done() and found.future.exception() is None
            if age < ttl or not usable:  # fresh, or the first load still in flight
                result: T = await asyncio.shield(found.future)
                return result
            if age < ttl * self.stale:
                if not found.refreshing:
                    found.refreshing = True
                    task = asyncio.create_task(self._refresh(key, found, load))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                stale_value: T = found.future.result()
                return stale_value
        return await self._load(key, load)

    async def _load(self, key: tuple[str, str], load: Callable[[], Awaitable[T]]) -> T:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._entries[key] = _Entry(time.monotonic(), future)
        try:
            value = await load()
        except BaseException as exc:
            if (entry := self._entries.get(key)) is not None and entry.future is future:
                del self._entries[key]
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it twice
            raise
        future.set_result(value)
        return value

    async def _refresh(
        self, key: tuple[str, str], old: _Entry, load: Callable[[], Awaitable[Any]]
    ) -> None:
        """A fresh answer in place of `old`, unless it was dropped meanwhile (a change)."""
        started = time.monotonic()
        try:
            value = await load()
        except Exception:  # the old answer stays until it is too old; the next one retries
            log.warning("refreshing %s failed", key, exc_info=True)
            old.refreshing = False
            return
        if self._entries.get(key) is old:
            future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            future.set_result(value)
            self._entries[key] = _Entry(started, future)

    def drop(self, meeting_id: str | None) -> None:
        if meeting_id is None:
            return
        for key in [
            k for k in self._entries if k[0] == meeting_id or k[0].startswith(f"{meeting_id}-")
        ]:
            del self._entries[key]
