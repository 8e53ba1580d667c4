"""The auditor's timeline reads history payloads through the client's data converter, so a
payload codec (compression, encryption) added later changes nothing for it."""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from google.protobuf.json_format import MessageToDict
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

from domain.invitations.batches import DeliveryResult, InvitationStatus
from domain.mail.reminder import ReminderResult
from starter.client.audit import history_entries

pytestmark = pytest.mark.integration  # payloads through the SDK's data converter


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


AT = datetime(2027, 6, 1, 9, tzinfo=UTC)
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


async def test_a_send_activity_reads_as_sent_and_failed_whether_rows_or_a_summary() -> None:
    """Reminder and notice batches now answer a summary; older histories hold a row per
    recipient. The auditor reads both as counts."""
    converter: DataConverter = pydantic_data_converter
    summary = ReminderResult.of({
        "s0:chaser:7:a": DeliveryResult(participant_id="a", status=InvitationStatus.SENT,
                                        message_id="<a@x>", at=AT),
        "s0:chaser:7:b": DeliveryResult(participant_id="b", status=InvitationStatus.SENT,
                                        message_id="<b@x>", at=AT),
        "s0:chaser:7:c": DeliveryResult(participant_id="c", status=InvitationStatus.FAILED,
                                        message_id="<c@x>", error="550 no such user", at=AT),
    })  # fmt: skip
    assert (summary.sent, summary.failed) == (2, {"s0:chaser:7:c": "550 no such user"})
    rows = {"results": {k: {"status": s} for k, s in (("a", "sent"), ("b", "sent"),
                                                         ("c", "failed"))}}  # fmt: skip
    for result in (summary, rows):
        (payload,) = await converter.encode([result])
        events = [
            {"eventId": "5", "eventTime": "2027-06-01T09:00:00Z",
             "eventType": "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED",
             "activityTaskScheduledEventAttributes": {"activityType": {"name": "send_reminders"}}},
            {"eventId": "7", "eventTime": "2027-06-01T09:00:01Z",
             "eventType": "EVENT_TYPE_ACTIVITY_TASK_COMPLETED",
             "activityTaskCompletedEventAttributes": {
                 "scheduledEventId": "5", "result": {"payloads": [MessageToDict(payload)]}}},
        ]  # fmt: skip
        entries = await history_entries({"events": events}, 1, converter)
        assert entries[-1].action == "activity.send_reminders.completed"
        assert entries[-1].summary == "2 sent, 1 failed", result
