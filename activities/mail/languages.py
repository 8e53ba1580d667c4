"""The recipients of a batch with the languages the directory gives them now: a meeting
keeps the participants it invited, and the secretariat may change someone's languages
since (`rtm directory language`, the console, `directory load`); the next mail follows."""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor

from temporalio import activity

from activities.store import Store
from domain.directory.changes import with_languages
from domain.directory.models import Participant


async def in_current_languages(
    store: Store, executor: Executor, timeout: float, people: list[Participant]
) -> list[Participant]:
    """`people` with each one's languages as the directory has them; the meeting's copy
    stands for whom it does not have (the secretariat's address) or when the database does
    not answer in time (mail in the language known at invitation beats no mail)."""
    if not people:
        return people
    loop = asyncio.get_running_loop()
    ids = [p.id for p in people]
    try:
        now = await asyncio.wait_for(
            loop.run_in_executor(executor, store.languages_by_id, ids), timeout
        )
    except Exception as exc:
        activity.logger.warning("directory not readable, languages as invited: %s", exc)
        return people
    return [with_languages(p, now.get(p.id)) for p in people]
