"""The demo's data files, by name: light to import (tests and tools read them without the
embedded stack that `starter.devstack.demo` brings up)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

CENTRAL_ASIA = Path(str(files("starter") / "data" / "central_asia.yaml"))
NETWORK = Path(str(files("starter") / "data" / "network.yaml"))
AUDITORS = Path(str(files("starter") / "data" / "auditors.yaml"))
HISTORY = Path(str(files("starter") / "data" / "history-central-asia.yaml"))
