"""The inbound SMTP endpoint for calendar replies sent to the organiser address.

Outlook, Gmail, Apple and Thunderbird answer an invitation with a METHOD:REPLY mail; this
turns each into the same RSVP command the CLI and links send (starter.client.commands.rsvp),
when its sender is authenticated (starter.inbound.authentication); any other reply that
would answer for an invitee is held for the secretariat to confirm. Every message read is
answered 250, even when it answers nothing, because a 5xx would only bounce back to a
participant who can do nothing about it; what was ignored is audited with the reason (a count
per sender and hour: a flood adds no rows). Only
a failure of our own (Temporal or the database unreachable) answers 451 so the sending
server retries later.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from aiosmtpd.controller import Controller
from temporalio.client import Client

from activities.store import Store
from domain.meeting.status import MeetingStatus, ParticipantStatus, StatusPage
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand, calendar_attendance
from domain.registration.held import HoldReplyCommand
from domain.registration.replies import CalendarReply, ReplyError, meeting_id_from_uid, parse_reply
from starter.client import commands
from starter.inbound.authentication import TrustPolicy, check_sender

log = logging.getLogger(__name__)

CHANNEL = Channel.CALENDAR
IGNORED = "reply.ignored"
UNKNOWN_SENDER = "unknown sender"
UNKNOWN_MEETING = "unknown meeting"

Result = Literal["applied", "held", "ignored", "refused", "failed"]


@dataclass(frozen=True)
class Outcome:
    """What became of one inbound message: for the log, the tests and an operator's eye."""

    result: Result
    reason: str | None = None
    meeting_id: str | None = None
    participant_id: str | None = None
    attendance: Attendance | None = None
    sender: str | None = None


def find_attendee(status: MeetingStatus, reply: CalendarReply) -> ParticipantStatus | None:
    """The invitee who sent `reply`: ATTENDEE is theirs and From is the same mailbox."""
    if reply.sender.lower() != reply.attendee.lower():
        return None
    for row in status.participants:
        if row.email.lower() == reply.attendee.lower():
            return row
    return None


class InboundHandler:
    """aiosmtpd handler: runs on the controller's loop, hands each message to the main loop."""

    def __init__(self, owner: InboundReplies) -> None:
        self.owner = owner

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content or envelope.content or b"")
        loop = self.owner.main_loop
        peer = session.peer[0] if isinstance(session.peer, tuple) else None
        coro = self.owner.apply(raw, peer, str(envelope.mail_from or ""))
        try:
            future = asyncio.run_coroutine_threadsafe(coro, loop)
        except RuntimeError:  # the main loop is closed: we are shutting down
            coro.close()
            return "451 4.3.2 service shutting down, try again later"
        try:
            outcome = await asyncio.wait_for(asyncio.wrap_future(future), self.owner.timeout)
        except Exception:
            log.exception("calendar reply from %s: not processed", envelope.mail_from)
            return "451 4.3.0 temporary failure, try again later"
        if outcome.result == "applied":
            return "250 2.0.0 reply recorded"
        return "250 2.0.0 message accepted"


