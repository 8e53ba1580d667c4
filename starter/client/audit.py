"""The auditor's timeline of a meeting: its Temporal history and the audit log, merged.

Works on the history's JSON form, so a live meeting and an exported one read the same.
Each entry says when, who (actor and channel), what, and for mail: Message-ID, recipient
and outcome.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import Field

from activities.store import AuditRow
from domain.common.base import Frozen
from domain.common.display import printable


class TimelineEntry(Frozen):
    at: datetime
    source: str  # "history" or "audit-log"
    actor: str
    channel: str
    action: str
    summary: str
    detail: dict[str, Any] = Field(default_factory=dict)


def _payloads(attrs: dict[str, Any], field: str) -> list[Any]:
    """JSON payloads of a history event field, decoded (pydantic data converter: JSON)."""
    out: list[Any] = []
    for p in (attrs.get(field) or {}).get("payloads", []):
        try:
            out.append(json.loads(base64.b64decode(p.get("data", ""))))
        except (ValueError, TypeError):
            out.append(None)
    return out


def _when(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["eventTime"].replace("Z", "+00:00"))


def _activity_summary(name: str, arg: Any) -> str:
    if not isinstance(arg, dict):
        return name
    if name == "send_invitations":
        return (
            f"{arg.get('method', 'REQUEST')} to {len(arg.get('recipients', []))} recipients "
            f"(sequence {arg.get('sequence')})"
        )
    if name == "send_reminders":
        kinds = sorted({i.get("kind") for i in arg.get("items", [])})
        return f"{len(arg.get('items', []))} reminders ({', '.join(kinds)})"
    if name == "send_notices":
        return f"{arg.get('kind')} '{arg.get('subject')}' to {len(arg.get('recipients', []))}"
    if name == "record_meeting":
        return f"phase {arg.get('phase')}" + (f": {arg['note']}" if arg.get("note") else "")
    return name


def _result_summary(result: Any) -> str:
    if isinstance(result, dict) and "results" in result:
        values = result["results"]
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


def history_entries(history: dict[str, Any]) -> list[TimelineEntry]:
    """Phase changes, decisions, sends, timers and updates from a history's JSON."""
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
                )
            )

        if kind == "WORKFLOW_EXECUTION_STARTED":
            meeting = (_payloads(attrs, "input") or [{}])[0] or {}
            add(
                "meeting.planned",
                f"{meeting.get('id')}: {meeting.get('title')}, "
                f"{meeting.get('start')} - {meeting.get('end')} {meeting.get('zone')}",
            )
        elif kind == "ACTIVITY_TASK_SCHEDULED":
            name = attrs["activityType"]["name"]
            scheduled[event["eventId"]] = name
            arg = (_payloads(attrs, "input") or [None])[0]
            add(f"activity.{name}", _activity_summary(name, arg))
        elif kind == "ACTIVITY_TASK_COMPLETED":
            name = scheduled.get(attrs.get("scheduledEventId", ""), "activity")
            result = (_payloads(attrs, "result") or [None])[0]
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
            args = _payloads(request.get("input", {}), "args")
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
            result = (_payloads(attrs, "result") or [None])[0]
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


def timeline(history: dict[str, Any], rows: list[AuditRow]) -> list[TimelineEntry]:
    return sorted(history_entries(history) + audit_entries(rows), key=lambda e: e.at)


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


def export(
    meeting_id: str, history_json: str, entries: list[TimelineEntry], target: Path
) -> list[Path]:
    """history.json (replayable), timeline.json and timeline.txt under `target`."""
    target.mkdir(parents=True, exist_ok=True)
    files = {
        target / f"{meeting_id}.history.json": history_json,
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
