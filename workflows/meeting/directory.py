"""What the directory tells a meeting: people's languages changed since they were invited,
so that its status (and the next run, after continue-as-new) names the language their
next mail is written in, as the send activities read it from the directory."""

from __future__ import annotations

from temporalio import workflow

from workflows.meeting.base import MeetingBase

with workflow.unsafe.imports_passed_through():
    from domain.directory.changes import PARTICIPANT_LANGUAGES, ParticipantLanguages, relanguaged


class DirectoryHandlers(MeetingBase):
    @workflow.signal(name=PARTICIPANT_LANGUAGES)
    async def participant_languages(self, change: ParticipantLanguages) -> None:
        """Take the directory's languages into the meeting's copy of its invitees. A run
        still loading them waits: the load may have read the directory before the change."""
        if not self._loaded:
            await workflow.wait_condition(lambda: self._loaded or self._over())
        changed = relanguaged(self.s.invitees, change)
        for p in changed:
            self.s.invitees[p.id] = p
        if changed:
            self._changes += 1  # the status's cached rows and counts are made again
