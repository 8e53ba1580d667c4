"""People's languages changed in the directory, told to the meetings that invite them: a
meeting keeps its own copy of each invitee, which its status shows until it is told (the
mail already reads the directory when it is sent, activities/mail/languages.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated

from pydantic import Field

from domain.common.base import Frozen
from domain.directory.models import Language, Participant

__all__ = [
    "PARTICIPANT_LANGUAGES",
    "ParticipantLanguages",
    "changed_languages",
    "relanguaged",
    "told_in_parts",
    "with_languages",
]

PARTICIPANT_LANGUAGES = "participant_languages"  # signal: languages changed in the directory
TELL_AT_ONCE = 1_000  # people per signal: about 40 KB, far from the payloads' 512 KB warning

Languages = Annotated[list[Language], Field(min_length=1, max_length=8)]


class ParticipantLanguages(Frozen):
    """Each person's languages as the directory has them now, in their order, by id."""

    languages: dict[str, Languages]


def changed_languages(
    before: Mapping[str, list[str]], after: Iterable[Participant]
) -> dict[str, list[str]]:
    """The people a directory write gave other languages than they had (`before`: what the
    directory held); someone new to the directory is in no meeting yet."""
    return {
        p.id: list(p.languages) for p in after if p.id in before and before[p.id] != p.languages
    }


def told_in_parts(languages: Mapping[str, list[str]]) -> list[ParticipantLanguages]:
    """The change as signals of TELL_AT_ONCE people each (a whole directory loaded again
    may change thousands)."""
    ids = list(languages)
    return [
        ParticipantLanguages(languages={pid: languages[pid] for pid in ids[i : i + TELL_AT_ONCE]})
        for i in range(0, len(ids), TELL_AT_ONCE)
    ]


def with_languages(p: Participant, languages: list[str] | None) -> Participant:
    """`p` with `languages` (the first is `language`); `p` itself when nothing changes."""
    if not languages or languages == p.languages:
        return p
    return p.model_copy(update={"languages": list(languages), "language": languages[0]})


def relanguaged(
    invitees: Mapping[str, Participant], change: ParticipantLanguages
) -> list[Participant]:
    """The meeting's invitees whose copy the change makes different, with the new
    languages; people the meeting does not invite are not its concern."""
    return [
        with_languages(p, langs)
        for pid, langs in change.languages.items()
        if (p := invitees.get(pid)) is not None and p.languages != langs
    ]
