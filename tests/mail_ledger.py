"""Every mail a run produced, counted by what it is for: (meeting, recipient, kind, moment).

Why a ledger of its own: "nothing lost, nothing sent twice" after a worker was killed is a
statement about both sides of the relay. The catcher holds what arrived; the outbox holds
what the engine believes it sent. A reminder is sent twice when one (meeting, recipient,
kind, moment) arrives under two Message-IDs; a message is only *resent* when the same
Message-ID arrives again (the one in flight when a worker died, whose acceptance was never
recorded: SMTP cannot tell, and a mail client shows one message). Missing is a sent outbox
row that never arrived; unrecorded is an arrival the outbox does not know.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from activities.store import Store
from activities.store.deliveries import OutboxRow
from domain.invitations.batches import InvitationStatus
from starter.devstack.catcher import Caught

Key = tuple[str, str, str, str]  # meeting (or meeting/action), recipient, kind, moment


def kind_of(headers: object) -> str:
    """invitation, reminder:<kind>, or the notice's (or action mail's) kind."""
    get = headers.get  # type: ignore[attr-defined]
    if get("X-RTM-Reminder"):
        return f"reminder:{get('X-RTM-Reminder')}"
    if get("X-RTM-Notice"):
        return str(get("X-RTM-Notice"))
    return "invitation" if get("X-RTM-Participant") else "other"


@dataclass
class Ledger:
    """Message-IDs received per (meeting, recipient, kind, moment), in arrival order."""

    received: dict[Key, list[str]] = field(default_factory=lambda: defaultdict(list))

    @property
    def total(self) -> int:
        return sum(len(ids) for ids in self.received.values())

    def kinds(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for (_, _, kind, _), ids in self.received.items():
            counts[kind] += len(ids)
        return counts

    def twice(self) -> dict[Key, list[str]]:
        """What arrived under more than one Message-ID: a second, different message."""
        return {k: ids for k, ids in self.received.items() if len(set(ids)) > 1}

    def resent(self) -> dict[Key, int]:
        """Extra copies of one and the same message (same Message-ID)."""
        extra = {k: len(ids) - len(set(ids)) for k, ids in self.received.items()}
        return {k: n for k, n in extra.items() if n}

    def message_ids(self) -> set[str]:
        return {i for ids in self.received.values() for i in ids}

    def to(self, meeting: str, kind: str) -> set[str]:
        """The recipients of one kind of mail of one meeting."""
        return {r for (m, r, k, _) in self.received if m == meeting and k == kind}


def ledger(caught: Iterable[Caught]) -> Ledger:
    book = Ledger()
    for c in caught:
        headers = c.message()
        meeting = str(headers["X-RTM-Meeting"])
        kind = kind_of(headers)
        if headers["X-RTM-Reminder-Key"]:
            moment = str(headers["X-RTM-Reminder-Key"])
        elif headers["X-RTM-Action-Key"]:
            meeting = f"{meeting}/{headers['X-RTM-Action']}"
            moment = str(headers["X-RTM-Action-Key"])
        else:  # invitations and notices: the Message-ID names the (sequence, recipient)
            moment = c.message_id
        book.received[(meeting, c.rcpt_tos[0], kind, moment)].append(c.message_id)
    return book


def sent_message_ids(store: Store) -> set[str]:
    """The Message-IDs the outbox records as accepted by the relay."""
    table = OutboxRow.__table__  # type: ignore[attr-defined]
    query = select(table.c.message_id).where(table.c.status == InvitationStatus.SENT.value)
    with store.engine.connect() as conn:
        return {row.message_id for row in conn.execute(query)}


@dataclass(frozen=True)
class Balance:
    """The catcher against the outbox."""

    missing: set[str]  # recorded as sent, never arrived
    unrecorded: set[str]  # arrived, not recorded as sent

    @property
    def even(self) -> bool:
        return not self.missing and not self.unrecorded


def balance(book: Ledger, store: Store) -> Balance:
    sent, arrived = sent_message_ids(store), book.message_ids()
    return Balance(missing=sent - arrived, unrecorded=arrived - sent)
