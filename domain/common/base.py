"""The base of every domain model, and the constrained field types they share."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from domain.common.validation import email_address, iana_zone, no_control_chars

Text = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(no_control_chars)]
Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
Email = Annotated[str, AfterValidator(email_address)]
Zone = Annotated[str, AfterValidator(iana_zone)]


class Frozen(BaseModel):
    """Immutable, strict-about-unknown-fields base for every domain model."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
