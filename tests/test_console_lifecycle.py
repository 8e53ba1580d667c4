"""A whole meeting through the console's pages in a real browser, on the time-skipping
server: the secretariat plans and watches the invitations go out; an NFP answers and
proposes; the secretariat accepts, publishes, checks the NFP in on a phone-sized page,
records minutes and an action; the NFP marks it done; the auditor reads the timeline.
Every page is checked (axe-core, labels, lang, headings, 390 px and 1280 px) and left as a
screenshot under var/screenshots/."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.async_api import Page
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.agenda.template import ItemStatus
from domain.attendance.register import Mode
from domain.common import i18n
from domain.common.terms import term
from domain.followup.actions import ActionStatus
from domain.meeting.status import StatusPage
from domain.registration.answers import Actor, Attendance, Channel
from domain.registration.held import HoldReplyCommand
from starter.cli.inputs import read_directory
from starter.client import commands
from starter.data import AUDITORS
from starter.devstack.catcher import SmtpCatcher
from tests.console_browser import Checker, chromium, console_site, person, sign_in
from tests.factories import central_asia, unique_id
from tests.harness import advance_to, running_worker
from tests.ports import free_port
from tests.test_languages import _Balanced, pseudo_locale, untranslated

__all__ = ["pseudo_locale"]  # the fixture, used by name below

SECRETARIAT = "head.secretariat.ca@example.org"
NFP_KZ = "nfp.kz@example.org"
AUDITOR = "auditor@example.org"
# pages that answered a form (a GET of their address is another page)
ANSWERS_TO_POSTS = {"signin-sent", "plan-errors", "reschedule-confirm", "cancel-confirm"}
ANSWERS_TO_POSTS |= {"followup-preview"}


async def reload_until(page: Page, text: str, tries: int = 100) -> None:
    for _ in range(tries):
        if text in await page.inner_text("main"):
            return
        await page.wait_for_timeout(200)
        await page.reload()
    raise AssertionError(f"{text!r} never showed on {page.url}")


async def test_a_meeting_from_plan_to_audit_through_the_pages(
    skipping_env: WorkflowEnvironment, tmp_path: Path, pseudo_locale: str
) -> None:
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(central_asia())
    store.load_directory(read_directory(AUDITORS))
    checker = Checker()
    meeting_id = unique_id()
    start = (datetime.now(UTC) + timedelta(days=42)).replace(tzinfo=None, second=0, microsecond=0)
    start = start.replace(hour=9, minute=0)
    with SmtpCatcher(port=free_port()) as catcher:
        async with (
            running_worker(env.client, store, catcher.port) as queue,
            console_site(env.client, store, catcher, queue) as site,
            chromium() as browser,
        ):
            base = site.base
            sec = await (await person(browser)).new_page()
            await sign_in(sec, base, catcher, SECRETARIAT)
            await checker.check(sec, "dashboard")

            # plan from the form: a mistake first, shown next to its field, nothing started
            await sec.goto(f"{base}/console/plan")
            await checker.check(sec, "plan")
            await sec.get_by_label("Meeting id").fill(meeting_id)
            await sec.get_by_label("Title").fill("16th RTM of National Focal Points")
            await sec.get_by_label("Venue time zone").fill("Asia/Dubai")
            await sec.get_by_label("Start (venue time)").fill(f"{start:%Y-%m-%dT%H:%M}")
            end = start + timedelta(days=1, hours=8)
            await sec.get_by_label("End (venue time)").fill(f"{end:%Y-%m-%dT%H:%M}")
            await sec.get_by_label("Venue name").fill("Dubai Exhibition Centre")
            await sec.get_by_label("City").fill("Dubai")
            await sec.get_by_label("Country", exact=True).fill("United Arab Emirates")
            await sec.get_by_role("button", name="Plan the meeting").click()
            error = sec.locator("#e-join_link")
            assert "join_link" in await error.inner_text() or "required" in await error.inner_text()
            await checker.check(sec, "plan-errors")
            try:
                await commands.status(env.client, meeting_id)
                raise AssertionError("a refused plan started a workflow")
            except commands.NoSuchMeeting:
                pass
            await sec.get_by_label("Join link").fill("https://meet.example.org/rtm-ca-16")
            await sec.get_by_role("button", name="Plan the meeting").click()
            await sec.wait_for_url(f"{base}/console/meetings/{meeting_id}?done=planned")
            await reload_until(sec, "registration is open")  # the notice follows the phase
            await reload_until(sec, "sent")
            shown = await sec.inner_text("main")
            assert "Aigerim Nurlanovna Bekova" in shown
            assert "Kazakhstan" in shown and "Kyrgyz Republic" in shown, "names, not codes"

            # a calendar reply from an unauthenticated sender waits for the secretariat: shown
            # on the meeting and the dashboard, confirmed with a button there
            held = HoldReplyCommand(
                participant_id="kg-nfp", attendance=Attendance.ONLINE, sequence=0,
                sender="nfp.kg@example.org", envelope_from="bounce@mailer.example",
                reason="no DKIM signature", actor=Actor(id="kg-nfp", channel=Channel.CALENDAR),
            )  # fmt: skip
            await commands.hold_reply(env.client, store, meeting_id, held)
            await reload_until(sec, "no DKIM signature")  # another door: shown within moments
            await checker.check(sec, "meeting")
            await sec.goto(f"{base}/console/")
            await reload_until(sec, "Confirm the reply of Bakyt Asanov")
            await checker.check(sec, "dashboard-held")
            await sec.get_by_role("button", name="Confirm the reply of Bakyt Asanov").click()
            await sec.wait_for_url(re.compile(r"done=reply-confirmed"))
            kg = await commands.status(env.client, meeting_id, StatusPage(participant_id="kg-nfp"))
            assert kg.participants[0].attendance is Attendance.ONLINE and not kg.held_replies

            # the NFP signs in, answers, proposes an item
            nfp = await (await person(browser)).new_page()
            await sign_in(nfp, base, catcher, NFP_KZ)
            await checker.check(nfp, "my-meetings")
            await nfp.get_by_role("link", name=re.compile("16th RTM")).click()
            await checker.check(nfp, "my-meeting")
            invitation = await nfp.locator("#invitation + dl").inner_text()  # my invitation
            assert term("sent", "ru") in invitation and NFP_KZ in invitation, invitation
            await nfp.locator("#att-in-person").check()  # the NFP reads Russian
            await nfp.locator("form[action$='/answer'] button[type=submit]").click()
            await nfp.wait_for_url(re.compile(r"done=answer"))
            status = await commands.status(env.client, meeting_id)
            row = status.participant("kz-nfp")
            assert row.attendance is Attendance.IN_PERSON and row.answered_via == "web"
            await nfp.locator("#title").fill("Kazakhstan: national CBRN action plan")
            await nfp.locator("#minutes").fill("20")
            await nfp.locator("form[action$='/propose'] button[type=submit]").click()
            await nfp.wait_for_url(re.compile(r"done=proposed"))
            async with nfp.expect_download() as dl:
                await nfp.locator("a[href$='invite.ics']").click()
            ics = Path(await (await dl.value).path()).read_text()
            assert "BEGIN:VEVENT" in ics and "nfp.kz@example.org" in ics.replace("\r\n ", "")

            # the secretariat accepts and publishes
            await sec.goto(f"{base}/console/meetings/{meeting_id}/agenda")
            await checker.check(sec, "agenda")
            proposer = sec.locator("td[data-label='Proposed by']").first
            assert "Aigerim Nurlanovna Bekova" in await proposer.inner_text(), "by name, not id"
            await sec.get_by_role(
                "button", name="Accept “Kazakhstan: national CBRN action plan”"
            ).click()
            await sec.wait_for_url(re.compile(r"done=decided"))
            await sec.get_by_role("button", name="Publish the agenda").click()
            await sec.wait_for_url(re.compile(r"done=published"))
            agenda = await commands.agenda(env.client, meeting_id)
            item = next(i for i in agenda.items if i.title.startswith("Kazakhstan"))
            assert item.status is ItemStatus.ACCEPTED and agenda.published_version >= 1
            await nfp.reload()
            assert "Kazakhstan: national CBRN action plan" in await nfp.inner_text("main")

            # reschedule and cancel stop at a page naming who will be mailed; going back
            # from it changes nothing
            sequence = (await commands.status(env.client, meeting_id)).sequence
            await sec.goto(f"{base}/console/meetings/{meeting_id}/reschedule")
            await checker.check(sec, "reschedule")
            later = start + timedelta(days=7)
            await sec.get_by_label("New start").fill(f"{later:%Y-%m-%dT%H:%M}")
            await sec.get_by_label("New end").fill(f"{later + timedelta(days=1):%Y-%m-%dT%H:%M}")
            await sec.get_by_role("button", name="Continue").click()
            await sec.wait_for_selector("h1:has-text('Confirm the new dates')")
            assert "Aigerim Nurlanovna Bekova" in await sec.inner_text("main")
            assert "15 people will be mailed" in await sec.inner_text("main")
            await checker.check(sec, "reschedule-confirm")
            await sec.get_by_role("link", name="Back, nothing changed").click()
            await sec.goto(f"{base}/console/meetings/{meeting_id}/cancel")
            await checker.check(sec, "cancel")
            await sec.get_by_label("Reason").fill("no venue")
            await sec.get_by_role("button", name="Continue").click()
            await checker.check(sec, "cancel-confirm")
            await sec.get_by_role("link", name="Back, nothing changed").click()
            again = await commands.status(env.client, meeting_id)
            assert again.sequence == sequence and again.phase.value == "registration"
            await nfp.goto(f"{base}/console/meetings/{meeting_id}/desk")
            assert i18n.gettext("ru", "Not allowed") in await nfp.inner_text("h1")  # theirs
            await checker.check(nfp, "forbidden")

            # the meeting day: check-in at the desk on a phone
            m = status.meeting
            await advance_to(env, m.start_utc() + timedelta(hours=1))
            site.clock.at = await env.get_current_time()
            phone = await (await person(browser, "phone")).new_page()
            await sign_in(phone, base, catcher, SECRETARIAT)
            await phone.goto(f"{base}/console/meetings/{meeting_id}/desk")
            await checker.check(phone, "desk")
            await phone.get_by_role("button", name="Check in Aigerim Nurlanovna Bekova").click()
            await phone.wait_for_url(re.compile(r"done=checked-in"))
            assert "Aigerim Nurlanovna Bekova is checked in" in await phone.inner_text("main")
            register = await commands.attendance(env.client, meeting_id)
            assert [
                (p.participant_id, p.mode, p.actor.channel.value) for p in register.presences
            ] == [("kz-nfp", Mode.IN_PERSON, "web")]
            await phone.goto(f"{base}/console/meetings/{meeting_id}/attendance")
            await checker.check(phone, "attendance")

            # after the meeting: minutes with a preview, and an action for Kazakhstan
            await advance_to(env, m.end_utc() + timedelta(hours=2))
            site.clock.at = await env.get_current_time()
            sec = await (await person(browser)).new_page()
            await sign_in(sec, base, catcher, SECRETARIAT)
            await sec.goto(f"{base}/console/meetings/{meeting_id}/followup")
            await sec.get_by_label("Minutes (Markdown)").fill(
                "# Minutes\n\n**Decided**: <script>alert(1)</script> an action plan review."
            )
            await sec.get_by_role("button", name="Preview the minutes").click()
            preview = sec.locator(".preview")
            assert await preview.locator("strong").inner_text() == "Decided"
            assert await preview.locator("script").count() == 0
            await checker.check(sec, "followup-preview")
            await sec.locator("#what-1").fill("Send the updated national action plan")
            await sec.locator("#kind-1").select_option("country")
            await sec.locator("#owner-1").fill("KZ")
            due = m.end.date() + timedelta(days=60)
            await sec.locator("#due-1").fill(f"{due:%Y-%m-%d}")
            await sec.get_by_role("button", name="Record the minutes and actions").click()
            await sec.wait_for_url(re.compile(r"done=minutes"))
            await reload_until(sec, "Send the updated national action plan")
            await checker.check(sec, "followup")
            async with sec.expect_download() as dl:
                await sec.get_by_role("link", name="The meeting report (Markdown)").click()
            report = Path(await (await dl.value).path()).read_text()
            assert "16th RTM" in report and "Send the updated national action plan" in report
            await sec.goto(f"{base}/console/")
            await checker.check(sec, "dashboard-after")

            # the NFP marks it done with a note
            nfp = await (await person(browser)).new_page()
            await sign_in(nfp, base, catcher, NFP_KZ)
            await nfp.goto(f"{base}/console/my/actions")
            await reload_until(nfp, "Send the updated national action plan")
            await checker.check(nfp, "my-actions")
            await nfp.locator(f"#note-{meeting_id}-A1").fill("Sent on paper and by mail")
            await nfp.locator(f"form[action$='/{meeting_id}/A1'] button[type=submit]").click()
            await nfp.wait_for_url(re.compile(r"done=action-done"))
            done = await commands.action_status(env.client, f"{meeting_id}-A1")
            assert done.status is ActionStatus.DONE and done.note == "Sent on paper and by mail"

            # the auditor reads everything, with the timeline
            aud = await (await person(browser)).new_page()
            await sign_in(aud, base, catcher, AUDITOR)
            assert aud.url.endswith("/console/audit")
            await checker.check(aud, "audit-overview")
            await aud.get_by_role("link", name=f"Timeline of {meeting_id}").click()
            await checker.check(aud, "timeline")
            await aud.get_by_label("Channel").select_option("web")
            await aud.get_by_role("button", name="Filter").click()
            shown = await aud.inner_text("main")
            assert "kz-nfp" in shown and "ca-sec-head" in shown
            assert "check-in" in shown and "agenda.publish" in shown
            await aud.goto(f"{base}/console/meetings/{meeting_id}")
            await checker.check(aud, "meeting-auditor")
            assert await aud.get_by_role("button", name="Chase now").count() == 0

            # a third language is a catalogue and nothing else: every page again, in a
            # pseudo-locale that wraps and lengthens every string, each by its own reader
            pages = await checker.again_in(pseudo_locale, base, skip=ANSWERS_TO_POSTS)
            csrf = re.findall(r'name="csrf" value="([^"]+)"', await sec.content())[0]
            change = f"{base}/console/meetings/{meeting_id}"
            moved = {"start": f"{later:%Y-%m-%dT%H:%M}", "end": f"{later:%Y-%m-%dT%H:%M}"}
            for name, path, form in (  # the pages that answer a form, asked again
                ("reschedule-confirm", "/reschedule", moved),
                ("cancel-confirm", "/cancel", {"reason": "no venue"}),
                ("followup-preview", "/followup", {"minutes": "Decided", "preview": "1"}),
            ):
                answer = await sec.context.request.post(change + path, form=form | {"csrf": csrf})
                assert answer.status == 200, (name, answer.status)
                pages[name] = await answer.text()
            unlinked = {  # the plan's first attempt again: a hybrid meeting without its link
                "id": "RTM-CA-99", "title": "16th RTM of National Focal Points",
                "zone": "Asia/Dubai", "format": "hybrid", "countries": "KZ",
                "start": f"{start:%Y-%m-%dT%H:%M}", "end": f"{end:%Y-%m-%dT%H:%M}",
                "venue.name": "Dubai Exhibition Centre", "venue.city": "Dubai",
                "venue.country": "United Arab Emirates",
            }  # fmt: skip
            answer = await sec.context.request.post(
                f"{base}/console/plan", form=unlinked | {"csrf": csrf}
            )
            assert answer.status == 400
            pages["plan-errors"] = await answer.text()
            assert 'id="e-join_link"' in pages["plan-errors"]
            agenda = await commands.agenda(env.client, meeting_id)
            data = [meeting_id, "16th RTM of National Focal Points", "Asia/Dubai"]
            data += ["Dubai Exhibition Centre", "Dubai", "United Arab Emirates"]
            data += [i.title for i in agenda.items] + [p.name for p in store.participants()]
            data += ["Send the updated national action plan", "Sent on paper and by mail"]
            data += ["no venue", "Decided", "RTM-CA-99", "Central Asia"]
            directory = central_asia()  # the plan form lists the region's invitees by name
            data += [c.name for c in directory.countries]
            data += [o.name for o in directory.organisations]
            data += [o.name for o in read_directory(AUDITORS).organisations]
            for name, html in pages.items():
                assert f'<html lang="{pseudo_locale}">' in html, name
                if name == "timeline":  # the audit's records (and kinds) are kept as written
                    html = re.sub(r"<tbody>.*?</tbody>", "", html, flags=re.S)
                    html = re.sub(r'<select id="kind".*?</select>', "", html, flags=re.S)
                assert "⟦" in html, name
                checker_html = _Balanced()
                checker_html.feed(html)
                assert checker_html.open == [], name
                assert untranslated(html, data) == set(), (name, untranslated(html, data))
            assert len(pages) >= 15
    assert {
        "dashboard",
        "plan",
        "meeting",
        "agenda",
        "desk",
        "followup",
        "timeline",
    } <= checker.seen
