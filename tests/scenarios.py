"""A whole meeting lifecycle, shared by the audit test and the history recorder."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.agenda.items import DecideCommand, Decision, ProposeCommand, PublishCommand
from domain.attendance.register import CheckInCommand
from domain.followup.actions import ActionSpec, DoneCommand, Owner, OwnerKind
from domain.followup.minutes import MinutesCommand
from domain.meeting.changes import CancelCommand, RescheduleCommand
from domain.meeting.definition import MeetingDefinition
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from starter.client import commands
from tests.factories import meeting
from tests.harness import advance_to, invited, plan

SECRETARIAT = Actor(id="secretariat.ca", channel=Channel.CLI)


async def full_lifecycle(
    env: WorkflowEnvironment, store: Store, queue: str, meeting_id: str | None = None
) -> MeetingDefinition:
    """Invite, answer (three ways of refusal included), agenda, reminders, reschedule,
    check-in on the meeting day; a second meeting is cancelled. Needs a running worker."""
    m = meeting(organisations=["JRC"], **({"id": meeting_id} if meeting_id else {}))
    handle = await plan(env.client, m, queue)
    await invited(handle)
    await commands.rsvp(env.client, store, m.id, RsvpCommand(
        participant_id="kz-nfp", attendance=Attendance.IN_PERSON, actor=SECRETARIAT))  # fmt: skip
    await commands.rsvp(env.client, store, m.id, RsvpCommand(
        participant_id="uz-nfp", attendance=Attendance.ONLINE,
        actor=Actor(id="uz-nfp", channel=Channel.LINK)))  # fmt: skip
    with contextlib.suppress(commands.CommandRefused):
        await commands.rsvp(env.client, store, m.id, RsvpCommand(
            participant_id="xx-nfp", attendance=Attendance.ONLINE, actor=SECRETARIAT))  # fmt: skip
    item = await commands.propose_item(env.client, store, m.id, ProposeCommand(
        title="Project 87 PRECA review", presenter="kz-nfp", minutes=20,
        actor=Actor(id="kz-nfp", channel=Channel.LINK)))  # fmt: skip
    await commands.decide_item(env.client, store, m.id, DecideCommand(
        item_id=item.id, decision=Decision.ACCEPT, actor=SECRETARIAT))  # fmt: skip
    await commands.publish_agenda(env.client, store, m.id, PublishCommand(actor=SECRETARIAT))
    await advance_to(env, m.start_utc() - timedelta(days=20))  # the 30-day chasers go out
    await commands.reschedule(env.client, store, m.id, RescheduleCommand(
        start=m.start + timedelta(days=7), end=m.end + timedelta(days=7),
        actor=SECRETARIAT))  # fmt: skip
    moved = await commands.status(env.client, m.id)
    await advance_to(env, moved.meeting.start_utc() + timedelta(minutes=5))
    desk = Actor(id="registration-desk", channel=Channel.LINK)
    await commands.check_in(
        env.client, store, m.id, CheckInCommand(participant_id="kz-nfp", actor=desk)
    )
    with contextlib.suppress(commands.CommandRefused):
        await commands.cancel(env.client, store, m.id, CancelCommand(actor=SECRETARIAT))
    return moved.meeting


async def cancelled_meeting(env: WorkflowEnvironment, store: Store, queue: str) -> str:
    """A meeting planned, then cancelled: its workflow completes."""
    now = await env.get_current_time()
    start = (now + timedelta(days=30)).replace(hour=9, minute=0, second=0, microsecond=0)
    m = meeting(
        id="RTM-CA-17",
        start=start.replace(tzinfo=None).isoformat(),
        end=(start + timedelta(days=1, hours=8)).replace(tzinfo=None).isoformat(),
    )
    handle = await plan(env.client, m, queue)
    await invited(handle)
    await commands.cancel(env.client, store, m.id, CancelCommand(
        reason="venue unavailable", actor=SECRETARIAT))  # fmt: skip
    await handle.result()
    return m.id


async def followed_up_meeting(env: WorkflowEnvironment, store: Store, queue: str) -> str:
    """A meeting held, its minutes recorded with one action, the action done: it closes."""
    now = await env.get_current_time()
    start = (now + timedelta(days=20)).replace(hour=9, minute=0, second=0, microsecond=0)
    m = meeting(
        id="RTM-CA-18",
        number=18,
        organisations=[],
        start=start.replace(tzinfo=None).isoformat(),
        end=(start + timedelta(days=1, hours=8)).replace(tzinfo=None).isoformat(),
    )
    handle = await plan(env.client, m, queue)
    await invited(handle)
    await advance_to(env, m.end_utc() + timedelta(hours=1))
    action = ActionSpec(
        what="Share the PRECA exercise report",
        owner=Owner(kind=OwnerKind.COUNTRY, code="KZ"),
        due=m.end.date() + timedelta(days=30),
    )
    await commands.record_minutes(env.client, store, m.id, MinutesCommand(
        markdown="# Minutes\n\nNational updates; PRECA review.", actions=[action],
        actor=SECRETARIAT))  # fmt: skip
    await advance_to(env, m.end_utc() + timedelta(days=25))
    await commands.mark_action_done(env.client, store, f"{m.id}-A1", DoneCommand(
        actor=SECRETARIAT))  # fmt: skip
    await handle.result()
    return m.id
