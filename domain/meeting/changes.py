"""Reschedule and cancel: the commands and the rules that accept or refuse them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, ValidationError

from domain.common.invalid import error_refusal
from domain.common.refusals import Refusal, refusal_of, several
from domain.directory.models import Frozen, Text, Zone
from domain.meeting.definition import (
    Link,
    MeetingDefinition,
    MeetingFormat,
    Venue,
    schedule_problems,
)
from domain.registration.answers import Actor


class RescheduleCommand(Frozen):
    """New dates (venue time) and, optionally, a new zone, venue, format or join link."""

    start: datetime
    end: datetime
    zone: Zone | None = None
    venue: Venue | None = None
    format: MeetingFormat | None = None
    join_link: Link | None = None
    registration_deadline: datetime | None = None
    actor: Actor


class CancelCommand(Frozen):
    reason: Text = Field(default="cancelled by the secretariat")
    actor: Actor


def rescheduled(meeting: MeetingDefinition, command: RescheduleCommand) -> MeetingDefinition:
    """The meeting with the command's changes, validated as a whole (raises ValueError)."""
    changes: dict[str, Any] = {
        "start": command.start,
        "end": command.end,
        "registration_deadline": command.registration_deadline,
    }
    for name in ("zone", "venue", "format", "join_link"):
        value = getattr(command, name)
        if value is not None:
            changes[name] = value
    data = meeting.model_dump() | changes
    try:
        return MeetingDefinition.model_validate(data)
    except ValidationError as exc:  # each problem by its code where it has one
        msgs = [error_refusal(e) or e["msg"].removeprefix("Value error, ") for e in exc.errors()]
        raise ValueError(several(msgs)) from exc


def reschedule_problem(
    meeting: MeetingDefinition, closed: bool, command: RescheduleCommand, now: datetime
) -> str | None:
    """Why the reschedule must be refused, or None."""
    if closed:
        return Refusal("meeting.ended", meeting=meeting.id)
    if now >= meeting.start_utc():
        return Refusal("reschedule.started", meeting=meeting.id)
    try:
        new = rescheduled(meeting, command)
    except ValueError as exc:
        return refusal_of(exc.args[0] if exc.args else str(exc))
    problems: list[str] = list(schedule_problems(new, now))
    if new.start == meeting.start and new.end == meeting.end and new == meeting:
        problems.append(Refusal("reschedule.same"))
    return several(problems)


def schedule_problem(
    meeting: MeetingDefinition, command: RescheduleCommand, now: datetime
) -> str | None:
    """Why a planned meeting cannot be scheduled with these dates, host and format."""
    if not meeting.planned:
        return Refusal("schedule.already", meeting=meeting.id)
    try:
        new = rescheduled(meeting, command)
    except ValueError as exc:
        return refusal_of(exc.args[0] if exc.args else str(exc))
    return several(schedule_problems(new, now))


def cancel_problem(meeting: MeetingDefinition, closed: bool, now: datetime) -> str | None:
    if closed:
        return Refusal("cancel.ended", meeting=meeting.id)
    if now >= meeting.start_utc():
        return Refusal("cancel.started", meeting=meeting.id)
    return None
