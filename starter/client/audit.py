"""The auditor's timeline of a meeting: its Temporal history and the audit log, merged.

A meeting that continued as new has one history per run: the timeline covers every run of
the chain, in order, and the export writes each run's history so that each replays.
Works on the histories' JSON form, so a live meeting and an exported one read the same;
payloads are decoded through the data converter (and its codec, if one is added).
Each entry says when, who (actor and channel), what, and for mail: Message-ID, recipient
and outcome.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from google.protobuf.json_format import ParseDict
from pydantic import Field
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter

from activities.store import AuditRow
from domain.common.base import Frozen
from domain.common.display import printable
from domain.common.packing import unpacked_rows
from domain.directory.columns import from_columns


class TimelineEntry(Frozen):
    at: datetime
    source: str  # "history" or "audit-log"
    actor: str
    channel: str
    action: str
    summary: str
    detail: dict[str, Any] = Field(default_factory=dict)
    run: int = Field(default=1, description="which run of the meeting's chain, from 1")


@dataclass(frozen=True)
class Run:
    """One run of a chain: its id, its history (None: a closed run the caller already
    holds, not read again) and the run it continued as ('' for the last)."""

    run_id: str
    history: WorkflowHistory | None
    next_run_id: str


def continued_to(history: WorkflowHistory) -> str:
    """The run this one continued as, '' when it did not (open, completed, failed)."""
    last = history.events[-1]
    if last.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
        return ""
    return last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id


def closed(history: WorkflowHistory) -> bool:
    """The run has ended (its history will not grow)."""
    return EventType.Name(history.events[-1].event_type).removeprefix("EVENT_TYPE_") in ENDINGS


async def runs(
    client: Client, workflow_id: str, known: Mapping[str, str] | None = None
) -> list[Run]:
    """Every run of a workflow chain, first to last (continue-as-new). `known` maps closed
    runs the caller holds already to the run each continued as: those are not read again."""
    known = known or {}
    latest = await client.get_workflow_handle(workflow_id).fetch_history()
    started = latest.events[0].workflow_execution_started_event_attributes
    run_id = started.first_execution_run_id
    if not run_id:  # a server that does not say: the latest run only
        return [Run(latest.run_id, latest, "")]
    found: list[Run] = []
    while run_id:
        if run_id == latest.run_id:  # the one already read (a single run: the only one)
            history = latest
        elif run_id in known:
            found.append(Run(run_id, None, known[run_id]))
            run_id = known[run_id]
            continue
        else:
            history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        found.append(Run(run_id, history, continued_to(history)))
        run_id = continued_to(history)
    return found


async def chain(client: Client, workflow_id: str) -> list[WorkflowHistory]:
    """Every run's history of a workflow chain, first to last (continue-as-new)."""
    return [r.history for r in await runs(client, workflow_id) if r.history is not None]


async def _payloads(attrs: dict[str, Any], field: str, converter: DataConverter) -> list[Any]:
    """A history event field's payloads, decoded by the data converter (codec included)."""
    raw = (attrs.get(field) or {}).get("payloads", [])
    out: list[Any] = []
    for p in raw:
        try:
            out += await converter.decode([ParseDict(p, Payload())])
        except Exception:  # an unreadable payload is shown as nothing, not a crash
            out.append(None)
    return out


def _when(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["eventTime"].replace("Z", "+00:00"))


def _activity_summary(name: str, arg: Any) -> str:
    if not isinstance(arg, dict):
        return name
    recipients = from_columns(arg.get("recipients", []))  # columns since they are packed
    if name == "send_invitations":
        return (
            f"{arg.get('method', 'REQUEST')} to {len(recipients)} recipients "
            f"(sequence {arg.get('sequence')})"
        )
    if name == "send_reminders":
        items = unpacked_rows(arg.get("items", []))
        kinds = sorted({i.get("kind") for i in items})
        return f"{len(items)} reminders ({', '.join(kinds)})"
    if name == "send_notices":
        return f"{arg.get('kind')} '{arg.get('subject')}' to {len(recipients)}"
    if name == "record_meeting":
        return f"phase {arg.get('phase')}" + (f": {arg['note']}" if arg.get("note") else "")
    return name


