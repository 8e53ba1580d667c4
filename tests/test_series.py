"""A meeting numbered in a series: of the series' kind, with a number, in its region."""

from __future__ import annotations

from domain.series.models import Cadence, MeetingKind, Series, series_problems
from tests.factories import meeting

HEADS = Series(code="HRS", kind=MeetingKind.HEADS_OF_SECRETARIATS, title="{ordinal} Heads",
               cadence=Cadence.YEARLY, organiser="INT", last_number=9)  # fmt: skip
TRT = Series(code="TRT-BIO-CA", kind=MeetingKind.TECHNICAL, title="{ordinal} TRT",
             region="CA", organiser="INT")  # fmt: skip


def test_series_problems_name_the_field() -> None:
    heads = meeting(id="HRS-10", region="INT", kind="heads", number=10, series="HRS")
    assert series_problems(heads, HEADS) == []
    assert series_problems(heads, None) == ["series: unknown series 'HRS'"]
    assert series_problems(meeting(kind="technical", number=None, series="TRT-BIO-CA"), TRT) == [
        "number: a meeting of series TRT-BIO-CA has its number"
    ]
    assert series_problems(meeting(number=3, series="TRT-BIO-CA"), TRT) == [
        "kind: series TRT-BIO-CA holds technical meetings"
    ]
    assert series_problems(meeting(region="GCC", kind="technical", number=2), TRT) == [
        "region: series TRT-BIO-CA is CA's"
    ]
    assert HEADS.meeting_id(10) == "HRS-10"
    assert Cadence.YEARLY.months == 12 and Cadence.NONE.months is None
