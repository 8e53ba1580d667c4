"""Console pages speak the signed-in person's language when it has a catalogue (the
engine's one gettext domain), and say which on <html lang>; English otherwise. Each person
can switch the language on every page (kept for the session, forgotten at sign-out); a
switch without its form's token, or to a language without a catalogue, changes nothing."""

from __future__ import annotations

import re

import aiohttp
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from starter.devstack.catcher import SmtpCatcher
from tests.console_browser import CSRF, console_site, signed_in
from tests.test_languages import pseudo_locale, untranslated

__all__ = ["pseudo_locale"]  # the fixture, used by name below

LANG = re.compile(r'<html lang="([^"]+)">')


async def _page(http: aiohttp.ClientSession, url: str) -> tuple[str, str]:
    async with http.get(url) as r:
        assert r.status == 200, url
        text = await r.text()
    found = LANG.search(text)
    assert found, url
    return found.group(1), text


async def test_pages_in_the_persons_language_and_switched_by_them(
    dev_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher
) -> None:
    async with console_site(dev_env.client, store, catcher) as site:
        my = f"{site.base}/console/my"
        http, csrf = await signed_in(site.base, catcher, "nfp.kz@example.org")  # ru, en
        other, _ = await signed_in(site.base, catcher, "observer.jrc@example.org")  # en
        async with http, other:
            lang, page = await _page(http, my)
            assert lang == "ru"
            assert "<h1>Мои встречи</h1>" in page and "Выйти" in page
            assert 'lang="en">English</button>' in page  # the switch offers the other one
            lang, page = await _page(other, my)
            assert lang == "en" and "<h1>My meetings</h1>" in page
            assert 'lang="ru">Русский</button>' in page
            async with http.get(f"{site.base}/console/my/RTM-XX-404") as r:  # no such meeting
                assert r.status == 404
                missing = await r.text()
            assert '<html lang="ru">' in missing and "Выйти" in missing  # the console's own

            # refused: no token, a stale one, a language without a catalogue, another site
            switch = f"{site.base}/console/language"
            for data, code in (
                ({"lang": "en", "next": "/console/my"}, 403),
                ({"lang": "en", "next": "/console/my", "csrf": "x" * 43}, 403),
                ({"lang": "uz", "next": "/console/my", "csrf": csrf}, 400),
                ({"lang": "en", "next": "https://example.org/", "csrf": csrf}, 400),
            ):
                async with http.post(switch, data=data, allow_redirects=False) as r:
                    assert r.status == code, data
                assert (await _page(http, my))[0] == "ru", data

            # the person's own choice, on any page, back to where they were
            async with http.post(
                switch,
                data={"lang": "en", "next": "/console/my?done=answer", "csrf": csrf},
                allow_redirects=False,
            ) as r:
                assert r.status == 303 and r.headers["Location"] == "/console/my?done=answer"
                cookie = r.headers["Set-Cookie"]
                assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
            lang, page = await _page(http, f"{site.base}/console/my?done=answer")
            assert lang == "en" and "<h1>My meetings</h1>" in page
            assert (await _page(other, my))[0] == "en"  # nobody else's pages change

            # signing out forgets it: the next sign-in has the directory's language again
            async with http.post(
                f"{site.base}/console/signout", data={"csrf": CSRF.findall(page)[0]}
            ) as r:
                assert r.status == 200
        http, _ = await signed_in(site.base, catcher, "nfp.kz@example.org")
        async with http:
            assert (await _page(http, my))[0] == "ru"


async def test_the_sign_in_page_switches_too(
    dev_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher
) -> None:
    async with console_site(dev_env.client, store, catcher) as site:
        jar = aiohttp.CookieJar(unsafe=True)
        headers = {"Accept-Language": "en-GB,en;q=0.8"}
        async with aiohttp.ClientSession(cookie_jar=jar, headers=headers) as http:
            lang, page = await _page(http, f"{site.base}/console/signin")
            assert lang == "en"
            token = CSRF.findall(page)[0]
            async with http.post(
                f"{site.base}/console/language",
                data={"lang": "ru", "next": "/console/signin", "csrf": token},
            ) as r:
                assert r.status == 200
                page = await r.text()
            assert '<html lang="ru">' in page and "<h1>Войти</h1>" in page


async def test_the_sign_in_pages_in_a_pseudo_locale(
    dev_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher, pseudo_locale: str
) -> None:
    """The pages before a session (the lifecycle's pseudo-locale pass sees those after):
    the sign-in form and its answer, each wrapped, in the language the reader chose."""
    async with console_site(dev_env.client, store, catcher) as site:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            _, page = await _page(http, f"{site.base}/console/signin")
            token = CSRF.findall(page)[0]
            choose = {"lang": pseudo_locale, "next": "/console/signin", "csrf": token}
            async with http.post(f"{site.base}/console/language", data=choose) as r:
                pages = {"signin": await r.text()}
            asked = {"csrf": token, "email": "nobody@example.org"}
            async with http.post(f"{site.base}/console/signin", data=asked) as r:
                pages["signin-sent"] = await r.text()
            async with http.post(f"{site.base}/console/signin", data={"csrf": token}) as r:
                assert r.status == 400
                pages["signin-problem"] = await r.text()
        for name, page in pages.items():
            assert f'<html lang="{pseudo_locale}">' in page, name
            assert "⟦" in page, name
            assert untranslated(page, ["nobody@example.org"]) == set(), name
