"""Past meetings loaded with their counts: numbering continues after them; bad files are
refused naming the field, with nothing loaded."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from starter.cli.main import main
from tests.factories import central_asia
from tests.report_facts import release_names

HISTORY = Path(__file__).resolve().parent.parent / "starter" / "data" / "history-central-asia.yaml"


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A store whose Central Asia region has handed out no RTM number yet."""
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    d = central_asia()
    regions = [r.model_copy(update={"last_rtm_number": 0}) for r in d.regions]
    store.load_directory(d.model_copy(update={"regions": regions}))
    monkeypatch.setenv("DATABASE_URL", store.url)
    monkeypatch.setenv("RTM_VAR_DIR", str(tmp_path))
    return store


def test_history_load_continues_the_numbering(
    fresh: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "load", str(HISTORY)]) == 0
    assert "CA: the next RTM is number 16" in capsys.readouterr().out
    past = fresh.past_meetings("CA")
    assert [(m.number, m.city, m.participants, len(m.countries)) for m in past] == [
        (14, "Almaty", 60, 7),
        (15, "Dubai", 40, 6),
    ]
    assert fresh.allocate_rtm_number("CA", "cycle-run-1") == 16
    assert main(["history", "load", str(HISTORY)]) == 0  # again: nothing handed out twice
    assert fresh.allocate_rtm_number("CA", "cycle-run-2") == 17


def test_bad_history_is_refused_naming_the_field(
    fresh: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    text = HISTORY.read_text().replace("[AF, KZ", "[XX, KZ").replace("end: 2022-03-22", "end: x")
    bad.write_text(text)
    assert main(["history", "load", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "meetings.1.end" in err
    bad.write_text(HISTORY.read_text().replace("[AF, KZ", "[XX, KZ"))
    assert main(["history", "load", str(bad)]) == 2
    assert "meetings[0].countries: unknown country 'XX'" in capsys.readouterr().err
    assert fresh.past_meetings() == []
    assert fresh.allocate_rtm_number("CA", "cycle-run-1") == 1


async def test_report_of_a_loaded_past_meeting_reads_like_its_release(
    cli_env: WorkflowEnvironment, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await asyncio.to_thread(main, ["history", "load", str(HISTORY)]) == 0
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["report", "RTM-CA-15", "-o", "-"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "On 21-22 March 2022, the 15th Round-Table Meeting (RTM) for the Central Asia" in text
    assert "allowing to bring together more than 40 participants, including National Focal " \
        "Points from six partner countries. These included: " + ", ".join(
            release_names()[0][:-1]) + " and " + release_names()[0][-1] in text  # fmt: skip
    assert await asyncio.to_thread(main, ["report", "RTM-CA-14", "-o", "-"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "more than 60 participants" in text and "from seven partner countries" in text
    assert "the Islamic Republic of Afghanistan, the Republic of Kazakhstan" in text
    assert await asyncio.to_thread(main, ["report", "RTM-CA-99"]) == 2
    assert "no meeting 'RTM-CA-99'" in capsys.readouterr().err
