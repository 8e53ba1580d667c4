"""Golden messages: every kind of mail, as the bytes that are sent, checked part by part.

Regenerate deliberately with RTM_UPDATE_GOLDEN=1 and read the diff of tests/golden/mail/.
"""

from __future__ import annotations

import email
import os
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.mail_kinds import KINDS, builders, people, rtm

GOLDEN = Path(__file__).parent / "golden" / "mail"
UPDATE = os.environ.get("RTM_UPDATE_GOLDEN") == "1"
# an English and a Russian reader, both in Asia/Almaty (venue: Asia/Dubai)
READERS = {"en": "kz-expert-bio", "ru": "kz-nfp"}


def parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def leaves(msg: EmailMessage) -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []
    for part in msg.walk():
        if not part.is_multipart():
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            out.append((part.get_content_type(), data))
    return out


def golden(name: str, data: bytes) -> bytes:
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"{path} is missing: run with RTM_UPDATE_GOLDEN=1 to create it"
    return path.read_bytes()


@pytest.mark.parametrize("lang", sorted(READERS))
@pytest.mark.parametrize("kind", KINDS)
def test_golden_message(kind: str, lang: str) -> None:
    recipient = people()[READERS[lang]]
    mail = builders(rtm())[kind](recipient)
    expected = golden(f"{kind}.{lang}.eml", mail.data)
    ours, theirs = parse(mail.data), parse(expected)
    # part by part first, so that a difference says where it is
    head, _, _ = mail.data.partition(b"\r\n\r\n")
    assert head == expected.partition(b"\r\n\r\n")[0]
    assert [ct for ct, _ in leaves(ours)] == [ct for ct, _ in leaves(theirs)]
    for (content_type, got), (_, want) in zip(leaves(ours), leaves(theirs), strict=True):
        assert got.decode("utf-8") == want.decode("utf-8"), content_type
    assert mail.data == expected
    assert not ours.defects and all(not part.defects for part in ours.walk())
    assert ours["Message-ID"] == mail.message_id
    assert ours["To"].addresses[0].addr_spec == recipient.email == mail.recipient