def _result_summary(result: Any) -> str:
    if isinstance(result, dict) and "sent" in result and not result.get("results"):
        return f"{result['sent']} sent, {len(result.get('failed') or {})} failed"  # a summary
    if isinstance(result, dict) and "results" in result:
        values = unpacked_rows(result["results"])
        rows = values.values() if isinstance(values, dict) else values
        statuses = [r.get("status") for r in rows if isinstance(r, dict)]
        return f"{statuses.count('sent')} sent, {statuses.count('failed')} failed"
    return "done"


ENDINGS = (
    "WORKFLOW_EXECUTION_COMPLETED",
    "WORKFLOW_EXECUTION_FAILED",
    "WORKFLOW_EXECUTION_TERMINATED",
    "WORKFLOW_EXECUTION_CONTINUED_AS_NEW",
)


async def history_entries(
    history: dict[str, Any], run: int = 1, converter: DataConverter = pydantic_data_converter
) -> list[TimelineEntry]:
    """Phase changes, decisions, sends, timers and updates from one run's history JSON."""
    entries: list[TimelineEntry] = []
    scheduled: dict[str, str] = {}
    updates: dict[str, str] = {}
    for event in history.get("events", []):
        kind = event["eventType"].removeprefix("EVENT_TYPE_")
        attrs: dict[str, Any] = next(
            (v for k, v in event.items() if k.endswith("EventAttributes")), {}
        )

        at = _when(event)

        def add(
            action: str,
            summary: str,
            actor: str = "engine",
            channel: str = "workflow",
            at: datetime = at,
        ) -> None:
            entries.append(
                TimelineEntry(
                    at=at,
                    source="history",
                    actor=actor,
                    channel=channel,
                    action=action,
                    summary=summary,
                    run=run,
                )
            )

        if kind == "WORKFLOW_EXECUTION_STARTED":
            meeting = (await _payloads(attrs, "input", converter) or [{}])[0] or {}
            if isinstance(meeting, dict) and "meeting" in meeting:  # a continued run's state
                meeting = meeting["meeting"]
            add(
                "meeting.planned",
                f"{meeting.get('id')}: {meeting.get('title')}, "
                f"{meeting.get('start')} - {meeting.get('end')} {meeting.get('zone')}",
            )
        elif kind == "ACTIVITY_TASK_SCHEDULED":
            name = attrs["activityType"]["name"]
            scheduled[event["eventId"]] = name
            arg = (await _payloads(attrs, "input", converter) or [None])[0]
            add(f"activity.{name}", _activity_summary(name, arg))
        elif kind == "ACTIVITY_TASK_COMPLETED":
            name = scheduled.get(attrs.get("scheduledEventId", ""), "activity")
            result = (await _payloads(attrs, "result", converter) or [None])[0]
            if name.startswith("send_"):
                add(f"activity.{name}.completed", _result_summary(result))
        elif kind in ("ACTIVITY_TASK_FAILED", "ACTIVITY_TASK_TIMED_OUT"):
            name = scheduled.get(attrs.get("scheduledEventId", ""), "activity")
            add(
                f"activity.{name}.{kind.rsplit('_', 1)[-1].lower()}",
                str(attrs.get("failure", {}).get("message", "")),
            )
        elif kind == "WORKFLOW_EXECUTION_UPDATE_ACCEPTED":
            request = attrs.get("acceptedRequest", {})
            name = request.get("input", {}).get("name", "update")
            updates[attrs.get("protocolInstanceId", "")] = name
            args = await _payloads(request.get("input", {}), "args", converter)
            arg = args[0] if args and isinstance(args[0], dict) else {}
            actor = arg.get("actor") or {}
            shown = {k: v for k, v in arg.items() if k != "actor"}
            add(
                f"update.{name}",
                json.dumps(shown, ensure_ascii=False, default=str)[:300],
                actor=str(actor.get("id", "?")),
                channel=str(actor.get("channel", "?")),
            )
        elif kind == "WORKFLOW_EXECUTION_UPDATE_COMPLETED":
            name = updates.get(attrs.get("meta", {}).get("updateId", ""), "update")
            failed = "failure" in attrs.get("outcome", {})
            add(f"update.{name}.{'failed' if failed else 'completed'}", "")
        elif kind == "TIMER_STARTED":
            add("timer.started", f"durable timer for {attrs.get('startToFireTimeout')}")
        elif kind == "TIMER_FIRED":
            add("timer.fired", "a reminder, deadline or phase change is due")
        elif kind in ENDINGS:
            result = (await _payloads(attrs, "result", converter) or [None])[0]
            if kind.endswith("CONTINUED_AS_NEW"):
                result = {"continued": f"run {run + 1}"}
            add(
                f"workflow.{kind.rsplit('_', 1)[-1].lower()}",
                json.dumps(result, default=str) if result else str(attrs.get("reason", "")),
            )
    return entries


