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
from domain.common import i18n
from domain.common.contracts import Phase
from domain.common.marks import N_
from domain.cycle.next_meeting import ordinal
from domain.directory.models import Region, Role
from domain.invitations.batches import InvitationStatus
from domain.meeting.definition import (
    MeetingDefinition,
    MeetingFormat,
    MeetingTexts,
    Organiser,
    Venue,
    localized,
)
from domain.meeting.status import MAX_PAGE, MeetingStatus, StatusPage
from domain.reports.feeds import FeedKind, feed_path
from domain.reports.history import History
from domain.reports.links import charts_link
from starter.cli.daysoff import warn_days_off
from starter.cli.inputs import parse, read_directory, read_document
from starter.cli.language import terminal_language
from starter.cli.say import phrase, say, shown
from starter.client import commands
from starter.data import AUDITORS, HISTORY, NETWORK
from starter.devstack.stack import embedded_stack
from starter.web.console.auth import operator_link
from workflows.meeting.workflow import MeetingWorkflow

# How each invitation went, as the demo lists them as they go out.
SENT, FAILED = N_("sent"), N_("FAILED")
LOADED = ("regions", "countries", "organisations", "participants", "series")

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
                mark = SENT if inv.status is InvitationStatus.SENT else FAILED
                print(f"  {_mark(mark)} {inv.participant_id:<16} {inv.email:<36} {inv.message_id}")
        if status.phase not in (Phase.SCHEDULED, Phase.INVITING, Phase.PLANNED):
            return status
        if loop.time() > deadline:
            raise TimeoutError(f"invitations of {meeting_id} still going after {timeout:.0f}s")
        await asyncio.sleep(0.2)


def _mark(mark: str) -> str:
    """An invitation's outcome, as wide as the longest of the two in the language."""
    width = max(len(phrase(SENT)), len(phrase(FAILED)))
    return phrase(mark).ljust(width)


def _when(moment: datetime) -> str:
    """A venue time as the operator's language writes the day ("Mon 11 Jan 2027 09:00")."""
    return f"{i18n.format_date(moment, terminal_language())} {moment:%H:%M}"


async def demo(settings: Settings) -> int:
    async with embedded_stack(settings) as stack:
        directory = read_directory(NETWORK)
        counts = stack.store.load_directory(directory)
        stack.store.load_directory(read_directory(AUDITORS))
        history = parse(History, read_document(HISTORY))
        stack.store.load_history(history)
        say(
            "History: %(meetings)s with their published counts",
            meetings=", ".join(m.id for m in history.meetings),
        )
        counted = {k: counts.get(k, 0) for k in LOADED}
        print(
            phrase(
                "Directory: %(regions)s regions, %(countries)s countries, %(organisations)s "
                "organisations, %(participants)s participants, %(series)s meeting series",
                **counted,
            )
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
            words = localized(meeting, terminal_language())  # the title, the city
            say("Planned %(id)s: %(title)s", id=meeting.id, title=words.title)
            print(
                f"  {_when(meeting.start)} - {_when(meeting.end)} {meeting.zone}, "
                f"{shown(meeting.format.value)}, {words.venue and words.venue.city}"
            )
        else:
            say("%(id)s already planned: reusing it, no invitation is sent twice", id=meeting.id)
        warn_days_off(stack.store, meeting, sys.stdout)
        say("Invitations:")
        status = await follow_invitations(stack.client, meeting.id)
        sent = status.count(InvitationStatus.SENT)
        failed = status.count(InvitationStatus.FAILED)
        say(
            "%(id)s is in phase %(phase)s: %(sent)s invitations sent, %(failed)s failed",
            id=meeting.id,
            phase=shown(status.phase.value),
            sent=sent,
            failed=failed,
        )
        files_now = len(list(settings.mail_dir.glob("*.eml")))
        say(
            "Mail: %(folder)s (%(files)s .eml files)",
            folder=settings.mail_dir.resolve(),
            files=files_now,
        )
        secretariat = next(
            p
            for p in stack.store.participants()
            if p.role is Role.SECRETARIAT and p.organisation == f"SEC-{region.code}"
        )
        sessions = ConsoleStore(stack.store.url, stack.store.engine)
        link = operator_link(sessions, settings.public_url, secretariat.id)
        say(
            "Console: %(url)s (sign-in links are mailed to var/mail)",
            url=f"{settings.public_url}/console/",
        )
        say(
            "  Sign in as %(name)s (one click, once, within 15 minutes): %(link)s",
            name=secretariat.name,
            link=link,
        )
        key, now = settings.link_key(), datetime.now(UTC)
        say(
            "Charts: %(link)s",
            link=charts_link(key, settings.public_url, "region", region.code, now),
        )
        serial = stack.store.feed_serial("region", region.code)
        feed = feed_path(key, FeedKind.REGION, region.code, serial)
        say("Calendar feed of the region: %(link)s", link=settings.public_url.rstrip("/") + feed)
        workflow = f"{stack.ui_url}/namespaces/{settings.temporal_namespace}/workflows/{meeting.id}"
        say(
            "Bring the stack back up with %(command)s; the Temporal Web UI is then at %(link)s",
            command="`rtm dev`",
            link=workflow,
        )
    return 0
