"""Is a calendar reply really from the address in its From header?

From is whatever the sender typed. A reply is authenticated when one of these holds:
- the receiving MTA (`authserv_id`, connecting from a trusted peer) wrote an
  Authentication-Results header (RFC 8601) with dmarc=pass for the From domain, or
  dkim=pass for a signature of the From domain (or a parent of it);
- one of the message's own DKIM signatures of that domain verifies (dkimpy; the DNS look-up
  is a parameter, so tests use keys they make).
Authentication-Results that claim our authserv-id but come from anywhere else (another
peer, or below the header our MTA added on top) are ignored, as RFC 8601 section 5 asks.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import authres
import dkim

log = logging.getLogger(__name__)

DnsLookup = Callable[..., bytes | None]
"""dkimpy's look-up: (name: bytes, timeout=...) -> the TXT record's bytes, or None."""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK = "127.0.0.0/8,::1/128"


@dataclass(frozen=True)
class SenderCheck:
    """Whether the reply's From is authenticated, and by what (for the audit log)."""

    authenticated: bool
    how: str


@dataclass(frozen=True)
class TrustPolicy:
    """What the endpoint trusts: the MTA in front of it (by authserv-id and address)."""

    authserv_id: str = ""
    trusted_peers: tuple[Network, ...] = ()
    dns: DnsLookup = dkim.dnsplug.get_txt

    @classmethod
    def parse(cls, authserv_id: str, peers: str, dns: DnsLookup | None = None) -> TrustPolicy:
        """From settings: an authserv-id and a comma-separated list of addresses or networks."""
        networks = tuple(
            ipaddress.ip_network(p.strip(), strict=False) for p in peers.split(",") if p.strip()
        )
        return cls(authserv_id.strip().lower(), networks, dns or dkim.dnsplug.get_txt)

    def trusts(self, peer: str | None) -> bool:
        """Is `peer` (the SMTP client's address) the MTA whose verdicts we believe?"""
        if not self.authserv_id or not peer:
            return False
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.trusted_peers)


def aligned(domain: str, from_domain: str) -> bool:
    """DMARC's relaxed alignment: the same domain, or `from_domain` is below `domain`."""
    domain, from_domain = domain.strip().lower().rstrip("."), from_domain.lower().rstrip(".")
    return (
        bool(domain)
        and "." in domain
        and (from_domain == domain or from_domain.endswith("." + domain))
    )


def _our_results(msg: EmailMessage, authserv_id: str) -> list[authres.AuthenticationResult]:
    """The results of the topmost Authentication-Results header naming `authserv_id`.

    An MTA puts its header on top; one further down with the same id was written before
    the message reached it, by someone else, and is ignored.
    """
    for value in msg.get_all("Authentication-Results") or []:
        try:
            header = authres.AuthenticationResultsHeader.parse_value(str(value))
        except Exception:  # authres raises its own SyntaxError and others on bad input
            continue
        if (header.authserv_id or "").lower() == authserv_id:
            return list(header.results)
    return []


def _property(result: authres.AuthenticationResult, kind: str, name: str) -> str:
    for prop in result.properties:
        if prop.type == kind and prop.name == name:
            return str(prop.value or "")
    return ""


def mta_verdict(msg: EmailMessage, from_domain: str, authserv_id: str) -> str | None:
    """How our MTA authenticated the From domain ('dmarc=pass', 'dkim=pass'), or None."""
    for result in _our_results(msg, authserv_id):
        if result.result != "pass":
            continue
        if result.method == "dmarc":
            claimed = _property(result, "header", "from")
            if not claimed or claimed.lower() == from_domain:
                return f"dmarc=pass ({authserv_id})"
        if result.method == "dkim":
            d = _property(result, "header", "d") or _property(result, "header", "i")
            if aligned(d.rpartition("@")[2], from_domain):
                return f"dkim=pass header.d={d} ({authserv_id})"
    return None


def own_dkim(raw: bytes, from_domain: str, dns: DnsLookup) -> str | None:
    """The d= of a DKIM signature of the From domain that verifies here, or None."""
    signer = dkim.DKIM(raw)
    count = sum(1 for name, _ in signer.headers if name.lower() == b"dkim-signature")
    for idx in range(count):
        try:
            ok = signer.verify(idx=idx, dnsfunc=dns)
        except Exception as exc:  # a malformed signature or key: that one does not count
            log.info("DKIM signature %d not verified: %s", idx, exc)
            continue
        domain = (signer.domain or b"").decode("ascii", "replace")
        if ok and aligned(domain, from_domain):
            return domain
    return None


def check_sender(raw: bytes, sender: str, peer: str | None, trust: TrustPolicy) -> SenderCheck:
    """Whether `sender` (the reply's From) is authenticated, by our MTA or by DKIM."""
    from_domain = sender.rpartition("@")[2].lower()
    if trust.trusts(peer):
        msg = message_from_bytes(raw, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        verdict = mta_verdict(msg, from_domain, trust.authserv_id)
        if verdict:
            return SenderCheck(True, verdict)
    signed = own_dkim(raw, from_domain, trust.dns)
    if signed:
        return SenderCheck(True, f"dkim signature of {signed} verified")
    return SenderCheck(False, _why_not(trust, peer))


def _why_not(trust: TrustPolicy, peer: str | None) -> str:
    if not trust.authserv_id:
        return "no valid DKIM signature of the From domain (no MTA verdict is trusted)"
    if not trust.trusts(peer):
        return (
            f"no valid DKIM signature of the From domain, and the message did not come "
            f"through {trust.authserv_id} (peer {peer})"
        )
    return f"{trust.authserv_id} did not authenticate the From domain, nor did DKIM"