class InboundReplies:
    """Inbound SMTP server for calendar replies, on its own thread like SmtpCatcher.

    aiosmtpd runs its own event loop in a thread, but the Temporal client belongs to the
    loop that created it (`loop`, default the running loop at start()): every message is
    processed there, with run_coroutine_threadsafe.
    """

    def __init__(
        self,
        client: Client,
        store: Store | None,
        host: str = "127.0.0.1",
        port: int = 2525,
        loop: asyncio.AbstractEventLoop | None = None,
        timeout: float = 60.0,
        data_size_limit: int = 10 * 1024 * 1024,
        trust: TrustPolicy | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.trust = trust or TrustPolicy()
        self.timeout = timeout
        self._loop = loop
        self._lock = threading.Lock()
        self._outcomes: list[Outcome] = []
        self.handler = InboundHandler(self)
        self.controller = Controller(
            self.handler,
            hostname=host,
            port=port,
            decode_data=False,
            data_size_limit=data_size_limit,
            enable_SMTPUTF8=True,
            ready_timeout=10,
        )

    @property
    def port(self) -> int:
        return int(self.controller.port)

    @property
    def main_loop(self) -> asyncio.AbstractEventLoop:
        """The loop that owns the Temporal client, where every message is processed."""
        if self._loop is None:
            raise RuntimeError("InboundReplies is not started")
        return self._loop

    @property
    def outcomes(self) -> list[Outcome]:
        """A copy of every outcome so far, oldest first (read from any thread)."""
        with self._lock:
            return list(self._outcomes)

    def counts(self) -> Counter[str]:
        """Outcomes by result: applied, ignored, refused, failed."""
        return Counter(o.result for o in self.outcomes)

    def start(self) -> InboundReplies:
        """Listen; without an explicit loop, call it from the loop that owns the client."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> InboundReplies:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def apply(self, raw: bytes, peer: str | None = None, envelope_from: str = "") -> Outcome:
        """Process one raw message on the main loop; record and log its outcome.

        Raises only for failures of our own (Temporal, database), which the handler turns
        into a 451 so the message comes again.
        """
        try:
            outcome = await self._process(raw, peer, envelope_from)
        except Exception as exc:
            self._record(Outcome(result="failed", reason=f"{type(exc).__name__}: {exc}"))
            raise
        self._record(outcome)
        return outcome

    def _record(self, outcome: Outcome) -> None:
        with self._lock:
            self._outcomes.append(outcome)
        log.info(
            "calendar reply from %s: %s%s",
            outcome.sender or "unknown",
            outcome.result,
            f" ({outcome.reason})" if outcome.reason else "",
        )

    async def _process(self, raw: bytes, peer: str | None, envelope_from: str) -> Outcome:
        try:
            reply = parse_reply(raw)
        except ReplyError as exc:
            return self._ignore(None, exc.sender, exc.reason, {})
        detail = reply.model_dump(mode="json")
        meeting_id = meeting_id_from_uid(reply.uid)
        if meeting_id is None:
            return self._ignore(None, reply.sender, UNKNOWN_MEETING, detail)
        try:
            status = await commands.status(
                self.client, meeting_id, StatusPage(email=reply.attendee, limit=1)
            )
        except commands.NoSuchMeeting:
            return self._ignore(None, reply.sender, UNKNOWN_MEETING, detail)
        if reply.uid.lower() != status.meeting.uid.lower():  # same id, another organiser domain
            return self._ignore(None, reply.sender, UNKNOWN_MEETING, detail)

        row = find_attendee(status, reply)
        if row is None:
            return self._ignore(meeting_id, reply.sender, UNKNOWN_SENDER, detail)
        attendance = calendar_attendance(reply.partstat, status.meeting, row.attendance)
        if attendance is None:
            reason = f"PARTSTAT {reply.partstat} answers nothing"
            return self._ignore(meeting_id, reply.sender, reason, detail, row.participant_id)

        pid = row.participant_id
        check = await asyncio.to_thread(check_sender, raw, reply.sender, peer, self.trust)
        if not check.authenticated:
            return await self._hold(meeting_id, reply, pid, attendance, envelope_from, check.how)
        command = RsvpCommand(
            participant_id=pid,
            attendance=attendance,
            actor=Actor(id=pid, channel=CHANNEL),
            sequence=reply.sequence,
        )
        try:
            await commands.rsvp(self.client, self.store, meeting_id, command)
        except commands.CommandRefused as exc:  # audited by commands.rsvp as rsvp.refused
            return Outcome("refused", str(exc), meeting_id, pid, attendance, reply.sender)
        return Outcome("applied", None, meeting_id, pid, attendance, reply.sender)

    async def _hold(
        self,
        meeting_id: str,
        reply: CalendarReply,
        pid: str,
        attendance: Attendance,
        envelope_from: str,
        why: str,
    ) -> Outcome:
        """Keep an unauthenticated reply for the secretariat (audited as reply.held)."""
        command = HoldReplyCommand(
            participant_id=pid,
            attendance=attendance,
            sequence=reply.sequence,
            sender=reply.sender,
            envelope_from=envelope_from[:500],
            reason=why[:500],
            actor=Actor(id=pid, channel=CHANNEL),
        )
        try:
            held = await commands.hold_reply(self.client, self.store, meeting_id, command)
        except commands.CommandRefused as exc:
            return Outcome("refused", str(exc), meeting_id, pid, attendance, reply.sender)
        return Outcome("held", f"{held.id}: {why}", meeting_id, pid, attendance, reply.sender)

    def _ignore(
        self,
        meeting_id: str | None,
        sender: str | None,
        reason: str,
        detail: dict[str, Any],
        participant_id: str | None = None,
    ) -> Outcome:
        """Audit a message that answers nothing, under the claimed sender: counted, one row
        per invitee's address (or one for every other sender) per meeting and hour, so that
        a flood adds counts, not rows."""
        if self.store is not None:
            who = sender.lower() if participant_id and sender else "others"
            self.store.tally_refusal(
                meeting_id,
                f"{IGNORED} {who}"[:200],
                sender or "unknown",
                CHANNEL.value,
                IGNORED,
                detail | {"reason": reason},
                per=commands.REPLY_WINDOW,
            )
        return Outcome("ignored", reason, meeting_id, participant_id, None, sender)
