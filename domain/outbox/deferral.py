"""Messages the relay put off: one address's 4xx delays that one message, nothing else.

Why one rule for every kind: invitations, reminders, notices and action mail all go out in
batches through one send skeleton. When the relay answers 4xx for one address, the batch
goes on and reports that message pending with the server's words; the workflow then sends
it again on its own (`MailBatch.only`), and that lone send retries with backoff until it
goes out or its window ends (then it is failed). Each kind only says how its batch is
keyed and narrowed; the deciding (`domain.invitations.batches.put_off`) is the same for all.
"""

from __future__ import annotations

from typing import Any, Protocol, Self

from pydantic import Field, field_serializer, field_validator

from domain.common.base import Frozen
from domain.directory.columns import from_columns, to_columns
from domain.directory.models import Participant


class MailBatch(Frozen):
    """The input of a send activity: some messages, each under its outbox key."""

    alone: bool = Field(
        default=False,
        description="one message an earlier batch deferred (4xx): now a 4xx retries, with backoff",
    )

    def job_keys(self) -> list[str]:
        """The outbox key of each message, in sending order."""
        raise NotImplementedError

    def only(self, key: str) -> Self:
        """This batch narrowed to the message under `key`, to be sent alone."""
        raise NotImplementedError

    def addressees(self) -> dict[str, Participant]:
        """Who each message is to, by outbox key (a failure's notice names them)."""
        raise NotImplementedError

    def mail_kind(self) -> str:
        """The kind of mail, as the outbox and the audit log name it (`agenda`...)."""
        raise NotImplementedError


class ToRecipients(MailBatch):
    """A batch of one message per recipient (invitations, notices, action mail)."""

    recipients: list[Participant]

    @field_validator("recipients", mode="before")
    @classmethod
    def _from_columns(cls, value: Any) -> Any:
        return from_columns(value)

    @field_serializer("recipients", when_used="json")
    def _as_columns(self, people: list[Participant]) -> dict[str, Any]:
        """Each batch stays in the history: 200 records were 40 KB, as columns 4 KB."""
        return to_columns(people)

    def job_key(self, participant_id: str) -> str:
        raise NotImplementedError

    def job_keys(self) -> list[str]:
        return [self.job_key(p.id) for p in self.recipients]

    def only(self, key: str) -> Self:
        one = [p for p in self.recipients if self.job_key(p.id) == key]
        return self.model_copy(update={"recipients": one, "alone": True})

    def addressees(self) -> dict[str, Participant]:
        return {self.job_key(p.id): p for p in self.recipients}


class MailResult(Protocol):
    """What a send activity answers, as far as the deferral rule needs it."""

    def deferred_keys(self, batch: MailBatch) -> list[str]:
        """The keys of `batch`'s messages the relay put off."""
        ...
