"""A year of the whole network on the time-skipping server: the eight regions' two RTMs
each, a Heads of Regional Secretariats meeting, two technical round tables; every partner
country's NFP team invited, answering (or chased), the minutes with their action items,
reminders, chasers and escalations, until a year has passed.

    .venv/bin/python -m bench.network_year [--team 3] [--workers 3] [--kill-after 150]

It runs the year twice, each on its own time-skipping server and store:

- **one worker**, in this process: the baseline;
- **several worker processes** (`worker.py`) sharing the task queue; one is killed
  (SIGKILL) in the middle of the first fan-out of invitations.

For each it prints the wall time, the history events of every run of every chain (meeting
workflows and action items, continued-as-new runs included) and the mails by kind; then the
ratios of the second against the first, and the checks, from the SMTP catcher and the outbox
(tests.mail_ledger): every invitee invited; the mails per (meeting, recipient, kind, moment),
the same in both years; duplicates (one of them under a second Message-ID) 0; resent copies
of a message in flight when the worker died (same Message-ID); outbox rows never caught and
catches the outbox does not know.

The worker to be killed runs without a workflow cache (RTM_WORKFLOW_CACHE=0): the
time-skipping server never hands a dead worker's sticky tasks to another worker (a real
cluster does, after the sticky queue's schedule-to-start timeout), so the workflows it had
cached would wait for ever. The clock is moved by tests.clock, whose sleeps never leave it
locked after a deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.directory.models import Directory, Participant, Region, Role
from domain.followup.actions import ActionSpec, DoneCommand, Owner, OwnerKind, action_workflow_id
from domain.followup.minutes import MinutesCommand
from domain.meeting.definition import MeetingDefinition
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.cli.inputs import read_directory
from starter.client import commands
from starter.data import NETWORK
from starter.devstack.binaries import temporal_test_server
from starter.devstack.catcher import SmtpCatcher
from tests.clock import advance_to
from tests.harness import LINK_KEY, plan, running_worker
from tests.mail_ledger import Balance, Key, balance, ledger
from tests.ports import free_port
from worker import ensure_search_attributes

ROOT = Path(__file__).resolve().parent.parent
SECRETARIAT = Actor(id="secretariat", channel=Channel.CLI)
OBSERVERS = ["JRC", "UNICRI", "EEAS"]
HEADS = ["SEC-INT", "FPI", "UNICRI", "JRC", "EEAS"]
Step = Callable[[], Awaitable[None]]


def with_teams(directory: Directory, team: int) -> Directory:
    """The shipped network with `team` experts more in every partner country's NFP team."""
    partners = {c.code for c in directory.countries if c.region != "INT"}
    zones = {p.country: p.zone for p in directory.participants if p.country}
    experts = [
        Participant(id=f"{code.lower()}-expert-{n}", name=f"Expert {n} of {code}",
                    email=f"expert{n}.{code.lower()}@example.org", role=Role.EXPERT,
                    country=code, zone=zones.get(code, "UTC"))
        for code in sorted(partners) for n in range(1, team + 1)
    ]  # fmt: skip
    return directory.model_copy(update={"participants": [*directory.participants, *experts]})


def _meeting(
    mid: str, start: datetime, zone: str, hours: float, **fields: Any
) -> MeetingDefinition:
    data = {"id": mid, "format": "online", "zone": zone, "start": start.isoformat(),
            "end": (start + timedelta(hours=hours)).isoformat(),
            "join_link": f"https://meet.example.org/{mid.lower()}"}  # fmt: skip
    return MeetingDefinition.model_validate(data | fields)


