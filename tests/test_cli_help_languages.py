"""`rtm --help` and every command's help in the operator's language: each command's and
option's help text is a msgid with a Russian translation, written when a help page is."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from domain.common import i18n
from starter.cli.main import main, parser


def _terminal(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "ru_RU.UTF-8" if lang == "ru" else "C.UTF-8")


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def _texts(p: argparse.ArgumentParser) -> Iterator[str]:
    """Every description and help text of `p` and of its sub-commands, all the way down."""
    if p.description:
        yield p.description
    for action in p._actions:
        if action.help and action.help is not argparse.SUPPRESS:
            yield action.help
        if isinstance(action, argparse._SubParsersAction):
            for pseudo in action._choices_actions:
                if pseudo.help:
                    yield pseudo.help
            for sub in dict.fromkeys(action.choices.values()):
                yield from _texts(sub)


def test_every_help_text_has_a_russian_translation() -> None:
    texts = set(_texts(parser(None)))
    assert len(texts) > 90, len(texts)  # the commands', the options' and argparse's own
    left = sorted(t for t in texts if i18n.gettext("ru", t) == t)
    assert left == [], left


def test_rtm_help_in_a_russian_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _terminal(monkeypatch, "ru")
    shown = _help(capsys)
    assert "Система проведения Круглых столов" in shown
    assert "справочник участников" in shown and "the participant directory" not in shown
    shown = _help(capsys, "directory", "language")
    assert "идентификатор участника" in shown and "participant id" not in shown
    assert "языки участника в порядке предпочтения" in _help(capsys, "directory")
    shown = _help(capsys, "meeting", "reschedule")
    assert "время места проведения, например 2027-01-11T09:00" in shown


def test_rtm_help_in_english_as_before(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _terminal(monkeypatch, "en")
    shown = _help(capsys)
    assert "Round-Table Meeting engine" in shown and "the participant directory" in shown
    assert "participant id" in _help(capsys, "directory", "language")
