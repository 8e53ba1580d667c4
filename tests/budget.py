"""How much each sweep tries: all of it under `./test.sh` (RTM_TESTS=thorough), a tenth
when a developer runs `pytest -m unit` alone, so that the pure domain answers in seconds.

The quick run samples the same cases each time (no randomness beyond hypothesis's own), so a
failure seen there is seen again; the thorough run is what CI and the README's command run."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

THOROUGH = os.environ.get("RTM_TESTS", "") == "thorough"


def examples(thorough: int) -> int:
    """Hypothesis examples: `thorough` in the full run, a tenth (at least 20) otherwise."""
    return thorough if THOROUGH else max(20, thorough // 10)


def spread(items: Sequence[T], quick: int) -> list[T]:
    """Every item in the full run; otherwise `quick` of them spread evenly, first and last kept."""
    if THOROUGH or len(items) <= quick:
        return list(items)
    step = (len(items) - 1) / (quick - 1)
    return [items[round(i * step)] for i in range(quick)]


def share(items: Sequence[T], quick: int, turn: int) -> list[T]:
    """Every item in the full run; otherwise `quick` of them, a different share at each
    `turn` (the index of a parametrized case), so that the cases together still see every
    item once there are enough of them."""
    if THOROUGH or len(items) <= quick:
        return list(items)
    return [items[(turn * quick + i) % len(items)] for i in range(quick)]
