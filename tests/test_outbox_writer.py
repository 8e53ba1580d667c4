"""One outbox writer serves the batches of every meeting a worker sends at once: the same
person's invitation to two meetings (the same key in each) is recorded for both."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from activities.mail.writer import OutboxWriter
from activities.store import Store
from domain.invitations.batches import DeliveryResult, InvitationStatus, invitation_key
from domain.outbox.delivery import OutboxEntry


def _entry(meeting_id: str) -> OutboxEntry:
    result = DeliveryResult(
        participant_id="unicri-obs",
        status=InvitationStatus.SENT,
        message_id=f"<{meeting_id}.0.unicri-obs@example.org>",
        at=datetime(2027, 1, 4, 9, tzinfo=UTC),
    )
    return OutboxEntry(
        meeting_id=meeting_id, key=invitation_key(0, "unicri-obs"), kind="invitation",
        sequence=0, email="observer.unicri@example.org", result=result,
    )  # fmt: skip


async def test_the_same_key_in_two_meetings_is_recorded_for_both(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    with ThreadPoolExecutor(max_workers=1) as executor:
        writer = OutboxWriter(store.record_entries, executor, timeout=5)
        entries = [_entry("HRS-10"), _entry("RTM-SEEE-19")]
        await asyncio.gather(*(writer.record(e) for e in entries))  # both wait at once
        await writer.drain([(e.meeting_id, e.key) for e in entries])
    for e in entries:
        found = store.outbox(e.meeting_id, [e.key])
        assert found[e.key].message_id == e.result.message_id, e.meeting_id
