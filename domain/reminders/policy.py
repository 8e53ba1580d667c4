"""A reminder policy: region default in the directory, overridable per meeting."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from domain.common.base import Frozen


class ReminderPolicy(Frozen):
    """When to remind, in days before the meeting (or the agenda deadline)."""

    chaser_days: list[int] = Field(default_factory=lambda: [30, 14, 7])
    pre_meeting_days: list[int] = Field(default_factory=lambda: [7, 1])
    escalation_days: int | None = Field(default=10, ge=1, le=365)
    agenda_days: int | None = Field(
        default=7, ge=1, le=365, description="days before the agenda proposal deadline"
    )
    send_hour: int = Field(default=10, ge=0, le=23, description="local hour of sending")
    working_hours: tuple[int, int] = (9, 17)

    @model_validator(mode="after")
    def _sane(self) -> Self:
        start, end = self.working_hours
        if not 0 <= start < end <= 24:
            raise ValueError("working_hours: (start, end) with 0 <= start < end <= 24")
        if not start <= self.send_hour < end:
            raise ValueError("send_hour: must lie within working_hours")
        for name in ("chaser_days", "pre_meeting_days"):
            days = getattr(self, name)
            if any(d < 1 or d > 365 for d in days) or len(set(days)) != len(days):
                raise ValueError(f"{name}: distinct whole days between 1 and 365")
        return self
