"""The operator's language for the CLI's messages: the terminal's own (gettext's order of
LANGUAGE, LC_ALL, LC_MESSAGES, LANG), the first that has a catalogue, else English."""

from __future__ import annotations

import os
from collections.abc import Mapping

from domain.common import i18n
from domain.common.marks import N_

_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


ERROR = N_("error: %(problem)s")


def error_line(problem: str, lang: str) -> str:
    """One refused input as `rtm` prints it on stderr, in `lang` (a Refusal by its code)."""
    from domain.common.refusals import Refusal

    said = problem.text(lang) if isinstance(problem, Refusal) else problem
    return i18n.gettext(lang, ERROR) % {"problem": said}


def terminal_language(environ: Mapping[str, str] | None = None) -> str:
    """e.g. "ru" for LANG=ru_RU.UTF-8 or LANGUAGE=uz:ru; "en" for C, POSIX or nothing."""
    env = os.environ if environ is None else environ
    for name in _VARIABLES:
        value = env.get(name, "")
        if not value:
            continue
        wanted = [
            part.split(".")[0].split("@")[0].split("_")[0].lower() for part in value.split(":")
        ]
        return i18n.pick([w for w in wanted if w and w not in ("c", "posix")])
    return i18n.DEFAULT
