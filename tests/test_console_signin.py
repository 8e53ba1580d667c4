"""Signing in to the console in a real browser: one-time links by mail, bound to the browser
that asked, 15 minutes, single use; the same answer for unknown addresses; rate limits;
sessions that expire and end (here or everywhere); forms refused without their token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from starter.devstack.catcher import SmtpCatcher
from tests.console_browser import (
    Checker,
    Site,
    audit_actions,
    chromium,
    console_site,
    mailed_link,
    mails_to,
    person,
    sign_in,
)

SECRETARIAT = "head.secretariat.ca@example.org"


@pytest_asyncio.fixture
async def site(
    dev_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher
) -> AsyncIterator[Site]:
    async with console_site(dev_env.client, store, catcher) as s:
        yield s


async def test_sign_in_by_mailed_link_then_sign_out(site: Site) -> None:
    checker = Checker()
    async with chromium() as browser:
        ctx = await person(browser)
        page = await ctx.new_page()
        await page.goto(f"{site.base}/console/")
        assert page.url.startswith(f"{site.base}/console/signin"), "signed out: to the sign-in"
        await checker.check(page, "signin")
        await sign_in(page, site.base, site.catcher, SECRETARIAT, checker)
        assert page.url == f"{site.base}/console/"
        await page.wait_for_selector("h1:has-text('Dashboard: region CA')")
        await checker.check(page, "dashboard-empty")
        cookie = next(c for c in await ctx.cookies() if c["name"] == "rtm_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        assert not cookie["secure"], "plain http on 127.0.0.1: no Secure flag"
        assert cookie["expires"] - datetime.now(UTC).timestamp() > 6.9 * 86400

        await page.get_by_role("button", name="Sign out").click()
        await page.wait_for_selector("h1:has-text('Sign in')")
        await page.goto(f"{site.base}/console/")
        assert "/console/signin" in page.url, "signed out for good"
        await ctx.close()
    assert "console.signed_in" in audit_actions(site.store)
    assert "console.signed_out" in audit_actions(site.store)


async def test_unknown_address_same_answer_and_no_mail(site: Site) -> None:
    async with chromium() as browser:
        ctx = await person(browser)
        page = await ctx.new_page()
        texts = []
        for email in (SECRETARIAT, "nobody@example.org"):
            await page.goto(f"{site.base}/console/signin")
            await page.get_by_label("E-mail address").fill(email)
            await page.get_by_role("button", name="Send me a sign-in link").click()
            texts.append((await page.inner_text("main")).replace(email, "<address>"))
        assert texts[0] == texts[1]
        await mailed_link(site.catcher, SECRETARIAT, 0)
        assert mails_to(site.catcher, "nobody@example.org") == 0
        await ctx.close()


async def test_link_is_single_use_bound_and_short_lived(site: Site) -> None:
    async with chromium() as browser:
        asker = await person(browser)
        page = await asker.new_page()
        await page.goto(f"{site.base}/console/signin")
        await page.get_by_label("E-mail address").fill("NFP.KZ@example.org")  # any case
        await page.get_by_role("button", name="Send me a sign-in link").click()
        link = await mailed_link(site.catcher, "nfp.kz@example.org", 0)

        other = await (await person(browser)).new_page()  # another browser: refused
        await other.goto(link)
        assert await other.get_by_role("button", name="Sign in").count() == 0
        await other.goto(f"{site.base}/console/signin")  # even with its own nonce
        await other.goto(link)
        await other.get_by_role("button", name="Sign in").click()
        assert "Link not valid" in await other.inner_text("h1")

        await page.goto(link)  # the asking browser: in, once
        await page.get_by_role("button", name="Sign in").click()
        assert page.url == f"{site.base}/console/my"
        fresh = await (await person(browser)).new_page()
        await fresh.goto(link)
        assert await fresh.get_by_role("button", name="Sign in").count() == 0

        await page.goto(f"{site.base}/console/signin")
        await page.goto(link)  # used: refused the second time, same browser
        await page.get_by_role("button", name="Sign in").click()
        assert "Link not valid" in await page.inner_text("h1")

        # a link older than 15 minutes is refused
        late = await (await person(browser)).new_page()
        await late.goto(f"{site.base}/console/signin")
        await late.get_by_label("E-mail address").fill("nfp.kg@example.org")
        await late.get_by_role("button", name="Send me a sign-in link").click()
        link = await mailed_link(site.catcher, "nfp.kg@example.org", 0)
        site.clock.at += timedelta(minutes=15, seconds=1)
        await late.goto(link)
        await late.get_by_role("button", name="Sign in").click()
        assert "Link not valid" in await late.inner_text("h1")
    assert "console.signin_refused" in audit_actions(site.store)


async def test_sessions_expire_idle_and_absolute_and_end_everywhere(site: Site) -> None:
    async with chromium() as browser:
        a, b = await person(browser), await person(browser)
        pa, pb = await a.new_page(), await b.new_page()
        await sign_in(pa, site.base, site.catcher, SECRETARIAT)
        await sign_in(pb, site.base, site.catcher, SECRETARIAT)
        site.clock.at += timedelta(hours=7, minutes=59)
        await pa.goto(f"{site.base}/console/")
        assert pa.url == f"{site.base}/console/", "within 8 h of the last page: still in"
        site.clock.at += timedelta(hours=1)
        await pb.goto(f"{site.base}/console/")
        assert "/console/signin" in pb.url, "idle for over 8 h: signed out"
        for _ in range(24):  # active every 7 hours, yet out after 7 days
            site.clock.at += timedelta(hours=7)
            await pa.goto(f"{site.base}/console/")
        assert "/console/signin" in pa.url, "older than 7 days: signed out"

        await sign_in(pa, site.base, site.catcher, "nfp.uz@example.org")
        await sign_in(pb, site.base, site.catcher, "nfp.uz@example.org")
        await pa.goto(f"{site.base}/console/my")
        csrf = await pa.locator("form[action='/console/signout'] input[name=csrf]").get_attribute(
            "value"
        )
        assert csrf
        async with aiohttp.ClientSession(
            cookies={c["name"]: c["value"] for c in await a.cookies()}
        ) as http:
            async with http.post(
                f"{site.base}/console/signout/everywhere", data={"csrf": "x"}
            ) as r:
                assert r.status == 403, "a form without its token is refused"
            await pb.goto(f"{site.base}/console/my")
            assert pb.url.endswith("/console/my"), "the refused form changed nothing"
            async with http.post(
                f"{site.base}/console/signout/everywhere", data={"csrf": csrf}
            ) as r:
                assert r.status == 200
        await pb.goto(f"{site.base}/console/my")
        assert "/console/signin" in pb.url, "signed out everywhere: the other browser too"
    assert "console.csrf_refused" in audit_actions(site.store)


async def test_sign_in_requests_are_rate_limited(site: Site) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(f"{site.base}/console/signin") as r:
            page = await r.text()
        csrf = page.split('name="csrf" value="')[1].split('"')[0]
        statuses = []
        for _ in range(6):
            async with http.post(
                f"{site.base}/console/signin", data={"csrf": csrf, "email": "nfp.mn@example.org"}
            ) as r:
                statuses.append(r.status)
        assert statuses == [200] * 5 + [429]
        async with http.post(
            f"{site.base}/console/signin", data={"csrf": csrf, "email": "nobody@example.org"}
        ) as r:
            assert r.status == 200, "another address from the same client still gets an answer"
        for i in range(14):
            async with http.post(
                f"{site.base}/console/signin", data={"csrf": csrf, "email": f"x{i}@example.org"}
            ) as r:
                assert r.status == 200
        async with http.post(
            f"{site.base}/console/signin", data={"csrf": csrf, "email": "nfp.pk@example.org"}
        ) as r:
            assert r.status == 429, "20 requests from one client in 15 minutes"
        site.clock.at += timedelta(minutes=16)
        async with http.post(
            f"{site.base}/console/signin", data={"csrf": csrf, "email": "nfp.mn@example.org"}
        ) as r:
            assert r.status == 200
        await mailed_link(site.catcher, "nfp.mn@example.org", 5)
    assert mails_to(site.catcher, "nfp.mn@example.org") == 6


async def test_an_operators_link_signs_in_the_first_browser_only(site: Site) -> None:
    from activities.store.console import ConsoleStore
    from starter.web.console.auth import operator_link

    link = operator_link(ConsoleStore(site.store.url, site.store.engine), site.base, "ca-sec-head")
    async with chromium() as browser:
        first = await (await person(browser)).new_page()
        await first.goto(link)
        await first.get_by_role("button", name="Sign in").click()
        assert first.url == f"{site.base}/console/"
        other = await (await person(browser)).new_page()
        await other.goto(link)
        await other.get_by_role("button", name="Sign in").click()
        assert "Link not valid" in await other.inner_text("h1"), "single use"
