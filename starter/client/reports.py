"""Where the reports read a meeting's live facts: the workflow's queries (status, agenda,
attendance) and the directory in the store. The one place that knows the query shapes, so
a change of the status query (summary plus pages) is a change here only."""

from __future__ import annotations

from temporalio.client import Client

from activities.store import Store
from domain.agenda.items import running_order
from domain.common.contracts import MeetingStatus
from domain.registration.answers import Attendance
from domain.reports.facts import MeetingFacts
from starter.client import commands


async def meeting_status(client: Client, meeting_id: str) -> MeetingStatus:
    """The meeting's status with every participant's row."""
    return await commands.status(client, meeting_id)


def answers_of(status: MeetingStatus) -> dict[str, Attendance]:
    return {p.participant_id: p.attendance for p in status.participants if p.attendance}


async def meeting_facts(client: Client, store: Store, meeting_id: str) -> MeetingFacts:
    """Everything the report of `meeting_id` is drafted from; NoSuchMeeting if unknown."""
    status = await meeting_status(client, meeting_id)
    agenda = await commands.agenda(client, meeting_id)
    register = await commands.attendance(client, meeting_id)
    invited = {p.participant_id for p in status.participants}
    region = store.region(status.meeting.region)
    return MeetingFacts(
        meeting=status.meeting,
        phase=status.phase,
        region_name=region.name if region else status.meeting.region,
        countries={c.code: c.name for c in store.countries()},
        organisations={o.code: o.name for o in store.organisations()},
        participants=[p for p in store.participants() if p.id in invited],
        answers=answers_of(status),
        presences=register.presences,
        agenda=running_order(agenda.items),
        actions=status.actions,
    )
