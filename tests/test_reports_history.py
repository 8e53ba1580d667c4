"""Past meetings loaded with their counts: numbering continues after them; bad files are
refused naming the field, with nothing loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from activities.store import Store
from starter.cli.main import main
from tests.factories import central_asia

HISTORY = Path(__file__).resolve().parent.parent / "starter" / "data" / "history-central-asia.yaml"


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A store whose Central Asia region has handed out no RTM number yet."""
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.create_schema()
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
