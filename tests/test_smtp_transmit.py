"""A message's envelope goes out while the previous message is being recorded, its content
only once that record is done: nothing is sent before the outbox has the message before it."""

from __future__ import annotations

import asyncio

import aiosmtplib
import pytest

from activities.mail.smtp import SmtpConfig, close_smtp, open_smtp, transmit
from starter.devstack.catcher import SmtpCatcher

SENDER = "rtm-secretariat@example.org"
NFP = "nfp.kyrgyzstan@example.org"


def _data(subject: str) -> bytes:
    return (
        f"From: {SENDER}\r\nTo: {NFP}\r\nSubject: {subject}\r\n\r\n"
        "16th Round Table of Central Asian national focal points, Dubai\r\n"
    ).encode()


async def test_the_content_waits_for_the_previous_record(catcher: SmtpCatcher) -> None:
    smtp = await open_smtp(SmtpConfig(port=catcher.port))
    recorded: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    try:
        sending = asyncio.create_task(transmit(smtp, SENDER, NFP, _data("RTM-CA-16"), recorded))
        await asyncio.sleep(0.3)  # the envelope is out; the record is not done
        assert not sending.done()
        assert catcher.caught == [], "content sent before the previous message was recorded"
        recorded.set_result(None)
        await asyncio.wait_for(sending, 10)
        assert [c.rcpt_tos for c in catcher.caught] == [(NFP,)]
        assert b"Subject: RTM-CA-16" in catcher.caught[0].data
    finally:
        await close_smtp(smtp)


async def test_a_refused_recipient_raises_as_sendmail_does_and_the_next_one_goes(
    catcher: SmtpCatcher,
) -> None:
    catcher.handler.refuse.add(NFP)
    smtp = await open_smtp(SmtpConfig(port=catcher.port))
    try:
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
            await transmit(smtp, SENDER, NFP, _data("refused"))
        assert [r.code for r in refused.value.recipients] == [550]
        catcher.handler.refuse.clear()
        await transmit(smtp, SENDER, NFP, _data("after the refusal"))  # the envelope was reset
        assert [b"Subject: after the refusal" in c.data for c in catcher.caught] == [True]
    finally:
        await close_smtp(smtp)
