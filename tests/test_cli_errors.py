"""The `rtm` process itself: a server that does not answer is a clear error and exit 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ports import free_port

pytestmark = pytest.mark.e2e  # runs `rtm` or the worker as processes

ROOT = Path(__file__).resolve().parent.parent


def test_no_temporal_server_is_a_clear_error(tmp_path: Path) -> None:
    address = f"127.0.0.1:{free_port()}"
    env = os.environ | {"TEMPORAL_ADDRESS": address, "RTM_VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "starter.cli.main", "meeting", "status", "RTM-CA-16"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert f"cannot reach Temporal at {address}" in done.stderr
    assert "Traceback" not in done.stderr
