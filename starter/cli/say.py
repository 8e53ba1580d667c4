"""What `rtm` prints for a person (success lines, headings, counts), in the operator's
language (the terminal's, as for its errors). `--json` output does not come through here:
it is the engine's data, the same in every language, for scripts."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TextIO

from domain.common import i18n
from starter.cli.language import terminal_language

__all__ = ["phrase", "phrase_n", "say", "say_n", "shown", "weekday"]


def phrase(message: str, /, **values: object) -> str:
    """`message` (an English msgid, extracted as such) in the operator's language."""
    text = i18n.gettext(terminal_language(), message)
    return text % values if values else text


def say(message: str, /, *, file: TextIO | None = None, **values: object) -> None:
    """Print one line (or several) of `rtm`'s output in the operator's language."""
    print(phrase(message, **values), file=file or sys.stdout)


def phrase_n(singular: str, plural: str, n: int, /, **values: object) -> str:
    """Words about `n` things, in the plural form the language needs (`num` is `n`)."""
    text = i18n.ngettext(terminal_language(), singular, plural, n)
    return text % {"num": n, **values}


def say_n(singular: str, plural: str, n: int, /, **values: object) -> None:
    """A line about `n` things, in the plural form the language needs (`num` is `n`)."""
    print(phrase_n(singular, plural, n, **values))


def shown(value: str) -> str:
    """One of the engine's values (a phase, a mode) as the operator reads it: the value
    itself in English (scripts read it there), the catalogue's word in any other language."""
    from domain.common.terms import term

    lang = terminal_language()
    return value if lang == i18n.DEFAULT else term(value, lang)


def weekday(moment: datetime) -> str:
    """The short weekday ("Tue"; in Russian "вт") as the operator's language writes it."""
    lang = terminal_language()
    if lang == i18n.DEFAULT:
        return f"{moment:%a}"
    from babel.dates import format_date

    return format_date(moment.date(), "EEE", locale=i18n.cldr_locale(lang) or i18n.DEFAULT)
