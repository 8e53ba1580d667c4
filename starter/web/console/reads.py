"""Reading a meeting for a page, with the role check first: the region's secretariat and
auditors read any of the region's meetings; participants only the ones they are invited to."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import lru_cache

from aiohttp import web

from activities.store import MeetingRow
from domain.meeting.definition import MeetingDefinition
from domain.meeting.status import MeetingStatus, StatusPage
from starter.client import commands
from starter.web.console.context import Console
from starter.web.console.roles import Forbidden, Viewer

SUMMARY = StatusPage(limit=0)  # the counts only, no participant rows


@dataclass(frozen=True)
class Listed:
    """A meeting as the projection lists it, with its definition parsed."""

    id: str
    region: str
    title: str
    phase: str
    meeting: MeetingDefinition


def listed(row: MeetingRow) -> Listed:
    return Listed(
        id=row.id,
        region=row.region,
        title=row.title,
        phase=row.phase,
        meeting=definition(row.definition),
    )


@lru_cache(maxsize=1024)
def definition(text: str) -> MeetingDefinition:
    """A projection's definition, parsed once per text (the model is immutable): the
    dashboard lists every meeting of the region on each visit, years of them."""
    return MeetingDefinition.model_validate_json(text)


async def region_of(console: Console, meeting_id: str) -> str:
    """The meeting's region from the projection (404 when the engine does not know it).
    Every meeting page asks first; a meeting never moves to another region, so each is
    read once."""
    if (known := console.regions.get(meeting_id)) is not None:
        return known
    row = await asyncio.to_thread(console.sessions.meeting, meeting_id)
    if row is not None:
        region = row.region
    else:
        try:
            region = (await console.page_of(meeting_id, SUMMARY)).meeting.region
        except commands.NoSuchMeeting:
            raise web.HTTPNotFound(reason=f"There is no meeting {meeting_id}") from None
    console.regions[meeting_id] = region
    return region


async def managed(console: Console, viewer: Viewer, meeting_id: str) -> str:
    """Only the meeting's own secretariat gets past (others: Forbidden, audited)."""
    region = await region_of(console, meeting_id)
    viewer.require_manage(region, meeting_id)
    return region


async def managed_at(console: Console, viewer: Viewer, request: web.Request) -> str:
    """The meeting the page's path names, once `managed` lets the viewer past: the prelude of
    every handler that changes a meeting."""
    meeting_id = request.match_info["meeting"]
    await managed(console, viewer, meeting_id)
    return meeting_id


async def readable(console: Console, viewer: Viewer, meeting_id: str) -> MeetingStatus:
    """The meeting's summary if the viewer may read it all (secretariat, auditor)."""
    region = await region_of(console, meeting_id)
    viewer.require_read(region, meeting_id)
    return await status(console, meeting_id)


async def status(console: Console, meeting_id: str) -> MeetingStatus:
    """The meeting, its counts and held replies: no participant rows (a page of those is
    `page`; a 1,000-participant meeting is never read whole for a page)."""
    return await page(console, meeting_id, SUMMARY)


async def page(console: Console, meeting_id: str, which: StatusPage) -> MeetingStatus:
    try:
        return await console.page_of(meeting_id, which)
    except commands.NoSuchMeeting:
        raise web.HTTPNotFound(reason=f"There is no meeting {meeting_id}") from None


async def as_invitee(console: Console, viewer: Viewer, meeting_id: str) -> MeetingStatus:
    """The meeting's summary with the viewer's own row, if they are invited (their pages)."""
    await region_of(console, meeting_id)
    found = await page(console, meeting_id, StatusPage(participant_id=viewer.id, limit=1))
    if not found.participants:
        raise Forbidden(f"{viewer.id} is not invited to {meeting_id}", meeting_id)
    return found
