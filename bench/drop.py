"""An SMTP server that accepts and drops every message, in its own process, for benchmarks
where the worker under test must not share its GIL with the relay (a real relay never does).

    python -m bench.drop PORT     # prints `ready PORT`; at end of input prints `count N`

`DropProcess` starts it from a bench and reads the count back when it stops.
"""

from __future__ import annotations

import select
import subprocess
import sys
from pathlib import Path

from aiosmtpd.controller import Controller

from bench.lifecycle_events import Drop
from tests.ports import free_port

ROOT = Path(__file__).resolve().parent.parent


class DropProcess:
    """`python -m bench.drop` on a free port; `stop()` answers how many messages it took."""

    def __init__(self) -> None:
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> DropProcess:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.drop", str(self.port)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self._process.stdout is not None
        ready, _, _ = select.select([self._process.stdout], [], [], timeout)
        if not ready or not self._process.stdout.readline().startswith(b"ready"):
            self.stop()
            raise RuntimeError(f"SMTP drop server did not start on port {self.port}")
        return self

    def stop(self) -> int:
        process, self._process = self._process, None
        if process is None:
            return 0
        out, _ = process.communicate(b"", timeout=30)  # end of input: it prints its count
        words = out.decode().split()
        return int(words[-1]) if words[-2:-1] == ["count"] else 0


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bench.drop PORT", file=sys.stderr)
        return 2
    drop = Drop()
    smtp = Controller(drop, hostname="127.0.0.1", port=int(argv[0]))
    smtp.start()
    try:
        print(f"ready {argv[0]}", flush=True)
        sys.stdin.read()
    finally:
        smtp.stop()
    print(f"count {drop.count}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
