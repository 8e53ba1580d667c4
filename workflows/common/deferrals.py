"""The one way every workflow sends mail: a batch, then each message the relay put off again
on its own, in the background.

Why here and not in the activity: a 4xx for one address must hold back neither the rest of
its batch nor the workflow (a reminder's timeline, the secretariat's `remind`, an action's
next moment). The batch activity reports that message pending with the server's words
(`domain.invitations.batches.put_off`); a task of its own sends it alone
(`domain.outbox.deferral.MailBatch.only`), and that activity retries a 4xx with backoff until
it goes out or its window ends (failed, with the reason). A 5xx fails its message at once;
what was sent is never sent again (the activity skips what its heartbeat or the outbox has).
What failed for good is kept (`failed`) until the workflow tells the secretariat: after the
pass that met it, or when the last lone send of its activity is over (`told`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError

from workflows.common.policies import send_mail

with workflow.unsafe.imports_passed_through():
    from domain.outbox.deferral import MailBatch, MailResult
    from domain.outbox.delivery import FailedMessage
    from domain.outbox.failures import failed_in

B = TypeVar("B", bound=MailBatch)
R = TypeVar("R", bound=MailResult)

PATCH = "deferred-mail"  # workflows that ran before: only invitations were sent again alone
FAILURES = "failures-of-every-kind"  # before: only failed invitations were told


class Deferrals:
    """The lone sends in progress of one workflow, by outbox key."""

    def __init__(self, told: Callable[[], None] | None = None) -> None:
        self._tasks: dict[str, tuple[str, bool, asyncio.Task[None]]] = {}
        self.failed: list[FailedMessage] = []  # failed for good, not yet told
        self._told = told  # tells `failed` to the secretariat (it calls `take_failed`)

    def take_failed(self) -> list[FailedMessage]:
        """What failed for good and was not told yet; from now on it counts as told."""
        taken, self.failed = self.failed, []
        return taken

    def _keep_failures(self, batch: MailBatch, result: object) -> None:
        found = failed_in(batch, result)
        if found and workflow.patched(FAILURES):
            self.failed += found

    @property
    def active(self) -> bool:
        """A lone send is still running (the workflow must not close or continue as new)."""
        return bool(self._tasks)

    def running(self, activity: str) -> bool:
        return any(a == activity for a, _, _ in self._tasks.values())

    @property
    def stoppable(self) -> bool:
        return any(stop for _, stop, _ in self._tasks.values())

    async def send(self, activity: str, batch: B, result_type: type[R], stoppable: bool) -> R:
        """`batch` through `activity`; what the relay put off is then sent alone."""
        result = await send_mail(activity, batch, result_type)
        self._keep_failures(batch, result)
        later = result.deferred_keys(batch)
        if later and workflow.patched(PATCH):
            self.defer(activity, batch, later, result_type, stoppable)
        return result

    def defer(
        self,
        activity: str,
        batch: B,
        keys: list[str],
        result_type: type[R],
        stoppable: bool,
        settled: Callable[[B, R], None] | None = None,
    ) -> None:
        """Send each of `keys` of `batch` alone, in the background; `settled` gets the lone
        batch's answer. `stoppable`: a cancel or reschedule supersedes it (`stop`)."""
        for key in keys:
            if key not in self._tasks:
                one = batch.only(key)
                task = asyncio.create_task(self._alone(activity, key, one, result_type, settled))
                self._tasks[key] = (activity, stoppable, task)

    async def _alone(
        self,
        activity: str,
        key: str,
        one: B,
        result_type: type[R],
        settled: Callable[[B, R], None] | None,
    ) -> None:
        try:
            result = await send_mail(activity, one, result_type)
        except (ActivityError, asyncio.CancelledError):
            return  # superseded by a cancel or reschedule (or the worker's own limits)
        finally:
            self._tasks.pop(key, None)
        self._keep_failures(one, result)
        if settled is not None:
            settled(one, result)
        if self.failed and self._told is not None and not self.running(activity):
            self._told()

    async def stop(self) -> None:
        """Cancel the stoppable lone sends and wait until each has really stopped."""
        if not self.stoppable:
            return
        for _, stop, task in self._tasks.values():
            if stop:
                task.cancel()
        await workflow.wait_condition(lambda: not self.stoppable)
