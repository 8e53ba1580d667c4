"""The secretariat's directory and cycle pages in a real browser, on the dev server (the
cycle is a Schedule): add and edit with errors next to their field, a person's ordered
languages, deactivate (no more sign-in), a CSV import that previews before it changes
anything; create, pause, resume and trigger the cycle, then schedule the RTM it planned."""

from __future__ import annotations

import contextlib
import uuid

from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.common.contracts import Phase
from domain.directory.models import Country, Directory, Organisation, Participant, Region, Role
from starter.client import commands, cycle
from starter.devstack.catcher import SmtpCatcher
from tests.console_browser import (
    Checker,
    audit_actions,
    chromium,
    console_site,
    mails_to,
    person,
    sign_in,
)
from tests.harness import running_worker


def region_directory(code: str) -> Directory:
    """A small region of its own, so that its cycle and RTM numbers meet no other test's."""
    return Directory(
        regions=[
            Region(
                code=code,
                name="Test Region",
                secretariat_city="Baku",
                secretariat_email=f"secretariat.{code.lower()}@example.org",
                zone="Asia/Baku",
                last_rtm_number=3,
            )
        ],
        countries=[Country(code=f"{code}1", name="Testland", region=code)],
        organisations=[Organisation(code=f"SEC-{code}", name="Test Secretariat")],
        participants=[
            Participant(
                id=f"{code.lower()}-sec",
                name="Leyla Aliyeva",
                role=Role.SECRETARIAT,
                email=f"sec.{code.lower()}@example.org",
                organisation=f"SEC-{code}",
            ),
            Participant(
                id=f"{code.lower()}-nfp",
                name="Rashad Mammadov",
                role=Role.NFP,
                email=f"nfp.{code.lower()}@example.org",
                country=f"{code}1",
            ),
        ],
    )


