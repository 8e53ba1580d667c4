"""The secretariat's dashboard: the region's meetings by phase, the next deadlines, answer
rates by country, open actions, and what waits on a decision."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiohttp import web

from domain.agenda.template import ItemStatus
from domain.common.contracts import Phase
from domain.followup.actions import ActionItem
from domain.invitations.batches import InvitationStatus
from domain.meeting.status import MeetingStatus
from starter.client import commands
from starter.web.console.context import Console
from starter.web.console.reads import SUMMARY, Listed, listed
from starter.web.console.render import Msg, render
from starter.web.console.roles import Forbidden, Viewer

LIVE = (Phase.SCHEDULED, Phase.INVITING, Phase.REGISTRATION, Phase.HELD)
OPEN = {Phase.INVITING.value, Phase.REGISTRATION.value, Phase.SCHEDULED.value}
PHASES = list(Phase)


@dataclass
class Live:
    """What the dashboard shows of one meeting that is under way."""

    row: Listed
    status: MeetingStatus
    proposals: int = 0
    rates: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.status.count(InvitationStatus.FAILED)

    @property
    def held(self) -> int:
        """Calendar replies held for the secretariat's confirmation."""
        return len(self.status.held_replies)


def rates(status: MeetingStatus) -> list[tuple[str, int, int]]:
    """(country or organisation, answered, invited) per row of the answer counts."""
    found = []
    for where, modes in status.answers.by_country.items():
        invited = sum(modes.values())
        found.append((where, invited - modes.get("none", 0), invited))
    return found


async def _live(console: Console, row: Listed) -> Live | None:
    try:
        found = await console.page_of(row.id, SUMMARY)
        agenda = await console.agenda(row.id)
    except commands.NoSuchMeeting:
        return None
    pending = sum(1 for i in agenda.items if i.status is ItemStatus.PROPOSED)
    return Live(row=row, status=found, proposals=pending, rates=rates(found))


def add_dashboard_routes(app: web.Application, console: Console) -> None:
    async def dashboard(request: web.Request, viewer: Viewer) -> web.StreamResponse:
        if not viewer.is_secretariat or viewer.region is None:
            if viewer.is_auditor:
                raise web.HTTPSeeOther("/console/audit")
            raise Forbidden("the dashboard is the secretariat's")
        region = viewer.region

        def read() -> tuple[list[Listed], list[ActionItem]]:  # one thread hop for both
            found = [listed(r) for r in console.sessions.meetings(region)]
            return found, console.store.actions(region, None, True)

        rows, actions = await asyncio.to_thread(read)
        by_phase = {p.value: [r for r in rows if r.phase == p.value] for p in PHASES}
        live_rows = [r for r in rows if r.phase in {p.value for p in LIVE}]
        live = [x for x in await asyncio.gather(*(_live(console, r) for r in live_rows)) if x]
        deadlines = sorted(
            [
                (r.meeting.registration_deadline or r.meeting.start, "registration", r)
                for r in live_rows
                if r.phase
                in (Phase.INVITING.value, Phase.REGISTRATION.value, Phase.SCHEDULED.value)
            ]
            + [
                (r.meeting.agenda_deadline_local(), "proposals", r)
                for r in live_rows
                if r.phase
                in (Phase.INVITING.value, Phase.REGISTRATION.value, Phase.SCHEDULED.value)
            ],
            key=lambda d: d[0],
        )
        held = [h.participant_id for m in live for h in m.status.held_replies]
        people = await console.people(held)
        planned = by_phase[Phase.PLANNED.value]
        return render(
            request,
            "dashboard.html",
            title=Msg("Dashboard"),
            region=region,
            by_phase=by_phase,
            live=live,
            deadlines=deadlines,
            actions=actions,
            planned=planned,
            people=people,
        )

    app.router.add_get("/console/", console.page(dashboard))
