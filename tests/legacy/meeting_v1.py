"""The meeting workflow as it was before it became a package (one class, state copied in
four places): what meetings already running were started with.

Kept so that a test can run a meeting on it, stop its worker and let today's worker take
over. Only what does not reach the history was changed: update results are today's small
types (the client reads them), the status query is gone, and two domain calls follow
today's signatures. Its commands (activities, timers, markers) are the old ones exactly.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import Field
from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

from domain.common.base import Frozen
from workflows.common.policies import DB_RETRY, in_batches, send_mail
from workflows.common.search_attributes import RTM_PHASE
from workflows.followup.action_item import ActionItemWorkflow

with workflow.unsafe.imports_passed_through():
    from domain.agenda.items import (
        AgendaItem,
        DecideCommand,
        ProposeCommand,
        PublishCommand,
        decide_problem,
        decided,
        invited_countries,
        propose_problem,
        standing_items,
    )
    from domain.agenda.slotting import meeting_days
    from domain.agenda.template import ItemStatus
    from domain.agenda.view import AgendaView, view
    from domain.attendance.register import (
        ACCEPTED,
        AttendanceView,
        CheckInCommand,
        JoinCommand,
        Mode,
        Presence,
        count_register,
        meeting_day,
        presence_problem,
    )
    from domain.common.contracts import (
        LOAD_PARTICIPANTS,
        RECORD_MEETING,
        SEND_INVITATIONS,
        SEND_NOTICES,
        SEND_REMINDERS,
        MeetingRecord,
        MeetingSummary,
        ParticipantList,
        ParticipantQuery,
        Phase,
    )
    from domain.directory.models import Participant, Role
    from domain.followup.actions import ActionItem, ActionStatus, action_input
    from domain.followup.minutes import (
        MinutesCommand,
        followup_ends,
        minutes_problem,
    )
    from domain.invitations.batches import (
        BatchResult,
        Invitation,
        InvitationBatch,
        InvitationStatus,
    )
    from domain.mail.notices import NoticeBatch, NoticeResult
    from domain.mail.reminder import ReminderBatch, ReminderItem, ReminderResult
    from domain.meeting.changes import (
        CancelCommand,
        RescheduleCommand,
        cancel_problem,
        reschedule_problem,
        rescheduled,
        schedule_problem,
    )
    from domain.meeting.definition import MeetingDefinition
    from domain.meeting.status import ParticipantStatus, participant_row
    from domain.registration.answers import (
        Actor,
        Answer,
        Attendance,
        RsvpCommand,
        rsvp_problem,
    )
    from domain.reminders.groups import plan_groups
    from domain.reminders.planning import (
        PlannedReminder,
        RemindCommand,
        ReminderKind,
        countries_without_accepted_nfp,
        remind_problem,
    )
    from domain.reminders.policy import ReminderPolicy

ENDED = (Phase.CLOSED, Phase.CANCELLED)


class MeetingState(Frozen):
    """The state a continued run started from, in its old shape (lists, copied by hand)."""

    meeting: MeetingDefinition
    phase: Phase
    sequence: int
    invitees: list[Participant]
    invitations: list[Invitation]
    answers: dict[str, Answer]
    policy: ReminderPolicy
    secretariat_zone: str
    horizon: datetime
    reminded: list[str]
    adhoc: int
    items: list[AgendaItem]
    agenda_version: int
    published_version: int
    agenda_dirty_at: datetime | None
    presences: list[Presence]
    minutes: str | None
    actions: dict[str, ActionItem]
    answers_version: int
    runs: int = Field(default=1, description="how many runs this meeting has had")


@workflow.defn(name="MeetingWorkflow")
class MeetingWorkflowV1:
    @workflow.init
    def __init__(self, start: MeetingDefinition | MeetingState) -> None:
        meeting = start.meeting if isinstance(start, MeetingState) else start
        self._meeting = meeting
        self._phase = Phase.SCHEDULED
        self._sequence = 0
        self._invitees: dict[str, Participant] = {}
        self._invitations: dict[str, Invitation] = {}
        self._answers: dict[str, Answer] = {}
        self._sending = asyncio.Lock()
        self._policy = meeting.reminders or ReminderPolicy()
        self._secretariat_zone = meeting.zone
        self._horizon = workflow.now()
        self._reminded: set[str] = set()
        self._next_wake: datetime | None = None
        self._wake = False
        self._adhoc = 0
        self._items: list[AgendaItem] = []
        self._agenda_version = 1  # the standing items are version 1; 0 means never published
        self._published_version = 0
        self._agenda_dirty_at: datetime | None = None
        self._register: dict[tuple[str, date], Presence] = {}
        self._minutes: str | None = None
        self._actions: dict[str, ActionItem] = {}
        self._tracking: list[asyncio.Task[None]] = []
        self._answers_version = 0
        self._plan_cache: tuple[tuple[object, ...], list[PlannedReminder]] | None = None
        self._runs = 1
        self._may_continue = False
        self._rows: dict[str, tuple[Invitation, Answer | None, ParticipantStatus]] = {}
        if isinstance(start, MeetingState):
            self._restore(start)

    def _state(self) -> MeetingState:
        """What the next run starts from (continue-as-new)."""
        return MeetingState(
            meeting=self._meeting,
            phase=self._phase,
            sequence=self._sequence,
            invitees=list(self._invitees.values()),
            invitations=list(self._invitations.values()),
            answers=self._answers,
            policy=self._policy,
            secretariat_zone=self._secretariat_zone,
            horizon=self._horizon,
            reminded=sorted(self._reminded),
            adhoc=self._adhoc,
            items=self._items,
            agenda_version=self._agenda_version,
            published_version=self._published_version,
            agenda_dirty_at=self._agenda_dirty_at,
            presences=list(self._register.values()),
            minutes=self._minutes,
            actions=self._actions,
            answers_version=self._answers_version,
            runs=self._runs + 1,
        )

    def _restore(self, state: MeetingState) -> None:
        self._phase = state.phase
        self._sequence = state.sequence
        self._invitees = {p.id: p for p in state.invitees}
        self._invitations = {i.participant_id: i for i in state.invitations}
        self._answers = dict(state.answers)
        self._policy = state.policy
        self._secretariat_zone = state.secretariat_zone
        self._horizon = state.horizon
        self._reminded = set(state.reminded)
        self._adhoc = state.adhoc
        self._items = list(state.items)
        self._agenda_version = state.agenda_version
        self._published_version = state.published_version
        self._agenda_dirty_at = state.agenda_dirty_at
        self._register = {(p.participant_id, p.day): p for p in state.presences}
        self._minutes = state.minutes
        self._actions = dict(state.actions)
        self._answers_version = state.answers_version
        self._runs = state.runs

    @workflow.run
    async def run(self, start: MeetingDefinition | MeetingState) -> MeetingSummary:
        if isinstance(start, MeetingState):  # a continued run: the invitations are out
            await self._follow_timeline()
            await workflow.wait_condition(
                lambda: self._phase in ENDED and workflow.all_handlers_finished()
            )
            return self._summary()
        meeting = start
        if meeting.planned:
            await self._record(Phase.PLANNED)
            await self._ask_secretariat_to_schedule()
            await workflow.wait_condition(lambda: not self._meeting.planned or self._phase in ENDED)
            if self._phase in ENDED:
                await workflow.wait_condition(workflow.all_handlers_finished)
                return self._summary()
            meeting = self._meeting
        await self._record(Phase.SCHEDULED)
        invitees = await workflow.execute_activity(
            LOAD_PARTICIPANTS,
            ParticipantQuery.of(meeting),
            result_type=ParticipantList,
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=DB_RETRY,
        )
        self._invitees = {p.id: p for p in invitees.participants}
        self._policy = meeting.reminders or invitees.reminders
        self._secretariat_zone = invitees.secretariat_zone
        countries = invited_countries(meeting.countries, invitees.participants)
        self._items = standing_items(
            invitees.agenda_template,
            [(c, invitees.country_names.get(c, c)) for c in countries],
            invitees.carried_actions,
        )
        self._phase = Phase.INVITING
        async with self._sending:
            await self._send_all("REQUEST")
        if self._phase is Phase.INVITING:
            await self._record(Phase.REGISTRATION)
        await self._follow_timeline()
        await workflow.wait_condition(
            lambda: self._phase in ENDED and workflow.all_handlers_finished()
        )
        return self._summary()

    # --- reminders -------------------------------------------------------------------

    def _plan(self) -> list[PlannedReminder]:
        """The reminder plan, recomputed only when something it depends on changed."""
        key = (
            self._sequence,
            self._horizon,
            len(self._reminded),
            self._answers_version,
            len(self._invitees),
            self._meeting.start,
            self._meeting.zone,
            self._meeting.agenda_deadline,
        )
        if self._plan_cache is None or self._plan_cache[0] != key:
            self._plan_cache = (key, self._compute_plan())
        return self._plan_cache[1]

    def _compute_plan(self) -> list[PlannedReminder]:
        return plan_groups(
            start_utc=self._meeting.start_utc(),
            agenda_deadline_utc=self._meeting.agenda_deadline_utc(),
            policy=self._policy,
            invitees=self._invitees,
            answers={pid: a.attendance for pid, a in self._answers.items()},
            secretariat_zone=self._secretariat_zone,
            sequence=self._sequence,
            horizon=self._horizon,
            sent=self._reminded,
        ).reminders()

    def _poke(self) -> None:
        """Wake the timeline when a change brings its next moment forward."""
        upcoming = self._next_moment()
        if upcoming is not None and (self._next_wake is None or upcoming < self._next_wake):
            self._wake = True

    def _next_moment(self) -> datetime | None:
        """The earliest of: next reminder, quiet end of agenda edits, start, end."""
        moments = [r.at for r in self._plan()[:1]]
        if self._agenda_dirty_at is not None:
            quiet = timedelta(minutes=self._meeting.agenda_quiet_minutes)
            moments.append(self._agenda_dirty_at + quiet)
        if self._phase is Phase.REGISTRATION:
            moments.append(self._meeting.start_utc())
        if self._phase is Phase.HELD:
            moments.append(self._meeting.end_utc())
        if self._phase is Phase.FOLLOW_UP:
            moments.append(followup_ends(self._meeting))
        return min(moments, default=None)

    async def _follow_timeline(self) -> None:
        """Sleep on a durable timer until the next moment, act on what is due, repeat."""
        self._may_continue = workflow.patched("continue-as-new")  # not for older meetings
        while self._phase not in ENDED:
            if self._history_is_long():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(self._state())
            moment = self._next_moment()
            now = workflow.now()
            if moment is not None and moment <= now:
                async with self._sending:
                    if self._phase not in ENDED:
                        await self._act_on_due()
                continue
            self._next_wake = moment
            self._wake = False
            if self._followup_complete():
                await self._record(Phase.CLOSED, "every action is done")
                continue
            with contextlib.suppress(TimeoutError):  # the timer fired: something is due
                await workflow.wait_condition(
                    lambda: (
                        self._wake
                        or self._phase in ENDED
                        or self._followup_complete()
                        or self._history_is_long()
                    ),
                    timeout=(moment - now) if moment else None,
                )

    async def _act_on_due(self) -> None:
        now = workflow.now()
        due = [r for r in self._plan() if r.at <= now]
        if due:
            await self._send_reminders(due)
        quiet = timedelta(minutes=self._meeting.agenda_quiet_minutes)
        if self._agenda_dirty_at is not None and self._agenda_dirty_at + quiet <= now:
            await self._send_agenda(updated=True)
        if self._phase is Phase.REGISTRATION and self._meeting.start_utc() <= now:
            await self._record(Phase.HELD)
        if self._phase is Phase.HELD and self._meeting.end_utc() <= now:
            await self._record(Phase.FOLLOW_UP)
        if self._phase is Phase.FOLLOW_UP and followup_ends(self._meeting) <= now:
            open_ = sum(1 for a in self._actions.values() if a.status is not ActionStatus.DONE)
            await self._record(Phase.CLOSED, f"follow-up period over; {open_} actions open")

    async def _send_reminders(self, due: list[PlannedReminder]) -> None:
        answers = {pid: a.attendance for pid, a in self._answers.items()}
        items: list[ReminderItem] = []
        for r in due:
            if r.participant_id is None:
                countries = countries_without_accepted_nfp(self._invitees, answers)
                if countries:
                    items.append(
                        ReminderItem(
                            key=r.key,
                            kind=r.kind,
                            days_before=r.days_before,
                            recipient=self._secretariat(),
                            countries=countries,
                        )
                    )
            else:
                items.append(
                    ReminderItem(
                        key=r.key,
                        kind=r.kind,
                        days_before=r.days_before,
                        recipient=self._invitees[r.participant_id],
                        attendance=answers.get(r.participant_id),
                    )
                )
        await self._send_items(items)
        self._reminded.update(r.key for r in due)

    async def _send_items(self, items: list[ReminderItem]) -> None:
        async def send(chunk: list[ReminderItem]) -> None:
            batch = ReminderBatch(meeting=self._meeting, sequence=self._sequence, items=chunk)
            await send_mail(SEND_REMINDERS, batch, ReminderResult)

        await in_batches(items, send)

    def _secretariat(self) -> Participant:
        organiser = self._meeting.organiser
        return Participant(
            id="secretariat",
            name=organiser.name,
            email=organiser.email,
            role=Role.SECRETARIAT,
            organisation="SECRETARIAT",
            zone=self._secretariat_zone,
        )

    # --- updates ---------------------------------------------------------------------

    @workflow.update
    async def rsvp(self, command: RsvpCommand) -> ParticipantStatus:
        """An answer from any channel; changeable until registration closes."""
        self._answers[command.participant_id] = Answer(
            attendance=command.attendance,
            at=workflow.now(),
            actor=command.actor,
            sequence=self._sequence,
        )
        self._answers_version += 1
        self._poke()
        pid = command.participant_id
        return participant_row(self._invitees[pid], self._invitations[pid], self._answers[pid])

    @rsvp.validator
    def _check_rsvp(self, command: RsvpCommand) -> None:
        problem = rsvp_problem(
            self._meeting,
            self._invitees,
            self._sequence,
            self._phase in ENDED,
            command,
            workflow.now(),
        )
        if problem:
            raise ValueError(problem)

    @workflow.update
    async def reschedule(self, command: RescheduleCommand) -> None:
        """New dates (or venue, zone, link): everyone invited gets the update, SEQUENCE+1."""
        async with self._sending:
            previous, self._meeting = self._meeting, rescheduled(self._meeting, command)
            self._sequence += 1
            self._horizon = workflow.now()
            self._wake = True
            await self._record(self._phase, f"rescheduled by {command.actor.id}")
            await self._send_all("REQUEST", previous=previous)

    @reschedule.validator
    def _check_reschedule(self, command: RescheduleCommand) -> None:
        if self._meeting.planned:
            raise ValueError(f"{self._meeting.id} is only planned: schedule it first")
        problem = self._busy() or reschedule_problem(
            self._meeting, self._phase in ENDED, command, workflow.now()
        )
        if problem:
            raise ValueError(problem)

    @workflow.update
    async def schedule(self, command: RescheduleCommand) -> None:
        """Dates, host and format for a meeting the cycle planned: invitations follow."""
        self._meeting = rescheduled(self._meeting, command).model_copy(update={"planned": False})
        self._horizon = workflow.now()
        await workflow.wait_condition(lambda: self._phase is not Phase.PLANNED)

    @schedule.validator
    def _check_schedule(self, command: RescheduleCommand) -> None:
        if self._phase in ENDED:
            raise ValueError(f"meeting {self._meeting.id} is cancelled or closed")
        problem = schedule_problem(self._meeting, command, workflow.now())
        if problem:
            raise ValueError(problem)

    async def _ask_secretariat_to_schedule(self) -> None:
        """Tell the secretariat the cycle planned this meeting and what it needs from them."""
        m = self._meeting
        batch = NoticeBatch(
            meeting=m,
            kind="cycle",
            key="planned",
            recipients=[],
        )
        await self._send_notice(batch, [self._secretariat()])

    @workflow.update
    async def cancel(self, command: CancelCommand) -> None:
        """Cancel before the meeting: everyone invited gets METHOD:CANCEL, SEQUENCE+1."""
        async with self._sending:
            self._sequence += 1
            self._phase = Phase.CANCELLED
            await self._send_all("CANCEL", reason=command.reason)
            await self._record(Phase.CANCELLED, f"{command.reason} ({command.actor.id})")

    @cancel.validator
    def _check_cancel(self, command: CancelCommand) -> None:
        problem = self._busy() or cancel_problem(
            self._meeting, self._phase in ENDED, workflow.now()
        )
        if problem:
            raise ValueError(problem)

    @workflow.update
    async def remind(self, command: RemindCommand) -> None:
        """An ad-hoc chaser, now, to everyone who has not answered."""
        async with self._sending:
            self._adhoc += 1
            items = [
                ReminderItem(
                    key=f"s{self._sequence}:adhoc-{self._adhoc}:{pid}",
                    kind=ReminderKind.CHASER,
                    days_before=0,
                    recipient=p,
                )
                for pid, p in self._invitees.items()
                if pid not in self._answers
            ]
            await self._send_items(items)

    @remind.validator
    def _check_remind(self, command: RemindCommand) -> None:
        problem = self._busy() or remind_problem(
            self._meeting,
            self._phase in ENDED,
            set(self._invitees) - set(self._answers),
            workflow.now(),
        )
        if problem:
            raise ValueError(problem)

    # --- agenda ----------------------------------------------------------------------

    @workflow.query
    def agenda(self) -> AgendaView:
        return view(self._meeting, self._items, self._agenda_version, self._published_version)

    @workflow.update
    async def propose_item(self, command: ProposeCommand) -> AgendaItem:
        """A participant's proposal; the secretariat decides on it later."""
        presenter = self._invitees[command.presenter]
        item = AgendaItem(
            id=f"P{sum(1 for i in self._items if i.id.startswith('P')) + 1}",
            title=command.title,
            kind=command.kind,
            minutes=command.minutes,
            status=ItemStatus.PROPOSED,
            presenter=presenter.name,
            country=presenter.country,
            project=command.project,
            proposed_by=command.actor.id,
        )
        self._items.append(item)
        self._agenda_changed()
        return item

    @propose_item.validator
    def _check_propose(self, command: ProposeCommand) -> None:
        problem = propose_problem(
            command,
            self._invitees,
            self._meeting.agenda_deadline_utc(),
            self._phase in ENDED,
            workflow.now(),
            f"{self._meeting.agenda_deadline_local():%Y-%m-%d %H:%M} {self._meeting.zone}",
        )
        if problem:
            raise ValueError(problem)

    @workflow.update
    async def decide_item(self, command: DecideCommand) -> AgendaItem:
        """The secretariat accepts, rejects (with a reason) or edits an item."""
        index = next(i for i, it in enumerate(self._items) if it.id == command.item_id)
        self._items[index] = decided(self._items[index], command, self._presenter_name(command))
        self._agenda_changed()
        return self._items[index]

    @decide_item.validator
    def _check_decide(self, command: DecideCommand) -> None:
        items = {i.id: i for i in self._items}
        problem = decide_problem(command, items, self._phase in ENDED)
        if problem is None and command.presenter and command.presenter not in self._invitees:
            problem = f"presenter {command.presenter!r} is not invited to this meeting"
        if problem is None and self._published_version:
            after = [
                decided(i, command, self._presenter_name(command)) if i.id == command.item_id
                else i
                for i in self._items
            ]  # fmt: skip
            problem = view(self._meeting, after, 0, 0).problem
        if problem:
            raise ValueError(problem)

    @workflow.update
    async def publish_agenda(self, command: PublishCommand) -> AgendaView:
        """Mail the timetable to everyone who accepted; later edits are mailed once quiet."""
        async with self._sending:
            await self._send_agenda(updated=False)
        return self.agenda()

    @publish_agenda.validator
    def _check_publish(self, command: PublishCommand) -> None:
        problem = self._busy()
        if problem is None and self._phase in ENDED:
            problem = "the meeting is cancelled or closed"
        if problem is None and self._published_version == self._agenda_version:
            problem = f"this agenda (version {self._agenda_version}) is already published"
        if problem is None:
            problem = self.agenda().problem
        if problem:
            raise ValueError(problem)

    def _presenter_name(self, command: DecideCommand) -> str | None:
        return self._invitees[command.presenter].name if command.presenter else None

    def _agenda_changed(self) -> None:
        self._agenda_version += 1
        if self._published_version:
            self._agenda_dirty_at = workflow.now()
            self._poke()

    async def _send_agenda(self, updated: bool) -> None:
        version = self._agenda_version
        current = self.agenda()
        recipients = [
            p for pid, p in self._invitees.items()
            if pid in self._answers and self._answers[pid].attendance in ACCEPTED
        ]  # fmt: skip
        batch = NoticeBatch(
            meeting=self._meeting,
            kind="agenda",
            key=f"agenda-v{version}",
            agenda=current,
            updated=updated,
            recipients=[],
        )
        await self._send_notice(batch, recipients)
        self._published_version = version
        self._agenda_dirty_at = None

    # --- attendance ------------------------------------------------------------------

    @workflow.query
    def attendance(self) -> AttendanceView:
        return AttendanceView(
            meeting_id=self._meeting.id,
            presences=sorted(self._register.values(), key=lambda p: (p.day, p.participant_id)),
            counts=count_register(self._invitees, self._register.values()),
        )

    @workflow.update
    async def check_in(self, command: CheckInCommand) -> Presence:
        """The registration desk: in the room today."""
        self._record_presence(command.participant_id, Mode.IN_PERSON, command.actor)
        return self._register[(command.participant_id, self._today() or date.min)]

    @check_in.validator
    def _check_check_in(self, command: CheckInCommand) -> None:
        self._presence_refusal(command.participant_id, Mode.IN_PERSON)

    @workflow.update
    async def join_online(self, command: JoinCommand) -> Presence:
        """The participant opened their personal join link today."""
        self._record_presence(command.participant_id, Mode.ONLINE, command.actor)
        return self._register[(command.participant_id, self._today() or date.min)]

    @join_online.validator
    def _check_join(self, command: JoinCommand) -> None:
        self._presence_refusal(command.participant_id, Mode.ONLINE)

    def _today(self) -> date | None:
        days = meeting_days(self._meeting.start, self._meeting.end)
        return meeting_day(workflow.now(), self._meeting.zone, days)

    def _presence_refusal(self, participant_id: str, mode: Mode) -> None:
        today = self._today()
        problem = presence_problem(
            participant_id,
            mode,
            self._invitees,
            {pid: a.attendance for pid, a in self._answers.items()},
            self._register.get((participant_id, today)) if today else None,
            today,
            self._phase in ENDED,
        )
        if problem:
            raise ValueError(problem)

    def _record_presence(self, participant_id: str, mode: Mode, actor: Actor) -> None:
        today = self._today()
        assert today is not None  # the validator refused otherwise
        self._register[(participant_id, today)] = Presence(
            participant_id=participant_id, day=today, mode=mode, at=workflow.now(), actor=actor
        )

    # --- follow-up -------------------------------------------------------------------

    @workflow.update
    async def record_minutes(self, command: MinutesCommand) -> None:
        """Minutes and action items: each action becomes its own workflow that chases its
        owner; minutes and actions are mailed to everyone who did not decline."""
        participants = list(self._invitees.values())
        self._minutes = command.markdown
        started: list[ActionItem] = []
        for spec in command.actions:
            action_id = f"A{len(self._actions) + 1}"
            action = action_input(self._meeting, action_id, spec, participants, self._secretariat())
            self._actions[action_id] = action.item
            handle = await workflow.start_child_workflow(
                ActionItemWorkflow.run,
                action,
                id=action.item.workflow_id,
                parent_close_policy=ParentClosePolicy.ABANDON,
            )
            self._tracking.append(asyncio.create_task(self._track(action_id, handle)))
            started.append(action.item)
        recipients = [
            p for pid, p in self._invitees.items()
            if pid not in self._answers or self._answers[pid].attendance is not Attendance.DECLINE
        ]  # fmt: skip
        notice = NoticeBatch(
            meeting=self._meeting,
            kind="minutes",
            key="minutes",
            minutes=command.markdown,
            actions=started,
            recipients=[],
        )
        await self._send_notice(notice, recipients)

    @record_minutes.validator
    def _check_minutes(self, command: MinutesCommand) -> None:
        problem = minutes_problem(
            self._meeting,
            command,
            list(self._invitees.values()),
            self._phase in (Phase.HELD, Phase.FOLLOW_UP),
            self._phase in ENDED,
            self._minutes is not None,
        )
        if problem:
            raise ValueError(problem)

    async def _track(
        self, action_id: str, handle: workflow.ChildWorkflowHandle[Any, ActionItem]
    ) -> None:
        """Keep the action's final state when its workflow completes."""
        self._actions[action_id] = await handle

    def _history_is_long(self) -> bool:
        info = workflow.info()
        return self._may_continue and (
            info.get_current_history_length() >= self._meeting.continue_after_events
            or info.is_continue_as_new_suggested()
        )

    @workflow.signal
    def action_finished(self, item: ActionItem) -> None:
        """An action's workflow completed (it signals the meeting's current run)."""
        if item.id in self._actions:
            self._actions[item.id] = item

    def _followup_complete(self) -> bool:
        return (
            self._phase is Phase.FOLLOW_UP
            and self._minutes is not None
            and all(a.status is ActionStatus.DONE for a in self._actions.values())
        )

    async def _send_notice(self, notice: NoticeBatch, recipients: list[Participant]) -> None:
        """One text to many: the agenda, the minutes, the cycle's request to schedule."""

        async def send(chunk: list[Participant]) -> None:
            batch = notice.model_copy(update={"recipients": chunk})
            await send_mail(SEND_NOTICES, batch, NoticeResult)

        await in_batches(recipients, send)

    # --- helpers ---------------------------------------------------------------------

    def _busy(self) -> str | None:
        if self._phase in (Phase.SCHEDULED, Phase.INVITING) or self._sending.locked():
            return "invitations are still going out; try again in a moment"
        return None

    async def _send_all(
        self,
        method: Literal["REQUEST", "CANCEL"],
        previous: MeetingDefinition | None = None,
        reason: str | None = None,
    ) -> None:
        """Send the current sequence to every invitee, a few batches (connections) at a time."""
        sequence, meeting = self._sequence, self._meeting
        for pid, p in self._invitees.items():
            self._invitations[pid] = Invitation(
                participant_id=pid, email=p.email, sequence=sequence
            )

        async def send(chunk: list[Participant]) -> None:
            batch = InvitationBatch(
                meeting=meeting,
                sequence=sequence,
                method=method,
                recipients=chunk,
                previous=previous,
                reason=reason,
            )
            result = await send_mail(SEND_INVITATIONS, batch, BatchResult)
            for r in result.results:
                self._invitations[r.participant_id] = self._invitations[
                    r.participant_id
                ].model_copy(
                    update={
                        "status": r.status,
                        "message_id": r.message_id,
                        "error": r.error,
                        "at": r.at,
                    }
                )

        await in_batches(list(self._invitees.values()), send)

    async def _record(self, phase: Phase, note: str = "") -> None:
        """Projection and audit first, then the phase: a status query never runs ahead."""
        await workflow.execute_activity(
            RECORD_MEETING,
            MeetingRecord(meeting=self._meeting, phase=phase, note=note),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=DB_RETRY,
        )
        self._phase = phase
        if workflow.patched("phase-search-attribute"):  # meetings started before it had none
            workflow.upsert_search_attributes([RTM_PHASE.value_set(phase.value)])

    def _summary(self) -> MeetingSummary:
        failed = sum(1 for i in self._invitations.values() if i.status is InvitationStatus.FAILED)
        return MeetingSummary(
            id=self._meeting.id,
            phase=self._phase,
            invited=len(self._invitations) - failed,
            failed=failed,
            actions=len(self._actions),
            actions_done=sum(1 for a in self._actions.values() if a.status is ActionStatus.DONE),
        )
