"""Every export read back by an independent reader (csv, openpyxl, pypdf) and its figures
checked against the register it was made from."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from activities.reports.documents import (
    Format,
    desk_document,
    register_document,
    tracker_document,
)
from domain.followup.actions import ActionItem, ActionStatus
from domain.registration.answers import Actor, Attendance, Channel
from domain.reports.tracker import State, TrackerFilter
from tests.pdf_pages import page_png, pdf_text
from tests.report_facts import DAYS, counted_once, rtm15_facts


def _expected() -> tuple[dict[tuple[str, str, str], int], dict[str, Counter[str]]]:
    """From the facts directly: presences per (affiliation, day, mode), and each
    affiliation's participants counted once by mode."""
    facts = rtm15_facts()
    people = {p.id: p for p in facts.participants}
    per_day: Counter[tuple[str, str, str]] = Counter()
    for p in facts.presences:
        person = people[p.participant_id]
        per_day[(person.country or person.organisation or "", p.day.isoformat(), p.mode)] += 1
    once: dict[str, Counter[str]] = {}
    for pid, mode in counted_once().items():
        person = people[pid]
        once.setdefault(person.country or person.organisation or "", Counter())[mode] += 1
    return dict(per_day), once


def test_register_csv_matches_the_register() -> None:
    per_day, once = _expected()
    data = register_document(rtm15_facts(), Format.CSV, "en").decode()
    rows = list(csv.DictReader(io.StringIO(data)))
    by_code = {r["code"]: r for r in rows if r["kind"] != "total"}
    assert set(by_code) == set(once)
    for code, row in by_code.items():
        for day in DAYS:
            for mode in ("in-person", "online"):
                got = int(row[f"{day.isoformat()} {mode}"])
                assert got == per_day.get((code, day.isoformat(), mode), 0), (code, day, mode)
        assert int(row["participants"]) == sum(once[code].values())
        assert int(row["participants online"]) == once[code]["online"]
    total = next(r for r in rows if r["kind"] == "total")
    assert int(total["participants"]) == len(counted_once()) == 18
    assert int(total[f"{DAYS[1].isoformat()} in-person"]) == sum(
        n for (_, d, m), n in per_day.items() if d == DAYS[1].isoformat() and m == "in-person"
    )
    assert [r["name"] for r in rows][:2] == ["Republic of Kazakhstan", "Kyrgyz Republic"]


def test_register_xlsx_has_the_summary_and_every_presence() -> None:
    facts = rtm15_facts()
    book = load_workbook(io.BytesIO(register_document(facts, Format.XLSX, "ru")))
    assert book.sheetnames == ["Журнал", "Присутствие"]
    summary = list(book["Журнал"].iter_rows(values_only=True))
    header = summary[0]
    assert header[:3] == ("вид", "код", "название")
    total = summary[-1]
    assert total[header.index("участники")] == 18
    kz = next(r for r in summary if r[1] == "KZ")
    assert kz[2] == "Республика Казахстан"
    presences = list(book["Присутствие"].iter_rows(values_only=True))[1:]
    assert len(presences) == len(facts.presences)
    assert {(r[1], r[0].date()) for r in presences} == {
        (p.participant_id, p.day) for p in facts.presences
    }


@pytest.mark.parametrize("language", ["en", "ru"])
def test_desk_list_pdf_lists_everyone_expected_with_the_days_counted(
    language: str, tmp_path: Path
) -> None:
    facts = rtm15_facts()
    data = desk_document(facts, language)
    text = pdf_text(data)
    expected = [p for p in facts.participants if facts.answers[p.id] is not Attendance.DECLINE]
    if language == "en":
        assert "18 participants expected" in text and "Republic of Kazakhstan" in text
    else:
        assert "ожидается участников: 18" in text and "Республика Казахстан" in text
    for person in expected:
        assert person.name in text, person.name
    declined = next(p for p in facts.participants if facts.answers[p.id] is Attendance.DECLINE)
    assert declined.name not in text
    assert text.count("✓") == len(facts.presences)
    page_png(data, f"participants-rtm15-{language}", tmp_path)


def _tracker_facts() -> list[ActionItem]:
    facts = rtm15_facts()
    a1, a2 = facts.actions
    done = a2.model_copy(
        update={
            "status": ActionStatus.DONE,
            "done_at": datetime(2022, 4, 20, tzinfo=UTC),
            "done_by": Actor(id="jrc-obs", channel=Channel.LINK),
        }
    )
    return [a1, done]


def test_tracker_csv_and_xlsx_filter_by_state_owner_and_overdue() -> None:
    items = _tracker_facts()
    now = datetime(2022, 6, 10, tzinfo=UTC)  # A1 (due 31 May) is ten days overdue
    everything = list(csv.DictReader(io.StringIO(
        tracker_document(items, TrackerFilter(), now, Format.CSV, "en").decode())))  # fmt: skip
    assert [(r["action"], r["state"], r["days overdue"]) for r in everything] == [
        ("A2", "done", "0"),
        ("A1", "overdue", "10"),
    ]
    overdue = tracker_document(items, TrackerFilter(overdue=True), now, Format.XLSX, "en")
    sheet = load_workbook(io.BytesIO(overdue)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[3] for r in rows[1:]] == ["A1"]
    assert rows[1][9] == datetime(2022, 5, 31) and rows[1][11] == 10
    by_owner = tracker_document(items, TrackerFilter(owner="organisation:JRC"), now, Format.CSV,
                                "en").decode()  # fmt: skip
    assert [r["action"] for r in csv.DictReader(io.StringIO(by_owner))] == ["A2"]
    by_country = tracker_document(items, TrackerFilter(country="KZ", state=State.OPEN), now,
                                  Format.CSV, "en").decode()  # fmt: skip
    assert [r["action"] for r in csv.DictReader(io.StringIO(by_country))] == ["A1"]
    assert date(2022, 5, 31).isoformat() in by_country
