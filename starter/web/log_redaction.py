"""Keep link signatures out of the logs.

A personal link's `sig=` is its whole secret. aiohttp logs the request line of every
request (access log) and, for a request line too long to parse, the line itself with its
traceback (server log); a log reader must not be able to replay anyone's link from there.
"""

from __future__ import annotations

import logging
import re

_SIG = re.compile(r"(sig=)[^&\s\"'#]*")
REDACTED = r"\1[redacted]"
LOGGERS = ("aiohttp.access", "aiohttp.server", "aiohttp.web")


def redact(text: str) -> str:
    """`text` with the value of every `sig=` parameter replaced."""
    return _SIG.sub(REDACTED, text)


class SignatureFilter(logging.Filter):
    """Rewrites a record's message and traceback text with the signatures redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "sig=" in message:
            record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and "sig=" in record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_FILTER = SignatureFilter()


def install() -> None:
    """Attach the filter to aiohttp's loggers (once, however often it is called)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
