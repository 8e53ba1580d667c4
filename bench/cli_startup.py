"""How fast `rtm` starts: `rtm --help` and `rtm meeting status ID` against a running server.

    .venv/bin/python -m bench.cli_startup [--runs 15]

Brings up a dev server, a worker and one planned meeting, then runs each command as its own
process, in turn with `python -c pass` (the baseline measured in the same run), and prints
the median wall and CPU seconds of each, the difference to the baseline and the ratio, with
the load average before and after (the machine's other work shows in the wall times).
The engine's modules are compiled first, as an install compiles them (the children would
otherwise recompile them on every run where PYTHONDONTWRITEBYTECODE is set).
Goals (issue 10): `--help` under 0.3 s, `meeting status` under 0.6 s.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from starter.devstack.binaries import temporal_cli
from starter.devstack.catcher import SmtpCatcher
from tests.factories import central_asia, meeting
from tests.harness import invited, plan, running_worker
from tests.ports import free_port
from worker import ensure_search_attributes

ROOT = Path(__file__).resolve().parent.parent
RTM = [sys.executable, "-m", "starter.cli.main"]
PACKAGES = ("domain", "activities", "workflows", "starter")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, cpu) seconds of one run of `argv`, which must succeed."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv} failed")
    return wall, usage.ru_utime + usage.ru_stime


def compare(argv: list[str], env: dict[str, str], runs: int) -> dict[str, float]:
    """Median wall and CPU of `argv` and of the baseline, run in turn (one warm-up each)."""
    baseline = [sys.executable, "-c", "pass"]
    timed(baseline, env), timed(argv, env)
    pairs = [(timed(baseline, env), timed(argv, env)) for _ in range(runs)]
    return {
        "wall": statistics.median(c[0] for _, c in pairs),
        "cpu": statistics.median(c[1] for _, c in pairs),
        "base_wall": statistics.median(b[0] for b, _ in pairs),
        "base_cpu": statistics.median(b[1] for b, _ in pairs),
        "ratio": statistics.median(c[0] / b[0] for b, c in pairs),
    }


async def main(runs: int) -> None:
    for package in PACKAGES:
        compileall.compile_dir(ROOT / package, quiet=1)
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter, dev_server_existing_path=str(temporal_cli())
    )
    await ensure_search_attributes(env.client, "default")
    try:
        with tempfile.TemporaryDirectory() as tmp, SmtpCatcher(port=free_port()) as catcher:
            store = Store(f"sqlite:///{Path(tmp) / 'rtm.db'}")
            store.upgrade_schema()
            store.load_directory(central_asia())
            m = meeting()
            async with running_worker(env.client, store, catcher.port) as queue:
                await invited(await plan(env.client, m, queue))
                child = os.environ | {
                    "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
                    "DATABASE_URL": store.url,
                }
                for label, argv, goal in (
                    ("rtm --help", [*RTM, "--help"], 0.3),
                    (f"rtm meeting status {m.id}", [*RTM, "meeting", "status", m.id], 0.6),
                ):
                    before = load()
                    r = await asyncio.to_thread(compare, argv, child, runs)
                    print(
                        f"{label:<42} wall {r['wall']:.3f} s (cpu {r['cpu']:.3f} s); "
                        f"python -c pass {r['base_wall']:.3f} s (cpu {r['base_cpu']:.3f} s); "
                        f"ratio {r['ratio']:.1f}; goal {goal} s: "
                        f"{'met' if r['wall'] < goal else 'MISSED'}; "
                        f"load {before} -> {load()}"
                    )
    finally:
        await env.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    asyncio.run(main(parser.parse_args().runs))
