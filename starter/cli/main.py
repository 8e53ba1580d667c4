"""`rtm`: the secretariat's command line. Talks to Temporal through the client only.

Exit codes: 0 done, 1 failure of a peer (server down, ...), 2 bad input (nothing changed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from temporalio.service import RPCError, RPCStatusCode

from activities.config import Settings
from activities.store.db import Store
from domain.agenda.items import DecideCommand, Decision, ProposeCommand, PublishCommand
from domain.agenda.template import ItemKind
from domain.attendance.register import CheckInCommand
from domain.common.contracts import Phase
from domain.followup.actions import DoneCommand, action_workflow_id
from domain.followup.minutes import MinutesCommand
from domain.invitations.batches import InvitationStatus
from domain.meeting.changes import CancelCommand, RescheduleCommand
from domain.meeting.definition import MeetingFormat
from domain.meeting.status import StatusPage
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from domain.reminders.planning import RemindCommand
from starter.cli.inputs import InputError, check_meeting, parse, read_directory, read_document
from starter.cli.views import render_agenda, render_attendance, render_status
from starter.client import commands, cycle
from starter.client.audit import export, render_timeline, timeline
from starter.devstack.catcher import read_mailbox
from worker import connect

Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


def _store(settings: Settings) -> Store:
    store = Store(settings.database_url)
    store.create_schema()
    return store


async def cmd_dev(args: argparse.Namespace, settings: Settings) -> int:
    from starter.devstack.stack import embedded_stack

    async with embedded_stack(settings) as stack:
        print(f"Temporal  {settings.temporal_address}  (Web UI {stack.ui_url})")
        print(
            f"SMTP      {settings.smtp_host}:{settings.smtp_port}  -> {settings.mail_dir.resolve()}"
        )
        print(f"Database  {settings.database_url}")
        print(f"Web app   {settings.public_url}  (RSVP, join and desk links)")
        print(
            f"Replies   {settings.inbound_host}:{settings.inbound_port}  (calendar replies, SMTP)"
        )
        print("Worker    running; Ctrl-C (or SIGTERM) stops the stack")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        print("stopping the stack ...")
    return 0


async def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from starter.devstack.demo import demo

    return await demo(settings)


async def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from worker import run

    await run(settings)
    return 0


async def cmd_directory_load(args: argparse.Namespace, settings: Settings) -> int:
    directory = read_directory(Path(args.file))
    store = _store(settings)
    try:
        counts = store.load_directory(directory)
    except ValueError as exc:
        raise InputError(str(exc).split("; ")) from exc
    print(", ".join(f"{n} {k}" for k, n in counts.items()) + " loaded")
    return 0


async def cmd_directory_list(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    for region in store.regions():
        print(
            f"{region.code}  {region.name} (secretariat {region.secretariat_city}, {region.zone})"
        )
        for c in store.countries(region.code):
            print(f"  {c.code}  {c.name}")
    orgs = store.organisations()
    if orgs:
        print("Organisations:")
        for o in orgs:
            print(f"  {o.code:<10} {o.name}")
    people = store.participants()
    print(f"Participants ({len(people)}):")
    for p in people:
        print(
            f"  {p.id:<16} {p.role.value:<11} {p.country or p.organisation:<9} "
            f"{p.email:<36} {p.name}"
        )
    return 0


async def cmd_meeting_plan(args: argparse.Namespace, settings: Settings) -> int:
    meeting = check_meeting(read_document(Path(args.file)), _store(settings), datetime.now(UTC))
    client = await connect(settings)
    await commands.plan(client, meeting, settings.task_queue, reuse=False)
    print(f"Planned {meeting.id}: {meeting.title}; invitations are going out")
    return 0


async def cmd_meeting_list(args: argparse.Namespace, settings: Settings) -> int:
    phase = Phase(args.phase) if args.phase else None
    meetings = await commands.list_meetings(await connect(settings), args.region, phase)
    for m in meetings:
        print(f"{m.id:<24} {m.region or '-':<4} {m.number or '-':>4}  {m.phase or '-':<12} "
              f"{m.status:<10} started {m.started:%Y-%m-%d %H:%M}")  # fmt: skip
    print(f"{len(meetings)} meetings")
    return 0


async def cmd_meeting_status(args: argparse.Namespace, settings: Settings) -> int:
    status = await commands.status(await connect(settings), args.id)
    print(status.model_dump_json(indent=2) if args.json else render_status(status))
    return 0


def _actor(settings: Settings) -> Actor:
    return Actor(id=settings.cli_user, channel=Channel.CLI)


async def cmd_rsvp(args: argparse.Namespace, settings: Settings) -> int:
    command = parse(
        RsvpCommand,
        {"participant_id": args.participant, "attendance": args.attend, "actor": _actor(settings)},
    )
    row = await commands.rsvp(await connect(settings), _store(settings), args.meeting, command)
    print(f"{args.meeting}: {row.name} ({row.participant_id}) answered {args.attend}")
    return 0


async def cmd_meeting_reschedule(args: argparse.Namespace, settings: Settings) -> int:
    fields = {
        "start": args.start,
        "end": args.end,
        "zone": args.zone,
        "registration_deadline": args.deadline,
        "join_link": args.join_link,
    }
    command = parse(
        RescheduleCommand,
        {k: v for k, v in fields.items() if v is not None} | {"actor": _actor(settings)},
    )
    m = await commands.reschedule(await connect(settings), _store(settings), args.id, command)
    print(
        f"{m.id} rescheduled to {m.start:%Y-%m-%d %H:%M} - {m.end:%Y-%m-%d %H:%M} {m.zone}; "
        f"{m.count(InvitationStatus.SENT)} updated invitations sent "
        f"(sequence {m.sequence})"
    )
    return 0


async def cmd_remind(args: argparse.Namespace, settings: Settings) -> int:
    command = RemindCommand(actor=_actor(settings))
    ack = await commands.remind(await connect(settings), _store(settings), args.meeting, command)
    print(f"{ack.id}: reminder sent now to {ack.chased} participants who have not answered")
    return 0


async def cmd_meeting_schedule(args: argparse.Namespace, settings: Settings) -> int:
    venue = {"name": args.venue_name, "city": args.venue_city, "country": args.venue_country,
             "address": args.venue_address}  # fmt: skip
    host = {k: v for k, v in venue.items() if v} if args.venue_name else None
    fields = {"start": args.start, "end": args.end, "zone": args.zone, "format": args.format,
              "join_link": args.join_link, "registration_deadline": args.deadline,
              "venue": host}  # fmt: skip
    command = parse(
        RescheduleCommand,
        {k: v for k, v in fields.items() if v is not None} | {"actor": _actor(settings)},
    )
    client = await connect(settings)
    m = await commands.schedule(client, _store(settings), args.id, command)
    print(f"{m.id} scheduled: {m.start:%Y-%m-%d %H:%M} - {m.end:%Y-%m-%d %H:%M} {m.zone}, "
          f"{m.format.value}; invitations are going out")  # fmt: skip
    return 0


async def cmd_cycle(args: argparse.Namespace, settings: Settings) -> int:
    """`rtm cycle create|show|pause|resume|trigger|delete --region R`."""
    store = _store(settings)
    region = store.region(args.region)
    if region is None:
        raise InputError([f"region: unknown region {args.region!r}"])
    client = await connect(settings)
    try:
        if args.action == "create":
            months = cycle.months_of(args.months)
            await cycle.create(client, region.code, region.zone, settings.task_queue, months,
                               args.day, args.hour)  # fmt: skip
            print(f"{region.code}: cycle created, months {list(months)}, day {args.day}, "
                  f"{args.hour:02d}:00 {region.zone}")  # fmt: skip
        elif args.action == "show":
            view = await cycle.show(client, region.code)
            print(f"{region.code}: months {view.months}, day {view.day}, {view.hour:02d}:00 "
                  f"{view.zone}, {'PAUSED' if view.paused else 'active'} {view.note}")  # fmt: skip
            for when in view.next_runs:
                print(f"  next run {when:%Y-%m-%d %H:%M} UTC")
            for run in view.recent_runs:
                print(f"  recent   {run}")
        elif args.action == "pause":
            await cycle.pause(client, region.code, f"paused by {settings.cli_user}")
            print(f"{region.code}: cycle paused; nothing starts until it is resumed")
        elif args.action == "resume":
            await cycle.resume(client, region.code, f"resumed by {settings.cli_user}")
            print(f"{region.code}: cycle resumed")
        elif args.action == "trigger":
            await cycle.trigger(client, region.code)
            print(f"{region.code}: cycle triggered; the next RTM is being planned")
        else:
            await cycle.delete(client, region.code)
            print(f"{region.code}: cycle deleted")
    except cycle.CycleError as exc:
        raise InputError([str(exc)]) from exc
    return 0


async def cmd_meeting_cancel(args: argparse.Namespace, settings: Settings) -> int:
    command = parse(CancelCommand, {"reason": args.reason, "actor": _actor(settings)})
    ack = await commands.cancel(await connect(settings), _store(settings), args.id, command)
    print(
        f"{ack.id} cancelled; {ack.count(InvitationStatus.SENT)} cancellations sent "
        f"(sequence {ack.sequence})"
    )
    return 0


async def cmd_agenda_show(args: argparse.Namespace, settings: Settings) -> int:
    agenda = await commands.agenda(await connect(settings), args.meeting)
    print(agenda.model_dump_json(indent=2) if args.json else render_agenda(agenda))
    return 0


async def cmd_agenda_propose(args: argparse.Namespace, settings: Settings) -> int:
    fields = {"title": args.title, "presenter": args.presenter, "minutes": args.minutes,
              "kind": args.kind, "project": args.project, "actor": _actor(settings)}  # fmt: skip
    command = parse(ProposeCommand, {k: v for k, v in fields.items() if v is not None})
    client = await connect(settings)
    item = await commands.propose_item(client, _store(settings), args.meeting, command)
    print(
        f"{args.meeting}: proposed {item.id} '{item.title}' ({item.minutes} min), awaiting decision"
    )
    return 0


async def cmd_agenda_decide(args: argparse.Namespace, settings: Settings) -> int:
    fields = {"item_id": args.item, "decision": args.decision, "reason": args.reason,
              "title": args.title, "minutes": args.minutes, "kind": args.kind,
              "presenter": args.presenter, "actor": _actor(settings)}  # fmt: skip
    command = parse(DecideCommand, {k: v for k, v in fields.items() if v is not None})
    client = await connect(settings)
    item = await commands.decide_item(client, _store(settings), args.meeting, command)
    print(f"{args.meeting}: {item.id} is {item.status.value}: {item.title} ({item.minutes} min)")
    return 0


async def cmd_agenda_publish(args: argparse.Namespace, settings: Settings) -> int:
    command = PublishCommand(actor=_actor(settings))
    client = await connect(settings)
    agenda = await commands.publish_agenda(client, _store(settings), args.meeting, command)
    print(f"{args.meeting}: agenda version {agenda.published_version} published and mailed")
    return 0


async def cmd_attendance_check_in(args: argparse.Namespace, settings: Settings) -> int:
    command = parse(CheckInCommand, {"participant_id": args.participant, "actor": _actor(settings)})
    client = await connect(settings)
    await commands.check_in(client, _store(settings), args.meeting, command)
    view = await commands.attendance(client, args.meeting)
    print(f"{args.meeting}: {args.participant} checked in; {view.counts.summary}")
    return 0


async def cmd_attendance_show(args: argparse.Namespace, settings: Settings) -> int:
    view = await commands.attendance(await connect(settings), args.meeting)
    print(view.model_dump_json(indent=2) if args.json else render_attendance(view))
    return 0


async def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    """`rtm audit MEETING [--json]` or `rtm audit export MEETING DIR`."""
    words = list(args.words)
    exporting = words[:1] == ["export"]
    if exporting:
        words = words[1:]
    if len(words) != (2 if exporting else 1):
        raise InputError(["usage: rtm audit MEETING [--json] | rtm audit export MEETING DIR"])
    meeting_id = words[0]
    client = await connect(settings)
    try:
        history = await client.get_workflow_handle(meeting_id).fetch_history()
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise InputError([f"meeting: no meeting {meeting_id!r}"]) from exc
        raise
    history_json = history.to_json()
    entries = timeline(json.loads(history_json), _store(settings).audit(meeting_id))
    if exporting:
        for path in export(meeting_id, history_json, entries, Path(words[1])):
            print(f"wrote {path}")
    elif args.json:
        print(json.dumps([e.model_dump(mode="json") for e in entries], indent=2,
                         ensure_ascii=False))  # fmt: skip
    else:
        print(render_timeline(meeting_id, entries))
    return 0


async def cmd_followup(args: argparse.Namespace, settings: Settings) -> int:
    """`rtm followup MEETING --minutes FILE.md [--actions FILE.yaml]`."""
    try:
        markdown = Path(args.minutes).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([f"minutes: cannot read {args.minutes} ({exc.strerror})"]) from exc
    actions = read_document(Path(args.actions)) if args.actions else []
    if isinstance(actions, dict):
        actions = actions.get("actions", [])
    command = parse(
        MinutesCommand, {"markdown": markdown, "actions": actions, "actor": _actor(settings)}
    )
    client = await connect(settings)
    recorded = await commands.record_minutes(client, _store(settings), args.meeting, command)
    status = await commands.status(client, args.meeting, StatusPage(limit=0))
    print(f"{status.id}: minutes recorded and mailed; {len(recorded.actions)} action items:")
    for a in status.actions:
        print(f"  {a.id}  {a.what}  -- {a.owner.label()}, due {a.due}")
    return 0


async def cmd_actions_list(args: argparse.Namespace, settings: Settings) -> int:
    items = _store(settings).actions(args.region, args.country, args.open)
    for a in items:
        print(f"{a.meeting_id:<14} {a.id:<4} {a.status.value:<5} due {a.due}  "
              f"{a.owner.label():<32} {a.what}")  # fmt: skip
    print(f"{len(items)} action items")
    return 0


async def cmd_actions_done(args: argparse.Namespace, settings: Settings) -> int:
    fields = {"note": args.note, "actor": _actor(settings)}
    command = parse(DoneCommand, {k: v for k, v in fields.items() if v is not None})
    client = await connect(settings)
    workflow_id = action_workflow_id(args.meeting, args.action)
    try:
        item = await commands.mark_action_done(client, _store(settings), workflow_id, command)
    except commands.NoSuchAction as exc:
        raise InputError([f"action: no action {args.action} in {args.meeting}"]) from exc
    print(f"{args.meeting} {item.id} done: {item.what}")
    return 0


async def cmd_mail_list(args: argparse.Namespace, settings: Settings) -> int:
    mail_dir = Path(args.dir) if args.dir else settings.mail_dir
    messages = read_mailbox(mail_dir) if mail_dir.exists() else []
    for msg in messages:
        print(f"{msg['Date']}  {msg['To']}  {msg['Subject']}  {msg['Message-ID']}")
    print(f"{len(messages)} messages in {mail_dir.resolve()}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rtm", description="Round-Table Meeting engine")
    sub = p.add_subparsers(dest="command", required=True)

    def add(parent: Any, name: str, fn: Command, help: str) -> argparse.ArgumentParser:
        cmd: argparse.ArgumentParser = parent.add_parser(name, help=help)
        cmd.set_defaults(fn=fn)
        return cmd

    add(sub, "dev", cmd_dev, "run the embedded stack until interrupted")
    add(sub, "demo", cmd_demo, "the embedded stack, the Central Asia directory and its next RTM")
    add(sub, "worker", cmd_worker, "run a worker against TEMPORAL_ADDRESS")

    directory = add(sub, "directory", cmd_directory_list, "the participant directory")
    dsub = directory.add_subparsers(dest="action", required=True)
    add(dsub, "load", cmd_directory_load, "load a YAML/JSON directory file").add_argument("file")
    add(dsub, "list", cmd_directory_list, "list regions, countries, organisations, people")

    meeting = add(sub, "meeting", cmd_meeting_status, "meetings")
    msub = meeting.add_subparsers(dest="action", required=True)
    add(
        msub, "plan", cmd_meeting_plan, "validate a YAML/JSON meeting definition and start it"
    ).add_argument("file")
    listing = add(msub, "list", cmd_meeting_list, "meetings by region and phase (visibility)")
    listing.add_argument("--region")
    listing.add_argument("--phase", choices=[p.value for p in Phase])
    status = add(msub, "status", cmd_meeting_status, "phase and each participant's invitation")
    status.add_argument("id")
    status.add_argument("--json", action="store_true")
    move = add(msub, "reschedule", cmd_meeting_reschedule, "new dates; everyone gets an update")
    move.add_argument("id")
    move.add_argument("--start", required=True, help="venue time, e.g. 2027-01-11T09:00")
    move.add_argument("--end", required=True, help="venue time, e.g. 2027-01-12T17:30")
    move.add_argument("--zone", help="new venue zone (IANA)")
    move.add_argument("--deadline", help="new registration deadline, venue time")
    move.add_argument("--join-link", dest="join_link")
    sched = add(msub, "schedule", cmd_meeting_schedule, "dates, host and format of a planned RTM")
    sched.add_argument("id")
    sched.add_argument("--start", required=True, help="venue time, e.g. 2027-06-07T09:00")
    sched.add_argument("--end", required=True, help="venue time, e.g. 2027-06-08T17:30")
    sched.add_argument("--zone", help="venue zone (IANA), e.g. Asia/Almaty")
    sched.add_argument("--format", choices=[f.value for f in MeetingFormat])
    sched.add_argument("--venue-name", dest="venue_name")
    sched.add_argument("--venue-city", dest="venue_city")
    sched.add_argument("--venue-country", dest="venue_country")
    sched.add_argument("--venue-address", dest="venue_address")
    sched.add_argument("--join-link", dest="join_link")
    sched.add_argument("--deadline", help="registration deadline, venue time")
    stop = add(msub, "cancel", cmd_meeting_cancel, "cancel; everyone gets a cancellation")
    stop.add_argument("id")
    stop.add_argument("--reason", default="cancelled by the secretariat")

    cyc = add(sub, "cycle", cmd_cycle, "a region's six-monthly RTM cycle (a Temporal Schedule)")
    cyc.add_argument("action", choices=["create", "show", "pause", "resume", "trigger", "delete"])
    cyc.add_argument("--region", required=True)
    cyc.add_argument("--months", help="months of the year, default 1,7")
    cyc.add_argument("--day", type=int, default=1, help="day of the month (1-28)")
    cyc.add_argument("--hour", type=int, default=9, help="hour in the region's zone")

    remind = add(sub, "remind", cmd_remind, "chase everyone who has not answered, now")
    remind.add_argument("meeting")

    rsvp = add(sub, "rsvp", cmd_rsvp, "record a participant's answer")
    rsvp.add_argument("meeting")
    rsvp.add_argument("participant")
    rsvp.add_argument("--attend", required=True, choices=[a.value for a in Attendance])

    agenda = add(sub, "agenda", cmd_agenda_show, "a meeting's agenda")
    asub = agenda.add_subparsers(dest="action", required=True)
    show = add(asub, "show", cmd_agenda_show, "items, decisions and the timetable")
    show.add_argument("meeting")
    show.add_argument("--json", action="store_true")
    kinds = [k.value for k in ItemKind]
    propose = add(asub, "propose", cmd_agenda_propose, "propose an item (until the deadline)")
    propose.add_argument("meeting")
    propose.add_argument("--title", required=True)
    propose.add_argument("--presenter", required=True, help="participant id")
    propose.add_argument("--minutes", required=True, type=int)
    propose.add_argument("--kind", choices=kinds)
    propose.add_argument("--project")
    decide = add(asub, "decide", cmd_agenda_decide, "accept, reject (with a reason) or edit")
    decide.add_argument("meeting")
    decide.add_argument("item")
    decide.add_argument("decision", choices=[d.value for d in Decision])
    decide.add_argument("--reason")
    decide.add_argument("--title")
    decide.add_argument("--minutes", type=int)
    decide.add_argument("--kind", choices=kinds)
    decide.add_argument("--presenter", help="participant id")
    publish = add(asub, "publish", cmd_agenda_publish, "mail the agenda to those who accepted")
    publish.add_argument("meeting")

    attendance = add(sub, "attendance", cmd_attendance_show, "who attended, how, which days")
    tsub = attendance.add_subparsers(dest="action", required=True)
    checkin = add(tsub, "check-in", cmd_attendance_check_in, "registration desk: in the room")
    checkin.add_argument("meeting")
    checkin.add_argument("participant")
    ashow = add(tsub, "show", cmd_attendance_show, "the register and its counts")
    ashow.add_argument("meeting")
    ashow.add_argument("--json", action="store_true")

    follow = add(sub, "followup", cmd_followup, "record minutes and action items, mail them")
    follow.add_argument("meeting")
    follow.add_argument("--minutes", required=True, help="a markdown file")
    follow.add_argument("--actions", help="YAML/JSON list: what, owner {kind, code}, due")

    acts = add(sub, "actions", cmd_actions_list, "follow-up actions across meetings")
    xsub = acts.add_subparsers(dest="action_cmd", required=True)
    alist = add(xsub, "list", cmd_actions_list, "from the read model")
    alist.add_argument("--region")
    alist.add_argument("--country")
    alist.add_argument("--open", action="store_true")
    adone = add(xsub, "done", cmd_actions_done, "mark an action item done")
    adone.add_argument("meeting")
    adone.add_argument("action", help="e.g. A1")
    adone.add_argument("--note")

    audit = add(sub, "audit", cmd_audit, "timeline of a meeting; `audit export MEETING DIR`")
    audit.add_argument("words", nargs="+", metavar="MEETING | export MEETING DIR")
    audit.add_argument("--json", action="store_true")

    mail = add(sub, "mail", cmd_mail_list, "the SMTP catcher's mailbox")
    msub2 = mail.add_subparsers(dest="action", required=True)
    add(msub2, "list", cmd_mail_list, "list caught messages").add_argument("--dir")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings()
    command: Command = args.fn
    try:
        return asyncio.run(command(args, settings))
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except commands.CommandRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except RuntimeError as exc:
        if "Failed client connect" in str(exc):
            print(
                f"error: cannot reach Temporal at {settings.temporal_address} "
                "(start the stack with `rtm dev`, or set TEMPORAL_ADDRESS)",
                file=sys.stderr,
            )
        else:
            print(f"error: {exc}", file=sys.stderr)
        return 1


def entry() -> None:
    """The `rtm` console script: main(), then a hard exit once the output is flushed.

    After a failed connect, tearing down the Temporal client's native runtime at
    interpreter exit can crash the process; the command's work and output are complete.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
