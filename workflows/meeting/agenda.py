"""The agenda: countries propose items, the secretariat decides and publishes; edits to a
published agenda are mailed once they have been quiet for a while."""

from __future__ import annotations

from temporalio import workflow

from domain.common.refusals import Refusal
from workflows.common.refusals import refused
from workflows.meeting.base import MeetingBase

with workflow.unsafe.imports_passed_through():
    from domain.agenda.items import (
        AgendaItem,
        DecideCommand,
        ProposeCommand,
        PublishCommand,
        decide_problem,
        decided,
        propose_problem,
    )
    from domain.agenda.template import ItemStatus
    from domain.agenda.view import AgendaView, view
    from domain.meeting.notices import agenda_notice, agenda_recipients, next_proposal_id
    from domain.meeting.status import AgendaPublished


class AgendaHandlers(MeetingBase):
    @workflow.query
    def agenda(self) -> AgendaView:
        s = self.s
        return view(s.meeting, s.items, s.agenda_version, s.published_version)

    @workflow.update
    async def propose_item(self, command: ProposeCommand) -> AgendaItem:
        """A participant's proposal; the secretariat decides on it later."""
        await self._ready(lambda: self._propose_problem(command))
        s = self.s
        presenter = s.invitees[command.presenter]
        item = AgendaItem(
            id=next_proposal_id(i.id for i in s.items),
            title=command.title,
            kind=command.kind,
            minutes=command.minutes,
            status=ItemStatus.PROPOSED,
            presenter=presenter.name,
            country=presenter.country,
            project=command.project,
            proposed_by=command.actor.id,
        )
        s.items.append(item)
        self._agenda_changed()
        return item

    @propose_item.validator
    def _check_propose(self, command: ProposeCommand) -> None:
        problem = self._propose_problem(command) if self._loaded else None
        if problem:
            raise refused(problem)

    def _propose_problem(self, command: ProposeCommand) -> str | None:
        m = self.s.meeting
        return propose_problem(
            command,
            self.s.invitees,
            m.agenda_deadline_utc(),
            self._over(),
            workflow.now(),
            f"{m.agenda_deadline_local():%Y-%m-%d %H:%M} {m.zone}",
        )

    @workflow.update
    async def decide_item(self, command: DecideCommand) -> AgendaItem:
        """The secretariat accepts, rejects (with a reason) or edits an item."""
        await self._ready(lambda: self._decide_problem(command))
        items = self.s.items
        index = next(i for i, it in enumerate(items) if it.id == command.item_id)
        items[index] = decided(items[index], command, self._presenter_name(command))
        self._agenda_changed()
        return items[index]

    @decide_item.validator
    def _check_decide(self, command: DecideCommand) -> None:
        problem = self._decide_problem(command) if self._loaded else None
        if problem:
            raise refused(problem)

    def _decide_problem(self, command: DecideCommand) -> str | None:
        s = self.s
        problem = decide_problem(command, {i.id: i for i in s.items}, self._over())
        if problem is None and command.presenter and command.presenter not in s.invitees:
            problem = Refusal("agenda.presenter", presenter=command.presenter)
        if problem is None and s.published_version:
            after = [
                decided(i, command, self._presenter_name(command)) if i.id == command.item_id
                else i
                for i in s.items
            ]  # fmt: skip
            problem = view(s.meeting, after, 0, 0).why()
        return problem

    @workflow.update
    async def publish_agenda(self, command: PublishCommand) -> AgendaPublished:
        """Mail the timetable to everyone who accepted; later edits are mailed once quiet."""
        async with self._sending:
            sent = await self._send_agenda(updated=False)
        s = self.s
        return AgendaPublished(
            meeting_id=s.meeting.id, published_version=s.published_version, recipients=sent
        )

    @publish_agenda.validator
    def _check_publish(self, command: PublishCommand) -> None:
        s = self.s
        problem = self._busy()
        if problem is None and self._over():
            problem = Refusal("meeting.over")
        if problem is None and s.published_version == s.agenda_version:
            problem = Refusal("agenda.published", version=s.agenda_version)
        if problem is None:
            problem = self.agenda().why()
        if problem:
            raise refused(problem)

    def _presenter_name(self, command: DecideCommand) -> str | None:
        return self.s.invitees[command.presenter].name if command.presenter else None

    def _agenda_changed(self) -> None:
        s = self.s
        s.agenda_version += 1
        if s.published_version:
            s.agenda_dirty_at = workflow.now()
            self._poke()

    async def _send_agenda(self, updated: bool) -> int:
        """Mail the current version; returns how many it went to."""
        s = self.s
        version = s.agenda_version
        recipients = agenda_recipients(s.invitees, s.answers)
        await self._send_notice(agenda_notice(s.meeting, self.agenda(), updated), recipients)
        s.published_version = version
        s.agenda_dirty_at = None
        return len(recipients)
