"""A meeting's whole lifecycle, counted over every run of its chain: history events and
bytes per participant, the largest single payload, the number of runs, and the wall time.

    .venv/bin/python -m bench.lifecycle_events [--n 1000 10000] [--baseline 100]

Each meeting goes through: invitations, one answer each (in a row at N <= 1,000, each
timed; in parallel above), the agenda published, the reminders as they fall due, check-in
or online join on both days, minutes with three actions, the actions done, closed. The
final state is checked against what the run did (every answer, both days' register, the
actions) and the bench exits 1 if it is not complete. Runs on the time-skipping server;
mail goes to an SMTP server that accepts and drops it. The baseline is the same lifecycle
at `--baseline` participants, measured first in the same run; ratios are per participant.

Targets (issue 11): at most 20 events and 5 KB of history per participant over all runs,
no payload (and no state carried through continue-as-new) over 256 KB, 10,000
participants in under 10 minutes, answers in a row under 20 ms median.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory, WorkflowQueryFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.agenda.items import PublishCommand
from domain.attendance.register import CheckInCommand, JoinCommand
from domain.common.contracts import MeetingSummary, Phase
from domain.followup.actions import ActionSpec, DoneCommand, Owner, OwnerKind
from domain.followup.minutes import MinutesCommand
from domain.meeting.status import RegisterPage, StatusPage
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.client import commands
from starter.client.audit import chain
from starter.devstack.binaries import temporal_test_server
from tests.factories import meeting, synthetic_directory
from tests.harness import INVITING, advance_to, plan, settings_for
from tests.ports import free_port
from worker import build_worker, ensure_search_attributes, tune_gc

DESK = Actor(id="registration-desk", channel=Channel.CLI)
EVENTS_TARGET, BYTES_TARGET, PAYLOAD_TARGET = 20, 5 * 1024, 256 * 1024
IN_A_ROW = 1_000  # answers are sent one after the other up to this size
PARALLEL = 48


class Drop:
    """aiosmtpd handler: accept every message and keep nothing (counts only)."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


def _payloads(message: Message) -> Iterator[Payload]:
    """Every Payload inside a history event, however deeply nested (maps included)."""
    for field, value in message.ListFields():
        kind = field.message_type
        if kind is None:
            continue
        if kind.GetOptions().map_entry:
            if kind.fields_by_name["value"].message_type is None:
                continue
            values = list(value.values())
        elif isinstance(value, Sequence) or hasattr(value, "extend"):
            values = list(value)
        else:
            values = [value]
        for item in values:
            if isinstance(item, Payload):
                yield item
            else:
                yield from _payloads(item)


def _kind(e: HistoryEvent, activities: dict[int, str]) -> str:
    """The event's type, and for an activity's events which activity ("scheduled:send_x")."""
    kind = EventType.Name(e.event_type).removeprefix("EVENT_TYPE_").lower()
    if e.HasField("activity_task_scheduled_event_attributes"):
        name = e.activity_task_scheduled_event_attributes.activity_type.name
        activities[e.event_id] = name
        return f"{kind}:{name}"
    for field in ("activity_task_completed_event_attributes",
                  "activity_task_started_event_attributes"):  # fmt: skip
        if e.HasField(field):
            return f"{kind}:{activities.get(getattr(e, field).scheduled_event_id, '?')}"
    return kind


def measure_histories(runs: list[WorkflowHistory]) -> dict[str, Any]:
    """Events, bytes (also by event type, the largest first), the largest payload, and the
    largest state carried through continue-as-new."""
    events = sum(len(h.events) for h in runs)
    size = sum(e.ByteSize() for h in runs for e in h.events)
    largest, where, carried = 0, "", 0
    by_type: dict[str, int] = {}
    for h in runs:
        activities: dict[int, str] = {}  # scheduled event id -> activity type
        for e in h.events:
            kind = _kind(e, activities)
            by_type[kind] = by_type.get(kind, 0) + e.ByteSize()
            for p in _payloads(e):
                if p.ByteSize() > largest:
                    largest, where = p.ByteSize(), kind
            if e.HasField("workflow_execution_continued_as_new_event_attributes"):
                state = e.workflow_execution_continued_as_new_event_attributes.input
                carried = max(carried, state.ByteSize())
    top = dict(sorted(by_type.items(), key=lambda kv: -kv[1])[:10])
    return {"runs": len(runs), "events": events, "bytes": size, "largest_payload": largest,
            "largest_in": where, "continue_as_new_state": carried,
            "bytes_by_event": top, **continued_why(runs)}  # fmt: skip


