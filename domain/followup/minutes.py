"""After the meeting: minutes, the action list, and when the follow-up is over."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import Field

from domain.common.base import Frozen
from domain.common.refusals import Refusal
from domain.directory.models import Participant
from domain.followup.actions import ActionItem, ActionSpec, owner_problem
from domain.meeting.definition import MeetingDefinition
from domain.registration.answers import Actor


class MinutesCommand(Frozen):
    """The secretariat records the minutes (markdown) and the action items decided."""

    markdown: str = Field(min_length=1, max_length=200_000)
    actions: list[ActionSpec] = Field(default_factory=list, max_length=500)
    actor: Actor


def minutes_problem(
    meeting: MeetingDefinition,
    command: MinutesCommand,
    participants: list[Participant],
    started: bool,
    ended: bool,
    recorded: bool,
) -> str | None:
    """Why the minutes cannot be recorded now, or None."""
    if ended:
        return Refusal("meeting.ended", meeting=meeting.id)
    if not started:
        return Refusal("minutes.not_held", meeting=meeting.id)
    if recorded:
        return Refusal("minutes.recorded", meeting=meeting.id)
    for i, spec in enumerate(command.actions, start=1):
        problem = owner_problem(spec.owner, participants, f"actions[{i}].owner")
        if problem:
            return problem
        if spec.due <= meeting.end.date():
            return Refusal("minutes.due", field=f"actions[{i}].due", due=spec.due)
    return None


def followup_ends(meeting: MeetingDefinition) -> datetime:
    """When the follow-up is over even with actions still open (they go on by themselves)."""
    return meeting.end_utc() + timedelta(days=meeting.followup_days)


def carried_lines(items: list[ActionItem]) -> list[str]:
    """Open actions of the previous RTM, as listed under this RTM's action review: in no
    language's words (who and until when as codes and ISO dates), since every reader of
    the agenda reads them."""
    return [f"{i.meeting_id} {i.id}: {i.what} ({i.owner.code}, {i.due:%Y-%m-%d})" for i in items]
