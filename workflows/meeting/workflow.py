"""MeetingWorkflow: one per meeting, workflow id = meeting id.

`run()` walks the lifecycle phase by phase; the handlers live in one module per feature
(registration, changes, reminders, agenda, attendance, follow-up, status, directory) over
one state object (`domain.meeting.state.MeetingState`). Every decision is a domain
function; every side effect an activity.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow

from workflows.common.policies import DB_RETRY
from workflows.meeting.agenda import AgendaHandlers
from workflows.meeting.attendance import AttendanceHandlers
from workflows.meeting.changes import ChangeHandlers
from workflows.meeting.delivery import DeliveryHandlers
from workflows.meeting.directory import DirectoryHandlers
from workflows.meeting.followup import FollowupHandlers
from workflows.meeting.held_replies import HeldReplyHandlers
from workflows.meeting.reminders import ReminderHandlers
from workflows.meeting.status import StatusHandlers
from workflows.meeting.timer import sleep_until

with workflow.unsafe.imports_passed_through():
    from domain.agenda.items import invited_countries, standing_items
    from domain.common.contracts import (
        LOAD_PARTICIPANTS,
        MeetingSummary,
        ParticipantList,
        ParticipantQuery,
        Phase,
    )
    from domain.directory.models import Participant
    from domain.invitations.batches import ROUND_BATCH
    from domain.meeting.definition import MeetingDefinition
    from domain.meeting.state import MeetingState
    from domain.meeting.status import meeting_summary
    from domain.meeting.timeline import (
        agenda_quiet_at,
        continue_threshold,
        due_transition,
        fanout_room,
        followup_complete,
        must_continue,
    )
    from domain.reminders.policy import ReminderPolicy
    from domain.workweek.calendar import WorkingCalendars


LOAD_AT_ONCE = 4  # load activities at a time (the worker runs 8 activities at once)
LOAD_PAGE = 1000  # participants per load activity (a result of about 200 KB at most)
SMALL_PAGE = 500  # since "small-load-pages": one page's decoding stays far from the 2 s limit


@workflow.defn
class MeetingWorkflow(
    HeldReplyHandlers,  # extends RegistrationHandlers: a confirmed reply is an rsvp
    ChangeHandlers,
    DeliveryHandlers,
    ReminderHandlers,
    AgendaHandlers,
    AttendanceHandlers,
    FollowupHandlers,
    StatusHandlers,
    DirectoryHandlers,
):
    @workflow.init
    def __init__(self, start: MeetingDefinition | MeetingState) -> None:
        if isinstance(start, MeetingDefinition):
            start = MeetingState(
                meeting=start,
                policy=start.reminders or ReminderPolicy(),
                secretariat_zone=start.zone,
                horizon=workflow.now(),
            )
        self._setup(start)
        self._loaded = bool(start.invitees)  # else the directory is read (again) first
        self._status_caches()
        self._delivery_setup()
        self._tracking = []
        self._may_continue = False
        self._own_count = False
        self._roomy = False
        self._started_at = 0  # the history's length once a continued run has reloaded

    @workflow.run
    async def run(self, start: MeetingDefinition | MeetingState) -> MeetingSummary:
        if isinstance(start, MeetingDefinition):  # else a continued run: invitations are out
            if start.planned and not await self._planned():
                return await self._closed()
            await self._scheduled()
            await self._inviting()
        elif self.s.packed is not None:
            await self._reload()
        self._may_continue = workflow.patched("continue-as-new")  # not for older meetings
        # since "continue-own-count": on the meeting's own event count, before the server's
        # suggestion (older meetings: at the suggestion, about 4,100 events)
        self._own_count = workflow.patched("continue-own-count")
        # since "continue-with-room": also from 3 MB of history, and before a fan-out that
        # would take the run past its threshold (older meetings: the event count alone)
        self._roomy = workflow.patched("continue-with-room")
        await self._live(Phase.REGISTRATION)
        await self._live(Phase.HELD)
        await self._live(Phase.FOLLOW_UP)
        return await self._closed()

    # --- the phases, in order ----------------------------------------------------------

    async def _planned(self) -> bool:
        """The cycle planned it: ask the secretariat for dates; False if cancelled first."""
        await self._record(Phase.PLANNED)
        await self._ask_secretariat_to_schedule()
        await workflow.wait_condition(lambda: not self.s.meeting.planned or self.s.ended)
        return not self.s.ended

    async def _scheduled(self) -> None:
        """Dates are set: load the invitees and lay out the standing agenda."""
        s = self.s
        await self._record(Phase.SCHEDULED)
        query = ParticipantQuery.of(s.meeting)
        if workflow.patched("concurrent-load-pages"):  # the first page tells how many
            invitees, people = await self._load_pages(query)
        elif workflow.patched("paged-participants"):  # a page per activity: small payloads
            size = self._page_size()
            invitees = await self._load(query.model_copy(update={"limit": size}))
            people, last = list(invitees.participants), len(invitees.participants)
            while last == size:
                more = await self._load(query.model_copy(update={"offset": len(people),
                                                                 "limit": size}))  # fmt: skip
                people += more.participants
                last = len(more.participants)
        else:  # meetings started before: one activity for everyone
            invitees = await self._load(query)
            people = list(invitees.participants)
        s.invitees = {p.id: p for p in people}
        self._loaded = True
        s.policy = s.meeting.reminders or invitees.reminders
        s.secretariat_zone = invitees.secretariat_zone
        network = workflow.patched("working-calendars")  # meetings started before: Sat+Sun
        if network:
            s.calendars = invitees.calendars
        countries = invited_countries(s.meeting.countries, people)
        s.items = standing_items(
            invitees.agenda_template,
            [(c, invitees.country_names.get(c, c)) for c in countries],
            invitees.carried_actions,
            invitees.carried_ideas if network else None,
        )

    async def _load_pages(
        self, query: ParticipantQuery
    ) -> tuple[ParticipantList, list[Participant]]:
        """The invitees a page per activity, LOAD_AT_ONCE pages at a time once the first
        told how many there are (one after the other, 20 pages of a 10,000-person meeting
        took 2.7 s); the first page with every page's calendars."""
        size = self._page_size()
        first = await self._load(query.model_copy(update={"limit": size}))
        gate = asyncio.Semaphore(LOAD_AT_ONCE)

        async def page(offset: int) -> ParticipantList:
            async with gate:
                return await self._load(query.model_copy(update={"offset": offset, "limit": size}))

        if first.total is not None:
            pages = [first, *await asyncio.gather(*map(page, range(size, first.total, size)))]
        else:  # a worker of before answered: page after page until a short one
            pages = [first]
            while len(pages[-1].participants) == size:
                pages.append(await page(size * len(pages)))
        people = [p for one in pages for p in one.participants]
        calendars = WorkingCalendars.merged([one.calendars for one in pages])
        return first.model_copy(update={"calendars": calendars}), people

    def _page_size(self) -> int:
        """Participants per load activity: decoding a page is one workflow activation."""
        return SMALL_PAGE if workflow.patched("small-load-pages") else LOAD_PAGE

    async def _load(self, query: ParticipantQuery) -> ParticipantList:
        found: ParticipantList = await workflow.execute_activity(
            LOAD_PARTICIPANTS,
            query,
            result_type=ParticipantList,
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=DB_RETRY,
        )
        return found

    async def _reload(self) -> None:
        """A continued run: the participants' records again, a page of ids at a time."""
        unpacker, people, size = self.s.unpacker(), [], self._page_size()
        roster = unpacker.roster
        for i in range(0, len(roster), size):
            ids = roster[i : i + size]
            page = await self._load(ParticipantQuery(participants=ids, known_only=True))
            people += page.participants
            unpacker.add(page.participants)  # a page's share in each activation
        self.s.unpack(people, unpacker)
        self._changes += 1  # a status asked while loading cached empty counts (queries only)
        self._loaded = True
        self._started_at = workflow.info().get_current_history_length()

    async def _inviting(self) -> None:
        """Everyone gets the invitation; then registration is open."""
        if workflow.patched("record-inviting"):
            await self._record(Phase.INVITING)
        else:  # meetings started before: the phase was set, never recorded
            self.s.phase = Phase.INVITING
        async with self._sending:
            if workflow.patched("stoppable-sending"):  # a cancel or reschedule may stop it
                await self._stoppable(lambda: self._send_all("REQUEST"))
            else:
                await self._send_all("REQUEST")
        if self.s.phase is Phase.INVITING:
            await self._record(Phase.REGISTRATION)

    async def _live(self, phase: Phase) -> None:
        """Registration, held, follow-up: sleep until the next moment, act on what is due
        (reminders, the agenda update, the phase's end), until the phase is over."""
        while self.s.phase is phase:
            await self._step()

    async def _closed(self) -> MeetingSummary:
        """Closed or cancelled: let running handlers (and a change's mail, and mail being
        sent again alone) finish, then answer the summary."""
        await workflow.wait_condition(
            lambda: (
                self.s.ended
                and workflow.all_handlers_finished()
                and not self._fanning_out()
                and not self._deferred.active  # a notice or reminder sent again alone
            )
        )
        s = self.s
        return meeting_summary(s.meeting.id, s.phase, s.invitations, s.actions)

    # --- one turn of the timeline --------------------------------------------------------

    async def _step(self) -> None:
        s = self.s
        if self._history_is_long():
            await workflow.wait_condition(workflow.all_handlers_finished)
            workflow.continue_as_new(s.for_next_run())
        moment = self._next_moment()
        if moment is not None and moment <= workflow.now():
            if self._history_is_long(fanout=True):  # what is due may be a fan-out
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(s.for_next_run())
            async with self._sending:
                if not s.ended:
                    await self._act_on_due()
            return
        self._next_wake = moment
        self._wake = False
        if self._followup_complete():
            await self._record(Phase.CLOSED, "every action is done")
            return
        await sleep_until(
            moment,
            lambda: (
                self._wake or self.s.ended or self._followup_complete() or self._history_is_long()
            ),
        )

    async def _act_on_due(self) -> None:
        s, now = self.s, workflow.now()
        due = self._plan().due(now)
        if due.groups:
            await self._send_reminders(due)
        quiet = agenda_quiet_at(s.meeting, s.agenda_dirty_at)
        if quiet is not None and quiet <= now:
            await self._send_agenda(updated=True)
        while (change := due_transition(s.meeting, s.phase, now, self._open_actions())) is not None:
            await self._record(change.phase, change.note)

    def _followup_complete(self) -> bool:
        s = self.s
        return followup_complete(s.phase, s.minutes is not None, self._open_actions())

    def _history_is_long(self, fanout: bool = False) -> bool:
        """Time to continue as new (`fanout`: with room for mail to everyone first)."""
        if not self._may_continue or self._deferred.active:
            return False
        info, asked = workflow.info(), self.s.meeting.continue_after_events
        threshold = continue_threshold(asked) if self._own_count else asked
        length = info.get_current_history_length()
        if self._roomy:
            room = fanout_room(len(self.s.invitees), ROUND_BATCH) if fanout else (0, 0)
            size = info.get_current_history_size()
            if must_continue(length, size, threshold, room, self._started_at):
                return True
        elif fanout:
            return False  # older meetings: checked at the start of the step only
        # the suggestion stays a safety net: a history grown large in bytes, not events
        return length >= threshold or info.is_continue_as_new_suggested()