def continued_why(runs: list[WorkflowHistory]) -> dict[str, Any]:
    """Why each run that continued as new did: the server had suggested it in the workflow
    task that did it (its history count or size), or not (the workflow's own threshold);
    and how many events each such run had."""
    ours, suggested, lengths = 0, 0, []
    for h in runs:
        last = h.events[-1] if h.events else None
        if last is None or not last.HasField(
            "workflow_execution_continued_as_new_event_attributes"
        ):
            continue
        lengths.append(len(h.events))
        task = next(
            (e for e in reversed(h.events)
             if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED), None,
        )  # fmt: skip
        if task is not None and task.workflow_task_started_event_attributes.suggest_continue_as_new:
            suggested += 1
        else:
            ours += 1
    lengths.sort()
    return {
        "continued_by_threshold": ours,
        "continued_at_suggestion": suggested,
        "run_events": [lengths[0], lengths[len(lengths) // 2], lengths[-1]] if lengths else [],
    }


async def _all(calls: Sequence[Callable[[], Awaitable[object]]], parallel: int) -> list[float]:
    """Run the calls, `parallel` at a time; each one's seconds."""
    gate = asyncio.Semaphore(parallel)
    took: list[float] = []

    async def one(call: Callable[[], Awaitable[object]]) -> None:
        async with gate:
            t0 = time.perf_counter()
            await call()
            took.append(time.perf_counter() - t0)

    await asyncio.gather(*(one(c) for c in calls))
    return took


async def lifecycle(env: WorkflowEnvironment, n: int) -> dict[str, Any]:
    drop = Drop()
    smtp = Controller(drop, hostname="127.0.0.1", port=free_port())
    smtp.start()
    wall0 = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(f"sqlite:///{Path(tmp) / 'rtm.db'}")
            store.upgrade_schema()
            store.load_directory(synthetic_directory(n))
            now = await env.get_current_time()  # each meeting some weeks after the last
            start = (now + timedelta(days=42)).replace(tzinfo=None, hour=9, minute=0, second=0,
                                                       microsecond=0)  # fmt: skip
            end = start + timedelta(days=1, hours=8, minutes=30)
            m = meeting(organisations=[], followup_days=60, start=start.isoformat(),
                        end=end.isoformat())  # fmt: skip
            settings = settings_for(smtp.port, store.url)
            c = env.client
            async with build_worker(c, settings, store):
                tune_gc()  # as the worker process does
                await plan(c, m, settings.task_queue)
                await _invited(c, m.id)
                ids = [f"p{i:04d}" for i in range(n)]

                def mode(i: int) -> Attendance:
                    return Attendance.IN_PERSON if i % 2 else Attendance.ONLINE

                answers = [
                    partial(commands.rsvp, c, None, m.id, RsvpCommand(
                        participant_id=pid, attendance=mode(i), actor=DESK))
                    for i, pid in enumerate(ids)
                ]  # fmt: skip
                took = await _all(answers, 1 if n <= IN_A_ROW else PARALLEL)
                await commands.publish_agenda(c, None, m.id, PublishCommand(actor=DESK))
                await advance_to(env, m.start_utc() + timedelta(minutes=5))
                for day in range(2):
                    presences: list[Callable[[], Awaitable[object]]] = [
                        partial(commands.check_in, c, None, m.id, CheckInCommand(
                            participant_id=pid, actor=DESK))
                        if i % 2 else
                        partial(commands.join_online, c, None, m.id, JoinCommand(
                            participant_id=pid, actor=DESK))
                        for i, pid in enumerate(ids)
                    ]  # fmt: skip
                    await _all(presences, PARALLEL)
                    if day == 0:
                        await advance_to(env, m.start_utc() + timedelta(days=1, minutes=5))
                register = await commands.attendance(c, m.id, RegisterPage(limit=0))
                await advance_to(env, m.end_utc() + timedelta(hours=1))
                specs = [
                    ActionSpec(what=f"Action {k}", owner=Owner(kind=OwnerKind.COUNTRY, code="KZ"),
                               due=m.end.date() + timedelta(days=20))
                    for k in range(3)
                ]  # fmt: skip
                await commands.record_minutes(c, None, m.id, MinutesCommand(
                    markdown="# Minutes", actions=specs, actor=DESK))  # fmt: skip
                for k in range(3):
                    await commands.mark_action_done(c, None, f"{m.id}-A{k + 1}",
                                                    DoneCommand(actor=DESK))  # fmt: skip
                result = c.get_workflow_handle(m.id, result_type=MeetingSummary).result()
                summary = await asyncio.wait_for(result, 600)
                status = await commands.status(c, m.id, StatusPage(limit=0))
                runs = await chain(c, m.id)
    finally:
        smtp.stop()
    wall = time.perf_counter() - wall0
    half = {"in-person": n // 2, "online": n - n // 2}
    problems = [
        text
        for ok, text in [
            (status.answers.by_mode == half, f"answers {status.answers.by_mode}"),
            (
                all(register.counts.by_day.get(d.isoformat(), {}) == half for d in _days(m)),
                f"register {register.counts.by_day}",
            ),
            (summary.phase is Phase.CLOSED, f"phase {summary.phase}"),
            ((summary.actions, summary.actions_done) == (3, 3), f"actions {summary}"),
            (summary.invited == n, f"invited {summary.invited}"),
        ]
        if not ok
    ]
    measured = measure_histories(runs)
    return {
        "n": n,
        **measured,
        "events_per_participant": round(measured["events"] / n, 2),
        "bytes_per_participant": round(measured["bytes"] / n),
        "answer_ms_median": round(statistics.median(took) * 1000, 1),
        "answer_ms_p95": round(sorted(took)[int(len(took) * 0.95)] * 1000, 1),
        "answers_in_a_row": n <= IN_A_ROW,
        "mails": drop.count,
        "wall_s": round(wall, 1),
        "complete": not problems,
        "problems": problems,
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }


async def _invited(client: Any, meeting_id: str, timeout: float = 1800) -> None:
    """Until the invitations are out; a query that times out while the worker is busy
    sending, or that a failed workflow task answered (on a saturated machine a task can pass
    the SDK's 2 s deadlock limit and is retried), is asked again (a summary only: no rows)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            status = await commands.status(client, meeting_id, StatusPage(limit=0))
        except (RPCError, WorkflowQueryFailedError):
            await asyncio.sleep(0.5)
            continue
        if status.phase not in INVITING:
            return
        await asyncio.sleep(0.5)
    raise TimeoutError(f"{meeting_id} still inviting after {timeout} s")


def _days(m: Any) -> list[Any]:
    return [m.start.date(), m.start.date() + timedelta(days=1)]


def _line(r: dict[str, Any], base: dict[str, Any] | None) -> str:
    ratio = ""
    if base is not None:
        ev = r["events_per_participant"] / base["events_per_participant"]
        by = r["bytes_per_participant"] / base["bytes_per_participant"]
        ratio = f"  (x{ev:.2f} events, x{by:.2f} bytes per participant against baseline)"
    return (
        f"N={r['n']:>6}: {r['runs']} runs, {r['events']} events "
        f"({r['events_per_participant']}/participant), {r['bytes'] / 1e6:.1f} MB "
        f"({r['bytes_per_participant'] / 1024:.2f} KB/participant), largest payload "
        f"{r['largest_payload'] / 1024:.0f} KB, continue-as-new state "
        f"{r['continue_as_new_state'] / 1024:.0f} KB, answers {r['answer_ms_median']} ms median "
        f"({'in a row' if r['answers_in_a_row'] else f'{PARALLEL} in parallel'}), "
        f"{r['mails']} mails, {r['wall_s']} s (load {r['load_average']}), continued as new "
        f"{r['continued_by_threshold']} times by the threshold and "
        f"{r['continued_at_suggestion']} at the server's suggestion (events per run min, "
        f"median, max {r['run_events']}), "
        f"complete: {r['complete']}{ratio}"
    )


async def run(sizes: list[int], baseline: int) -> int:
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=str(temporal_test_server()),
    )
    await ensure_search_attributes(env.client, "default")
    failed = False
    try:
        base = await lifecycle(env, baseline)
        print(_line(base, None) + "  [baseline]", flush=True)
        for n in sizes:
            r = await lifecycle(env, n)
            print(_line(r, base), flush=True)
            met = (
                r["events_per_participant"] <= EVENTS_TARGET
                and r["bytes_per_participant"] <= BYTES_TARGET
                and r["largest_payload"] <= PAYLOAD_TARGET
                and r["continue_as_new_state"] <= PAYLOAD_TARGET
                and r["complete"]
            )
            print(json.dumps(r), flush=True)
            failed |= not met
    finally:
        await env.shutdown()
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--baseline", type=int, default=100)
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args.n, args.baseline)))


if __name__ == "__main__":
    main()
