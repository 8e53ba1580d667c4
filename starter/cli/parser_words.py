"""argparse's own words (its complaints, "usage:", its help headings) in the operator's
language: argparse asks gettext for each by its English text, so while `rtm` parses its
arguments those lookups go to the engine's catalogue in the terminal's language."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from domain.common import i18n
from domain.common.marks import N_

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
