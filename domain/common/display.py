"""Outside text shown to a person: control characters made visible, never obeyed.

Audit rows keep what came in (a URL's path, a reply's headers) exactly as it came. Printed
raw, a newline in it starts a fake line and an escape sequence rewrites the terminal; every
human-readable view shows such characters as escapes (\\n, \\x1b, \\u202e) instead.
"""

from __future__ import annotations

import re

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}
# C0, DEL, C1, line and paragraph separators, and the bidirectional and invisible format
# characters that can reorder or hide what a reader sees.
_UNSAFE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\\]"
)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control or format character written as a visible escape."""
    return _UNSAFE.sub(_escape, text)
