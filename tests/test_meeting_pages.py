"""A large meeting answers a page at a time and keeps every update result small; the
inviting phase is recorded; a cancel is recorded before the meeting says it is cancelled."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.common.contracts import Phase
from domain.invitations.batches import InvitationStatus
from domain.meeting.changes import CancelCommand, RescheduleCommand
from domain.meeting.status import StatusPage
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from domain.reminders.planning import RemindCommand
from starter.client import commands
from starter.devstack.catcher import SmtpCatcher
from tests.factories import meeting, synthetic_directory
from tests.harness import invited, plan, running_worker
from tests.ports import free_port

DESK = Actor(id="secretariat", channel=Channel.CLI)
N = 400
MAX_RESULT = 2048


def _phases(store: Store, meeting_id: str) -> list[str]:
    return [r.action for r in store.audit(meeting_id) if r.action.startswith("phase.")]


async def test_status_pages_small_results_and_recorded_phases(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(synthetic_directory(N))
    m = meeting(organisations=[])
    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            handle = await plan(env.client, m, queue)
            await invited(handle)
            first = await commands.status(env.client, m.id)
            everyone = [row async for row in commands.all_participants(env.client, m.id)]
            kz = await commands.status(env.client, m.id, StatusPage(country="KZ", limit=7))
            rows = []
            for i, mode in enumerate([Attendance.IN_PERSON, Attendance.ONLINE, Attendance.DECLINE]):
                rows.append(await commands.rsvp(env.client, store, m.id, RsvpCommand(
                    participant_id=f"p{i:04d}", attendance=mode, actor=DESK)))  # fmt: skip
            online = await commands.status(env.client, m.id, StatusPage(answer=Attendance.ONLINE))
            open_ = await commands.status(env.client, m.id, StatusPage(unanswered=True, limit=0))
            one = await commands.participant(env.client, m.id, "p0001")
            by_mail = await commands.status(env.client, m.id, StatusPage(email="P0002@EXAMPLE.ORG"))
            failed = await commands.status(
                env.client, m.id, StatusPage(invitation=InvitationStatus.FAILED)
            )
            second = await commands.status(env.client, m.id, first.next_page)
            chased = await commands.remind(env.client, store, m.id, RemindCommand(actor=DESK))
            moved = await commands.reschedule(env.client, store, m.id, RescheduleCommand(
                start=m.start.replace(hour=10), end=m.end, actor=DESK))  # fmt: skip

            async def watch() -> list[tuple[Phase, list[str]]]:
                """Each poll's phase beside the audit's phases at the moment it answered."""
                seen = []
                while True:
                    status = await commands.status(env.client, m.id, StatusPage(limit=0))
                    seen.append((status.phase, _phases(store, m.id)))
                    if status.phase is Phase.CANCELLED:
                        return seen
                    await asyncio.sleep(0.01)

            watcher = asyncio.create_task(watch())
            cancelled = await commands.cancel(env.client, store, m.id, CancelCommand(actor=DESK))
            polls = await asyncio.wait_for(watcher, 60)
            history = await handle.fetch_history()

    assert len(first.participants) == 100 and first.matching == N
    assert first.summary.participants == N and first.count(InvitationStatus.SENT) == N
    assert [r.participant_id for r in everyone] == [f"p{i:04d}" for i in range(N)]
    assert second.participants[0].participant_id == "p0100" and second.page.offset == 100
    assert kz.matching == len(range(0, N, 6)) and len(kz.participants) == 7
    assert all(r.affiliation == "KZ" for r in kz.participants)
    assert [r.attendance for r in rows] == [Attendance.IN_PERSON, Attendance.ONLINE,
                                            Attendance.DECLINE]  # fmt: skip
    assert [r.participant_id for r in online.participants] == ["p0001"]
    assert open_.matching == N - 3 and open_.participants == []
    assert one is not None and one.attendance is Attendance.ONLINE
    assert [r.participant_id for r in by_mail.participants] == ["p0002"]
    assert failed.matching == 0
    assert chased.chased == N - 3
    assert moved.sequence == 1 and moved.count(InvitationStatus.SENT) == N
    assert cancelled.phase is Phase.CANCELLED and cancelled.count(InvitationStatus.SENT) == N

    # the inviting phase is recorded, in order
    assert _phases(store, m.id)[:3] == ["phase.scheduled", "phase.inviting", "phase.registration"]
    # no poll saw the meeting cancelled before the audit log had it
    assert all("phase.cancelled" in audit for phase, audit in polls if phase is Phase.CANCELLED)

    # every update's result, as the history keeps it, is small at this size
    completed = [
        e.workflow_execution_update_completed_event_attributes.outcome.success
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED
    ]
    sizes = [sum(len(p.data) for p in r.payloads) for r in completed]
    assert len(sizes) == 6 and max(sizes) <= MAX_RESULT, sizes
    assert json.loads(completed[0].payloads[0].data)["participant_id"] == "p0000"
