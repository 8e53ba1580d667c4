"""What a command's refusal is on the client side: one exception per kind, each door
catches these, and the audit log's record of one.

Light on purpose (no Temporal import): `rtm` catches `CommandRefused` around every command,
also those that never talk to the server.
"""

from __future__ import annotations

from typing import Any

from domain.common.refusals import refusal_of


class CommandRefused(Exception):
    """The meeting refused the command; nothing changed. The message says why (English);
    `refusal` carries its code and parameters, for each door to write in its reader's
    language (domain.common.refusals)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.refusal = refusal_of(reason)


class NoSuchMeeting(CommandRefused):
    pass


class NoSuchAction(NoSuchMeeting):
    """No action item workflow by that id (f"{meeting_id}-{action_id}")."""


def refused_detail(reason: str) -> dict[str, Any]:
    """What the audit log keeps of a refusal: the English text for auditors, and the code
    and parameters that do not depend on the wording."""
    found = refusal_of(reason)
    return {"reason": str(found)} | found.detail()
