"""The console in a real browser: Debian's Chromium driven by Playwright, axe-core injected,
each page checked at 390 px and 1280 px and left as a screenshot under var/screenshots/."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from sqlalchemy import text
from temporalio.client import Client

from activities.store import Store
from starter.devstack.catcher import SmtpCatcher
from starter.web.app import make_app, serve
from starter.web.console.render import LANGUAGE_COOKIE
from tests.harness import LINK_KEY, settings_for
from tests.ports import free_port

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path("var/node/node_modules/axe-core/axe.min.js")
SCREENSHOTS = Path("var/screenshots")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {"phone": (390, 844), "desk": (1280, 900)}


def browser_reason() -> str | None:
    """None when the browser tests can run here, else why they skip."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (scripts/bootstrap.sh installs Debian's chromium)"
    if not AXE.exists():
        return f"{AXE} is missing (scripts/bootstrap.sh installs axe-core from npm)"
    return None


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    reason = browser_reason()
    if reason:
        pytest.skip(reason)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def person(browser: Browser, width: str = "desk") -> BrowserContext:
    """A browser profile of one person (own cookies); CSP bypassed only to inject axe."""
    w, h = WIDTHS[width]
    return await browser.new_context(viewport={"width": w, "height": h}, bypass_csp=True)


_AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ': ' + v.help + ' @ ' + v.nodes.map(n => n.target.join(' ')).join(', '));
}"""

_LAYOUT = r"""() => {
  const levels = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]);
  const unlabelled = [...document.querySelectorAll('input:not([type=hidden]),select,textarea')]
    .filter(c => !(c.labels && c.labels.length) && !c.getAttribute('aria-label')).map(c => c.name);
  const broken = [];  // a word of a table cell split over two lines ("Min-utes")
  for (const cell of document.querySelectorAll('th, td')) {
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      for (const m of node.data.matchAll(/\p{L}{2,}/gu)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        if (range.getClientRects().length > 1) broken.push(m[0]);
      }
    }
  }
  return {lang: document.documentElement.lang, levels,
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          unlabelled, broken};
}"""


@dataclass
class Checker:
    """Checks every page it is shown, at both widths; collects what it found wrong, and
    remembers where each page was (to show it again in another language)."""

    seen: set[str] = field(default_factory=set)
    visited: dict[str, tuple[BrowserContext, str]] = field(default_factory=dict)

    async def again_in(self, lang: str, base: str, skip: Collection[str] = ()) -> dict[str, str]:
        """Every page seen (but `skip`, those a POST answered), fetched again by the same
        person with the language form's cookie set to `lang`: name -> HTML."""
        pages: dict[str, str] = {}
        for name, (context, url) in self.visited.items():
            if name in skip:
                continue
            await context.add_cookies([{"name": LANGUAGE_COOKIE, "value": lang, "url": base}])
            answer = await context.request.get(url)  # the context's cookies, no rendering
            pages[name] = await answer.text()
        return pages

    async def check(self, page: Page, name: str) -> None:
        original = page.viewport_size
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for w, h in WIDTHS.values():
            await page.set_viewport_size({"width": w, "height": h})
            await page.add_script_tag(path=str(AXE))
            violations = await page.evaluate(_AXE_RUN)
            assert violations == [], f"{name} at {w}px: {violations}"
            layout: dict[str, Any] = await page.evaluate(_LAYOUT)
            assert layout["lang"], f"{name}: no lang on <html>"
            levels = layout["levels"]
            assert levels and levels[0] == 1, f"{name}: the first heading is not an h1"
            for a, b in itertools.pairwise(levels):
                assert b <= a + 1, f"{name}: heading levels jump from h{a} to h{b} in {levels}"
            assert layout["unlabelled"] == [], f"{name}: controls without label"
            assert layout["overflow"] <= 0, f"{name} scrolls sideways at {w}px"
            assert layout["broken"] == [], f"{name} at {w}px splits words: {layout['broken']}"
            await page.screenshot(path=str(SCREENSHOTS / f"{name}-{w}.png"), full_page=True)
        if original:
            await page.set_viewport_size(original)
        self.seen.add(name)
        self.visited[name] = (page.context, page.url)


async def mailed_link(catcher: SmtpCatcher, to: str, already: int, timeout: float = 10) -> str:
    """The sign-in link of the newest mail to `to` beyond the first `already` ones."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        mails = [c for c in catcher.caught if to in c.rcpt_tos]
        if len(mails) > already:
            body = mails[-1].message().get_body(preferencelist=("plain",))
            assert body is not None
            found = re.search(r"(http\S+/console/signin/link\?token=\S+)", body.get_content())
            assert found, "the sign-in mail carries the link"
            return found.group(1)
        if loop.time() > deadline:
            raise TimeoutError(f"no sign-in mail to {to}")
        await asyncio.sleep(0.05)


def mails_to(catcher: SmtpCatcher, to: str) -> int:
    return sum(1 for c in catcher.caught if to in c.rcpt_tos)


async def sign_in(
    page: Page, base: str, catcher: SmtpCatcher, email: str, checker: Checker | None = None
) -> None:
    """Ask for a link on the sign-in page, open it from the mail, press the button."""
    already = mails_to(catcher, email)
    await page.goto(f"{base}/console/signin")
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_role("button", name="Send me a sign-in link").click()
    await page.wait_for_selector("h1:has-text('Check your mail')")
    if checker is not None:
        await checker.check(page, "signin-sent")
    link = await mailed_link(catcher, email, already)
    await page.goto(link)
    if checker is not None:
        await checker.check(page, "signin-link")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_load_state()


@dataclass
class Clock:
    """The console's clock in a test: moved by hand (or to the time-skipping server's)."""

    at: datetime

    def __call__(self) -> datetime:
        return self.at


@dataclass
class Site:
    base: str
    clock: Clock
    catcher: SmtpCatcher
    store: Store


@asynccontextmanager
async def console_site(
    client: Client,
    store: Store,
    catcher: SmtpCatcher,
    task_queue: str = "",
    port: int = 0,
    **settings_changes: Any,
) -> AsyncIterator[Site]:
    """The web app (links and console) on a free port, mailing through `catcher`."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    settings = settings_for(catcher.port, store.url, task_queue).model_copy(
        update={"public_url_env": base, **settings_changes}
    )
    clock = Clock(datetime.now(UTC))
    runner = await serve(
        make_app(client, store, LINK_KEY, clock, settings=settings), "127.0.0.1", port
    )
    try:
        yield Site(base, clock, catcher, store)
    finally:
        await runner.cleanup()


def audit_actions(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return [r[0] for r in conn.execute(text("select action from audit_log order by id"))]


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def signed_in(
    base: str, catcher: SmtpCatcher, email: str
) -> tuple[aiohttp.ClientSession, str]:
    """An HTTP client signed in as `email` through the mailed link, and its CSRF token."""
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with http.get(f"{base}/console/signin") as r:
        token = CSRF.findall(await r.text())[0]
    already = mails_to(catcher, email)
    async with http.post(f"{base}/console/signin", data={"csrf": token, "email": email}) as r:
        assert r.status == 200
    link = await mailed_link(catcher, email, already)
    async with http.get(link) as r:
        token = CSRF.findall(await r.text())[0]
    async with http.post(
        f"{base}/console/signin/link",
        data={"csrf": token, "token": link.split("token=")[1]},
        allow_redirects=False,
    ) as r:
        assert r.status == 303, await r.text()
    async with http.get(f"{base}/console/my") as r:
        return http, CSRF.findall(await r.text())[0]
