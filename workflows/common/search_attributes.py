"""Search attributes of meeting workflows, so that listing meetings is a visibility query."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

RTM_REGION = SearchAttributeKey.for_keyword("RtmRegion")
RTM_NUMBER = SearchAttributeKey.for_int("RtmNumber")
RTM_PHASE = SearchAttributeKey.for_keyword("RtmPhase")
ALL = (RTM_REGION, RTM_NUMBER, RTM_PHASE)


def initial(region: str, number: int | None, phase: str) -> TypedSearchAttributes:
    """What a meeting workflow starts with; the workflow keeps RtmPhase current."""
    return TypedSearchAttributes(
        [
            SearchAttributePair(RTM_REGION, region),
            SearchAttributePair(RTM_NUMBER, number or 0),
            SearchAttributePair(RTM_PHASE, phase),
        ]
    )
