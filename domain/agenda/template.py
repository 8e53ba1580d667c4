"""Agenda sections and the per-region template of standing items (editable in the directory)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from domain.common.base import Frozen, Text


class ItemKind(StrEnum):
    """Sections of an RTM agenda, in the order they run."""

    OPENING = "opening"
    NATIONAL_UPDATE = "national-update"
    ACTION_REVIEW = "action-review"
    PROJECT_REVIEW = "project-review"
    ACTION_PLAN = "action-plan"
    OTHER = "other"
    AOB = "aob"
    CLOSING = "closing"


SECTION_ORDER = list(ItemKind)


class ItemStatus(StrEnum):
    STANDING = "standing"
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class TemplateItem(Frozen):
    """One line of a region's agenda template; `per_country` repeats it per country."""

    title: Text
    kind: ItemKind
    minutes: int = Field(ge=5, le=240)
    per_country: bool = False


def default_template() -> list[TemplateItem]:
    return [
        TemplateItem(title="Opening and welcome", kind=ItemKind.OPENING, minutes=30),
        TemplateItem(title="National update: {country}", kind=ItemKind.NATIONAL_UPDATE,
                     minutes=20, per_country=True),
        TemplateItem(title="Review of open follow-up actions", kind=ItemKind.ACTION_REVIEW,
                     minutes=45),
        TemplateItem(title="Project reviews", kind=ItemKind.PROJECT_REVIEW, minutes=60),
        TemplateItem(title="Regional CBRN Action Plan", kind=ItemKind.ACTION_PLAN, minutes=60),
        TemplateItem(title="Any other business", kind=ItemKind.AOB, minutes=15),
        TemplateItem(title="Closing", kind=ItemKind.CLOSING, minutes=15),
    ]  # fmt: skip