def the_year(d0: date, directory: Directory) -> list[MeetingDefinition]:
    """Every meeting of the year: each region's two RTMs (six months apart, the regions a
    few days apart), the heads' meeting, a technical round table in each half-year."""
    regions = sorted((r for r in directory.regions if not r.coordination), key=lambda r: r.code)
    meetings: list[MeetingDefinition] = []

    def at(days: int, hour: int = 9) -> datetime:
        return datetime.combine(d0 + timedelta(days=days), datetime.min.time()).replace(hour=hour)

    def organiser(region: Region) -> dict[str, str]:
        return {"name": f"CBRN CoE Regional Secretariat for {region.name}",
                "email": region.secretariat_email}  # fmt: skip

    for i, region in enumerate(regions):
        countries = [c.code for c in directory.countries if c.region == region.code]
        for k in range(2):
            number = region.last_rtm_number + 1 + k
            meetings.append(_meeting(
                f"RTM-{region.code}-{number}", at(35 + 3 * i + 182 * k), region.zone, 32.5,
                region=region.code, number=number, organiser=organiser(region),
                title=f"Round-Table Meeting {number} of National Focal Points for {region.name}",
                countries=countries, organisations=[f"SEC-{region.code}", *OBSERVERS],
            ))  # fmt: skip
    coordination = {"name": "Coordination of the EU CBRN CoE Initiative",
                    "email": "coordination@example.org"}  # fmt: skip
    meetings.append(_meeting(
        "HRS-10", at(120, 10), "Europe/Brussels", 3, region="INT", kind="heads", series="HRS",
        number=10, title="10th Meeting of the Heads of the Regional Secretariats",
        organiser=coordination, host={"name": "UNICRI", "organisation": "UNICRI"},
        organisations=[*HEADS, *(f"SEC-{r.code}" for r in regions)],
    ))  # fmt: skip
    ca = [c.code for c in directory.countries if c.region == "CA"]
    gcc = [c.code for c in directory.countries if c.region == "GCC"]
    meetings.append(_meeting(
        "TRT-BIO-CA-2", at(70), "Europe/Brussels", 32, region="CA", kind="technical",
        series="TRT-BIO-CA", number=2, organiser=coordination, countries=ca,
        title="2nd Technical Round Table on Bio-safety and Bio-security for Central Asia",
        organisations=["SEC-CA", "JRC", "UNICRI"],
    ))  # fmt: skip
    meetings.append(_meeting(
        "TRT-CHEM-GCC-1", at(210), "Asia/Dubai", 32, region="GCC", kind="technical",
        series="TRT-CHEM-GCC", number=1, organiser=coordination, countries=gcc,
        title="1st Technical Round Table on Chemical Safety for the GCC Countries",
        organisations=["SEC-GCC", "JRC", "UNICRI"],
    ))  # fmt: skip
    return meetings


def answer_of(meeting_id: str, pid: str) -> Attendance | None:
    """A fixed answer per (meeting, person): 45% online, 10% declined, 5% tentative, 40%
    never answer (and are chased)."""
    roll = zlib.crc32(f"{meeting_id}/{pid}".encode()) % 100
    if roll < 45:
        return Attendance.ONLINE
    if roll < 55:
        return Attendance.DECLINE
    if roll < 60:
        return Attendance.TENTATIVE
    return None


def invitees(store: Store, m: MeetingDefinition) -> list[Participant]:
    chosen, _ = store.resolve_participants(m.participants, m.countries, m.organisations)
    return chosen


