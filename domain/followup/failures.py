"""An action's chasing mail that will not go out: told to the secretariat by the action's
own workflow, which outlives its meeting (the meeting may be closed by then)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.followup.actions import ActionInput, ActionMail
from domain.outbox.delivery import FailedMessage
from domain.outbox.failures import NOTICE


def failure_mail(inp: ActionInput, told: Sequence[FailedMessage], now: datetime) -> ActionMail:
    """The "delivery failed" notice for `told`, to the secretariat; its key names the first
    failed message, so each notice has its own (each failure is told once)."""
    return ActionMail(
        item=inp.item,
        organiser_name=inp.organiser_name,
        organiser_email=inp.organiser_email,
        key=f"{NOTICE}:{told[0].key}:{len(told)}",
        kind=NOTICE,
        at=now,
        failed=list(told),
        recipients=[inp.secretariat],
    )
