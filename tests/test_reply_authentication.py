"""Who may answer for a participant: a calendar reply counts as its From only when the MTA
in front of us authenticated that domain, or the message's own DKIM signature verifies
(keys made here; the DNS look-up is the test's)."""

from __future__ import annotations

import base64

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from starter.inbound.authentication import TrustPolicy, aligned, check_sender
from tests.test_reply_parsing import outlook, reply_ics

SELECTOR = b"rtm2026"
MX = "mx.example.org"


def _keypair() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


PRIVATE, PUBLIC = _keypair()
OTHER_PRIVATE, _ = _keypair()


def dns(records: dict[str, bytes]) -> object:
    """A DNS that knows only `records` (name -> TXT), as dkimpy calls it."""

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return records.get(name.decode().rstrip("."))

    return lookup


KEYS = {
    f"{SELECTOR.decode()}._domainkey.example.org": b"v=DKIM1; k=rsa; p=" + base64.b64encode(PUBLIC)
}


def signed(raw: bytes, domain: bytes = b"example.org", key: bytes = PRIVATE) -> bytes:
    signature: bytes = dkim.sign(
        raw, SELECTOR, domain, key, include_headers=[b"from", b"to", b"subject"]
    )
    return signature + raw


def reply(sender: str = "nfp.uz@example.org", extra: str = "") -> bytes:
    return extra.encode() + outlook(reply_ics(attendee=sender, partstat="DECLINED"), sender)


def policy(peers: str = "127.0.0.1") -> TrustPolicy:
    return TrustPolicy.parse(MX, peers, dns(KEYS))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        (f"{MX}; dmarc=pass header.from=example.org", True),
        (
            f"{MX.upper()}; spf=fail smtp.mailfrom=evil.test; dmarc=pass header.from=example.org",
            True,
        ),
        (f"{MX}; dkim=pass header.d=example.org header.s=sel", True),
        (f"{MX}; dkim=pass header.i=@example.org", True),
        (f"{MX}; dmarc=fail header.from=example.org", False),
        (f"{MX}; dmarc=pass header.from=evil.test", False),
        (f"{MX}; dkim=pass header.d=evil.test", False),
        (f"{MX}; dkim=pass header.d=org", False),
        (f"{MX}; spf=pass smtp.mailfrom=example.org", False),
        ("mx.evil.test; dmarc=pass header.from=example.org", False),
        ("garbage ;;; ===", False),
    ],
)
def test_the_mta_verdict_counts_only_from_our_mta_and_for_the_from_domain(
    header: str, ok: bool
) -> None:
    raw = reply(extra=f"Authentication-Results: {header}\r\n")
    assert check_sender(raw, "nfp.uz@example.org", "127.0.0.1", policy()).authenticated is ok


def test_our_authserv_id_from_elsewhere_is_ignored() -> None:
    raw = reply(extra=f"Authentication-Results: {MX}; dmarc=pass header.from=example.org\r\n")
    # the same header, but the message came straight from a peer that is not our MTA
    check = check_sender(raw, "nfp.uz@example.org", "192.0.2.7", policy())
    assert not check.authenticated and "did not come through mx.example.org" in check.how
    # no authserv-id configured: no MTA verdict is believed at all
    loose = TrustPolicy.parse("", "127.0.0.1", dns(KEYS))  # type: ignore[arg-type]
    assert not check_sender(raw, "nfp.uz@example.org", "127.0.0.1", loose).authenticated


def test_a_forged_header_below_our_mtas_own_is_ignored() -> None:
    ours = f"Authentication-Results: {MX}; dmarc=fail header.from=example.org\r\n"
    forged = f"Authentication-Results: {MX}; dmarc=pass header.from=example.org\r\n"
    raw = reply(extra=ours + "Received: from evil.test by mx.example.org\r\n" + forged)
    assert not check_sender(raw, "nfp.uz@example.org", "127.0.0.1", policy()).authenticated


def test_a_dkim_signature_of_the_from_domain_authenticates() -> None:
    raw = signed(reply())
    check = check_sender(raw, "nfp.uz@example.org", "192.0.2.7", policy())
    assert check.authenticated and "example.org" in check.how


@pytest.mark.parametrize(
    "raw",
    [
        signed(reply(), key=OTHER_PRIVATE),  # signed with a key that is not the domain's
        signed(reply(), domain=b"evil.test"),  # the attacker's own domain
        signed(reply()).replace(b"<body></body>", b"<body>x</body>"),  # altered after signing
        reply(),  # not signed at all
    ],
    ids=["wrong key", "other domain", "altered", "unsigned"],
)
def test_no_valid_signature_of_the_from_domain_does_not(raw: bytes) -> None:
    assert not check_sender(raw, "nfp.uz@example.org", "192.0.2.7", policy()).authenticated


def test_alignment() -> None:
    assert aligned("example.org", "example.org")
    assert aligned("example.org", "mail.example.org")
    assert not aligned("mail.example.org", "example.org")
    assert not aligned("org", "example.org")
    assert not aligned("ample.org", "example.org")
    assert not aligned("", "example.org")