def script(client: Client, store: Store, year: list[MeetingDefinition], queue: str,
           t0: datetime) -> list[tuple[datetime, str, Step]]:  # fmt: skip
    """What people do over the year, as (when, what, step)."""
    steps: list[tuple[datetime, str, Step]] = []

    async def plan_all() -> None:
        await asyncio.gather(*(plan(client, m, queue) for m in year))

    steps.append((t0, "plan every meeting", plan_all))
    for m in year:
        people = invitees(store, m)

        async def answer(m: MeetingDefinition = m, people: list[Participant] = people) -> None:
            for p in people:
                mode = answer_of(m.id, p.id)
                if mode is not None:
                    await commands.rsvp(client, None, m.id, RsvpCommand(
                        participant_id=p.id, attendance=mode,
                        actor=Actor(id=p.id, channel=Channel.LINK)))  # fmt: skip

        async def minutes(m: MeetingDefinition = m) -> None:
            owners = [Owner(kind=OwnerKind.COUNTRY, code=c) for c in m.countries[:2]] or [
                Owner(kind=OwnerKind.ORGANISATION, code=o) for o in m.organisations[:2]
            ]
            due = m.end.date() + timedelta(days=30)
            actions = [ActionSpec(what=f"Follow-up {n + 1} of {m.id}", owner=o, due=due)
                       for n, o in enumerate(owners)]  # fmt: skip
            await commands.record_minutes(client, None, m.id, MinutesCommand(
                markdown=f"# {m.title}\nDiscussed and agreed.", actions=actions,
                actor=SECRETARIAT))  # fmt: skip

        async def first_done(m: MeetingDefinition = m) -> None:
            done = DoneCommand(actor=SECRETARIAT)
            await commands.mark_action_done(client, None, action_workflow_id(m.id, "A1"), done)

        steps.append((t0 + timedelta(hours=2), f"answers to {m.id}", answer))
        steps.append((m.end_utc() + timedelta(days=1), f"minutes of {m.id}", minutes))
        steps.append((m.end_utc() + timedelta(days=10), f"{m.id} A1 done", first_done))
    return sorted(steps, key=lambda s: s[0])


async def events_of_chain(client: Client, workflow_id: str) -> tuple[int, int]:
    """(runs, events) of a workflow id's whole chain: every run, back from the latest."""
    runs = events = 0
    run_id: str | None = None
    while True:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        runs, events = runs + 1, events + len(history.events)
        started = history.events[0].workflow_execution_started_event_attributes
        run_id = started.continued_execution_run_id or None
        if run_id is None:
            return runs, events


@dataclass
class Year:
    label: str
    wall: float = 0.0
    chains: int = 0
    runs: int = 0
    events: int = 0
    mails: Counter[str] = field(default_factory=Counter)
    invited: dict[str, set[str]] = field(default_factory=dict)
    # every (meeting or meeting/action, recipient, kind, moment) that received mail
    moments: set[Key] = field(default_factory=set)
    twice: dict[Key, list[str]] = field(default_factory=dict)  # under two Message-IDs
    resent: dict[Key, int] = field(default_factory=dict)  # extra copies, same Message-ID
    outbox: Balance | None = None
    killed_at: int | None = None

    def line(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.mails.items()))
        return (f"{self.label:<22} wall {self.wall:7.1f} s  chains {self.chains:>4}  "
                f"runs {self.runs:>4}  events {self.events:>7}  mails {sum(self.mails.values()):>6}"
                f" ({kinds})")  # fmt: skip


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(ROOT / "worker.py")], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


