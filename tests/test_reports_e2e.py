"""The reports of a meeting the engine ran like the 15th RTM (time-skipping server): the
report names the release's countries and organisations, the register export's figures are
the workflow's register, the charts (served as SVG with their tables) show the answers and
attendance recorded, and the region's chart starts from the loaded 14th and 15th RTMs."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from temporalio.testing import WorkflowEnvironment

from activities.reports.documents import Format, register_document, report_markdown
from activities.store import Store
from domain.agenda.items import DecideCommand, Decision
from domain.attendance.register import CheckInCommand, JoinCommand
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from domain.reports.links import charts_link
from starter.cli.main import main
from starter.client import commands
from starter.client.reports import meeting_charts, meeting_facts, region_charts
from starter.devstack.catcher import SmtpCatcher
from starter.web.app import make_app, serve
from tests.factories import SIX_PARTNERS, central_asia, meeting
from tests.harness import LINK_KEY, advance_to, invited, plan, running_worker
from tests.pdf_pages import pdf_text
from tests.ports import free_port
from tests.report_facts import ORGANISATIONS, release_names

SECRETARIAT = Actor(id="secretariat.ca", channel=Channel.CLI)
DESK = Actor(id="registration-desk", channel=Channel.CLI)
ONLINE = ["pk-nfp", "unicri-obs", "eudel-uz-obs"]
IN_PERSON = ["ca-sec-head", *[f"{c.lower()}-nfp" for c in SIX_PARTNERS if c != "PK"],
             "kz-deputy", "istc-obs", "eudel-kz-obs", "jrc-obs"]  # fmt: skip
HISTORY = Path(__file__).resolve().parent.parent / "starter" / "data" / "history-central-asia.yaml"


async def test_reports_of_a_meeting_run_like_the_15th_rtm(
    skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(central_asia())
    monkeypatch.setenv("DATABASE_URL", store.url)
    monkeypatch.setenv("TEMPORAL_ADDRESS", env.client.service_client.config.target_host)
    monkeypatch.setenv("RTM_LINK_KEY", LINK_KEY.decode())
    assert await asyncio.to_thread(main, ["history", "load", str(HISTORY)]) == 0
    m = meeting(organisations=ORGANISATIONS, participants=["ca-sec-head"])
    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            await invited(await plan(env.client, m, queue))
            # a first answer changed later: counted once, in its last mode
            await commands.rsvp(
                env.client,
                store,
                m.id,
                RsvpCommand(
                    participant_id="pk-nfp", attendance=Attendance.TENTATIVE, actor=SECRETARIAT
                ),
            )
            for pid in IN_PERSON + ONLINE:
                mode = Attendance.ONLINE if pid in ONLINE else Attendance.IN_PERSON
                await commands.rsvp(
                    env.client,
                    store,
                    m.id,
                    RsvpCommand(participant_id=pid, attendance=mode, actor=SECRETARIAT),
                )
            await commands.rsvp(
                env.client,
                store,
                m.id,
                RsvpCommand(
                    participant_id="uz-deputy", attendance=Attendance.DECLINE, actor=SECRETARIAT
                ),
            )
            await commands.decide_item(env.client, store, m.id, DecideCommand(
                item_id="S1", decision=Decision.EDIT, presenter="ca-sec-head",
                actor=SECRETARIAT))  # fmt: skip
            await advance_to(env, m.start_utc() - timedelta(minutes=30))
            for pid in IN_PERSON:
                await commands.check_in(
                    env.client, store, m.id, CheckInCommand(participant_id=pid, actor=DESK)
                )
            for pid in ONLINE:
                await commands.join_online(
                    env.client,
                    store,
                    m.id,
                    JoinCommand(participant_id=pid, actor=Actor(id=pid, channel=Channel.LINK)),
                )
            await env.sleep(timedelta(days=1))
            for pid in IN_PERSON[:5]:
                await commands.check_in(
                    env.client, store, m.id, CheckInCommand(participant_id=pid, actor=DESK)
                )
            await commands.join_online(
                env.client,
                store,
                m.id,
                JoinCommand(
                    participant_id="pk-nfp", actor=Actor(id="pk-nfp", channel=Channel.LINK)
                ),
            )

            facts = await meeting_facts(env.client, store, m.id)
            register = await commands.attendance(env.client, m.id)
            status = await commands.status(env.client, m.id)
            title, charts = await meeting_charts(env.client, store, m.id, "en")
            _, region = await region_charts(env.client, store, "CA", "en", datetime.now(UTC).date())
            pdf = tmp_path / "report.pdf"
            code = await asyncio.to_thread(
                main, ["report", m.id, "--format", "pdf", "-o", str(pdf)]
            )
            port = free_port()
            runner = await serve(make_app(env.client, store, LINK_KEY), "127.0.0.1", port)
            try:
                base = f"http://127.0.0.1:{port}"
                link = charts_link(LINK_KEY, base, "meeting", m.id, datetime.now(UTC))
                async with aiohttp.ClientSession() as http:
                    async with http.get(link) as resp:
                        page = (resp.status, await resp.text())
                    async with http.get(link.replace("?", "/attendance.svg?")) as resp:
                        svg = (resp.status, resp.headers["Content-Type"], await resp.text())
                    async with http.get(link.replace("sig=", "sig=x")) as resp:
                        forged = resp.status
            finally:
                await runner.cleanup()

    # the report names what the release names, in its order
    markdown = report_markdown(facts, "en")
    text = " ".join(markdown.split())
    found = re.search(r"These included: (.*?), as well as representatives of (.*?)\.", text)
    assert found, markdown
    assert re.split(r", | and ", found.group(1)) == release_names()[0]
    assert "the EU Delegations in the region" in found.group(2)
    assert "International Science and Technology Center" in found.group(2)
    assert "The meeting was opened by Dilnoza Rakhimova" in text
    assert f"bring together {register.counts.participants} participants" in text
    assert code == 0 and release_names()[0][2] in pdf_text(pdf.read_bytes())

    # the register export holds the workflow's own figures
    rows = list(csv.DictReader(io.StringIO(register_document(facts, Format.CSV, "en").decode())))
    total = rows[-1]
    assert int(total["participants"]) == register.counts.participants == 13
    assert int(total["participants online"]) == register.counts.by_mode["online"] == 3
    for day, day_counts in register.counts.by_day.items():
        for how, n in day_counts.items():
            assert int(total[f"{day} {how}"]) == n
    by_code = {r["code"]: int(r["participants"]) for r in rows[:-1]}
    assert {k: v for k, v in by_code.items() if k in SIX_PARTNERS} == register.counts.by_country

    # charts: the last day of the answers is the status's answers; attendance per day
    answers, attendance = charts
    final = {s.name: s.values[-1] for s in answers.series}
    assert final == {k: v for k, v in status.answers.by_mode.items() if k != "none"} | {
        "tentative": 0
    }
    assert answers.labels[0] <= answers.labels[-1]
    assert [s.values for s in attendance.series] == [
        [register.counts.by_day[d].get(mode, 0) for d in sorted(register.counts.by_day)]
        for mode in ("in-person", "online")
    ]
    years = region[1]
    assert years.labels == ["14th (2021)", "15th (2022)", f"16th ({m.start.year})"]
    assert [s.values for s in years.series] == [[60, 40, 13], [7, 6, 6]]
    assert page[0] == 200 and page[1].count("<svg") == 2 and "<table>" in page[1]
    assert f"<td>{register.counts.by_day[sorted(register.counts.by_day)[0]]['in-person']}</td>" \
        in page[1]  # fmt: skip
    assert svg[0] == 200 and svg[1].startswith("image/svg+xml") and svg[2].startswith("<svg")
    assert forged == 403
    assert title == m.title
