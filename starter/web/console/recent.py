"""Recent answers of the read queries, shared by the pages for a moment.

Twenty people looking at one 1,000-participant meeting cost one status query every
couple of seconds instead of twenty; requests that arrive while a query is in flight wait
for it. A change made through the console drops the meeting's answers at once, so its
own result shows; a change through another door (CLI, link, reply) shows within `ttl`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


class Recent:
    def __init__(self, ttl: float = 2.0) -> None:
        self.ttl = ttl
        self._entries: dict[tuple[str, str], tuple[float, asyncio.Future[Any]]] = {}

    async def get(
        self, meeting_id: str, what: str, load: Callable[[], Awaitable[T]], ttl: float = 0
    ) -> T:
        """`load()`'s answer, shared while younger than `ttl` (default: the instance's)."""
        key = (meeting_id, what)
        now = time.monotonic()
        found = self._entries.get(key)
        if found is not None and now - found[0] < (ttl or self.ttl):
            result: T = await asyncio.shield(found[1])
            return result
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._entries[key] = (now, future)
        try:
            value = await load()
        except BaseException as exc:
            self._entries.pop(key, None)
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it twice
            raise
        future.set_result(value)
        return value

    def drop(self, meeting_id: str | None) -> None:
        if meeting_id is None:
            return
        for key in [
            k for k in self._entries if k[0] == meeting_id or k[0].startswith(f"{meeting_id}-")
        ]:
            del self._entries[key]
