"""What `rtm` and the worker say when they cannot go on, in a Russian terminal: argparse's
own complaints and headings, an unreadable secret file, a database without its schema, a
database or a Temporal server that does not answer. Nothing of it comes back English."""

from __future__ import annotations

from pathlib import Path

import pytest

from starter.cli.main import main
from tests.test_refusals_russian import _english

# What the operator typed or the machine named: argument names, commands, variables.
TYPED = ["--state", "--minutes", "--day", "--bogus", "lost", "nosuch", "RTM-CA-16", "meeting",
         "command", "action", "status", "SMTP_PASSWORD_FILE", "RTM_LINK_KEY_FILE",
         "TEMPORAL_ADDRESS",
         "`rtm db upgrade`", "`rtm dev`", "Temporal", "rtm"]  # fmt: skip


def _said(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: usage errors (2) and --help (0)
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.err + captured.out


@pytest.fixture
def russian(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A Russian terminal (LANG alone, as a desktop sets it) and an empty var directory."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    monkeypatch.setenv("RTM_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


@pytest.mark.unit
@pytest.mark.parametrize(
    ("argv", "russian_words"),
    [
        ([], "не указаны обязательные аргументы: command"),
        (["nosuch"], "аргумент command: недопустимое значение: 'nosuch' (допустимые: 'dev',"),
        (["meeting", "status"], "не указаны обязательные аргументы: id"),
        (["tracker", "--state", "lost"], "аргумент --state: недопустимое значение: 'lost'"),
        (["meeting", "status", "RTM-CA-16", "--bogus"], "нераспознанные аргументы: --bogus"),
        (["cycle", "create", "CA", "--day", "x"], "недопустимое значение 'x' (ожидается int)"),
        (["agenda", "propose", "RTM-CA-16", "--minutes"], "аргумент --minutes: требуется одно"),
    ],
)  # fmt: skip
def test_the_argument_parsers_complaints_in_russian(
    russian: Path, capsys: pytest.CaptureFixture[str], argv: list[str], russian_words: str
) -> None:
    code, said = _said(argv, capsys)
    assert code == 2
    assert said.startswith("использование: rtm") and ": ошибка: " in said, said
    assert russian_words in said, said
    assert _english(said.split(": ошибка: ")[1], TYPED) == set(), said


@pytest.mark.unit
def test_the_help_headings_in_russian(russian: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, said = _said(["db", "--help"], capsys)
    assert code == 0
    assert said.startswith("использование: rtm db")
    assert "параметры:" in said and "показать эту справку и выйти" in said, said
    assert "usage" not in said and "show this help" not in said
    import argparse
    import gettext

    assert getattr(argparse, "_") is gettext.gettext  # noqa: B009 (put back after parsing)


@pytest.mark.unit
def test_in_english_the_parser_speaks_english(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    code, said = _said(["tracker", "--state", "lost"], capsys)
    assert code == 2 and "rtm tracker: error: argument --state: invalid choice: 'lost'" in said, (
        said
    )
    import argparse

    assert getattr(argparse, "_")("usage: ") == "usage: "  # noqa: B009 (put back after parsing)


@pytest.mark.unit
def test_an_unreadable_secret_file_in_russian(
    russian: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SMTP_PASSWORD", raising=False)
    monkeypatch.setenv("SMTP_PASSWORD_FILE", str(russian / "no-such-secret"))
    code, said = _said(["meeting", "status", "RTM-CA-16"], capsys)
    assert code == 2
    assert said.startswith("ошибка: SMTP_PASSWORD_FILE: не удаётся прочитать "), said
    assert "файл или каталог не найден" in said, said
    assert _english(said, TYPED) == set(), said


@pytest.mark.integration
def test_a_database_without_its_schema_in_russian(
    russian: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, said = _said(["tracker"], capsys)
    assert code == 2
    assert said.startswith("ошибка: база данных ") and "не существует" in said, said
    assert "выполните `rtm db upgrade`" in said and _english(said, TYPED) == set(), said
    (russian / "rtm.db").write_bytes(b"")  # a file, but no schema in it
    code, said = _said(["tracker"], capsys)
    assert code == 2 and "нет схемы" in said and _english(said, TYPED) == set(), said


@pytest.mark.integration
def test_an_unreachable_database_in_russian(
    russian: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.ports import free_port

    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://rtm@127.0.0.1:{free_port()}/rtm")
    code, said = _said(["tracker"], capsys)
    assert code == 1
    assert said.startswith("ошибка: нет связи с базой данных postgresql"), said


@pytest.mark.e2e
def test_an_unreachable_temporal_server_in_russian(
    russian: Path, store_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from tests.ports import free_port

    address = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("TEMPORAL_ADDRESS", address)
    monkeypatch.setenv("DATABASE_URL", store_url)
    code, said = _said(["meeting", "status", "RTM-CA-16"], capsys)
    assert code == 1
    assert said.startswith(f"ошибка: нет связи с Temporal по адресу {address}"), said
    assert "`rtm dev`" in said and _english(said, TYPED) == set(), said


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    from activities.store import Store

    store = Store(f"sqlite:///{tmp_path / 'ready.db'}")
    store.upgrade_schema()
    return store.url


@pytest.mark.integration  # it loads the worker: Temporal, the ORM, every workflow
def test_the_worker_refuses_a_bad_setting_in_russian(
    russian: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import worker

    monkeypatch.delenv("RTM_LINK_KEY", raising=False)
    monkeypatch.setenv("RTM_LINK_KEY_FILE", str(russian))  # a directory, not a file
    with pytest.raises(SystemExit) as stop:
        worker.main()
    said = capsys.readouterr().err
    assert stop.value.code == 2
    assert said.startswith("ошибка: RTM_LINK_KEY_FILE: не удаётся прочитать "), said
    assert "это каталог" in said and _english(said, TYPED) == set(), said


@pytest.mark.unit
@pytest.mark.parametrize(
    ("participants", "countries", "said"),
    [
        (1, 1, "1 участник, в том числе национальные координаторы из 1 страны-партнёра"),
        (3, 2, "3 участника, в том числе национальные координаторы из 2 стран-партнёров"),
        (45, 6, "более 40 участников, в том числе национальные координаторы из 6 стран-партнёров"),
    ],
)  # fmt: skip
def test_the_registers_summary_in_russian(
    russian: Path, monkeypatch: pytest.MonkeyPatch, participants: int, countries: int, said: str
) -> None:
    from domain.attendance.register import RegisterCounts, press_summary
    from starter.cli.views import attendance_summary

    counts = RegisterCounts(
        participants=participants, by_mode={}, by_country={}, by_organisation={},
        nfp_countries=[f"C{i}" for i in range(countries)], by_day={},
        summary=press_summary(participants, countries),
    )  # fmt: skip
    assert attendance_summary(counts) == said
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert attendance_summary(counts) == counts.summary  # English: the engine's own words
