"""Console pages speak the signed-in person's language when it has a catalogue (the
engine's one gettext domain), and say which on <html lang>; English otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.common import i18n
from starter.devstack.catcher import SmtpCatcher
from starter.web.console.render import env_for
from tests.console_browser import console_site, signed_in


@pytest.fixture
def russian(tmp_path: Path) -> Iterator[None]:
    """A catalogue with two of the console's strings in Russian, first in the search path."""
    catalog = Catalog(locale="ru")
    catalog.add("My meetings", "Мои встречи")
    catalog.add("Sign out", "Выйти")
    where = tmp_path / "locale" / "ru" / "LC_MESSAGES"
    where.mkdir(parents=True)
    with (where / "messages.po").open("wb") as fp:
        write_po(fp, catalog)
    i18n.catalogue_dirs.insert(0, tmp_path / "locale")
    i18n.reset()
    env_for.cache_clear()
    try:
        yield
    finally:
        i18n.catalogue_dirs.remove(tmp_path / "locale")
        i18n.reset()
        env_for.cache_clear()


async def test_pages_in_the_persons_language(
    dev_env: WorkflowEnvironment, store: Store, catcher: SmtpCatcher, russian: None
) -> None:
    async with console_site(dev_env.client, store, catcher) as site:
        http, _ = await signed_in(site.base, catcher, "nfp.kz@example.org")  # language: ru
        async with http, http.get(f"{site.base}/console/my") as r:
            page = await r.text()
        assert '<html lang="ru">' in page
        assert "<h1>Мои встречи</h1>" in page and "Выйти" in page
        http, _ = await signed_in(site.base, catcher, "nfp.kg@example.org")  # ru too
        http2, _ = await signed_in(site.base, catcher, "observer.jrc@example.org")  # en
        async with http, http2, http2.get(f"{site.base}/console/my") as r:
            page = await r.text()
        assert '<html lang="en">' in page and "<h1>My meetings</h1>" in page
