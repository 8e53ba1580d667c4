"""`rtm tracker` from the read model: filters, files, and bad input refused with exit 2."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from activities.store import Store
from starter.cli.main import main
from tests.report_facts import rtm15_facts


@pytest.fixture
def tracked(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    for item in rtm15_facts().actions:  # due in 2022: overdue today
        store.record_action(item, "opened")
    monkeypatch.setenv("DATABASE_URL", store.url)
    monkeypatch.setenv("RTM_VAR_DIR", str(tmp_path))
    return store


def test_tracker_writes_csv_to_stdout_and_xlsx_to_a_file(
    tracked: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tracker", "--country", "KZ"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["meeting"], r["action"], r["state"]) for r in rows] == [
        ("RTM-CA-15", "A1", "overdue")
    ]
    assert main(["tracker", "--overdue", "--format", "xlsx", "--language", "ru"]) == 0
    written = tmp_path / "reports" / "actions.xlsx"
    assert str(written) in capsys.readouterr().out
    sheet = load_workbook(written).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][3] == "действие" and sorted(r[3] for r in values[1:]) == ["A1", "A2"]
    assert {r[10] for r in values[1:]} == {"просрочено"}
    assert main(["tracker", "--state", "done"]) == 0
    assert capsys.readouterr().out.count("\n") == 1  # the header only


def test_tracker_refuses_bad_input(tracked: Store, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["tracker", "--state", "lost"])
    assert stop.value.code == 2
    assert "invalid choice: 'lost'" in capsys.readouterr().err
    assert main(["tracker", "-o", "/proc/nowhere/actions.csv"]) == 2
    assert "output: cannot write /proc/nowhere/actions.csv" in capsys.readouterr().err
