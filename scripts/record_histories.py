"""Regenerate tests/histories/*.json: recorded histories that the replay test replays.

Run after a deliberate, patched (`workflow.patched`) change, never to paper over a
replay failure: an old history that no longer replays means running meetings break.
    .venv/bin/python -m scripts.record_histories
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.db import Store
from starter.binaries import temporal_cli
from starter.catcher import SmtpCatcher
from starter.stack import free_port
from tests.factories import central_asia, meeting
from tests.harness import invited, plan, running_worker

HISTORIES = Path(__file__).resolve().parent.parent / "tests" / "histories"


async def record() -> None:
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter, dev_server_existing_path=str(temporal_cli())
    )
    try:
        with tempfile.TemporaryDirectory() as tmp, SmtpCatcher(port=free_port()) as catcher:
            store = Store(f"sqlite:///{Path(tmp) / 'rtm.db'}")
            store.create_schema()
            store.load_directory(central_asia())
            m = meeting(id="RTM-CA-16")
            async with running_worker(env.client, store, catcher.port) as queue:
                handle = await plan(env.client, m, queue)
                await invited(handle)
                history = await handle.fetch_history()
        HISTORIES.mkdir(parents=True, exist_ok=True)
        path = HISTORIES / "meeting_invitations.json"
        path.write_text(history.to_json())
        print(f"wrote {path} ({len(history.events)} events)")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(record())
