"""The auditor's timeline reads history payloads through the client's data converter, so a
payload codec (compression, encryption) added later changes nothing for it."""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Sequence
from typing import Any

from google.protobuf.json_format import MessageToDict
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

from starter.client.audit import history_entries


class Zlib(PayloadCodec):
    """A codec standing in for encryption: the payload's bytes are unreadable without it."""

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [
            Payload(
                metadata={"encoding": b"binary/zlib"}, data=zlib.compress(p.SerializeToString())
            )
            for p in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for p in payloads:
            inner = Payload()
            inner.ParseFromString(zlib.decompress(p.data))
            out.append(inner)
        return out


def _started(payload: Payload) -> dict[str, Any]:
    return {
        "events": [
            {
                "eventId": "1",
                "eventTime": "2027-06-01T09:00:00Z",
                "eventType": "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED",
                "workflowExecutionStartedEventAttributes": {
                    "input": {"payloads": [MessageToDict(payload)]}
                },
            }
        ]
    }


MEETING = {"id": "RTM-CA-16", "title": "16th RTM", "start": "2027-06-07T09:00",
           "end": "2027-06-08T17:30", "zone": "Asia/Almaty"}  # fmt: skip


async def test_payloads_are_decoded_by_the_converter_and_its_codec() -> None:
    encrypted = dataclasses.replace(pydantic_data_converter, payload_codec=Zlib())
    (payload,) = await encrypted.encode([MEETING])
    assert b"RTM-CA-16" not in payload.data
    history = _started(payload)

    (entry,) = await history_entries(history, 1, encrypted)
    assert entry.action == "meeting.planned"
    assert entry.summary == "RTM-CA-16: 16th RTM, 2027-06-07T09:00 - 2027-06-08T17:30 Asia/Almaty"

    (unreadable,) = await history_entries(history, 1, pydantic_data_converter)
    assert "RTM-CA-16" not in unreadable.summary


async def test_plain_json_payloads_read_the_same_as_before() -> None:
    converter: DataConverter = pydantic_data_converter
    (payload,) = await converter.encode([MEETING])
    (entry,) = await history_entries(_started(payload), 1, converter)
    assert entry.summary.startswith("RTM-CA-16: 16th RTM, 2027-06-07T09:00")
