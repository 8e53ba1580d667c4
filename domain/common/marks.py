"""The one mark for a message that is translated where it is shown, not where it is written.

`N_("...")` returns its text unchanged; Babel's extraction (scripts/catalogue.py) finds it, so
a table of words kept for later translation still reaches the catalogue.
"""

from __future__ import annotations

__all__ = ["N_"]


def N_(message: str) -> str:
    """Marks a message for the catalogue; it is translated where it is shown."""
    return message