def audit_entries(rows: list[AuditRow]) -> list[TimelineEntry]:
    """Audit-log rows: every mail with Message-ID, recipient and outcome; every refusal."""
    entries = []
    for row in rows:
        detail = json.loads(row.detail or "{}")
        if "message_id" in detail:
            summary = f"{detail.get('email')} {detail.get('message_id')}"
            if detail.get("error"):
                summary += f" ({detail['error']})"
        elif "reason" in detail:
            summary = f"refused: {detail['reason']}"
            if detail.get("count", 1) > 1:
                summary = f"refused {detail['count']} times until {detail.get('last_at')}: "
                summary += str(detail["reason"])
        else:
            summary = json.dumps(detail, ensure_ascii=False)[:300]
        at = row.at if row.at.tzinfo else row.at.replace(tzinfo=datetime.now().astimezone().tzinfo)
        entries.append(
            TimelineEntry(
                at=at,
                source="audit-log",
                actor=row.actor,
                channel=row.channel,
                action=row.action,
                summary=summary,
                detail=detail,
            )
        )
    return entries


async def timeline(
    histories: list[dict[str, Any]],
    rows: list[AuditRow],
    converter: DataConverter = pydantic_data_converter,
) -> list[TimelineEntry]:
    """Every run's entries in run order, merged with the audit log by time."""
    per_run = [
        await history_entries(history, run, converter)
        for run, history in enumerate(histories, start=1)
    ]
    return merged(per_run, rows)


def merged(per_run: list[list[TimelineEntry]], rows: list[AuditRow]) -> list[TimelineEntry]:
    """Each run's entries by time, the runs in order (a run's first events may carry a
    clock a little behind the last of the run before: run order wins), merged with the
    audit log's rows by time."""
    entries = [e for run in per_run for e in sorted(run, key=lambda e: e.at)]
    logged = sorted(audit_entries(rows), key=lambda e: e.at)
    return list(heapq.merge(entries, logged, key=lambda e: e.at))


def render_timeline(meeting_id: str, entries: list[TimelineEntry]) -> str:
    """One line per entry; outside text (actors, reasons, paths) with its control characters
    escaped, so that no entry can start a line of its own or drive the terminal."""
    lines = [f"Timeline of {printable(meeting_id)} ({len(entries)} entries)"]
    for e in entries:
        who = printable(f"{e.actor}/{e.channel}")
        lines.append(
            f"{e.at:%Y-%m-%d %H:%M:%S}Z  {e.source:<9} {who:<32} {printable(e.action):<32} "
            f"{printable(e.summary)}"
        )
    return "\n".join(lines)


def run_file(meeting_id: str, run: int) -> str:
    """The first run's history is `ID.history.json`; later runs `ID.run-N.history.json`."""
    return f"{meeting_id}.history.json" if run == 1 else f"{meeting_id}.run-{run}.history.json"


def export(
    meeting_id: str, histories: list[str], entries: list[TimelineEntry], target: Path
) -> list[Path]:
    """Each run's history (each replays on its own), runs.json listing them in order,
    timeline.json and timeline.txt under `target`."""
    target.mkdir(parents=True, exist_ok=True)
    runs = {target / run_file(meeting_id, n): h for n, h in enumerate(histories, start=1)}
    files = {
        **runs,
        target / f"{meeting_id}.runs.json": json.dumps([p.name for p in runs], indent=2),
        target / f"{meeting_id}.timeline.json": json.dumps(
            [e.model_dump(mode="json") for e in entries], indent=2, ensure_ascii=False
        ),
        target / f"{meeting_id}.timeline.txt": render_timeline(meeting_id, entries) + "\n",
    }
    for path, content in files.items():
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(path)
    return list(files)
