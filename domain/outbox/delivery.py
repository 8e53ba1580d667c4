"""How a failed delivery is classified and how long it is retried.

Why here: the send activity and the workflow must agree on which failures end a message
(`failed`) and which only delay it (`pending` with its last error), and that decision is a
rule of the engine, not of the SMTP library.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import Field

from domain.common.packing import PackedRows
from domain.directory.models import Frozen
from domain.invitations.batches import DeliveryResult

# a permanent failure of the connection (bad password, untrusted certificate, no STARTTLS)
# is tried this many times, a few seconds apart, in case it was a blip; then it ends
PERMANENT_ATTEMPTS = 3
DEFAULT_RETRY_WINDOW = timedelta(hours=24)


class FailureKind(StrEnum):
    """What went wrong, in the words an operator looks for."""

    CONFIG = "configuration"  # the engine's own settings forbid the step (AUTH in clear)
    CONNECTION = "connection"  # refused, dropped, timed out: temporary
    CERTIFICATE = "certificate"  # the relay's certificate is not trusted
    TLS = "tls"  # the relay offers no STARTTLS although it is required
    AUTHENTICATION = "authentication"  # 535, 538, 530 at AUTH
    TEMPORARY = "temporary"  # a 4xx reply
    REFUSED = "refused"  # a 5xx reply


class Step(StrEnum):
    """Where in the SMTP conversation it went wrong."""

    CONNECT = "connect"
    TLS = "tls"
    AUTH = "auth"
    SEND = "send"


TEMPORARY_KINDS = frozenset({FailureKind.CONNECTION, FailureKind.TEMPORARY})


class Failure(Frozen):
    """One classified failure, with the server's own words."""

    kind: FailureKind
    step: Step
    text: str

    @property
    def temporary(self) -> bool:
        return self.kind in TEMPORARY_KINDS

    def line(self) -> str:
        """One line for the status, the audit log and `rtm smtp check`: the server's words
        first, then where and what kind."""
        return f"{self.text} ({self.kind.value} failure at {self.step.value})"


def gives_up(
    failure: Failure,
    attempt: int,
    first_try: datetime,
    now: datetime,
    window: timedelta = DEFAULT_RETRY_WINDOW,
) -> bool:
    """True when `failure` ends the message(s) now instead of being retried.

    Permanent failures end after PERMANENT_ATTEMPTS attempts; temporary ones once `window`
    has passed since the first try. `now` is the scheduler's clock, not the wall clock, so
    that a time-skipping test server moves it.
    """
    if not failure.temporary:
        return attempt >= PERMANENT_ATTEMPTS
    return now - first_try >= window


class OutboxEntry(Frozen):
    """One message's final outcome, as the outbox table and the audit log keep it."""

    meeting_id: str
    key: str
    kind: str
    sequence: int | None = None
    email: str
    result: DeliveryResult


class FailedMessage(Frozen):
    """One message that will not go out, as the secretariat's notice names it."""

    name: str
    email: str
    error: str
    kind: str = Field(default="invitation", description="the outbox's kind: reminder, agenda...")
    key: str = Field(default="", description="its outbox key (not kept for invitations)")


DELIVERY_PROGRESS = "delivery_progress"  # signal: a running batch's outcomes so far


class DeliveryProgress(Frozen):
    """What a running invitation batch has delivered, failed or deferred so far."""

    sequence: int
    results: PackedRows[DeliveryResult]  # every report is a signal in the history
