"""When a meeting next needs its workflow awake, and which phase change is due then.

Pure: the workflow sleeps on one durable timer until `next_moment`, then acts on what is
due (reminders, the quiet end of agenda edits) and applies `due_transition`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.common.base import Frozen
from domain.common.contracts import Phase
from domain.followup.minutes import followup_ends
from domain.meeting.definition import MeetingDefinition


class Transition(Frozen):
    """A phase change the clock brings, with the note the audit log keeps."""

    phase: Phase
    note: str = ""


def agenda_quiet_at(meeting: MeetingDefinition, dirty_at: datetime | None) -> datetime | None:
    """When edits to a published agenda have been quiet long enough to mail the update."""
    if dirty_at is None:
        return None
    return dirty_at + timedelta(minutes=meeting.agenda_quiet_minutes)


def phase_ends(meeting: MeetingDefinition, phase: Phase) -> datetime | None:
    """When the clock moves `phase` on: registration at the start, held at the end,
    follow-up when its period is over; None for phases that only a command moves."""
    if phase is Phase.REGISTRATION:
        return meeting.start_utc()
    if phase is Phase.HELD:
        return meeting.end_utc()
    if phase is Phase.FOLLOW_UP:
        return followup_ends(meeting)
    return None


def next_moment(
    meeting: MeetingDefinition,
    phase: Phase,
    next_reminder: datetime | None,
    agenda_dirty_at: datetime | None,
) -> datetime | None:
    """The earliest of: the next reminder, the quiet end of agenda edits, the phase's end."""
    moments = [next_reminder, agenda_quiet_at(meeting, agenda_dirty_at), phase_ends(meeting, phase)]
    return min((m for m in moments if m is not None), default=None)


def due_transition(
    meeting: MeetingDefinition, phase: Phase, now: datetime, open_actions: int
) -> Transition | None:
    """The phase change due at `now`, if any."""
    ends = phase_ends(meeting, phase)
    if ends is None or ends > now:
        return None
    if phase is Phase.REGISTRATION:
        return Transition(phase=Phase.HELD)
    if phase is Phase.HELD:
        return Transition(phase=Phase.FOLLOW_UP)
    return Transition(
        phase=Phase.CLOSED, note=f"follow-up period over; {open_actions} actions open"
    )


def followup_complete(phase: Phase, minutes_recorded: bool, open_actions: int) -> bool:
    """Follow-up closes early once the minutes are out and every action is done."""
    return phase is Phase.FOLLOW_UP and minutes_recorded and open_actions == 0


# Temporal suggests continue-as-new from 4,096 events (limit.historyCount.suggestContinueAsNew);
# the meeting continues on its own count first, with room for what one workflow task adds
# (a burst of answers, a page of reloads) before the next check
SERVER_SUGGESTS_AT = 4 * 1024
CONTINUE_AT = 3_800


def continue_threshold(asked: int) -> int:
    """The history length at which a run continues as new: the meeting's own setting, never
    past CONTINUE_AT (a larger setting was never reached: the server's suggestion came first)."""
    return min(asked, CONTINUE_AT)


# ... and from 4 MB of history (limit.historySize.suggestContinueAsNew): the meeting continues
# from 3 MB on its own, and before a fan-out that would not fit in what is left
SERVER_SUGGESTS_AT_BYTES = 4 * 1024 * 1024
CONTINUE_AT_BYTES = 3 * 1024 * 1024
# what one fan-out adds at most: per batch of recipients, its activity's three events, the
# workflow tasks round them and a progress report or two; per recipient, their share of the
# batch's input and outcomes, compressed, twice over
EVENTS_PER_BATCH = 12
MIN_RUN = 100  # events a run adds before it continues for bytes or a fan-out's room
BYTES_PER_RECIPIENT = 120


def fanout_room(recipients: int, per_batch: int) -> tuple[int, int]:
    """The events and history bytes a fan-out to `recipients` in batches of `per_batch`
    may add (a meeting's reminders, agenda or invitations to everyone)."""
    batches = -(-recipients // per_batch) if recipients else 0
    return batches * EVENTS_PER_BATCH, recipients * BYTES_PER_RECIPIENT


def must_continue(
    length: int,
    size: int,
    threshold: int,
    room: tuple[int, int] = (0, 0),
    started_at: int = 0,
) -> bool:
    """Whether a run continues as new now: its history of `length` events and `size` bytes
    has reached the meeting's own threshold or CONTINUE_AT_BYTES, or would with `room`
    more (a fan-out about to start), so that the server never has to suggest it. A run
    less than MIN_RUN events past its start (`started_at`, after reading its participants
    again) goes on regardless of bytes: the next would start no smaller."""
    if length >= threshold:
        return True
    if length - started_at < MIN_RUN:
        return False
    events, bytes_ = room
    return length + events >= threshold or size + bytes_ >= CONTINUE_AT_BYTES
