"""A person's languages as the secretariat types them ("uz, ru, en"), checked at the doors
that take them (the CLI, the console's form): each a language code CLDR knows, in the
person's order, English last unless placed. A known language without a catalogue is kept:
the person is written to in the first one that has one."""

from __future__ import annotations

import re

from domain.common import i18n
from domain.common.refusals import Refusal
from domain.directory.models import Directory, preferred_languages

__all__ = ["directory_languages", "read_languages"]

_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")  # as the directory's `Language`


def read_languages(text: str, field: str = "language") -> tuple[list[str], list[str]]:
    """The ordered list `text` names, or why not (each code CLDR does not know, by name)."""
    given = [x for x in re.split(r"[,\s]+", text.strip()) if x]
    if not given:
        return [], [Refusal("languages.none", field=field)]
    bad = _unknown(given, field)
    return ([], bad) if bad else (preferred_languages(given), [])


def directory_languages(directory: Directory) -> list[str]:
    """Why a directory file may not be loaded for its people's languages: each code CLDR
    does not know, by person (the model checked only each code's shape)."""
    return [
        problem
        for p in directory.participants
        for problem in _unknown(p.languages, f"participants: {p.id}: languages")
    ]


def _unknown(codes: list[str], field: str) -> list[str]:
    """The one check of a language code, at every door: a code CLDR knows."""
    return [
        Refusal("languages.unknown", field=field, value=repr(x[:20]))
        for x in codes
        if not _CODE.fullmatch(x) or not i18n.known(x)
    ]
