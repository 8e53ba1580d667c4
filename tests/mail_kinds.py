"""Every kind of mail, rendered to the bytes that are sent, from fixed inputs (for the golden
and the language tests). `samples(pid)` gives (name, Mail) for one recipient of the Central
Asia directory; nothing here depends on the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from domain.agenda.items import AgendaItem
from domain.agenda.slotting import Slot
from domain.agenda.template import ItemKind, ItemStatus
from domain.agenda.view import AgendaView
from domain.common.links import join_link, rsvp_links
from domain.directory.models import Participant
from domain.followup.actions import ActionInput, ActionItem, ActionMail, Owner, OwnerKind
from domain.followup.failures import failure_mail
from domain.invitations.batches import InvitationBatch
from domain.mail.action import action_mail_message
from domain.mail.builder import Mail
from domain.mail.invitation import invitation_mail
from domain.mail.notices import NoticeBatch, notice_mail
from domain.mail.reminder import ReminderItem, reminder_mail
from domain.mail.signin import signin_mail
from domain.meeting.definition import MeetingDefinition
from domain.outbox.delivery import FailedMessage
from domain.registration.answers import Attendance
from domain.reminders.planning import ReminderKind
from tests.factories import central_asia, meeting

KEY = b"test-only rsvp link key, 32 bytes"
BASE_URL = "https://rtm.example.org/"
STAMP = datetime(2026, 12, 1, 14, 30, 15, tzinfo=ZoneInfo("Asia/Tashkent"))
DONE_URL = "https://rtm.example.org/done/RTM-CA-16-GOLDEN/A1?exp=1&sig=x"

MIXED_FAILURES = [  # one of each kind the secretariat may be told of
    FailedMessage(name="Bakyt Asanov", email="nfp.kg@example.org", error="550 5.1.1"),
    FailedMessage(name="Aziz Karimov", email="nfp.uz@example.org", kind="reminder",
                  error="550 5.7.1 rejected", key="s0:chaser-7:uz-nfp"),
    FailedMessage(name="Dilnoza Rahimova", email="deputy.tj@example.org", kind="agenda",
                  error="552 5.2.2 mailbox full", key="agenda-v1:tj-deputy"),
    FailedMessage(name="Aigerim Bekova", email="deputy.kz@example.org", kind="action-reminder",
                  error="550 5.1.1 no such user", key="action:A1:due-7:kz-deputy"),
]  # fmt: skip

KINDS = (
    "invitation-request",
    "invitation-update",
    "invitation-cancel",
    "reminder-chaser",
    "reminder-pre-meeting",
    "reminder-escalation",
    "reminder-agenda-deadline",
    "agenda",
    "agenda-update",
    "minutes",
    "cycle-schedule",
    "action-reminder",
    "action-overdue",
    "action-escalation",
    "console-signin",
    "delivery-failed",
    "delivery-failed-mixed",
    "action-delivery-failed",
)


@cache
def people() -> dict[str, Participant]:
    return {p.id: p for p in central_asia().participants}


def rtm(**overrides: object) -> MeetingDefinition:
    data: dict[str, object] = {
        "id": "RTM-CA-16-GOLDEN",
        "zone": "Asia/Dubai",
        "start": "2027-01-11T09:00",
        "end": "2027-01-12T17:30",
        "texts": {
            "ru": {
                "title": "16-й Круглый стол национальных координаторов стран Центральной Азии",
                "venue": {
                    "name": "Выставочный центр Дубая",
                    "city": "Дубай",
                    "country": "Объединённые Арабские Эмираты",
                },
                "organiser": "Региональный секретариат ЦПО ХБРЯ ЕС для Центральной Азии",
            }
        },
    }
    data.update(overrides)
    return meeting(**data)


def _agenda(m: MeetingDefinition) -> AgendaView:
    items = [
        AgendaItem(
            id="S1", title="Opening", kind=ItemKind.OPENING, minutes=30, status=ItemStatus.STANDING
        ),
        AgendaItem(
            id="P1",
            title="Project 87 PRECA",
            kind=ItemKind.PROJECT_REVIEW,
            minutes=60,
            status=ItemStatus.ACCEPTED,
            presenter="Aigerim Nurlanovna Bekova",
            details=["RTM-CA-15 A2: national plan (KZ, 2026-10-01)"],
        ),
    ]
    day = date(2027, 1, 11)
    slots = [
        Slot(item_id="S1", day=day, start=time(9), end=time(9, 30)),
        Slot(item_id="P1", day=day, start=time(9, 30), end=time(10, 30)),
    ]
    return AgendaView(meeting_id=m.id, items=items, running_order=["S1", "P1"], slots=slots)


def _action(m: MeetingDefinition) -> ActionItem:
    return ActionItem(
        id="A1",
        meeting_id=m.id,
        meeting_title=m.title,
        region="CA",
        number=16,
        what="Submit the national CBRN action plan draft",
        owner=Owner(kind=OwnerKind.COUNTRY, code="KZ", name="Republic of Kazakhstan"),
        owner_country="KZ",
        due=date(2027, 3, 1),
        zone=m.zone,
    )


def _action_mail(m: MeetingDefinition, kind: str, late: int, p: Participant) -> ActionMail:
    escalation = kind == "action-escalation"
    return ActionMail(
        item=_action(m),
        organiser_name=m.organiser.name,
        organiser_email=m.organiser.email,
        key=f"k{late}",
        kind="action-escalation" if escalation else "action-reminder",
        at=datetime(2027, 3, 1, 6, tzinfo=UTC) + timedelta(days=late),
        days_late=late,
        owners=[people()["kz-nfp"], people()["kz-deputy"]] if escalation else [],
        recipients=[p],
    )


def _action_input(m: MeetingDefinition) -> ActionInput:
    return ActionInput(
        item=_action(m),
        owners=[people()["kz-deputy"]],
        secretariat=people()["kz-nfp"],
        organiser_name=m.organiser.name,
        organiser_email=m.organiser.email,
    )


def builders(m: MeetingDefinition) -> dict[str, Callable[[Participant], Mail]]:
    """How each kind is made for one recipient, as its send activity makes it."""

    def invitation(sequence: int, method: str, **extra: object) -> Callable[[Participant], Mail]:
        def make(p: Participant) -> Mail:
            batch = InvitationBatch.model_validate(
                {"meeting": m, "sequence": sequence, "method": method, "recipients": [p], **extra}
            )
            links = rsvp_links(KEY, BASE_URL, m, p.id) if method == "REQUEST" else None
            return invitation_mail(batch, p, STAMP, links, join_link(KEY, BASE_URL, m, p.id))

        return make

    def reminder(kind: ReminderKind, **extra: object) -> Callable[[Participant], Mail]:
        def make(p: Participant) -> Mail:
            item = ReminderItem.model_validate(
                {
                    "key": f"s0:{kind.value}:7:{p.id}",
                    "kind": kind,
                    "days_before": 7,
                    "recipient": p,
                    **extra,
                }
            )
            if kind is ReminderKind.CHASER:
                item = item.model_copy(update={"links": rsvp_links(KEY, BASE_URL, m, p.id)})
            return reminder_mail(m, item, STAMP, "2026-12-01T09:30:15+00:00")

        return make

    def notice(kind: str, key: str, **extra: object) -> Callable[[Participant], Mail]:
        def make(p: Participant) -> Mail:
            batch = NoticeBatch.model_validate(
                {"meeting": m, "kind": kind, "key": key, "recipients": [p], **extra}
            )
            return notice_mail(batch, p, STAMP)

        return make

    def action(kind: str, late: int) -> Callable[[Participant], Mail]:
        def make(p: Participant) -> Mail:
            link = DONE_URL if kind != "action-escalation" else None
            return action_mail_message(_action_mail(m, kind, late, p), p, STAMP, link, "x")

        return make

    previous = m.model_copy(
        update={"start": datetime(2027, 1, 4, 9), "end": datetime(2027, 1, 5, 17, 30)}
    )
    return {
        "invitation-request": invitation(0, "REQUEST"),
        "invitation-update": invitation(1, "REQUEST", previous=previous),
        "invitation-cancel": invitation(2, "CANCEL", reason="the host city cannot receive us"),
        "reminder-chaser": reminder(ReminderKind.CHASER),
        "reminder-pre-meeting": reminder(ReminderKind.PRE_MEETING, attendance=Attendance.ONLINE),
        "reminder-escalation": reminder(ReminderKind.ESCALATION, countries=["MN", "PK", "TJ"]),
        "reminder-agenda-deadline": reminder(ReminderKind.AGENDA),
        "agenda": notice("agenda", "agenda-v1", agenda=_agenda(m)),
        "agenda-update": notice("agenda", "agenda-v2", agenda=_agenda(m), updated=True),
        "minutes": notice(
            "minutes",
            "minutes",
            minutes="# Minutes\n\nThe meeting opened at 09:00.",
            actions=[_action(m)],
        ),
        "cycle-schedule": notice("cycle", "planned"),
        "action-reminder": action("action-reminder", -5),
        "action-overdue": action("action-reminder", 3),
        "action-escalation": action("action-escalation", 21),
        "delivery-failed": notice(
            "delivery-failed",
            "failed-1",
            failed=[{"name": "Bakyt Asanov", "email": "nfp.kg@example.org", "error": "550 5.1.1"}],
        ),
        "delivery-failed-mixed": notice("delivery-failed", "failed-2", failed=MIXED_FAILURES),
        "action-delivery-failed": lambda p: action_mail_message(
            failure_mail(_action_input(m), MIXED_FAILURES[3:], STAMP), p, STAMP, None, "x"
        ),
        "console-signin": lambda p: signin_mail(
            p, ("", m.organiser.email), "https://rtm.example.org/console/signin/t0k3n", 15, STAMP
        ),
    }
