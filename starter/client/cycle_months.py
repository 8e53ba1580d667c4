"""The months a cycle plans in, read from what the operator typed, and the error every cycle
command refuses with; light on purpose (no Temporal import), for the doors' input checks."""

from __future__ import annotations

from domain.common.refusals import Refusal

DEFAULT_MONTHS = (1, 7)


class CycleError(Exception):
    """A cycle command that cannot be done; the message says why (its refusal: by its
    code, in each reader's language). Nothing changed."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal)
        self.refusal = refusal


def months_of(text: str | None) -> tuple[int, ...]:
    """'1,7' -> (1, 7): the months (1-12) in which the cycle plans an RTM."""
    if not text:
        return DEFAULT_MONTHS
    try:
        months = tuple(sorted({int(m) for m in text.split(",")}))
    except ValueError as exc:
        raise CycleError(Refusal("cycle.months", field="months", value=repr(text))) from exc
    if not months or any(m < 1 or m > 12 for m in months):
        raise CycleError(Refusal("cycle.month_range", field="months", value=repr(text)))
    return months
