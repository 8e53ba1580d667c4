"""Reading what a workflow holds (status pages, agenda, register, action items) and listing
meetings: nothing changes, nothing is audited.

Queries go by their handler's name with the answer's type (`Query`), so that a read loads
no workflow class and none of the modules behind it (`rtm meeting status` starts fast);
tests/test_client_queries.py checks every name and type against the workflow classes.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from domain.agenda.view import AgendaView
from domain.attendance.register import AttendanceView
from domain.common.base import Frozen
from domain.common.contracts import Phase
from domain.common.refusals import Refusal
from domain.followup.actions import ActionItem
from domain.meeting.status import (
    MAX_PAGE,
    MeetingStatus,
    ParticipantStatus,
    RegisterPage,
    StatusPage,
)
from starter.client.refusals import CommandRefused, NoSuchAction, NoSuchMeeting
from workflows.common import search_attributes

R = TypeVar("R")


@dataclass(frozen=True)
class Query(Generic[R]):
    """A query of a workflow type: its handler's name and the type of its answer."""

    workflow: str
    name: str
    answer: type[R]


MEETING_STATUS = Query("MeetingWorkflow", "status", MeetingStatus)
AGENDA = Query("MeetingWorkflow", "agenda", AgendaView)
REGISTER = Query("MeetingWorkflow", "attendance", AttendanceView)
ACTION_ITEM = Query("ActionItemWorkflow", "status", ActionItem)
QUERIES = (MEETING_STATUS, AGENDA, REGISTER, ACTION_ITEM)


async def ask(client: Client, workflow_id: str, query: Query[R], *args: Any) -> R:
    """`query`'s answer from the workflow; NoSuchMeeting (NoSuchAction for an action item)
    when there is no workflow by that id."""
    handle = client.get_workflow_handle(workflow_id)
    try:
        answer: R = await handle.query(query.name, *args, result_type=query.answer)
    except RPCError as exc:
        if exc.status is not RPCStatusCode.NOT_FOUND:
            raise
        if query.workflow == "ActionItemWorkflow":
            raise NoSuchAction(Refusal("action.missing", action=workflow_id)) from exc
        raise NoSuchMeeting(Refusal("meeting.missing", meeting=workflow_id)) from exc
    return answer


async def status(client: Client, meeting_id: str, page: StatusPage | None = None) -> MeetingStatus:
    """The meeting's summary and one page of its participants (the first 100 by default)."""
    return await ask(client, meeting_id, MEETING_STATUS, page or StatusPage())


async def participant(
    client: Client, meeting_id: str, participant_id: str
) -> ParticipantStatus | None:
    """One participant's row, or None if they are not invited."""
    found = await status(client, meeting_id, StatusPage(participant_id=participant_id, limit=1))
    return found.participants[0] if found.participants else None


async def full_status(client: Client, meeting_id: str) -> MeetingStatus:
    """The status with every participant's row, read a page at a time (for reports and
    pages that list the whole meeting; a large meeting pays for its size here only)."""
    first = await status(client, meeting_id, StatusPage(limit=MAX_PAGE))
    rows = list(first.participants)
    current = first.next_page
    while current is not None:
        found = await status(client, meeting_id, current)
        rows += found.participants
        current = found.next_page
    return first.model_copy(update={"participants": rows})


async def all_participants(
    client: Client, meeting_id: str, page: StatusPage | None = None
) -> AsyncIterator[ParticipantStatus]:
    """Every participant matching `page`'s filters, a page at a time."""
    current: StatusPage | None = (page or StatusPage()).model_copy(update={"limit": MAX_PAGE})
    while current is not None:
        found = await status(client, meeting_id, current)
        for row in found.participants:
            yield row
        current = found.next_page


async def agenda(client: Client, meeting_id: str) -> AgendaView:
    return await ask(client, meeting_id, AGENDA)


async def attendance(
    client: Client, meeting_id: str, page: RegisterPage | None = None
) -> AttendanceView:
    """The register's counts and its presences (all, or the page asked for)."""
    return await ask(client, meeting_id, REGISTER, page or RegisterPage())


async def action_status(client: Client, workflow_id: str) -> ActionItem:
    """An action item as its workflow holds it (also after it completed); its workflow id
    is f"{meeting_id}-{action_id}"."""
    return await ask(client, workflow_id, ACTION_ITEM)


class MeetingListing(Frozen):
    id: str
    region: str | None
    number: int | None
    phase: str | None
    status: str
    started: datetime


async def list_meetings(
    client: Client, region: str | None = None, phase: Phase | None = None
) -> list[MeetingListing]:
    """Meetings by region and phase: a visibility query over the search attributes."""
    query = ["WorkflowType = 'MeetingWorkflow'"]
    if region is not None:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", region):
            raise CommandRefused(Refusal("input.region_code", field="region", region=repr(region)))
        query.append(f"{search_attributes.RTM_REGION.name} = '{region}'")
    if phase is not None:
        query.append(f"{search_attributes.RTM_PHASE.name} = '{phase.value}'")
    found = []
    async for wf in client.list_workflows(" AND ".join(query)):
        attrs = wf.typed_search_attributes
        found.append(
            MeetingListing(
                id=wf.id,
                region=attrs.get(search_attributes.RTM_REGION),
                number=attrs.get(search_attributes.RTM_NUMBER),
                phase=attrs.get(search_attributes.RTM_PHASE),
                status=wf.status.name.lower() if wf.status else "unknown",
                started=wf.start_time,
            )
        )
    return sorted(found, key=lambda m: (m.region or "", m.number or 0, m.id))
