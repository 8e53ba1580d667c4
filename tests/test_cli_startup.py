"""`rtm meeting status` starts fast: its path loads no mail renderer, calendar writer, ORM or
workflow class (the client's reads query by name, starter/client/queries.py).

The command runs as a process against an address where nothing listens, so it goes the
whole way (parser, settings, role scope, the client module, the connection) and stops at
the connect; the modules loaded by then are what every status call pays for at start-up.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.ports import free_port

pytestmark = pytest.mark.e2e  # runs the CLI as a process

# What only sending mail, writing calendars, the store, the catalogues' tools or the worker
# (the workflow classes and the domain modules only they use) need.
HEAVY = (
    *("jinja2", "icalendar", "sqlalchemy", "sqlmodel", "alembic", "aiosmtplib", "babel"),
    *("workflows.meeting", "workflows.followup", "domain.meeting.state"),
)

_PROBE = """
import os, sys
from starter.cli.main import main
code = main(["meeting", "status", "RTM-X-1"])
loaded = [m for m in sys.argv[1:] if m in sys.modules]
print(code, " ".join(loaded) or "-", flush=True)
os._exit(0)  # as the `rtm` entry point does: no teardown of the failed client's runtime
"""


def test_meeting_status_loads_no_renderer_calendar_orm_or_workflow() -> None:
    env = os.environ | {"TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}"}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *HEAVY, "temporalio.client"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    code, _, loaded = done.stdout.strip().partition(" ")
    assert code == "1", done.stderr  # it went as far as the connect, which failed
    assert "cannot reach Temporal" in done.stderr
    # the probe sees what is loaded: the client is, the heavy modules are not
    assert loaded.split() == ["temporalio.client"], loaded
