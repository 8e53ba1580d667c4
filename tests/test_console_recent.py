"""The console's shared answers: fresh ones shared, old ones served at once while a fresh
one is asked for, too old ones waited for, and a change drops them so that it shows."""

from __future__ import annotations

import asyncio

from starter.web.console.recent import Recent


class Source:
    """A query whose answers count up; `gate` holds it until the test lets it answer."""

    def __init__(self) -> None:
        self.asked = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self) -> int:
        self.asked += 1
        number = self.asked
        await self.gate.wait()
        return number


async def test_old_answers_are_served_while_a_fresh_one_is_asked_for() -> None:
    recent, source = Recent(ttl=0.05, stale=40), Source()
    assert await recent.get("M", "status", source) == 1
    assert await recent.get("M", "status", source) == 1, "fresh: shared"
    await asyncio.sleep(0.06)
    source.gate.clear()  # the next query hangs, as a busy worker's would
    assert await asyncio.wait_for(recent.get("M", "status", source), 0.5) == 1, "no waiting"
    assert await asyncio.wait_for(recent.get("M", "status", source), 0.5) == 1
    assert source.asked == 2, "one refresh in the background, not one per request"
    source.gate.set()
    await asyncio.sleep(0.01)
    assert await recent.get("M", "status", source) == 2, "the fresh answer replaced it"


async def test_too_old_answers_are_waited_for_and_a_change_drops_them() -> None:
    recent, source = Recent(ttl=0.01, stale=3), Source()
    assert await recent.get("M", "status", source) == 1
    await asyncio.sleep(0.1)  # older than ttl x stale
    assert await recent.get("M", "status", source) == 2
    recent, source = Recent(ttl=0.01, stale=100), Source()
    assert await recent.get("M", "status", source) == 1
    await asyncio.sleep(0.05)
    source.gate.clear()
    assert await recent.get("M", "status", source) == 1  # old: refresh 2 started
    await asyncio.sleep(0.01)
    assert source.asked == 2
    recent.drop("M")  # a change through the console
    source.gate.set()
    assert await recent.get("M", "status", source) == 3, "after a change: a fresh answer"
    await asyncio.sleep(0.01)
    assert await recent.get("M", "status", source) == 3, "the older refresh did not land"
