"""The SMTP catcher as its own process, for benchmarks: `python -m bench.catcher PORT MAIL_DIR`.

Imports nothing of the engine but starter.devstack.catcher, so its CPU and GIL stay apart from
the worker under test. Prints one line `ready <port>` once it listens, then runs until
its stdin closes (the parent quits or closes the pipe) or it receives SIGTERM.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from starter.devstack.catcher import SmtpCatcher


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m bench.catcher PORT MAIL_DIR", file=sys.stderr)
        return 2
    port, mail_dir = int(argv[0]), Path(argv[1])
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())

    def wait_for_eof() -> None:
        sys.stdin.read()
        done.set()

    catcher = SmtpCatcher("127.0.0.1", port, mail_dir).start()
    try:
        threading.Thread(target=wait_for_eof, daemon=True).start()
        print(f"ready {catcher.port}", flush=True)
        while not done.wait(0.5):
            pass
    finally:
        catcher.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
