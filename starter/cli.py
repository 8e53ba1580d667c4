"""`rtm`: the secretariat's command line. Talks to Temporal through the client only.

Exit codes: 0 done, 1 failure of a peer (server down, ...), 2 bad input (nothing changed).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.config import Settings
from activities.db import Store
from domain.contracts import MeetingStatus
from domain.invitations import InvitationStatus
from starter.catcher import read_mailbox
from starter.inputs import InputError, check_meeting, read_directory, read_document
from worker import connect
from workflows.meeting import MeetingWorkflow

Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


def _store(settings: Settings) -> Store:
    store = Store(settings.database_url)
    store.create_schema()
    return store


async def cmd_dev(args: argparse.Namespace, settings: Settings) -> int:
    from starter.stack import embedded_stack

    async with embedded_stack(settings) as stack:
        print(f"Temporal  {settings.temporal_address}  (Web UI {stack.ui_url})")
        print(
            f"SMTP      {settings.smtp_host}:{settings.smtp_port}  -> {settings.mail_dir.resolve()}"
        )
        print(f"Database  {settings.database_url}")
        print("Worker    running; Ctrl-C stops the stack")
        await asyncio.Event().wait()
    return 0


async def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from starter.demo import demo

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
    try:
        await client.start_workflow(
            MeetingWorkflow.run,
            meeting,
            id=meeting.id,
            task_queue=settings.task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        )
    except WorkflowAlreadyStartedError as exc:
        raise InputError([f"id: meeting {meeting.id} already exists"]) from exc
    print(f"Planned {meeting.id}: {meeting.title}; invitations are going out")
    return 0


def render_status(status: MeetingStatus) -> str:
    lines = [
        f"{status.id}  {status.title}",
        f"phase {status.phase.value}, invitation sequence {status.sequence}",
        f"invitations: {status.count(InvitationStatus.SENT)} sent, "
        f"{status.count(InvitationStatus.FAILED)} failed, "
        f"{status.count(InvitationStatus.PENDING)} pending",
    ]
    for inv in status.invitations:
        tail = inv.error or inv.message_id or ""
        lines.append(f"  {inv.participant_id:<16} {inv.email:<36} {inv.status.value:<8} {tail}")
    return "\n".join(lines)


async def cmd_meeting_status(args: argparse.Namespace, settings: Settings) -> int:
    client = await connect(settings)
    try:
        status = await client.get_workflow_handle(args.id).query(MeetingWorkflow.status)
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise InputError([f"id: no meeting {args.id!r}"]) from exc
        raise
    print(status.model_dump_json(indent=2) if args.json else render_status(status))
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
    status = add(msub, "status", cmd_meeting_status, "phase and each participant's invitation")
    status.add_argument("id")
    status.add_argument("--json", action="store_true")

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
    except KeyboardInterrupt:
        return 130
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
