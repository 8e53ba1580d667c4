"""Follow-up action items: owners, due dates, status and the chasing mail's contents.

Every action item of a meeting (what, who owns it, by when) is its own workflow; its
chasing plan (when to remind, when to escalate) is domain.followup.chasing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from domain.common.base import Code, Email, Frozen, Text, Zone
from domain.common.refusals import Refusal
from domain.directory.models import Participant, Role
from domain.meeting.definition import MeetingDefinition, MeetingId
from domain.outbox.deferral import ToRecipients
from domain.outbox.delivery import FailedMessage
from domain.registration.answers import Actor
from domain.series.models import MeetingKind

# Stands in the mail text for the signed "mark done" link, which only the send activity
# can sign (the key never enters workflow history). No Text field can contain NUL.
DONE_LINK = "\x00done-link\x00"
DONE_LINK_DAYS = 365  # a link stays valid this long after the due date (or its mail)


class OwnerKind(StrEnum):
    COUNTRY = "country"
    ORGANISATION = "organisation"
    PARTICIPANT = "participant"


class Owner(Frozen):
    """Who owns an action: a country (its NFP and deputy), an organisation, or one person."""

    kind: OwnerKind
    code: Code
    name: Text | None = Field(default=None, description="display name, e.g. the country's")

    def label(self) -> str:
        what = self.kind.value
        return f"{what} {self.name} ({self.code})" if self.name else f"{what} {self.code}"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class ActionSpec(Frozen):
    """What the meeting decided: an action, its owner and its due date (venue calendar)."""

    what: Text
    owner: Owner
    due: date


class ActionItem(Frozen):
    """One follow-up action of a meeting; what the action workflow keeps and answers."""

    id: Code = Field(description="unique within the meeting, e.g. A1")
    meeting_id: MeetingId
    meeting_title: Text
    region: Code
    number: int | None = Field(default=None, ge=1, description="the RTM's number, if an RTM")
    what: Text
    owner: Owner
    owner_country: Code | None = Field(
        default=None, description="the owning country, or the owning participant's country"
    )
    due: date = Field(description="the due day in the venue zone")
    zone: Zone = Field(description="IANA zone of the venue: due day and sending hour")
    opened_at: datetime | None = Field(
        default=None,
        description="set by the workflow when it starts; nothing is sent for moments before",
    )
    status: ActionStatus = ActionStatus.OPEN
    done_at: datetime | None = None
    done_by: Actor | None = None
    note: Text | None = None

    @property
    def workflow_id(self) -> str:
        return action_workflow_id(self.meeting_id, self.id)


def action_workflow_id(meeting_id: str, action_id: str) -> str:
    """The action workflow's id: the meeting's id and the action's."""
    return f"{meeting_id}-{action_id}"


class ActionPolicy(Frozen):
    """When an action's owners are reminded, and the secretariat alerted."""

    remind_days_before: int = Field(default=7, ge=0, le=365)
    overdue_every_days: int = Field(default=7, ge=1, le=365)
    escalate_after_days: int = Field(default=14, ge=1, le=3650)
    send_hour: int = Field(default=10, ge=0, le=23, description="local hour, venue zone")


class ActionInput(Frozen):
    """The action workflow's input; also what it continues as new with."""

    item: ActionItem
    owners: list[Participant] = Field(min_length=1, description="who gets the reminders")
    secretariat: Participant = Field(description="who gets the escalation")
    organiser_name: Text
    organiser_email: Email
    policy: ActionPolicy = Field(default_factory=ActionPolicy)
    reminders_sent: list[str] = Field(
        default_factory=list, description="moment keys already sent, across runs"
    )
    iterations: int = Field(default=0, ge=0)
    continue_after: int = Field(
        default=50, ge=1, le=10_000, description="continue as new after this many loop turns"
    )


class DoneCommand(Frozen):
    """The owner (signed link) or the secretariat (CLI) says the action is done."""

    note: Text | None = None
    actor: Actor


def done_problem(item: ActionItem) -> str | None:
    """Why `mark_done` must be refused, or None."""
    if item.status is ActionStatus.DONE:
        return Refusal("action.done", action=item.id)
    return None


def marked_done(item: ActionItem, command: DoneCommand, now: datetime) -> ActionItem:
    return item.model_copy(
        update={
            "status": ActionStatus.DONE,
            "done_at": now,
            "done_by": command.actor,
            "note": command.note,
        }
    )


class ActionRecord(Frozen):
    """The projection of an action (and, for an event, its audit row under the meeting)."""

    item: ActionItem
    event: Literal["opened", "done", ""] = ""


