"""Telling the meetings in flight that people's languages changed in the directory, so
that each one's copy of its invitees (what its status shows) follows, as its mail already
does. A meeting not told keeps the old languages in its status until it continues as new;
the directory's change stands either way."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, NamedTuple

from temporalio.client import Client
from temporalio.service import RPCError

from domain.directory.changes import PARTICIPANT_LANGUAGES, told_in_parts

if TYPE_CHECKING:
    from activities.store import Store


class Untold(NamedTuple):
    """A meeting that could not be told, and why (ended since, the server unreachable)."""

    meeting_id: str
    error: str


async def tell_meetings(
    connect: Callable[[], Awaitable[Client]], store: Store, languages: dict[str, list[str]]
) -> list[Untold]:
    """Signal every meeting not ended that invites some of these people with their new
    languages (`languages`: by person id); Temporal is reached only when there is one."""
    if not languages:
        return []
    meetings = await asyncio.to_thread(store.meetings_inviting, list(languages))
    if not meetings:
        return []
    try:
        client = await connect()
    except (RuntimeError, RPCError) as exc:  # the directory's change stands
        return [Untold(meeting_id, str(exc)) for meeting_id in meetings]
    untold: list[Untold] = []
    for meeting_id, ids in meetings.items():
        theirs = {pid: languages[pid] for pid in ids if pid in languages}
        handle = client.get_workflow_handle(meeting_id)
        try:
            for part in told_in_parts(theirs):
                await handle.signal(PARTICIPANT_LANGUAGES, part)
        except RPCError as exc:
            untold.append(Untold(meeting_id, exc.message))
    return untold
