"""The reports from the console: the region's secretariat downloads the report, the
register, the desk's list, the charts and the tracker; an NFP is refused (403, audited);
bad parameters answer 400 naming them. Real app, worker and time-skipping server."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.attendance.register import CheckInCommand
from domain.followup.actions import ActionSpec, Owner, OwnerKind
from domain.followup.minutes import MinutesCommand
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.client import commands
from starter.devstack.catcher import SmtpCatcher
from tests.console_browser import audit_actions, console_site, signed_in
from tests.factories import central_asia, meeting
from tests.harness import advance_to, invited, plan, running_worker
from tests.pdf_pages import pdf_text
from tests.ports import free_port

SECRETARIAT = Actor(id="ca-sec-head", channel=Channel.CLI)


async def test_secretariat_downloads_the_reports_and_an_nfp_is_refused(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(central_asia())
    m = meeting(organisations=["JRC"])
    with SmtpCatcher(port=free_port()) as catcher:
        async with (
            running_worker(env.client, store, catcher.port) as queue,
            console_site(env.client, store, catcher, queue) as site,
        ):
            await invited(await plan(env.client, m, queue))
            for pid in ("kz-nfp", "kg-nfp", "jrc-obs"):
                await commands.rsvp(
                    env.client,
                    store,
                    m.id,
                    RsvpCommand(
                        participant_id=pid, attendance=Attendance.IN_PERSON, actor=SECRETARIAT
                    ),
                )
            await advance_to(env, m.start_utc() - timedelta(minutes=10))
            for pid in ("kz-nfp", "jrc-obs"):
                await commands.check_in(
                    env.client, store, m.id, CheckInCommand(participant_id=pid, actor=SECRETARIAT)
                )
            await advance_to(env, m.end_utc() + timedelta(hours=1))
            site.clock.at = await env.get_current_time()
            await commands.record_minutes(env.client, store, m.id, MinutesCommand(
                markdown="# Minutes", actor=SECRETARIAT, actions=[ActionSpec(
                    what="Share the national update", due=m.end.date() + timedelta(days=30),
                    owner=Owner(kind=OwnerKind.COUNTRY, code="KZ"))]))  # fmt: skip

            base = f"{site.base}/console/meetings/{m.id}"
            http, _ = await signed_in(site.base, catcher, "head.secretariat.ca@example.org")
            async with http:
                got = {}
                for path in ("report.pdf", "report.md?language=ru", "register.csv",
                             "register.xlsx", "participants.pdf", "charts"):  # fmt: skip
                    async with http.get(f"{base}/{path}") as r:
                        got[path] = (r.status, r.headers.get("Content-Type", ""), await r.read())
                async with http.get(f"{site.base}/console/actions.csv?country=KZ") as r:
                    tracker = (r.status, (await r.read()).decode())
                async with http.get(f"{site.base}/console/regions/CA/charts") as r:
                    region = (r.status, await r.text())
                bad = {}
                for path in (f"{base}/report.md?language=de", f"{base}/register.doc",
                             f"{site.base}/console/actions.csv?state=lost"):  # fmt: skip
                    async with http.get(path) as r:
                        bad[path.rsplit("/", 1)[1]] = (r.status, await r.text())
            nfp, _ = await signed_in(site.base, catcher, "nfp.kz@example.org")
            async with nfp:
                async with nfp.get(f"{base}/report.pdf") as r:
                    refused = r.status
                async with nfp.get(f"{site.base}/console/actions.csv") as r:
                    refused_tracker = r.status
                async with nfp.get(f"{site.base}/console/regions/CA/charts") as r:
                    refused_region = r.status

    assert {k: v[0] for k, v in got.items()} == dict.fromkeys(got, 200)
    assert got["report.pdf"][1] == "application/pdf"
    text = pdf_text(got["report.pdf"][2])
    assert "bring together 2 participants" in text and "the Republic of Kazakhstan" in text
    assert "Республика Казахстан" in got["report.md?language=ru"][2].decode()
    rows = list(csv.DictReader(io.StringIO(got["register.csv"][2].decode())))
    assert [(r["code"], r["participants"]) for r in rows] == [("KZ", "1"), ("JRC", "1"),
                                                             ("", "2")]  # fmt: skip
    book = load_workbook(io.BytesIO(got["register.xlsx"][2]))
    assert len(list(book["Presences"].iter_rows())) == 3  # header and two check-ins
    desk = pdf_text(got["participants.pdf"][2])
    assert "3 participants expected" in desk and desk.count("✓") == 2
    assert got["charts"][2].count(b"<svg") == 2
    assert tracker[0] == 200
    assert [r["what"] for r in csv.DictReader(io.StringIO(tracker[1]))] == [
        "Share the national update"
    ]
    assert bad["report.md?language=de"][0] == 400 and "language: 'de'" in bad[
        "report.md?language=de"][1]  # fmt: skip
    assert bad["register.doc"][0] == 400 and "format: 'doc'" in bad["register.doc"][1]
    assert bad["actions.csv?state=lost"][0] == 400 and "state" in bad["actions.csv?state=lost"][1]
    assert region[0] == 200 and region[1].count("<svg") == 2
    assert "Actions by state over time" in region[1] and "<td>1</td>" in region[1]
    assert refused == refused_tracker == refused_region == 403
    assert audit_actions(store).count("console.forbidden") == 3
