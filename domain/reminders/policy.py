"""A reminder policy: region default in the directory, overridable per meeting."""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field, model_validator

from domain.common.base import Frozen
from domain.common.refusals import Refusal


class ReminderPolicy(Frozen):
    """When to remind, in days before the meeting (or the agenda deadline)."""

    chaser_days: list[int] = Field(default_factory=lambda: [30, 14, 7])
    pre_meeting_days: list[int] = Field(default_factory=lambda: [7, 1])
    escalation_days: int | None = Field(default=10, ge=1, le=365)
    agenda_days: int | None = Field(
        default=7, ge=1, le=365, description="days before the agenda proposal deadline"
    )
    send_hour: int = Field(
        default=10, ge=0, le=23, description="local hour of sending, on a working day"
    )
    max_days_earlier: int = Field(
        default=7,
        ge=0,
        le=30,
        description="a reminder due on a day off moves back to a working day at most this many "
        "days; past that, to the next working day after",
    )

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: Any) -> Any:
        """`working_hours` decided nothing but a check; recorded histories still carry it."""
        if isinstance(data, dict) and "working_hours" in data:
            data = {k: v for k, v in data.items() if k != "working_hours"}
        return data

    @model_validator(mode="after")
    def _sane(self) -> Self:
        for name in ("chaser_days", "pre_meeting_days"):
            days = getattr(self, name)
            if any(d < 1 or d > 365 for d in days) or len(set(days)) != len(days):
                raise ValueError(Refusal("reminders.days", field=name))
        return self
