"""The base of every domain model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """Immutable, strict-about-unknown-fields base for every domain model."""

    model_config = ConfigDict(frozen=True, extra="forbid")
