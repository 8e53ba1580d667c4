"""Signed links to a meeting's or a region's charts page, valid for a number of days."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

from domain.common.links import signature

PURPOSE = "charts"
KINDS = ("meeting", "region")


def charts_link(key: bytes, base_url: str, kind: str, subject: str, now: datetime,
                days: int = 30) -> str:  # fmt: skip
    """The charts page of a meeting or region, readable by whoever holds the link."""
    expires = int((now + timedelta(days=days)).timestamp())
    sig = signature(key, PURPOSE, (kind, subject), expires)
    return f"{base_url.rstrip('/')}/charts/{kind}/{quote(subject, safe='')}?exp={expires}&sig={sig}"
