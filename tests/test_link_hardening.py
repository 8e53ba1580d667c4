"""Signed links have one spelling only, and their signature never reaches a log."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from domain.common.links import LinkError, signature, verify
from tests.factories import LINK_KEY

if TYPE_CHECKING:  # the web app and its server are loaded by the one test that serves them
    from temporalio.testing import WorkflowEnvironment

NOW = datetime(2026, 12, 1, tzinfo=UTC)
EXP = 1799038800
PARTS = ("RTM-CA-16", "kz-nfp", "online")


def test_the_canonical_link_verifies() -> None:
    verify(LINK_KEY, "rsvp", PARTS, str(EXP), signature(LINK_KEY, "rsvp", PARTS, EXP), NOW)


@pytest.mark.parametrize(
    "spelling", [f"+{EXP}", f" {EXP}", f"{EXP} ", f"0{EXP}", "1_799_038_800", "١٧٩٩٠٣٨٨٠٠", "-0"]
)
def test_another_spelling_of_the_same_expiry_is_malformed(spelling: str) -> None:
    sig = signature(LINK_KEY, "rsvp", PARTS, EXP)
    with pytest.raises(LinkError, match="malformed") as caught:
        verify(LINK_KEY, "rsvp", PARTS, spelling, sig, NOW)
    assert caught.value.status == 400


async def test_a_signature_is_never_logged(
    dev_env: WorkflowEnvironment, caplog: pytest.LogCaptureFixture
) -> None:
    import aiohttp

    from starter.web.app import make_app, serve
    from tests.ports import free_port

    secret = signature(LINK_KEY, "rsvp", PARTS, EXP)
    port = free_port()
    runner = await serve(make_app(dev_env.client, None, LINK_KEY), "127.0.0.1", port)
    base = f"http://127.0.0.1:{port}"
    urls = [
        f"{base}/rsvp/RTM-CA-16/kz-nfp/{'x' * 9000}?exp={EXP}&sig={secret}",  # path too long
        f"{base}/rsvp/RTM-CA-16/kz-nfp/online?exp={EXP}&sig={secret}{'y' * 9000}",  # query
        f"{base}/healthz?exp={EXP}&sig={secret}",  # an ordinary request: the access log
    ]
    try:
        with caplog.at_level(logging.DEBUG):
            async with aiohttp.ClientSession() as http:
                for url in urls:
                    async with http.get(url) as resp:
                        await resp.read()
    finally:
        await runner.cleanup()
    logged = "\n".join(
        r.getMessage() + (r.exc_text or "") for r in caplog.records if r.name.startswith("aiohttp")
    )
    assert "Got more than" in logged, "the over-long request lines were logged"
    assert "/healthz" in logged, "the access log was written"
    assert secret[:12] not in logged
    assert "sig=[redacted]" in logged
    formatted = "\n".join(logging.Formatter().format(r) for r in caplog.records)
    assert secret[:12] not in formatted
