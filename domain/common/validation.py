"""Field validators shared by directory and meeting models."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from domain.common.refusals import Refusal

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # C0, DEL, C1, line/para sep
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_ZONES: frozenset[str] | None = None


def no_control_chars(value: str) -> str:
    """Refuse CR, LF and other control characters: they must never reach a header or ics line."""
    if _CONTROL.search(value):
        raise ValueError(Refusal("input.control"))
    return value


def email_address(value: str) -> str:
    """A plain addr-spec (local@domain), lower-cased domain; no display name, no control chars."""
    value = value.strip()
    no_control_chars(value)
    if not _EMAIL.match(value) or len(value) > 254:
        raise ValueError(Refusal("input.email", value=repr(value)))
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def iana_zone(value: str) -> str:
    """An IANA time-zone name that this machine's zoneinfo knows (e.g. Asia/Dubai)."""
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    if value not in _ZONES:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(Refusal("input.zone", zone=repr(value))) from exc
    return value
