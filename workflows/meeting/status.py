"""The status query: a summary over the whole meeting and one page of participants.

Summary, filtered id lists and rows are cached until an invitation or answer changes, so a
poll costs the size of its page, not of the meeting."""

from __future__ import annotations

from temporalio import workflow

from workflows.meeting.base import MeetingBase

with workflow.unsafe.imports_passed_through():
    from domain.attendance.register import count_register
    from domain.common.contracts import STATUS_REMINDERS
    from domain.directory.models import Participant
    from domain.invitations.batches import Invitation
    from domain.meeting.status import (
        MeetingStatus,
        ParticipantStatus,
        StatusPage,
        StatusSummary,
        participant_row,
        summarise,
    )
    from domain.registration.answers import Answer, count_answers

Row = tuple[Participant, Invitation, Answer | None, ParticipantStatus]  # what it was made of


class StatusHandlers(MeetingBase):
    def _status_caches(self) -> None:
        self._summary_cache: tuple[int, StatusSummary] | None = None
        self._ids_cache: dict[str, tuple[tuple[int, int], list[str]]] = {}
        self._rows: dict[str, Row] = {}
        self._register_cache: tuple[int, str | None] = (0, None)
        self._emails: tuple[int, dict[str, str]] = (-1, {})

    @workflow.query
    def status(self, page: StatusPage | None = None) -> MeetingStatus:
        s, page = self.s, page or StatusPage()
        ids = self._matching(page)
        shown, total = self._plan_for_status(STATUS_REMINDERS) if not s.ended else ([], 0)
        return MeetingStatus(
            id=s.meeting.id,
            title=s.meeting.title,
            phase=s.phase,
            sequence=s.sequence,
            meeting=s.meeting,
            summary=self._summary(),
            participants=[self._row(pid) for pid in ids[page.offset : page.offset + page.limit]],
            matching=len(ids),
            page=page,
            reminders=shown,
            reminders_total=total,
            minutes_recorded=s.minutes is not None,
            agenda_version=s.agenda_version,
            agenda_published_version=s.published_version,
            attendance_summary=self._attendance_summary(),
            actions=list(s.actions.values()),
            held_replies=list(s.held.values()),
        )

    def _summary(self) -> StatusSummary:
        if self._summary_cache is None or self._summary_cache[0] != self._changes:
            s = self.s
            counts = count_answers(s.invitees, s.answers)
            self._summary_cache = (
                self._changes,
                summarise(s.invitees, s.invitations, s.answers, counts),
            )
        return self._summary_cache[1]

    def _matching(self, page: StatusPage) -> list[str]:
        """The ids the page's filters select, in invitation order (cached per filter)."""
        s = self.s
        if page.participant_id is not None or page.email is not None:
            one = page.participant_id or self._by_email().get((page.email or "").lower())
            p = s.invitees.get(one or "")
            if p is None or p.id not in s.invitations:
                return []
            return [p.id] if page.matches(p, s.invitations[p.id], s.answers.get(p.id)) else []
        key = page.model_dump_json(exclude={"offset", "limit"})
        version = (self._changes, 0) if page.filtered else (len(s.invitees), len(s.invitations))
        cached = self._ids_cache.get(key)
        if cached is None or cached[0] != version:
            ids = [
                pid
                for pid, p in s.invitees.items()
                if pid in s.invitations
                and (not page.filtered or page.matches(p, s.invitations[pid], s.answers.get(pid)))
            ]
            if len(self._ids_cache) > 32:  # a few filters at a time are polled
                self._ids_cache.clear()
            self._ids_cache[key] = cached = (version, ids)
        return cached[1]

    def _by_email(self) -> dict[str, str]:
        if self._emails[0] != len(self.s.invitees):
            index = {p.email.lower(): pid for pid, p in self.s.invitees.items()}
            self._emails = (len(self.s.invitees), index)
        return self._emails[1]

    def _row(self, pid: str) -> ParticipantStatus:
        """A participant's row, rebuilt only when their record (the directory's languages),
        invitation or answer was replaced (all immutable, so identity tells)."""
        s = self.s
        person, invitation, answer = s.invitees[pid], s.invitations[pid], s.answers.get(pid)
        cached = self._rows.get(pid)
        if (
            cached is not None
            and cached[0] is person
            and cached[1] is invitation
            and cached[2] is answer
        ):
            return cached[3]
        row = participant_row(person, invitation, answer)
        self._rows[pid] = (person, invitation, answer, row)
        return row

    def _attendance_summary(self) -> str | None:
        register = self.s.presences
        if not register:
            return None
        if self._register_cache[0] != len(register):
            summary = count_register(self.s.invitees, register.values()).summary
            self._register_cache = (len(register), summary)
        return self._register_cache[1]
