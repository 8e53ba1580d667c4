"""The warning when a meeting's days fall on a weekend or holiday of a partner country."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from activities.store import Store
    from domain.meeting.definition import MeetingDefinition


def warn_days_off(store: Store, meeting: MeetingDefinition, out: TextIO = sys.stderr) -> int:
    """Print which partner countries do not work on which of the meeting's days (with the
    holiday's name, in the operator's language where the holiday calendar has it, else in
    English); returns how many (day, country) pairs there are."""
    from activities.directory.calendars import meeting_conflicts
    from domain.workweek.conflicts import conflict_lines
    from starter.cli.language import terminal_language

    found = meeting_conflicts(store, meeting, terminal_language())  # holidays named in it
    if found:
        names = {c.code: c.name for c in store.countries()}
        from starter.cli.say import say

        say("warning: %(meeting)s falls on a weekend or public holiday of partner countries:",
            meeting=meeting.id, file=out)  # fmt: skip
        for line in conflict_lines(found, names, terminal_language()):
            print(f"  {line}", file=out)
    return len(found)
