"""A page of participants crosses a payload as columns: half the bytes of the records at
1,000 participants, the same participants back, and older histories' records still read."""

from __future__ import annotations

import json
import random
import string

import pytest

from domain.common.contracts import ParticipantList, ParticipantQuery
from domain.directory import columns
from domain.directory.models import Participant, Role
from tests.factories import synthetic_directory


@pytest.mark.integration  # through the SDK's data converter, as the history holds it
def test_a_page_of_participants_travels_as_columns_and_comes_back_whole() -> None:
    from temporalio.contrib.pydantic import pydantic_data_converter

    people = [
        *synthetic_directory(1_000).participants,
        Participant(id="eeas-obs", name="Anne De Smet", email="observer.eeas@example.org",
                    role=Role.OBSERVER, organisation="EEAS", languages=["fr", "ru"],
                    zone="Europe/Brussels"),
    ]  # fmt: skip
    page = ParticipantList(participants=people, secretariat_zone="Asia/Tashkent")
    (payload,) = pydantic_data_converter.payload_converter.to_payloads([page])
    records = json.dumps([json.loads(p.model_dump_json()) for p in people], separators=(",", ":"))
    assert len(payload.data) < 0.6 * len(records), (len(payload.data), len(records))
    assert b'"zone":"Asia/Almaty"' not in payload.data  # a zone is written once, not per row

    (back,) = pydantic_data_converter.payload_converter.from_payloads([payload], [ParticipantList])
    assert back == page
    assert back.participants[-1].languages == ["fr", "ru", "en"]
    assert back.participants[-1].country is None

    older = ParticipantList.model_validate({"participants": json.loads(records)})
    assert older == page.model_copy(update={"secretariat_zone": "UTC"})


def _varied(n: int) -> list[Participant]:
    """Names and addresses of random letters: nothing repeats but the domains."""
    rng = random.Random(3)

    def word(k: int) -> str:
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(k))

    return [
        p.model_copy(update={
            "id": f"{(p.country or 'x').lower()}-{word(6)}",
            "name": f"{word(rng.randint(4, 9)).title()} {word(rng.randint(5, 11)).title()}",
            "email": f"{word(7)}.{word(6)}@{rng.choice(['mfa.gov.kz', 'mfa.mn', 'undp.org'])}",
        })
        for p in synthetic_directory(n).participants
    ]  # fmt: skip


def test_a_page_is_compressed_and_plain_columns_from_before_still_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each reload page of a continued run stays in the history: compressed, about half the
    bytes of the plain columns even when names share nothing."""
    page = ParticipantList(participants=_varied(500))
    packed = page.model_dump_json()
    monkeypatch.setattr(columns, "PACK_FROM", 10**9)
    plain = page.model_dump_json()
    monkeypatch.undo()
    assert len(packed) < 0.6 * len(plain), (len(packed), len(plain))
    assert ParticipantList.model_validate_json(packed) == page
    assert ParticipantList.model_validate_json(plain) == page  # as earlier runs wrote it


@pytest.mark.integration  # through the SDK's data converter, as the history holds it
def test_a_reload_names_its_page_of_ids_compressed() -> None:
    from temporalio.contrib.pydantic import pydantic_data_converter

    ids = [p.id for p in _varied(500)]
    query = ParticipantQuery(participants=ids, known_only=True)
    (payload,) = pydantic_data_converter.payload_converter.to_payloads([query])
    assert len(payload.data) < 0.6 * len(json.dumps(ids))
    (back,) = pydantic_data_converter.payload_converter.from_payloads([payload], [ParticipantQuery])
    assert back == query and back.participants == ids
    assert ParticipantQuery.model_validate({"participants": ids}).participants == ids
