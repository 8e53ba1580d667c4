"""Single sign-on against a real OpenID Connect provider: the certified `oidc-provider`
package from npm, run with the machine's Node.js on 127.0.0.1. Authorization code with
PKCE; the provider's verified e-mail address picks the person in the directory."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from starter.devstack.catcher import SmtpCatcher
from tests.console_browser import Checker, audit_actions, chromium, console_site, person
from tests.ports import free_port

PROVIDER = Path("tests/oidc/provider.mjs")
INSTALLED = Path("var/node/node_modules/oidc-provider")


def requests_of(page: Page) -> list[str]:
    """Every URL the page asks for, in order (the provider redirects on at once)."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    return seen


@pytest.fixture
def oidc_provider() -> Iterator[tuple[str, int]]:
    """The provider's issuer URL and the port the console will listen on (its redirect)."""
    node = shutil.which("node")
    if node is None or not INSTALLED.exists():
        pytest.skip("Node.js or oidc-provider (scripts/bootstrap.sh installs it) is missing")
    port, console_port = free_port(), free_port()
    redirect = f"http://127.0.0.1:{console_port}/console/sso/callback"
    proc = subprocess.Popen(
        [node, str(PROVIDER), str(port), "rtm-console", "console-secret", redirect],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("ready"), f"the provider did not start: {line!r}"
        yield f"http://127.0.0.1:{port}", console_port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def test_single_sign_on_with_pkce_maps_the_verified_email(
    dev_env: WorkflowEnvironment,
    store: Store,
    catcher: SmtpCatcher,
    oidc_provider: tuple[str, int],
) -> None:
    issuer, port = oidc_provider
    checker = Checker()
    async with (
        console_site(
            dev_env.client,
            store,
            catcher,
            port=port,
            oidc_issuer=issuer,
            oidc_client_id="rtm-console",
            oidc_client_secret="console-secret",
        ) as site,
        chromium() as browser,
    ):
        for login, lands in (
            ("head.secretariat.ca@example.org", "/console/"),
            ("NFP.KZ@example.org", "/console/my"),
            ("unverified.nfp.kg@example.org", None),
            ("stranger@example.org", None),
        ):
            page = await (await person(browser)).new_page()
            asked = requests_of(page)
            await page.goto(f"{site.base}/console/signin")
            await page.get_by_role("link", name="Sign in with your organisation's account").click()
            assert page.url.startswith(issuer), "off to the provider"
            auth = next(u for u in asked if u.startswith(f"{issuer}/auth?"))
            assert "code_challenge_method=S256" in auth and "code_challenge=" in auth
            await page.locator("input[name=login]").fill(login)
            await page.locator("input[name=password]").fill("any")
            await page.locator("button[type=submit]").click()
            await page.wait_for_load_state()
            if page.url.startswith(issuer):  # the provider's consent page
                await page.locator("button[type=submit]").click()
                await page.wait_for_load_state()
            if lands is None:
                assert "Single sign-on failed" in await page.inner_text("h1")
                assert not [c for c in await page.context.cookies() if c["name"] == "rtm_session"]
            else:
                assert page.url == f"{site.base}{lands}", page.url
                if lands == "/console/":
                    await checker.check(page, "dashboard-sso")
            await page.context.close()
        # a forged callback (no flow cookie of this browser) is refused
        page = await (await person(browser)).new_page()
        await page.goto(f"{site.base}/console/sso/callback?code=x&state=y")
        assert "Single sign-on failed" in await page.inner_text("h1")
    assert audit_actions(store).count("console.signin_refused") == 2