# --- owners ------------------------------------------------------------------------------

_COUNTRY_ROLES = (Role.NFP, Role.DEPUTY_NFP)


def resolve_owners(owner: Owner, participants: list[Participant]) -> list[Participant]:
    """Who is reminded: a country's NFP and deputy, an organisation's people, or the one."""
    if owner.kind is OwnerKind.COUNTRY:
        return [p for p in participants if p.country == owner.code and p.role in _COUNTRY_ROLES]
    if owner.kind is OwnerKind.ORGANISATION:
        return [p for p in participants if p.organisation == owner.code]
    return [p for p in participants if p.id == owner.code]


def owner_problem(
    owner: Owner, participants: list[Participant], field: str = "owner"
) -> str | None:
    """Why `owner` cannot own an action (unknown, or nobody to remind), or None; `field`
    names where it was given (e.g. actions[2].owner)."""
    if owner.kind is OwnerKind.COUNTRY:
        if not any(p.country == owner.code for p in participants):
            return Refusal("owner.unknown_country", field=field, code=owner.code)
        if not resolve_owners(owner, participants):
            return Refusal("owner.nobody", field=field, code=owner.code)
        return None
    if not resolve_owners(owner, participants):
        return Refusal("owner.unknown", field=field, kind=owner.kind.value, code=owner.code)
    return None


def owner_country(owner: Owner, participants: list[Participant]) -> str | None:
    """The country an action is counted under: the owning country or person's country."""
    if owner.kind is OwnerKind.COUNTRY:
        return owner.code
    if owner.kind is OwnerKind.PARTICIPANT:
        return next((p.country for p in participants if p.id == owner.code), None)
    return None


def new_action(
    meeting: MeetingDefinition, action_id: str, spec: ActionSpec, participants: list[Participant]
) -> ActionItem:
    """The open action item `spec` of `meeting`, numbered `action_id` (e.g. "A1")."""
    return ActionItem(
        id=action_id,
        meeting_id=meeting.id,
        meeting_title=meeting.title,
        region=meeting.region,
        number=meeting.number if meeting.kind is MeetingKind.RTM else None,
        what=spec.what,
        owner=spec.owner,
        owner_country=owner_country(spec.owner, participants),
        due=spec.due,
        zone=meeting.zone,
    )


def action_input(
    meeting: MeetingDefinition,
    action_id: str,
    spec: ActionSpec,
    participants: list[Participant],
    secretariat: Participant,
    policy: ActionPolicy | None = None,
) -> ActionInput:
    """The child workflow's input; raises ValueError naming the problem with the owner."""
    problem = owner_problem(spec.owner, participants)
    if problem:
        raise ValueError(problem)
    return ActionInput(
        item=new_action(meeting, action_id, spec, participants),
        owners=resolve_owners(spec.owner, participants),
        secretariat=secretariat,
        organiser_name=meeting.organiser.name,
        organiser_email=meeting.organiser.email,
        policy=policy or ActionPolicy(),
    )


# --- the chasing mail --------------------------------------------------------------------

NoticeKind = Literal["action-reminder", "action-escalation", "delivery-failed"]


class ActionMail(ToRecipients):
    """One chasing mail of an action: what it is about; the text is the templates' job
    (domain.mail.action), in each recipient's language."""

    item: ActionItem
    organiser_name: Text
    organiser_email: Email
    key: str = Field(description="the moment's key; with the recipient, the outbox key")
    kind: NoticeKind
    at: datetime = Field(description="the planned moment")
    days_late: int | None = Field(
        default=None, description="days past the due day when decided (negative: days left)"
    )
    owners: list[Participant] = Field(
        default_factory=list, description="an escalation: who was reminded"
    )
    subject: Text | None = Field(default=None, description="legacy: text of older workflows")
    lines: list[str] = Field(default_factory=list, description="legacy: text of older workflows")
    failed: list[FailedMessage] = Field(default_factory=list, description="delivery-failed")

    def job_key(self, participant_id: str) -> str:
        return f"action:{self.item.id}:{self.key}:{participant_id}"

    def mail_kind(self) -> str:
        return self.kind


def local_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def days_overdue(item: ActionItem, now: datetime) -> int:
    """Whole days since the due day, in the venue zone (negative: days left)."""
    return (local_day(now, item.zone) - item.due).days


def done_link_expiry(item: ActionItem, at: datetime) -> datetime:
    """A mark-done link lasts a year past the due day, or past the mail that carries it."""
    last = max(datetime.combine(item.due, time(0), tzinfo=UTC), at)
    return last + timedelta(days=DONE_LINK_DAYS)
