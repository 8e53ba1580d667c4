"""Which people a directory write gives other languages, the signals that tell a meeting
of them, and what they change in its copy of its invitees (domain.directory.changes)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.directory.changes import (
    TELL_AT_ONCE,
    ParticipantLanguages,
    changed_languages,
    relanguaged,
    told_in_parts,
)
from tests.mail_kinds import people


def test_only_people_whose_languages_changed_are_told() -> None:
    mn, kz = people()["mn-nfp"], people()["kz-expert-bio"]
    ru = mn.model_copy(update={"languages": ["ru", "en"], "language": "ru"})
    before = {mn.id: mn.languages, kz.id: kz.languages}  # a newcomer is in no meeting yet
    newcomer = kz.model_copy(update={"id": "new-person"})
    assert changed_languages(before, [ru, kz, newcomer]) == {"mn-nfp": ["ru", "en"]}


def test_a_meeting_takes_the_languages_of_its_own_invitees_only() -> None:
    mn, kz = people()["mn-nfp"], people()["kz-expert-bio"]
    change = ParticipantLanguages(
        languages={"mn-nfp": ["ru", "en"], "kz-expert-bio": ["en"], "elsewhere": ["uz", "en"]}
    )
    (changed,) = relanguaged({mn.id: mn, kz.id: kz}, change)  # kz-expert-bio: as before
    assert (changed.id, changed.languages, changed.language) == ("mn-nfp", ["ru", "en"], "ru")
    assert changed.email == mn.email


def test_a_large_change_is_told_in_parts_and_bad_codes_are_no_payload() -> None:
    many = {f"p{i}": ["ru", "en"] for i in range(2 * TELL_AT_ONCE + 1)}
    parts = told_in_parts(many)
    assert [len(p.languages) for p in parts] == [TELL_AT_ONCE, TELL_AT_ONCE, 1]
    assert {k: v for p in parts for k, v in p.languages.items()} == many
    with pytest.raises(ValidationError):
        ParticipantLanguages(languages={"mn-nfp": []})
    with pytest.raises(ValidationError):
        ParticipantLanguages(languages={"mn-nfp": ["Russian!"]})
