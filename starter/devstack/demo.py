"""The README's first command: the embedded stack, the directory of the whole network, and
the Central Asia region's next RTM (modelled on the 15th: two days in Dubai, hybrid) with
its invitations, and a warning when its days are a partner country's holiday.

Running it again reuses the meeting: no second workflow, no second invitation.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, date, datetime, time, timedelta

from temporalio.client import Client

from activities.config import Settings
from activities.store.console import ConsoleStore
from domain.common.contracts import Phase
from domain.cycle.next_meeting import ordinal
from domain.directory.models import Region, Role
from domain.invitations.batches import InvitationStatus
from domain.meeting.definition import (
    MeetingDefinition,
    MeetingFormat,
    MeetingTexts,
    Organiser,
    Venue,
)
from domain.meeting.status import MAX_PAGE, MeetingStatus, StatusPage
from domain.reports.feeds import FeedKind, feed_path
from domain.reports.history import History
from domain.reports.links import charts_link
from starter.cli.daysoff import warn_days_off
from starter.cli.inputs import parse, read_directory, read_document
from starter.client import commands
from starter.data import AUDITORS, HISTORY, NETWORK
from starter.devstack.stack import embedded_stack
from starter.web.console.auth import operator_link
from workflows.meeting.workflow import MeetingWorkflow

PARTNERS_AT_15TH = ["KZ", "KG", "MN", "PK", "TJ", "UZ"]
OBSERVERS = ["EUDEL-KZ", "EUDEL-UZ", "JRC", "UNICRI", "ISTC", "EEAS", "SEC-CA"]


def next_rtm(region: Region, today: date) -> MeetingDefinition:
    """The region's next RTM on the 15th's model, on a Monday-Tuesday at least 4 weeks ahead."""
    number = region.last_rtm_number + 1
    monday = today + timedelta(days=28 + (7 - today.weekday()) % 7)
    return MeetingDefinition(
        id=f"RTM-{region.code}-{number}",
        region=region.code,
        number=number,
        title=f"{ordinal(number)} Round-Table Meeting of National Focal Points for {region.name}",
        format=MeetingFormat.HYBRID,
        zone="Asia/Dubai",
        start=datetime.combine(monday, time(9, 0)),
        end=datetime.combine(monday + timedelta(days=1), time(17, 30)),
        venue=Venue(
            name="Dubai Exhibition Centre",
            city="Dubai",
            country="United Arab Emirates",
            address="Expo City Dubai",
        ),
        join_link=f"https://meet.example.org/rtm-{region.code.lower()}-{number}",
        organiser=Organiser(
            name=f"CBRN CoE Regional Secretariat for {region.name}", email=region.secretariat_email
        ),
        countries=PARTNERS_AT_15TH,
        organisations=OBSERVERS,
        texts={"ru": RUSSIAN[region.code](number)} if region.code in RUSSIAN else {},
    )


# The region's words in Russian, as the initiative writes them (Круглый стол, национальные
# координаторы, Региональный секретариат).
RUSSIAN = {
    "CA": lambda number: MeetingTexts(
        title=f"{number}-й Круглый стол национальных координаторов стран Центральной Азии",
        venue=Venue(
            name="Выставочный центр Дубая",
            city="Дубай",
            country="Объединённые Арабские Эмираты",
            address="Expo City Dubai",
        ),
        organiser="Региональный секретариат ЦПО ХБРЯ ЕС для Центральной Азии",
    )
}


async def follow_invitations(
    client: Client, meeting_id: str, timeout: float = 300
) -> MeetingStatus:
    """Print each invitation as it goes out, until the invitation phase is over."""
    handle = client.get_workflow_handle(meeting_id)
    shown: set[str] = set()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        status = await handle.query(MeetingWorkflow.status, StatusPage(limit=MAX_PAGE))
        for inv in status.invitations:
            if inv.status is not InvitationStatus.PENDING and inv.participant_id not in shown:
                shown.add(inv.participant_id)
                mark = "sent  " if inv.status is InvitationStatus.SENT else "FAILED"
                print(f"  {mark} {inv.participant_id:<16} {inv.email:<36} {inv.message_id}")
        if status.phase not in (Phase.SCHEDULED, Phase.INVITING, Phase.PLANNED):
            return status
        if loop.time() > deadline:
            raise TimeoutError(f"invitations of {meeting_id} still going after {timeout:.0f}s")
        await asyncio.sleep(0.2)


async def demo(settings: Settings) -> int:
    async with embedded_stack(settings) as stack:
        directory = read_directory(NETWORK)
        counts = stack.store.load_directory(directory)
        stack.store.load_directory(read_directory(AUDITORS))
        history = parse(History, read_document(HISTORY))
        stack.store.load_history(history)
        print(f"History: {', '.join(m.id for m in history.meetings)} with their published counts")
        print(
            f"Directory: {counts['regions']} regions, {counts['countries']} countries, "
            f"{counts['organisations']} organisations, {counts['participants']} participants, "
            f"{counts.get('series', 0)} meeting series"
        )
        region = stack.store.region("CA")
        assert region is not None
        existing = stack.store.latest_meeting(region.code)
        if existing is not None:
            meeting = (await commands.status(stack.client, existing)).meeting
            started = False
        else:
            meeting = next_rtm(region, datetime.now(UTC).date())
            started = await commands.plan(stack.client, meeting, settings.task_queue, reuse=True)
        if started:
            print(f"Planned {meeting.id}: {meeting.title}")
            print(
                f"  {meeting.start:%a %d %b %Y %H:%M} - {meeting.end:%a %d %b %H:%M} "
                f"{meeting.zone}, {meeting.format.value}, {meeting.venue and meeting.venue.city}"
            )
        else:
            print(f"{meeting.id} already planned: reusing it, no invitation is sent twice")
        warn_days_off(stack.store, meeting, sys.stdout)
        print("Invitations:")
        status = await follow_invitations(stack.client, meeting.id)
        sent = status.count(InvitationStatus.SENT)
        failed = status.count(InvitationStatus.FAILED)
        print(
            f"{meeting.id} is in phase {status.phase.value}: "
            f"{sent} invitations sent, {failed} failed"
        )
        files_now = len(list(settings.mail_dir.glob("*.eml")))
        print(f"Mail: {settings.mail_dir.resolve()} ({files_now} .eml files)")
        secretariat = next(
            p
            for p in stack.store.participants()
            if p.role is Role.SECRETARIAT and p.organisation == f"SEC-{region.code}"
        )
        sessions = ConsoleStore(stack.store.url, stack.store.engine)
        link = operator_link(sessions, settings.public_url, secretariat.id)
        print(f"Console: {settings.public_url}/console/ (sign-in links are mailed to var/mail)")
        print(f"  Sign in as {secretariat.name} (one click, once, within 15 minutes): {link}")
        key, now = settings.link_key(), datetime.now(UTC)
        print(f"Charts: {charts_link(key, settings.public_url, 'region', region.code, now)}")
        serial = stack.store.feed_serial("region", region.code)
        feed = feed_path(key, FeedKind.REGION, region.code, serial)
        print(f"Calendar feed of the region: {settings.public_url.rstrip('/')}{feed}")
        print(
            "Bring the stack back up with `rtm dev`; the Temporal Web UI is then at "
            f"{stack.ui_url}/namespaces/{settings.temporal_namespace}/workflows/{meeting.id}"
        )
    return 0
