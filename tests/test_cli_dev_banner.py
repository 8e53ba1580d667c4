"""What `rtm dev` prints once the stack is up, in the terminal's language: English as
before, Russian from a Russian terminal, the addresses the same in both."""

from __future__ import annotations

import pytest

from activities.config import Settings
from starter.cli.dev import banner

UI = "http://127.0.0.1:8233"


def settings_for(smtp_port: int) -> Settings:
    return Settings(smtp_port=smtp_port, public_url_env="http://127.0.0.1:8000")


def _banner(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lang: str) -> str:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", lang)
    capsys.readouterr()
    banner(settings_for(2525), UI)
    return capsys.readouterr().out


def test_the_banner_in_english_as_before(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    s = settings_for(2525)
    lines = _banner(monkeypatch, capsys, "C.UTF-8").splitlines()
    assert lines[0] == f"Temporal  {s.temporal_address}  (Web UI {UI})"
    assert lines[1] == f"SMTP      {s.smtp_host}:2525  -> {s.mail_dir.resolve()}"
    assert lines[4] == f"Console   {s.public_url}/console/  (sign in with your directory address)"
    assert lines[-1] == "Worker    running; Ctrl-C (or SIGTERM) stops the stack"


def test_the_banner_in_a_russian_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    s = settings_for(2525)
    lines = _banner(monkeypatch, capsys, "ru_RU.UTF-8").splitlines()
    assert lines[0] == f"Temporal         {s.temporal_address}  (веб-интерфейс {UI})"
    assert lines[2] == f"База данных      {s.database_url}"
    assert lines[4] == f"Консоль          {s.public_url}/console/  (вход по адресу из справочника)"
    assert lines[-1] == "Обработчик       работает; Ctrl-C (или SIGTERM) останавливает стек"
    labels = [line[:17] for line in lines]
    assert all(label.endswith(" ") and not label.startswith(" ") for label in labels), labels
