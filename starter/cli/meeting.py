"""`rtm meeting plan|list|status|schedule|reschedule|cancel|resend`: one meeting's life."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from domain.common.contracts import Phase
from domain.common.i18n import DEFAULT
from domain.common.marks import N_
from domain.invitations.batches import InvitationStatus
from domain.meeting.changes import CancelCommand, RescheduleCommand
from domain.meeting.definition import MeetingFormat
from domain.meeting.status import RegisterPage, StatusPage
from starter.cli.common import actor, add, connect, open_store, print_rows
from starter.cli.daysoff import warn_days_off
from starter.cli.errors import InputError
from starter.cli.language import terminal_language
from starter.cli.say import phrase, say, say_n, shown
from starter.cli.scope import scope_refusal
from starter.cli.views import attendance_summary, render_status

if TYPE_CHECKING:
    from activities.config import Settings
    from starter.client.queries import MeetingListing


async def cmd_meeting_plan(args: argparse.Namespace, settings: Settings) -> int:
    from starter.cli.inputs import check_meeting, read_document
    from starter.client import commands

    store = open_store(settings)
    meeting = check_meeting(read_document(Path(args.file)), store, datetime.now(UTC))
    scope = getattr(args, "scope", None)
    if scope is not None and meeting.region != scope:
        raise InputError([scope_refusal(settings, "region", scope)])
    warn_days_off(store, meeting)
    client = await connect(settings)
    await commands.plan(client, meeting, settings.task_queue, reuse=False)
    say("Planned %(id)s: %(title)s; invitations are going out", id=meeting.id, title=meeting.title)
    return 0


async def cmd_meeting_list(args: argparse.Namespace, settings: Settings) -> int:
    from starter.client import queries

    phase = Phase(args.phase) if args.phase else None
    meetings = await queries.list_meetings(await connect(settings), args.region, phase)

    def line(m: MeetingListing) -> str:
        started = phrase("started %(at)s", at=f"{m.started:%Y-%m-%d %H:%M}")
        return (
            f"{m.id:<24} {m.region or '-':<4} {m.number or '-':>4}  {m.phase or '-':<12} "
            f"{m.status:<10} {started}"
        )

    return print_rows(
        args, meetings, line, lambda n: say_n("%(num)s meeting", "%(num)s meetings", n)
    )


async def cmd_meeting_status(args: argparse.Namespace, settings: Settings) -> int:
    from starter.client import queries

    client = await connect(settings)
    status = await queries.status(client, args.id)
    if args.json:
        print(status.model_dump_json(indent=2))
        return 0
    summary = None  # the engine words the register's summary in English; others from counts
    if status.attendance_summary and terminal_language() != DEFAULT:
        view = await queries.attendance(client, args.id, RegisterPage(limit=0))
        summary = attendance_summary(view.counts)
    print(render_status(status, summary))
    return 0


async def cmd_meeting_reschedule(args: argparse.Namespace, settings: Settings) -> int:
    from starter.cli.inputs import parse
    from starter.client import commands

    fields = {
        "start": args.start,
        "end": args.end,
        "zone": args.zone,
        "registration_deadline": args.deadline,
        "join_link": args.join_link,
    }
    command = parse(
        RescheduleCommand,
        {k: v for k, v in fields.items() if v is not None} | {"actor": actor(settings)},
    )
    store = open_store(settings)
    client = await connect(settings)
    status = await commands.reschedule(client, store, args.id, command)
    m = (await commands.status(client, args.id, StatusPage(limit=0))).meeting
    warn_days_off(store, m)
    say("%(id)s rescheduled to %(start)s - %(end)s %(zone)s; %(sent)s updated invitations sent "
        "(sequence %(sequence)s)", id=status.id, start=f"{m.start:%Y-%m-%d %H:%M}",
        end=f"{m.end:%Y-%m-%d %H:%M}", zone=m.zone, sent=status.count(InvitationStatus.SENT),
        sequence=status.sequence)  # fmt: skip
    return 0


async def cmd_meeting_schedule(args: argparse.Namespace, settings: Settings) -> int:
    from starter.cli.inputs import parse
    from starter.client import commands

    venue = {"name": args.venue_name, "city": args.venue_city, "country": args.venue_country,
             "address": args.venue_address}  # fmt: skip
    host = {k: v for k, v in venue.items() if v} if args.venue_name else None
    fields = {"start": args.start, "end": args.end, "zone": args.zone, "format": args.format,
              "join_link": args.join_link, "registration_deadline": args.deadline,
              "venue": host}  # fmt: skip
    command = parse(
        RescheduleCommand,
        {k: v for k, v in fields.items() if v is not None} | {"actor": actor(settings)},
    )
    client = await connect(settings)
    store = open_store(settings)
    status = await commands.schedule(client, store, args.id, command)
    m = (await commands.status(client, args.id, StatusPage(limit=0))).meeting
    warn_days_off(store, m)
    say("%(id)s scheduled: %(start)s - %(end)s %(zone)s, %(format)s; invitations are going out",
        id=status.id, start=f"{m.start:%Y-%m-%d %H:%M}", end=f"{m.end:%Y-%m-%d %H:%M}",
        zone=m.zone, format=shown(m.format.value))  # fmt: skip
    return 0


async def cmd_meeting_cancel(args: argparse.Namespace, settings: Settings) -> int:
    from starter.cli.inputs import parse
    from starter.client import commands

    command = parse(CancelCommand, {"reason": args.reason, "actor": actor(settings)})
    status = await commands.cancel(await connect(settings), open_store(settings), args.id, command)
    say(
        "%(id)s cancelled; %(sent)s cancellations sent (sequence %(sequence)s)",
        id=status.id,
        sent=status.count(InvitationStatus.SENT),
        sequence=status.sequence,
    )
    return 0


async def cmd_meeting_resend(args: argparse.Namespace, settings: Settings) -> int:
    from domain.outbox.tracking import ResendCommand
    from starter.cli.inputs import parse
    from starter.client import commands

    command = parse(
        ResendCommand,
        {
            "actor": actor(settings),
            "participant": args.participant,
            "failed_only": args.failed or args.participant is None,
        },
    )
    status = await commands.resend(await connect(settings), open_store(settings), args.id, command)
    say("%(id)s: sent again (sequence %(sequence)s); %(sent)s sent, %(failed)s failed, "
        "%(pending)s pending", id=status.id, sequence=status.sequence,
        sent=status.count(InvitationStatus.SENT), failed=status.count(InvitationStatus.FAILED),
        pending=status.count(InvitationStatus.PENDING))  # fmt: skip
    return 1 if status.count(InvitationStatus.FAILED) else 0


def register(meeting: argparse.ArgumentParser) -> None:
    msub = meeting.add_subparsers(dest="action", required=True)
    add(
        msub, "plan", cmd_meeting_plan, N_("validate a YAML/JSON meeting definition and start it")
    ).add_argument("file")
    listing = add(msub, "list", cmd_meeting_list, N_("meetings by region and phase (visibility)"))
    listing.add_argument("--region")
    listing.add_argument("--phase", choices=[p.value for p in Phase])
    listing.add_argument("--json", action="store_true")
    status = add(msub, "status", cmd_meeting_status, N_("phase and each participant's invitation"))
    status.add_argument("id")
    status.add_argument("--json", action="store_true")
    move = add(msub, "reschedule", cmd_meeting_reschedule, N_("new dates; everyone gets an update"))
    move.add_argument("id")
    move.add_argument("--start", required=True, help=N_("venue time, e.g. 2027-01-11T09:00"))
    move.add_argument("--end", required=True, help=N_("venue time, e.g. 2027-01-12T17:30"))
    move.add_argument("--zone", help=N_("new venue zone (IANA)"))
    move.add_argument("--deadline", help=N_("new registration deadline, venue time"))
    move.add_argument("--join-link", dest="join_link")
    sched = add(
        msub, "schedule", cmd_meeting_schedule, N_("dates, host and format of a planned RTM")
    )
    sched.add_argument("id")
    sched.add_argument("--start", required=True, help=N_("venue time, e.g. 2027-06-07T09:00"))
    sched.add_argument("--end", required=True, help=N_("venue time, e.g. 2027-06-08T17:30"))
    sched.add_argument("--zone", help=N_("venue zone (IANA), e.g. Asia/Almaty"))
    sched.add_argument("--format", choices=[f.value for f in MeetingFormat])
    sched.add_argument("--venue-name", dest="venue_name")
    sched.add_argument("--venue-city", dest="venue_city")
    sched.add_argument("--venue-country", dest="venue_country")
    sched.add_argument("--venue-address", dest="venue_address")
    sched.add_argument("--join-link", dest="join_link")
    sched.add_argument("--deadline", help=N_("registration deadline, venue time"))
    stop = add(msub, "cancel", cmd_meeting_cancel, N_("cancel; everyone gets a cancellation"))
    stop.add_argument("id")
    stop.add_argument("--reason", default="cancelled by the secretariat")
    again = add(msub, "resend", cmd_meeting_resend, N_("send the failed invitations again"))
    again.add_argument("id")
    again.add_argument("--failed", action="store_true", help=N_("only those that failed (default)"))
    again.add_argument("--participant", help=N_("only this participant (any outcome)"))


PARSERS = {"meeting": register}