async def one_year(label: str, team: int, workers: int, kill_after: int) -> Year:
    result = Year(label)
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=str(temporal_test_server()),
    )
    await ensure_search_attributes(env.client, "default")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp, SmtpCatcher(port=free_port()) as catcher:
            url = f"sqlite:///{Path(tmp) / 'rtm.db'}"
            store = Store(url)
            store.upgrade_schema()
            directory = with_teams(read_directory(NETWORK), team)
            store.load_directory(directory)
            t0 = await env.get_current_time()
            d0 = t0.date() + timedelta(days=1)
            year = the_year(d0, directory)
            queue = f"rtm-year-{os.getpid()}"
            started = time.perf_counter()
            if workers <= 1:
                async with running_worker(env.client, store, catcher.port) as queue:
                    await run_script(env, store, year, queue, t0)
            else:
                worker_env = os.environ | {
                    "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
                    "DATABASE_URL": url, "SMTP_PORT": str(catcher.port),
                    "RTM_TASK_QUEUE": queue, "RTM_LINK_KEY": LINK_KEY.decode(),
                    "RTM_VAR_DIR": str(Path(tmp) / "var"),
                }  # fmt: skip
                # the test server never moves a dead worker's sticky tasks to the shared queue:
                # the one to be killed keeps no workflow cache, or its workflows would wait for
                # ever; the others keep theirs
                victim = worker_env | {"RTM_WORKFLOW_CACHE": "0"}
                processes = [_worker(victim), *(_worker(worker_env) for _ in range(workers - 1))]
                await asyncio.sleep(3)  # let them poll the queue

                async def kill_mid_fanout() -> None:
                    while len(catcher.caught) < kill_after:
                        await asyncio.sleep(0.01)
                    processes[0].send_signal(signal.SIGKILL)
                    processes[0].wait()
                    result.killed_at = len(catcher.caught)

                killer = asyncio.create_task(kill_mid_fanout())
                await run_script(env, store, year, queue, t0)
                killer.cancel()
            result.wall = time.perf_counter() - started
            ids = [m.id for m in year] + [a.workflow_id for a in store.actions()]
            for workflow_id in ids:
                runs, events = await events_of_chain(env.client, workflow_id)
                result.chains, result.runs = result.chains + 1, result.runs + runs
                result.events += events
            book = ledger(catcher.caught)
            result.mails = book.kinds()
            result.twice = book.twice()
            result.resent = book.resent()
            result.moments = set(book.received)
            result.outbox = balance(book, store)
            result.invited = {m.id: book.to(m.id, "invitation") for m in year}
            expected = {m.id: {p.email for p in invitees(store, m)} for m in year}
            lost = {m: sorted(expected[m] - result.invited.get(m, set())) for m in expected}
            assert not any(lost.values()), f"{label}: invitations lost {lost}"
    finally:
        for p in processes:
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=30)
        await env.shutdown()
    return result


async def run_script(env: WorkflowEnvironment, store: Store, year: list[MeetingDefinition],
                     queue: str, t0: datetime) -> None:  # fmt: skip
    for when, _what, step in script(env.client, store, year, queue, t0):
        await advance_to(env, when)
        await step()
    await advance_to(env, t0 + timedelta(days=365))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--team", type=int, default=3, help="experts per NFP team")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--kill-after", type=int, default=150, help="mails before the kill")
    parser.add_argument("--baseline-only", action="store_true", help="the one-worker year only")
    args = parser.parse_args()
    base = asyncio.run(one_year("one worker", args.team, 1, 0))
    print(base.line(), flush=True)
    if args.baseline_only:
        return
    many = asyncio.run(one_year(f"{args.workers} workers, 1 killed", args.team, args.workers,
                                args.kill_after))  # fmt: skip
    print(many.line())
    missing = sorted(base.moments - many.moments)
    extra = sorted(many.moments - base.moments)
    resent = sum(many.resent.values())
    print(f"killed one worker at {many.killed_at} mails; ratios (workers/one): wall "
          f"{many.wall / base.wall:.2f}, events {many.events / base.events:.3f}, mails "
          f"{sum(many.mails.values()) / sum(base.mails.values()):.3f}")  # fmt: skip
    for year in (base, many):
        assert year.outbox is not None
        print(f"{year.label}: (meeting, recipient, kind, moment) {len(year.moments)}; "
              f"duplicates {len(year.twice)} (under a second Message-ID); resent copies "
              f"{sum(year.resent.values())} (same Message-ID, in flight at the kill); outbox "
              f"sent but never caught {len(year.outbox.missing)}, caught but not in the outbox "
              f"{len(year.outbox.unrecorded)}")  # fmt: skip
    print(f"against the baseline: missing {len(missing)}, extra {len(extra)}")
    print(json.dumps({
        "base": {"wall_s": round(base.wall, 1), "chains": base.chains, "runs": base.runs,
                 "events": base.events, "mails": dict(base.mails)},
        "workers": {"wall_s": round(many.wall, 1), "chains": many.chains, "runs": many.runs,
                    "events": many.events, "mails": dict(many.mails),
                    "killed_at": many.killed_at, "resent": resent},
        "duplicates": [list(k) for k in many.twice][:10],
        "missing": [list(k) for k in missing][:10], "extra": [list(k) for k in extra][:10],
    }))  # fmt: skip


if __name__ == "__main__":
    main()
