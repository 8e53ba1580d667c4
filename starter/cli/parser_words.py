"""argparse's own words (its complaints, "usage:", its help headings) in the operator's
language: argparse asks gettext for each by its English text, so while `rtm` parses its
arguments those lookups go to the engine's catalogue in the terminal's language. The
engine's own help texts (each command's and option's, marked N_) are looked up when a help
page is written, so a command that is only run pays nothing for them."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from domain.common import i18n
from domain.common.marks import N_
from starter.cli.language import terminal_language

# What argparse asks for (Python 3.11's wording) that a person can meet; its programming
# errors (a conflicting option, a bad `nargs`) never reach an operator and stay English.
MESSAGES = (
    N_("usage: "),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("unrecognized arguments: %s"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("invalid %(type)s value: %(value)r"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("unexpected option string: %s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
)


@contextmanager
def parser_language(lang: str) -> Iterator[None]:
    """argparse writes `lang` inside the block (its module's gettext, put back after)."""
    saved = {name: getattr(argparse, name) for name in ("_", "ngettext")}
    setattr(argparse, "_", lambda message: i18n.gettext(lang, message))  # noqa: B010
    setattr(argparse, "ngettext", lambda one, many, n: i18n.ngettext(lang, one, many, n))  # noqa: B010
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(argparse, name, value)


class _TranslatedHelp(argparse.HelpFormatter):
    """Writes each help text and description in the terminal's language (by its msgid)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = super()._get_help_string(action)
        return _translated(text) if text else text

    def _format_text(self, text: str) -> str:
        return super()._format_text(_translated(text))


def _translated(text: str) -> str:
    return i18n.gettext(terminal_language(), text)


class Parser(argparse.ArgumentParser):
    """`rtm`'s parser: its sub-commands' parsers are of this class too (argparse makes them
    of the parent's), so every help page is written in the operator's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _TranslatedHelp)
        super().__init__(*args, **kwargs)
