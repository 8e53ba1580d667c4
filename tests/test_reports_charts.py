"""Chart geometry and SVG: marks proportional to the numbers, the numbers in a table, a
well-formed SVG with its title and description, names escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

from domain.followup.actions import ActionStatus
from domain.registration.answers import Attendance
from domain.reports.charts import Chart, Series, Style, geometry, nice_ceiling, table
from domain.reports.render import chart_svg, charts_page
from domain.reports.series import (
    AnswerEvent,
    RtmCount,
    actions_chart,
    answer_events,
    answers_chart,
    attendance_chart,
    years_chart,
)
from tests.pdf_pages import SCREENSHOTS
from tests.report_facts import DAYS, rtm15_facts

SVG = "{http://www.w3.org/2000/svg}"


def _identity(text: str) -> str:
    return text


def test_nice_ceiling() -> None:
    assert [nice_ceiling(v) for v in (0, 1, 3, 7, 18, 40, 61, 100)] == [1, 1, 5, 10, 20, 50,
                                                                     100, 100]  # fmt: skip


def test_bars_are_proportional_and_stacks_add_up() -> None:
    chart = Chart(id="t", title="T", x_label="x", y_label="y", labels=["a", "b"],
                  series=[Series(name="one", values=[10, 5]), Series(name="two", values=[2, 0])],
                  style=Style.BARS)  # fmt: skip
    g = geometry(chart)
    heights = [b.height for b in g.bars]
    # bars go label by label: a-one 10, a-two 2, b-one 5, b-two 0
    assert abs(heights[0] / heights[1] - 5) < 0.01 and abs(heights[0] / heights[2] - 2) < 0.01
    assert heights[3] == 0 and g.bars[0].y + heights[0] == g.bottom
    stacked = geometry(chart.model_copy(update={"style": Style.STACKED}))
    first = [b for b in stacked.bars if b.tip.endswith("a: 10") or b.tip.endswith("a: 2")]
    assert first[0].y == first[1].y + first[1].height  # two sits on top of one
    assert table(chart) == (["x", "one", "two"], [["a", "10", "2"], ["b", "5", "0"]])


def test_answers_chart_counts_each_participant_in_their_latest_answer() -> None:
    t0 = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
    audit = [
        (t0, "invitation.sent", {}),
        (t0 + timedelta(hours=2), "rsvp", {"participant_id": "a", "attendance": "tentative"}),
        (t0 + timedelta(days=1), "rsvp", {"participant_id": "b", "attendance": "online"}),
        (t0 + timedelta(days=2), "rsvp", {"participant_id": "a", "attendance": "in-person"}),
        (t0 + timedelta(days=2), "rsvp.refused", {"participant_id": "x", "attendance": "online"}),
    ]
    first, events = answer_events(audit)
    assert first == t0 and len(events) == 3
    chart = answers_chart(first, events, "Asia/Dubai", _identity)
    assert chart.labels == ["2027-01-04", "2027-01-05", "2027-01-06"]
    values = {s.name: s.values for s in chart.series}
    assert values == {"in-person": [0, 0, 1], "online": [0, 1, 1], "tentative": [1, 1, 0],
                      "decline": [0, 0, 0]}  # fmt: skip
    assert AnswerEvent(at=t0, participant_id="a", attendance=Attendance.DECLINE)


def test_actions_chart_moves_actions_from_open_to_overdue_to_done() -> None:
    a1, a2 = rtm15_facts().actions  # due 31 May and 30 April 2022
    opened = datetime(2022, 3, 22, 12, tzinfo=UTC)
    a1 = a1.model_copy(update={"opened_at": opened})
    a2 = a2.model_copy(update={"opened_at": opened, "status": ActionStatus.DONE,
                               "done_at": datetime(2022, 5, 10, tzinfo=UTC)})  # fmt: skip
    chart = actions_chart([a1, a2], date(2022, 6, 14), _identity)
    assert chart.labels[0] >= "2022-03-22" and chart.labels[-1] == "2022-06-14"
    by = {s.name: dict(zip(chart.labels, s.values, strict=True)) for s in chart.series}
    assert (by["open"]["2022-04-26"], by["overdue"]["2022-04-26"]) == (2, 0)
    assert (by["open"]["2022-05-03"], by["overdue"]["2022-05-03"]) == (1, 1)
    assert (by["open"]["2022-05-10"], by["done"]["2022-05-10"]) == (1, 1)
    assert (by["overdue"]["2022-06-14"], by["done"]["2022-06-14"]) == (1, 1)


def test_svg_is_well_formed_with_its_numbers_and_escaped_names() -> None:
    facts = rtm15_facts()
    attendance = attendance_chart(facts, _identity)
    assert attendance.labels == [d.isoformat() for d in DAYS]
    years = years_chart([RtmCount(number=14, year=2021, participants=60, countries=7),
                         RtmCount(number=15, year=2022, participants=40, countries=6)], "en",
                        _identity)  # fmt: skip
    odd = years.model_copy(update={"title": "<b>&amp; 'x'</b>"})
    for chart in (attendance, years, odd):
        svg = chart_svg(chart, "en")
        root = ET.fromstring(svg)
        assert root.find(f"{SVG}title") is not None
        assert root.find(f"{SVG}title").text == chart.title  # type: ignore[union-attr]
        desc = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
        for s in chart.series:
            assert ", ".join(str(v) for v in s.values) in desc
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = charts_page("15th RTM", [attendance, years], "ru")
    assert page.count("<svg") == 2 and "<td>60</td>" in page and 'lang="ru"' in page
    (SCREENSHOTS / "charts-rtm15.html").write_text(page, encoding="utf-8")


def test_a_chart_with_nothing_yet_is_drawn_empty() -> None:
    """A region without a past RTM: its years chart has no bar, and its page still renders."""
    years = years_chart([], "en", _identity)
    assert years.labels == [] and geometry(years).bars == []
    root = ET.fromstring(chart_svg(years, "en"))
    assert root.find(f"{SVG}title") is not None
    assert charts_page("Central Asia", [years], "ru").count("<svg") == 1
