"""A refused command as the workflow raises it: the English reason as the failure's message
(what every door printed so far) and its code and parameters as the failure's details, for
the doors to write it in their reader's language.

Raised by update validators (a rejected update is not recorded in the history) and by a
handler that finds a command refused after waiting for its participants (recorded as the
update's failure, whose details replay does not compare).
"""

from __future__ import annotations

from temporalio.exceptions import ApplicationError

from domain.common.refusals import refusal_of


def refused(reason: str) -> ApplicationError:
    """The error that refuses a command with `reason` (a domain Refusal or plain words)."""
    found = refusal_of(reason)
    return ApplicationError(str(found), found.detail(), type="CommandRefused", non_retryable=True)
