"""A page of participants crosses a payload as columns: half the bytes of the records at
1,000 participants, the same participants back, and older histories' records still read."""

from __future__ import annotations

import json

from temporalio.contrib.pydantic import pydantic_data_converter

from domain.common.contracts import ParticipantList
from domain.directory.models import Participant, Role
from tests.factories import synthetic_directory


def test_a_page_of_participants_travels_as_columns_and_comes_back_whole() -> None:
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
