"""The audit log can be neither flooded nor faked through refused links: nothing for a
meeting that does not exist, one row a minute per kind of refusal with a count for one that
does, and outside text stored as it came but shown with its control characters escaped."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
import pytest_asyncio
from sqlalchemy import func, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select
from temporalio.testing import WorkflowEnvironment
from yarl import URL

from activities.store import AuditRow, RefusalRow, Store
from domain.meeting.definition import MeetingDefinition
from starter.cli.main import main
from starter.devstack.catcher import SmtpCatcher
from starter.web.app import make_app, serve
from tests.factories import meeting
from tests.harness import LINK_KEY, invited, plan, running_worker
from tests.ports import free_port

FORGED = "?exp=1799038800&sig=" + "A" * 43


@dataclass
class Served:
    store: Store
    meeting: MeetingDefinition
    base: str


@pytest_asyncio.fixture
async def served(
    cli_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher
) -> AsyncIterator[Served]:
    client = cli_env.client
    m = meeting()
    async with running_worker(client, store, catcher.port) as queue:
        await invited(await plan(client, m, queue))
        port = free_port()
        runner = await serve(make_app(client, store, LINK_KEY), "127.0.0.1", port)
        try:
            yield Served(store, m, f"http://127.0.0.1:{port}")
        finally:
            await runner.cleanup()


def _row_counts(store: Store) -> tuple[int, int]:
    with store.session() as s:
        audit = s.exec(select(func.count()).select_from(AuditRow)).one()
        tally = s.exec(select(func.count()).select_from(RefusalRow)).one()
    return int(audit), int(tally)


async def _hammer(urls: list[str]) -> list[int]:
    async with aiohttp.ClientSession() as http:

        async def one(url: str) -> int:
            async with http.get(URL(url, encoded=True)) as resp:
                await resp.read()
                return resp.status

        statuses: list[int] = []
        for start in range(0, len(urls), 50):
            statuses += await asyncio.gather(*(one(u) for u in urls[start : start + 50]))
        return statuses


async def test_a_flood_of_bad_links_adds_next_to_nothing(served: Served) -> None:
    before = _row_counts(served.store)
    nowhere = [f"{served.base}/rsvp/RTM-XX-{n:04d}/kz-nfp/online{FORGED}" for n in range(1000)]
    assert set(await _hammer(nowhere)) == {403}
    assert _row_counts(served.store) == before, "refusals for unknown meetings write nothing"

    mid = served.meeting.id
    here = [f"{served.base}/rsvp/{mid}/p{n:04d}/online{FORGED}" for n in range(1000)]
    assert set(await _hammer(here)) == {403}
    audit_rows, tally_rows = _row_counts(served.store)
    assert audit_rows == before[0]
    assert tally_rows - before[1] <= 2, "one row a minute (two if the run crossed a minute)"
    refused = [r for r in served.store.audit(mid) if r.action == "link.refused"]
    assert sum(json.loads(r.detail)["count"] for r in refused) == 1000
    first = json.loads(refused[0].detail)
    assert first["kind"] == "/rsvp/{meeting}/{participant}/{choice} 403"
    assert first["participant"].startswith("p") and first["status"] == 403


async def test_outside_text_is_kept_as_it_came_and_shown_escaped(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    mid = served.meeting.id
    fake = "%0A2026-12-01%2010:00:00Z%20%20audit-log%20kz-deputy%2Flink%20rsvp%20decline%1B[2K"
    url = f"{served.base}/rsvp/{mid}/kz-nfp{fake}/online{FORGED}"
    assert await _hammer([url]) == [403]
    (row,) = [r for r in served.store.audit(mid) if r.action == "link.refused"]
    stored = json.loads(row.detail)["participant"]
    assert stored == "kz-nfp\n2026-12-01 10:00:00Z  audit-log kz-deputy/link rsvp decline\x1b[2K"

    assert await asyncio.to_thread(main, ["audit", mid]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    lines = out.splitlines()
    assert all(line[:4].isdigit() for line in lines[1:]), "no entry starts a line of its own"
    assert not any(line.startswith("2026-12-01 10:00:00Z") for line in lines)
    shown = next(line for line in lines if "link.refused" in line)
    assert "unverified:kz-nfp\\n2026-12-01 10:00:00Z" in shown and "decline\\x1b[2K" in shown

    assert await asyncio.to_thread(main, ["audit", mid, "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    refused = next(e for e in entries if e["action"] == "link.refused")
    assert refused["detail"]["participant"] == stored, "the machine view keeps it as it came"


@pytest.mark.parametrize("statement", [
    "UPDATE refusal_tally SET count = count - 1",
    "UPDATE refusal_tally SET actor = 'someone else'",
    "UPDATE refusal_tally SET detail = '{\"forged\": 1}'",
    "DELETE FROM refusal_tally",
])  # fmt: skip
def test_counts_only_grow(any_store: Store, statement: str) -> None:
    any_store.record_meeting("RTM-CA-15", "CA", "15th RTM", "held", "{}")
    for _ in range(3):
        assert any_store.tally_refusal("RTM-CA-15", "rsvp 403", "x", "link", "link.refused", {})
    assert not any_store.tally_refusal("RTM-CA-99", "rsvp 403", "x", "link", "link.refused", {})
    before = [(r.actor, r.detail) for r in any_store.refusals("RTM-CA-15")]
    assert json.loads(before[0][1])["count"] == 3
    with pytest.raises(DBAPIError, match="only grow"), any_store.engine.begin() as conn:
        conn.execute(text(statement))
    assert [(r.actor, r.detail) for r in any_store.refusals("RTM-CA-15")] == before
    assert any_store.refusals("RTM-CA-99") == []


@pytest.mark.integration  # the store's own arithmetic: it loads the store (SQLAlchemy)
def test_counted_rows_start_at_their_window() -> None:
    from datetime import UTC, datetime, timedelta

    from activities.store.refusals import MINUTE, window_start

    at = datetime(2026, 12, 1, 14, 37, 59, 999, tzinfo=UTC)
    assert window_start(at, MINUTE) == at.replace(second=0, microsecond=0)
    assert window_start(at, timedelta(hours=1)) == datetime(2026, 12, 1, 14, tzinfo=UTC)
    assert window_start(at.replace(minute=0, second=0, microsecond=0), timedelta(hours=1)) == (
        datetime(2026, 12, 1, 14, tzinfo=UTC)
    )