async def test_directory_and_cycle_pages(
    dev_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher
) -> None:
    code = f"X{uuid.uuid4().hex[:4].upper()}"
    store.load_directory(region_directory(code))
    low = code.lower()
    checker = Checker()
    async with (
        running_worker(dev_env.client, store, catcher.port) as queue,
        console_site(dev_env.client, store, catcher, queue) as site,
        chromium() as browser,
    ):
        base = site.base
        page = await (await person(browser)).new_page()
        await sign_in(page, base, catcher, f"sec.{low}@example.org")
        await page.goto(f"{base}/console/directory")
        await checker.check(page, "directory")
        assert "Rashad Mammadov" in await page.inner_text("main")
        assert "Aigerim" not in await page.inner_text("main"), "only the region's people"

        # add: a bad address is refused next to its field, nothing is written
        await page.get_by_role("link", name="Add a person").click()
        await page.get_by_label("Id").fill(f"{low}-deputy")
        await page.get_by_label("Name").fill("Aysel Huseynova")
        await page.get_by_label("E-mail").fill("not-an-address")
        await page.get_by_label("Country", exact=True).select_option(f"{code}1")
        await page.evaluate("document.querySelector('form[action$=\"/new\"]').noValidate = true")
        await page.get_by_role("button", name="Save").click()
        assert await page.locator("#e-email").count() == 1
        await checker.check(page, "directory-add-errors")
        assert f"{low}-deputy" not in {p.id for p in store.participants()}
        await page.get_by_label("E-mail").fill(f"deputy.{low}@example.org")
        await page.get_by_role("button", name="Save").click()
        await page.wait_for_url(f"{base}/console/directory?done=saved")
        added = {p.id: p for p in store.participants()}[f"{low}-deputy"]
        assert added.role is Role.NFP and added.country == f"{code}1"

        # edit
        await page.get_by_role("link", name="Edit Aysel Huseynova").click()
        await page.get_by_label("Role").select_option("deputy_nfp")
        await page.get_by_role("button", name="Save").click()
        await page.wait_for_url(f"{base}/console/directory?done=saved")
        assert {p.id: p for p in store.participants()}[f"{low}-deputy"].role is Role.DEPUTY_NFP

        # languages: the ordered list kept, the language their mail is in shown; a code that
        # is no language refused next to its field, nothing written
        def languages() -> list[str]:
            return {p.id: p.languages for p in store.participants()}[f"{low}-nfp"]

        assert languages() == ["en"]
        language = page.get_by_role("textbox", name="Language")
        await page.get_by_role("link", name="Edit Rashad Mammadov").click()
        await language.fill("uz, ru, en")
        await page.get_by_role("button", name="Save").click()
        await page.wait_for_url(f"{base}/console/directory?done=saved")
        assert languages() == ["uz", "ru", "en"]
        listed = await page.locator("tr", has_text="Rashad Mammadov").inner_text()
        assert "uz, ru, en (mail in Русский)" in listed, listed
        await page.get_by_role("link", name="Edit Rashad Mammadov").click()
        assert await language.input_value() == "uz, ru, en"  # the whole list, in its order
        await language.fill("uz, xx")
        await page.get_by_role("button", name="Save").click()
        error = page.locator("#e-language")
        assert await error.count() == 1
        assert "'xx' is not a language code" in await error.inner_text()
        await checker.check(page, "directory-languages-error")
        assert languages() == ["uz", "ru", "en"]
        await language.fill("en")  # back as the file has it, for the import below
        await page.get_by_role("button", name="Save").click()
        await page.wait_for_url(f"{base}/console/directory?done=saved")
        assert languages() == ["en"]

        # deactivate: no sign-in link any more (the same answer as for a stranger)
        await page.get_by_role("button", name="Deactivate Rashad Mammadov").click()
        await page.wait_for_url(f"{base}/console/directory?done=saved")
        row = page.locator("tr", has_text="Rashad Mammadov")
        assert "inactive" in await row.inner_text()
        assert store.inactive() == {f"{low}-nfp"}
        invitees, _ = store.resolve_participants([], [f"{code}1"], [])
        assert f"{low}-nfp" not in {p.id for p in invitees}, "no new invitation reaches them"
        before = mails_to(catcher, f"nfp.{low}@example.org")
        other = await (await person(browser)).new_page()
        await other.goto(f"{base}/console/signin")
        await other.get_by_label("E-mail address").fill(f"nfp.{low}@example.org")
        await other.get_by_role("button", name="Send me a sign-in link").click()
        await other.wait_for_selector("h1:has-text('Check your mail')")
        await other.wait_for_timeout(500)
        assert mails_to(catcher, f"nfp.{low}@example.org") == before
        await page.get_by_role("button", name="Reactivate Rashad Mammadov").click()
        await page.wait_for_url(f"{base}/console/directory?done=saved")
        assert store.inactive() == set()

        # CSV import: preview first (nothing written), refusals block applying
        csv_text = (
            "id,name,email,role,country\n"
            f"{low}-nfp,Rashad Mammadov,nfp.{low}@example.org,nfp,{code}1\n"
            f"{low}-expert,Elvin Guliyev,expert.{low}@example.org,expert,{code}1\n"
            f"{low}-deputy,Aysel Huseynova-Aliyeva,deputy.{low}@example.org,deputy_nfp,{code}1\n"
            "kz-nfp,Intruder,x@example.org,nfp,KZ\n"
        )
        await page.goto(f"{base}/console/directory/import")
        await page.get_by_label("or paste its text").fill(csv_text)
        await page.get_by_role("button", name="Show what would change").click()
        shown = await page.inner_text("main")
        assert "not a country of region" in shown and "correct the refused rows" in shown
        assert await page.get_by_role("button", name="Apply these changes").count() == 0
        assert f"{low}-expert" not in {p.id for p in store.participants()}
        await page.get_by_label("or paste its text").fill(csv_text.rsplit("kz-nfp", 1)[0])
        await page.get_by_role("button", name="Show what would change").click()
        await checker.check(page, "directory-import-preview")
        rows = await page.locator("table tbody tr").all_inner_texts()
        assert [r.split("\t")[2].strip() for r in rows] == ["unchanged", "to add", "to change"]
        assert f"{low}-expert" not in {p.id for p in store.participants()}, "preview only"
        await page.get_by_role("button", name="Apply these changes").click()
        await page.wait_for_url(f"{base}/console/directory?done=imported")
        people = {p.id: p for p in store.participants()}
        assert people[f"{low}-expert"].name == "Elvin Guliyev"
        assert people[f"{low}-deputy"].name == "Aysel Huseynova-Aliyeva"
        assert "directory.import" in audit_actions(store)

        # the cycle: create, pause (trigger refused), resume, trigger: RTM 4 planned
        try:
            await page.goto(f"{base}/console/cycle")
            await page.get_by_role("button", name="Create the cycle").click()
            await page.wait_for_url(f"{base}/console/cycle?done=cycle")
            await checker.check(page, "cycle")
            await page.get_by_role("button", name="Pause the cycle").click()
            await page.get_by_role("button", name="Plan the next RTM now").click()
            assert "paused" in await page.inner_text("main")
            assert (await cycle.show(dev_env.client, code)).paused
            await page.get_by_role("button", name="Resume the cycle").click()
            await page.get_by_role("button", name="Plan the next RTM now").click()
            await page.wait_for_url(f"{base}/console/cycle?done=cycle")
            meeting_id = f"RTM-{code}-4"
            for _ in range(100):
                await page.goto(f"{base}/console/")
                if f"{meeting_id} is planned" in await page.inner_text("main"):
                    break
                await page.wait_for_timeout(300)
            await page.get_by_role("link", name=f"{meeting_id} is planned").click()
            await checker.check(page, "schedule")
            await page.get_by_label("Format").select_option("online")
            await page.get_by_label("Join link").fill("https://meet.example.org/test")
            await page.get_by_role("button", name="Schedule and send the invitations").click()
            await page.wait_for_url(f"{base}/console/meetings/{meeting_id}?done=scheduled")
            status = await commands.status(dev_env.client, meeting_id)
            assert status.phase is not Phase.PLANNED and not status.meeting.planned
        finally:
            with contextlib.suppress(cycle.CycleError):
                await cycle.delete(dev_env.client, code)
