"""History events of a meeting through its lifecycle, per participant: invitations, one
answer each, the agenda published, and check-ins or online joins on both days.

    .venv/bin/python -m bench.lifecycle_events [--n 200]

Runs on the time-skipping server with continue-as-new switched off; prints events by phase
and per participant, and the participant count at which one history would reach Temporal's
10,240-event warning. The meeting workflow continues as new at 4,000 events by default
(MeetingDefinition.continue_after_events), so no run gets there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.agenda.items import PublishCommand
from domain.attendance.register import CheckInCommand, JoinCommand
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.client import commands
from starter.devstack.binaries import temporal_test_server
from starter.devstack.catcher import SmtpCatcher
from starter.devstack.stack import free_port
from tests.factories import meeting, synthetic_directory
from tests.harness import advance_to, invited, plan, running_worker
from worker import ensure_search_attributes

WARNING = 10_240
DESK = Actor(id="registration-desk", channel=Channel.CLI)


async def measure(n: int) -> dict[str, object]:
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=str(temporal_test_server()),
    )
    await ensure_search_attributes(env.client, "default")
    counts: dict[str, int] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp, SmtpCatcher(port=free_port()) as catcher:
            store = Store(f"sqlite:///{Path(tmp) / 'rtm.db'}")
            store.create_schema()
            store.load_directory(synthetic_directory(n))
            # continuing as new switched off, to measure how one history would grow
            m = meeting(organisations=[], continue_after_events=40_000)
            async with running_worker(env.client, store, catcher.port) as queue:
                handle = await plan(env.client, m, queue)

                async def events() -> int:
                    return len((await handle.fetch_history()).events)

                await invited(handle)
                counts["invited"] = await events()
                ids = [f"p{i:04d}" for i in range(n)]
                for i, pid in enumerate(ids):
                    mode = Attendance.IN_PERSON if i % 2 else Attendance.ONLINE
                    await commands.rsvp(env.client, None, m.id, RsvpCommand(
                        participant_id=pid, attendance=mode, actor=DESK))  # fmt: skip
                counts["answered"] = await events()
                await commands.publish_agenda(env.client, None, m.id, PublishCommand(actor=DESK))
                await advance_to(env, m.start_utc() - timedelta(minutes=30))
                counts["reminded"] = await events()
                for day in range(2):
                    for i, pid in enumerate(ids):
                        if i % 2:
                            await commands.check_in(env.client, None, m.id, CheckInCommand(
                                participant_id=pid, actor=DESK))  # fmt: skip
                        else:
                            await commands.join_online(env.client, None, m.id, JoinCommand(
                                participant_id=pid, actor=DESK))  # fmt: skip
                    if day == 0:
                        await advance_to(env, m.start_utc() + timedelta(days=1))
                counts["attended"] = await events()
                types = Counter(str(e.event_type) for e in (await handle.fetch_history()).events)
    finally:
        await env.shutdown()
    total = counts["attended"]
    per = total / n
    return {
        "n": n,
        "events_by_stage": counts,
        "events_per_participant": round(per, 2),
        "participants_at_warning": int(WARNING / per),
        "event_types": dict(types.most_common(8)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200)
    result = asyncio.run(measure(parser.parse_args().n))
    for stage, events in result["events_by_stage"].items():  # type: ignore[attr-defined]
        print(f"  after {stage:<9} {events:>6} events")
    at = result["participants_at_warning"]
    print(f"{result['events_per_participant']} events per participant; the 10,240-event "
          f"warning would come at about {at} participants")  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
