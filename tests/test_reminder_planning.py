"""Pure tests of reminder planning and reminder mail, no servers.

Property tests of `plan_reminders` / `send_moment` over meetings from Dec 2026 to Dec 2029,
invitees spread over thirteen zones (with and without DST, including half-hour Kabul and
Auckland far east), random answers, policies and planning horizons; then worked examples
whose expected instants are computed by hand in the comments; then the reminder messages.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.directory.models import Participant, Role
from domain.mail.reminder import ReminderItem, reminder_mail, reminder_message_id
from domain.meeting.definition import MeetingDefinition
from domain.registration.answers import Actor, Attendance, Channel
from domain.reminders.groups import plan_groups
from domain.reminders.moments import MomentMemo
from domain.reminders.planning import (
    ACCEPTED,
    PlannedReminder,
    RemindCommand,
    ReminderKind,
    countries_without_accepted_nfp,
    remind_problem,
    send_moment,
    to_chase,
)
from domain.reminders.policy import ReminderPolicy
from tests.budget import examples
from tests.factories import meeting, plan_reminders, synthetic_directory

ZONES = [
    "Asia/Tashkent",
    "Asia/Almaty",
    "Asia/Bishkek",
    "Asia/Dushanbe",
    "Asia/Karachi",
    "Asia/Ulaanbaatar",
    "Asia/Kabul",
    "Asia/Dubai",
    "Europe/Brussels",
    "Europe/Rome",
    "America/New_York",
    "Pacific/Auckland",
    "UTC",
]
COUNTRIES = ["KZ", "KG", "MN", "PK", "TJ", "UZ"]
WEEKEND = (5, 6)


def person(
    pid: str,
    zone: str = "UTC",
    role: Role = Role.NFP,
    country: str | None = "KZ",
    organisation: str | None = None,
) -> Participant:
    return Participant(
        id=pid,
        name=f"Participant {pid}",
        email=f"{pid.lower()}@example.org",
        role=role,
        country=country,
        organisation=organisation,
        zone=zone,
    )


# --- strategies ----------------------------------------------------------------------


@st.composite
def policies(draw: st.DrawFn) -> ReminderPolicy:
    """Any valid policy: any send hour, distinct day lists in 1..120."""
    days = st.lists(st.integers(1, 120), unique=True, max_size=5)
    return ReminderPolicy(
        chaser_days=draw(days),
        pre_meeting_days=draw(days),
        escalation_days=draw(st.none() | st.integers(1, 120)),
        agenda_days=draw(st.none() | st.integers(1, 120)),
        send_hour=draw(st.integers(0, 23)),
    )


@st.composite
def participants(draw: st.DrawFn, pid: str) -> Participant:
    zone = draw(st.sampled_from(ZONES))
    role = draw(st.sampled_from(Role))
    if draw(st.booleans()):
        return person(pid, zone, role, country=draw(st.sampled_from(COUNTRIES)))
    return person(pid, zone, role, country=None, organisation="JRC")


@dataclass(frozen=True)
class Scenario:
    start_utc: datetime
    agenda_deadline_utc: datetime | None
    policy: ReminderPolicy
    invitees: dict[str, Participant]
    answers: dict[str, Attendance]
    secretariat_zone: str
    sequence: int
    horizon: datetime

    def plan(
        self, sent: frozenset[str] = frozenset(), invitees: dict[str, Participant] | None = None
    ) -> list[PlannedReminder]:
        return plan_reminders(
            start_utc=self.start_utc,
            agenda_deadline_utc=self.agenda_deadline_utc,
            policy=self.policy,
            invitees=self.invitees if invitees is None else invitees,
            answers=self.answers,
            secretariat_zone=self.secretariat_zone,
            sequence=self.sequence,
            horizon=self.horizon,
            sent=sent,
        )

    def zone_of(self, r: PlannedReminder) -> str:
        if r.participant_id is None:
            return self.secretariat_zone
        return self.invitees[r.participant_id].zone


starts = st.datetimes(
    min_value=datetime(2026, 12, 1),
    max_value=datetime(2029, 12, 31, 23, 59),
    timezones=st.just(UTC),
)
# participant ids as the directory allows them (hyphens, underscores, mixed case)
pids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,12}", fullmatch=True)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    start = draw(starts)
    ids = draw(st.lists(pids, unique=True, max_size=8))
    invitees = {pid: draw(participants(pid)) for pid in ids}
    answers: dict[str, Attendance] = {}
    for pid in ids:
        answer = draw(st.none() | st.sampled_from(Attendance))
        if answer is not None:
            answers[pid] = answer
    agenda = draw(st.none() | st.integers(0, 60 * 24 * 60))  # minutes before the start
    horizon = draw(st.integers(-200 * 24 * 60, 5 * 24 * 60))  # minutes from the start
    return Scenario(
        start_utc=start,
        agenda_deadline_utc=None if agenda is None else start - timedelta(minutes=agenda),
        policy=draw(policies()),
        invitees=invitees,
        answers=answers,
        secretariat_zone=draw(st.sampled_from(ZONES)),
        sequence=draw(st.integers(0, 20)),
        horizon=start + timedelta(minutes=horizon),
    )


# --- properties ----------------------------------------------------------------------

MEETING = meeting(id="RTM-CA-16-PROP")


@settings(max_examples=examples(200), deadline=None)
@given(scenario=scenarios(), data=st.data())
def test_plan_reminders_properties(scenario: Scenario, data: st.DataObject) -> None:
    first = scenario.plan()
    keys = [r.key for r in first]
    chosen = data.draw(st.lists(st.booleans(), min_size=len(keys), max_size=len(keys)))
    sent = frozenset(k for k, c in zip(keys, chosen, strict=True) if c)
    plan = scenario.plan(sent)
    policy = scenario.policy

    for r in plan:
        zone = scenario.zone_of(r)
        # at the sending hour, on a weekday of the recipient's calendar
        local = r.at.astimezone(ZoneInfo(zone))
        assert local.weekday() not in WEEKEND, (r, zone)
        assert (local.hour, local.minute, local.second) == (policy.send_hour, 0, 0), (r, zone)
        assert r.at.utcoffset() == timedelta(0)
        # never after the start, never before the plan was made
        assert scenario.horizon <= r.at < scenario.start_utc, r
        # the right recipients for each kind
        answer = None if r.participant_id is None else scenario.answers.get(r.participant_id)
        if r.kind is ReminderKind.CHASER:
            assert r.participant_id is not None and answer is None, r
            assert r.days_before in policy.chaser_days
        elif r.kind is ReminderKind.PRE_MEETING:
            assert r.participant_id is not None and answer in ACCEPTED, r
            assert r.days_before in policy.pre_meeting_days
        elif r.kind is ReminderKind.AGENDA:
            assert r.participant_id is not None and answer is not Attendance.DECLINE, r
            assert r.days_before == policy.agenda_days
            assert scenario.agenda_deadline_utc is not None
        else:
            assert r.kind is ReminderKind.ESCALATION
            assert r.participant_id is None
            assert r.days_before == policy.escalation_days
        if r.participant_id is not None:
            assert r.participant_id in scenario.invitees
        # keys carry the sequence and never repeat what was sent
        assert r.key.startswith(f"s{scenario.sequence}:"), r.key
        assert r.key not in sent

    escalations = [r for r in plan if r.kind is ReminderKind.ESCALATION]
    assert len(escalations) <= 1
    assert all(r.participant_id is None for r in escalations)
    assert all(r.participant_id is not None for r in plan if r not in escalations)

    plan_keys = [r.key for r in plan]
    assert len(set(plan_keys)) == len(plan_keys)
    assert [r.at for r in plan] == sorted(r.at for r in plan)
    # Message-IDs follow the keys one to one
    assert len({reminder_message_id(MEETING, k) for k in plan_keys}) == len(plan_keys)

    # `sent` only removes: what remains is the first plan without the sent keys, in order
    assert plan == [r for r in first if r.key not in sent]

    # deterministic, and independent of the invitees' order
    assert scenario.plan(sent) == plan
    reversed_invitees = dict(reversed(list(scenario.invitees.items())))
    assert scenario.plan(sent, reversed_invitees) == plan


@settings(max_examples=examples(200), deadline=None)
@given(scenario=scenarios())
def test_plan_reminders_loses_nothing(scenario: Scenario) -> None:
    """Every reminder the policy calls for, due in [horizon, start), is planned, once per
    (kind, recipient, instant): two day counts moved onto the same Friday make one."""
    policy, seq = scenario.policy, scenario.sequence
    expected: dict[tuple[ReminderKind, str | None, datetime], set[str]] = {}

    def want(kind: ReminderKind, days: int, pid: str | None, zone: str, ref: datetime) -> None:
        at = send_moment(ref, days, zone, policy)
        if scenario.horizon <= at < scenario.start_utc:
            key = f"s{seq}:{kind.value}:{days}:{pid or 'secretariat'}"
            expected.setdefault((kind, pid, at), set()).add(key)

    for pid, p in scenario.invitees.items():
        answer = scenario.answers.get(pid)
        if answer is None:
            for days in policy.chaser_days:
                want(ReminderKind.CHASER, days, pid, p.zone, scenario.start_utc)
        if answer in ACCEPTED:
            for days in policy.pre_meeting_days:
                want(ReminderKind.PRE_MEETING, days, pid, p.zone, scenario.start_utc)
        deadline = scenario.agenda_deadline_utc
        if answer is not Attendance.DECLINE and policy.agenda_days and deadline is not None:
            want(ReminderKind.AGENDA, policy.agenda_days, pid, p.zone, deadline)
    if policy.escalation_days is not None:
        want(
            ReminderKind.ESCALATION,
            policy.escalation_days,
            None,
            scenario.secretariat_zone,
            scenario.start_utc,
        )
    planned = scenario.plan()
    assert {(r.kind, r.participant_id, r.at) for r in planned} == set(expected)
    assert len(planned) == len(expected)
    for r in planned:
        assert r.key in expected[(r.kind, r.participant_id, r.at)]


@settings(max_examples=examples(200), deadline=None)
@given(
    ref=starts,
    days=st.integers(1, 120),
    zone=st.sampled_from(ZONES),
    policy=policies(),
)
def test_send_moment_is_the_working_day_at_or_before_the_target(
    ref: datetime, days: int, zone: str, policy: ReminderPolicy
) -> None:
    at = send_moment(ref, days, zone, policy)
    tz = ZoneInfo(zone)
    local = at.astimezone(tz)
    target = ref.astimezone(tz).date() - timedelta(days=days)
    assert at.tzinfo is not None and at.utcoffset() == timedelta(0)
    assert (local.hour, local.minute) == (policy.send_hour, 0)
    assert local.weekday() not in WEEKEND
    # the target day itself on a weekday; else the Friday before (one or two days back)
    if target.weekday() in WEEKEND:
        assert local.date() == target - timedelta(days=target.weekday() - 4)
    else:
        assert local.date() == target
    assert at < ref


# --- worked examples -----------------------------------------------------------------

# Monday 2027-03-29 09:00 in Brussels, the day after the EU switch to summer time
# (Sunday 2027-03-28): 09:00 CEST (UTC+2) = 07:00 UTC. Agenda deadline by default 14 days
# earlier: Monday 2027-03-15 09:00 CET (UTC+1) = 08:00 UTC.
BRUSSELS = meeting(
    id="RTM-EU-1-TEST",
    zone="Europe/Brussels",
    start="2027-03-29T09:00:00",
    end="2027-03-30T17:00:00",
)
START = datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
EARLY = datetime(2027, 1, 1, tzinfo=UTC)  # planned well before every reminder


def brussels_plan(
    invitees: dict[str, Participant],
    answers: dict[str, Attendance],
    horizon: datetime = EARLY,
    secretariat_zone: str = "Europe/Brussels",
    sent: frozenset[str] = frozenset(),
) -> list[PlannedReminder]:
    return plan_reminders(
        start_utc=BRUSSELS.start_utc(),
        agenda_deadline_utc=BRUSSELS.agenda_deadline_utc(),
        policy=ReminderPolicy(),
        invitees=invitees,
        answers=answers,
        secretariat_zone=secretariat_zone,
        sequence=0,
        horizon=horizon,
        sent=sent,
    )


def of(plan: list[PlannedReminder], pid: str | None) -> dict[str, datetime]:
    return {r.key: r.at for r in plan if r.participant_id == pid}


def test_example_meeting_instants() -> None:
    assert BRUSSELS.start_utc() == START
    assert BRUSSELS.agenda_deadline_utc() == datetime(2027, 3, 15, 8, 0, tzinfo=UTC)


def test_pre_meeting_reminders_across_dst_and_zones() -> None:
    be = person("be", "Europe/Brussels")
    mn = person("mn", "Asia/Ulaanbaatar", country="MN")
    plan = brussels_plan(
        {"be": be, "mn": mn}, {"be": Attendance.IN_PERSON, "mn": Attendance.ONLINE}
    )
    pre = {r.key: r.at for r in plan if r.kind is ReminderKind.PRE_MEETING}
    assert pre == {
        # 1 day before Monday 29th is Sunday 28th -> back to Friday 26th, 10:00 CET
        # (still winter time that day) = 09:00 UTC
        "s0:pre-meeting:1:be": datetime(2027, 3, 26, 9, 0, tzinfo=UTC),
        # 7 days before: Monday 22nd 10:00 CET = 09:00 UTC
        "s0:pre-meeting:7:be": datetime(2027, 3, 22, 9, 0, tzinfo=UTC),
        # Ulaanbaatar (UTC+8, no DST): the start is Monday 29th 15:00 local; 1 day before is
        # Sunday -> Friday 26th 10:00 +08 = 02:00 UTC
        "s0:pre-meeting:1:mn": datetime(2027, 3, 26, 2, 0, tzinfo=UTC),
        # 7 days before: Monday 22nd 10:00 +08 = 02:00 UTC
        "s0:pre-meeting:7:mn": datetime(2027, 3, 22, 2, 0, tzinfo=UTC),
    }
    assert [r.at for r in plan] == sorted(r.at for r in plan)


def test_send_moment_examples() -> None:
    policy = ReminderPolicy()
    assert send_moment(START, 1, "Europe/Brussels", policy) == datetime(
        2027, 3, 26, 9, 0, tzinfo=UTC
    )
    # New York: the start is Monday 03:00 EDT (US summer time since 14 March);
    # 7 days before: Monday 22nd 10:00 EDT (UTC-4) = 14:00 UTC
    assert send_moment(START, 7, "America/New_York", policy) == datetime(
        2027, 3, 22, 14, 0, tzinfo=UTC
    )
    # Auckland: the start is Monday 29th 20:00 NZDT (UTC+13); 1 day before is Sunday ->
    # Friday 26th 10:00 NZDT = Thursday 25th 21:00 UTC
    assert send_moment(START, 1, "Pacific/Auckland", policy) == datetime(
        2027, 3, 25, 21, 0, tzinfo=UTC
    )
    # Kabul (UTC+4:30): Friday 26th 10:00 = 05:30 UTC
    assert send_moment(START, 1, "Asia/Kabul", policy) == datetime(2027, 3, 26, 5, 30, tzinfo=UTC)


def test_send_moment_in_a_weekday_dst_gap_stays_at_the_sending_hour() -> None:
    # Egypt starts summer time on the last Friday of April: 2027-04-30 00:00 -> 01:00.
    # 1 day before Saturday 1 May is Friday 30 April, 00:00 local, which does not exist;
    # zoneinfo reads it as 00:00 EET = 22:00 UTC Thursday = 01:00 EEST: outside (0, 1).
    policy = ReminderPolicy(send_hour=0)
    at = send_moment(datetime(2027, 5, 1, 12, 0, tzinfo=UTC), 1, "Africa/Cairo", policy)
    local = at.astimezone(ZoneInfo("Africa/Cairo"))
    assert (local.hour, local.minute) == (0, 0)
    assert local.weekday() not in WEEKEND


def test_reminders_due_before_the_horizon_are_skipped() -> None:
    be = person("be", "Europe/Brussels")
    # planned 10 days before the start: Friday 2027-03-19 07:00 UTC
    horizon = START - timedelta(days=10)
    plan = brussels_plan({"be": be}, {}, horizon=horizon)
    # chaser 30 days: Saturday 2027-02-27 -> Friday 26 Feb 09:00 UTC: passed, skipped
    # chaser 14 days: Monday 2027-03-15 09:00 UTC: passed, skipped
    # agenda 7 days before Monday 15 March: Monday 8 March 09:00 UTC: passed, skipped
    # escalation 10 days: Friday 19 March 10:00 CET = 09:00 UTC: after 07:00, kept
    # chaser 7 days: Monday 22 March 10:00 CET = 09:00 UTC: kept
    assert [(r.key, r.at) for r in plan] == [
        ("s0:escalation:10:secretariat", datetime(2027, 3, 19, 9, 0, tzinfo=UTC)),
        ("s0:chaser:7:be", datetime(2027, 3, 22, 9, 0, tzinfo=UTC)),
    ]
    # a secretariat in Tashkent (UTC+5) would have been reminded on Friday 19th 10:00 +05 =
    # 05:00 UTC, two hours before the plan was made: skipped, not sent late
    plan = brussels_plan({"be": be}, {}, horizon=horizon, secretariat_zone="Asia/Tashkent")
    assert [r.key for r in plan] == ["s0:chaser:7:be"]
    # planned after the start: nothing at all
    assert brussels_plan({"be": be}, {}, horizon=START) == []


def test_an_answer_replaces_chasers_with_pre_meeting_reminders() -> None:
    be = person("be", "Europe/Brussels")
    invitees = {"be": be}
    # all in winter time (CET, UTC+1): 10:00 local = 09:00 UTC
    escalation = {"s0:escalation:10:secretariat": datetime(2027, 3, 19, 9, 0, tzinfo=UTC)}
    agenda = {"s0:agenda-deadline:7:be": datetime(2027, 3, 8, 9, 0, tzinfo=UTC)}

    plan = brussels_plan(invitees, {})
    assert of(plan, "be") == {
        "s0:chaser:30:be": datetime(2027, 2, 26, 9, 0, tzinfo=UTC),  # Sat 27 Feb -> Fri 26
        "s0:chaser:14:be": datetime(2027, 3, 15, 9, 0, tzinfo=UTC),
        "s0:chaser:7:be": datetime(2027, 3, 22, 9, 0, tzinfo=UTC),
        **agenda,
    }
    assert of(plan, None) == escalation

    for accepted in ACCEPTED:
        plan = brussels_plan(invitees, {"be": accepted})
        assert of(plan, "be") == {
            "s0:pre-meeting:7:be": datetime(2027, 3, 22, 9, 0, tzinfo=UTC),
            "s0:pre-meeting:1:be": datetime(2027, 3, 26, 9, 0, tzinfo=UTC),
            **agenda,
        }
        assert of(plan, None) == escalation

    # tentative: no more chasing, no pre-meeting reminder, still the agenda deadline
    assert of(brussels_plan(invitees, {"be": Attendance.TENTATIVE}), "be") == agenda
    # declined: nothing at all for them
    assert of(brussels_plan(invitees, {"be": Attendance.DECLINE}), "be") == {}

    # the answer only affects its author
    other = person("uz", "Asia/Tashkent", country="UZ")
    plan = brussels_plan({"be": be, "uz": other}, {"be": Attendance.DECLINE})
    assert {r.kind for r in plan if r.participant_id == "uz"} == {
        ReminderKind.CHASER,
        ReminderKind.AGENDA,
    }


def test_sent_keys_and_sequence() -> None:
    be = person("be", "Europe/Brussels")
    plan = brussels_plan({"be": be}, {}, sent=frozenset({"s0:chaser:30:be", "s1:chaser:14:be"}))
    keys = [r.key for r in plan]
    assert "s0:chaser:30:be" not in keys
    assert "s0:chaser:14:be" in keys  # a key of another sequence does not hide this one
    bumped = plan_reminders(
        start_utc=START,
        agenda_deadline_utc=None,
        policy=ReminderPolicy(),
        invitees={"be": be},
        answers={},
        secretariat_zone="UTC",
        sequence=3,
        horizon=EARLY,
        sent=frozenset({"s0:chaser:30:be"}),
    )
    assert [r.key for r in bumped] == [
        "s3:chaser:30:be",
        "s3:chaser:14:be",
        "s3:escalation:10:secretariat",
        "s3:chaser:7:be",
    ]


def test_optional_reminders_can_be_switched_off() -> None:
    be = person("be", "Europe/Brussels")
    policy = ReminderPolicy(chaser_days=[], escalation_days=None, agenda_days=None)
    plan = plan_reminders(
        start_utc=START,
        agenda_deadline_utc=BRUSSELS.agenda_deadline_utc(),
        policy=policy,
        invitees={"be": be},
        answers={},
        secretariat_zone="UTC",
        sequence=0,
        horizon=EARLY,
    )
    assert plan == []


def test_countries_without_accepted_nfp() -> None:
    invitees = {
        p.id: p
        for p in [
            person("kz-nfp", role=Role.NFP, country="KZ"),  # in person: covers KZ
            person("kg-dep", role=Role.DEPUTY_NFP, country="KG"),  # deputy online: covers KG
            person("mn-nfp", role=Role.NFP, country="MN"),  # tentative: not enough
            person("mn-exp", role=Role.EXPERT, country="MN"),  # expert accepted: not counted
            person("pk-nfp", role=Role.NFP, country="PK"),  # declined
            person("pk-obs", role=Role.OBSERVER, country="PK"),  # observer: not counted
            person("tj-nfp", role=Role.NFP, country="TJ"),  # no answer
            person("uz-sec", role=Role.SECRETARIAT, country="UZ"),  # not an NFP
            person("jrc", role=Role.EXPERT, country=None, organisation="JRC"),  # no country
        ]
    }
    answers = {
        "kz-nfp": Attendance.IN_PERSON,
        "kg-dep": Attendance.ONLINE,
        "mn-nfp": Attendance.TENTATIVE,
        "mn-exp": Attendance.IN_PERSON,
        "pk-nfp": Attendance.DECLINE,
        "pk-obs": Attendance.ONLINE,
        "uz-sec": Attendance.IN_PERSON,
        "jrc": Attendance.IN_PERSON,
    }
    assert countries_without_accepted_nfp(invitees, answers) == ["MN", "PK", "TJ", "UZ"]
    assert countries_without_accepted_nfp(invitees, {}) == ["KG", "KZ", "MN", "PK", "TJ", "UZ"]
    everyone = {pid: Attendance.ONLINE for pid in invitees}
    assert countries_without_accepted_nfp(invitees, everyone) == ["UZ"]
    assert countries_without_accepted_nfp({}, {}) == []


def test_remind_problem() -> None:
    actor = Actor(id="secretariat", channel=Channel.CLI)
    assert RemindCommand(actor=actor).actor == actor
    before = START - timedelta(days=1)
    assert remind_problem(BRUSSELS, False, {"be"}, before) is None
    assert remind_problem(BRUSSELS, True, {"be"}, before) == (
        "meeting RTM-EU-1-TEST is cancelled or closed"
    )
    assert remind_problem(BRUSSELS, False, {"be"}, START) == "meeting RTM-EU-1-TEST has started"
    assert remind_problem(BRUSSELS, False, {"be"}, START + timedelta(hours=1)) == (
        "meeting RTM-EU-1-TEST has started"
    )
    assert remind_problem(BRUSSELS, False, set(), before) == (
        "everyone has answered: nobody to remind"
    )
    # ended wins over started, started over nobody to remind
    assert remind_problem(BRUSSELS, True, set(), START) == (
        "meeting RTM-EU-1-TEST is cancelled or closed"
    )
    assert remind_problem(BRUSSELS, False, set(), START) == "meeting RTM-EU-1-TEST has started"


# --- reminder messages ---------------------------------------------------------------

# hybrid, in Dubai, with a venue and a join link (tests.factories)
DUBAI = meeting(id="RTM-CA-16-TEST", start="2027-05-10T09:00:00", end="2027-05-11T17:30:00")
TITLE = "16th Round-Table Meeting of National Focal Points for Central Asia"
STAMP = datetime(2027, 4, 1, 6, 0, tzinfo=UTC)
KZ = person("kz-nfp", "Asia/Almaty", country="KZ")
SECRETARIAT = person("secretariat", "Asia/Tashkent", Role.SECRETARIAT, country="UZ")
LINKS = {
    Attendance.IN_PERSON: "https://rsvp.example.org/r/in-person-token",
    Attendance.ONLINE: "https://rsvp.example.org/r/online-token",
    Attendance.DECLINE: "https://rsvp.example.org/r/decline-token",
}


def plain(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    text = part.get_content()
    assert isinstance(text, str)
    return text


def html(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("html",))
    assert part is not None
    text = part.get_content()
    assert isinstance(text, str)
    return text


def reminder_message(m: MeetingDefinition, item: ReminderItem, stamp: datetime) -> EmailMessage:
    """The reminder as sent (the builder's bytes), parsed back."""
    msg = email.message_from_bytes(reminder_mail(m, item, stamp).data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def anchor(url: str, page: str) -> bool:
    """Whether the page links to `url` (an <a> with that href, whatever its other attributes)."""
    return re.search(rf'<a\b[^>]*\bhref="{re.escape(url)}"', page) is not None


def render(item: ReminderItem, m: MeetingDefinition = DUBAI) -> EmailMessage:
    msg = reminder_message(m, item, STAMP)
    assert msg["Message-ID"] == reminder_message_id(m, item.key)
    assert msg["X-RTM-Meeting"] == m.id
    assert msg["X-RTM-Reminder"] == item.kind.value
    assert msg["To"] == f"{item.recipient.name} <{item.recipient.email}>"
    assert msg["From"] == f"{m.organiser.name} <{m.organiser.email}>"
    assert msg.get_content_type() == "multipart/alternative"
    return msg


def test_reminder_message_id_is_deterministic_and_distinct_per_key() -> None:
    key = "s0:chaser:30:kz-nfp"
    assert reminder_message_id(DUBAI, key) == "<RTM-CA-16-TEST.s0_chaser_30_kz-nfp@example.org>"
    assert reminder_message_id(DUBAI, key) == reminder_message_id(DUBAI, key)
    keys = [
        f"s{seq}:{kind.value}:{days}:{pid}"
        for seq in (0, 1, 10)
        for kind in ReminderKind
        for days in (1, 7, 30)
        for pid in ("kz-nfp", "kz_nfp", "KZ-nfp", "secretariat")
    ]
    ids = {reminder_message_id(DUBAI, k) for k in keys}
    assert len(ids) == len(keys)
    # another meeting, other ids
    other = meeting(id="RTM-CA-17-TEST")
    assert reminder_message_id(other, key) != reminder_message_id(DUBAI, key)
    # the rendered message carries it, the same on every render
    item = ReminderItem(key=key, kind=ReminderKind.CHASER, days_before=30, recipient=KZ)
    first, again = render(item), reminder_message(DUBAI, item, STAMP + timedelta(hours=3))
    assert first["Message-ID"] == again["Message-ID"] == reminder_message_id(DUBAI, key)


def test_chaser_message() -> None:
    item = ReminderItem(
        key="s0:chaser:14:kz-nfp",
        kind=ReminderKind.CHASER,
        days_before=14,
        recipient=KZ,
        links=LINKS,
    )
    msg = render(item)
    assert msg["Subject"] == f"Reminder: please answer the invitation to the {TITLE}"
    text = plain(msg)
    assert "Dear Participant kz-nfp," in text
    assert "We have not yet received your answer" in text
    assert "When (venue time): Mon 10 May 2027 09:00 - Tue 11 May 2027 17:30 (Asia/Dubai)" in text
    # Dubai UTC+4, Almaty UTC+5: one hour later
    assert "When (your time):  Mon 10 May 2027 10:00 - Tue 11 May 2027 18:30 (Asia/Almaty)" in (
        text
    )
    assert "Please answer by 2027-05-10 09:00 Asia/Dubai:" in text
    assert "  I will attend in person: https://rsvp.example.org/r/in-person-token" in text
    assert "  I will attend online: https://rsvp.example.org/r/online-token" in text
    assert "  I cannot attend: https://rsvp.example.org/r/decline-token" in text
    assert anchor("https://rsvp.example.org/r/online-token", html(msg))
    assert text.rstrip().endswith(DUBAI.organiser.name)
    # without links: no link lines, but still the request
    bare = plain(render(item.model_copy(update={"links": {}})))
    assert "https://rsvp.example.org" not in bare
    assert "Please answer by" in bare


@pytest.mark.parametrize(("days", "suffix"), [(1, "1 day"), (7, "7 days")])
def test_pre_meeting_subject(days: int, suffix: str) -> None:
    item = ReminderItem(
        key=f"s0:pre-meeting:{days}:kz-nfp",
        kind=ReminderKind.PRE_MEETING,
        days_before=days,
        recipient=KZ,
        attendance=Attendance.IN_PERSON,
    )
    assert render(item)["Subject"] == f"Reminder: the {TITLE} starts in {suffix}"


def test_pre_meeting_in_person_shows_the_venue() -> None:
    item = ReminderItem(
        key="s0:pre-meeting:7:kz-nfp",
        kind=ReminderKind.PRE_MEETING,
        days_before=7,
        recipient=KZ,
        attendance=Attendance.IN_PERSON,
    )
    text = plain(render(item))
    assert f"The {TITLE} is coming up." in text
    assert "You attend in person. Venue: Dubai Exhibition Centre, Dubai, United Arab Emirates" in (
        text
    )
    assert "https://meet.example.org/rtm-ca-16" not in text


def test_pre_meeting_online_shows_the_join_link() -> None:
    item = ReminderItem(
        key="s0:pre-meeting:1:kz-nfp",
        kind=ReminderKind.PRE_MEETING,
        days_before=1,
        recipient=KZ,
        attendance=Attendance.ONLINE,
    )
    msg = render(item)
    text = plain(msg)
    assert "You attend online. Join here: https://meet.example.org/rtm-ca-16" in text
    assert "Venue:" not in text
    assert anchor("https://meet.example.org/rtm-ca-16", html(msg))


def test_escalation_lists_the_countries() -> None:
    item = ReminderItem(
        key="s0:escalation:10:secretariat",
        kind=ReminderKind.ESCALATION,
        days_before=10,
        recipient=SECRETARIAT,
        countries=["MN", "PK", "TJ"],
    )
    msg = render(item)
    assert msg["Subject"] == f"Escalation: countries without an accepted NFP for the {TITLE}"
    lines = plain(msg).splitlines()
    assert (
        f"3 invited countries have no NFP or deputy who accepted the invitation to the {TITLE}:"
        in lines
    )
    assert [line for line in lines if line.startswith("  ")] == ["  MN", "  PK", "  TJ"]


def test_agenda_deadline_message() -> None:
    item = ReminderItem(
        key="s0:agenda-deadline:7:kz-nfp",
        kind=ReminderKind.AGENDA,
        days_before=7,
        recipient=KZ,
    )
    msg = render(item)
    assert msg["Subject"] == f"Reminder: agenda proposals for the {TITLE} are due"
    # default agenda deadline: 14 days before the start, venue time
    assert f"Agenda proposals for the {TITLE} are due by 2027-04-26 09:00 Asia/Dubai." in (
        plain(msg)
    )


def test_every_kind_has_its_own_subject() -> None:
    subjects = {
        render(
            ReminderItem(
                key=f"s0:{kind.value}:7:kz-nfp",
                kind=kind,
                days_before=7,
                recipient=KZ,
                attendance=Attendance.ONLINE,
            )
        )["Subject"]
        for kind in ReminderKind
    }
    assert len(subjects) == len(ReminderKind)


def test_two_day_counts_merged_onto_one_day_stay_one_reminder_once_sent() -> None:
    """Chasers 2 and 3 days before a Tuesday both fall on the Friday before: one reminder,
    and once it is sent the other day count does not come back as a second one."""
    who = person("jrc", "Asia/Tashkent", country=None, organisation="JRC")
    policy = ReminderPolicy(chaser_days=[2, 3], pre_meeting_days=[], escalation_days=None,
                            agenda_days=None, send_hour=0)  # fmt: skip
    kwargs: dict[str, object] = {
        "start_utc": datetime(2026, 12, 1, tzinfo=UTC),
        "agenda_deadline_utc": None,
        "policy": policy,
        "invitees": {"jrc": who},
        "answers": {},
        "secretariat_zone": "Asia/Tashkent",
        "sequence": 0,
        "horizon": datetime(2026, 11, 26, 19, tzinfo=UTC),
    }
    first = plan_reminders(**kwargs)  # type: ignore[arg-type]
    assert [r.key for r in first] == ["s0:chaser:2:jrc"]
    assert plan_reminders(**kwargs, sent={first[0].key}) == []  # type: ignore[arg-type]


def test_a_large_meeting_is_planned_by_groups_not_by_reminder() -> None:
    """10,000 participants in six zones, half of them accepted: the plan is a few dozen
    groups (one per kind, day count and moment), the send moments are worked out once per
    zone and calendar, and the groups expand to the same reminders as a plan of the first
    hundred participants alone."""
    people = {p.id: p for p in synthetic_directory(10_000).participants}
    answers = {pid: Attendance.IN_PERSON for i, pid in enumerate(people) if i % 2}
    m = meeting(start="2027-06-07T09:00:00", end="2027-06-08T17:00:00")
    memo = MomentMemo()
    frame = {
        "start_utc": m.start_utc(),
        "agenda_deadline_utc": m.agenda_deadline_utc(),
        "policy": ReminderPolicy(),
        "answers": answers,
        "secretariat_zone": "Asia/Tashkent",
        "sequence": 2,
        "horizon": datetime(2027, 1, 1, tzinfo=UTC),
    }
    plan = plan_groups(invitees=people, memo=memo, **frame)  # type: ignore[arg-type]
    # unanswered: 3 chasers + agenda; accepted: 2 pre-meeting + agenda; the escalation
    assert len(plan) == 5_000 * 4 + 5_000 * 3 + 1
    assert len(plan.groups) <= 6 * 6 + 1, [(g.kind, g.days_before, g.at) for g in plan.groups]
    assert len(memo) <= 6 * 6 + 1
    first = plan.groups[0]
    sent = {first.key(first.recipients[0])}
    again = plan_groups(invitees=people, memo=memo, sent=sent, **frame)  # type: ignore[arg-type]
    assert len(again) == len(plan) - 1 and len(memo) <= 6 * 6 + 1
    few = dict(list(people.items())[:100])
    alone = plan_reminders(invitees=few, **frame)  # type: ignore[arg-type]
    assert plan.reminders(keep=lambda g, pid: pid is None or pid in few) == alone


def test_who_a_remind_chases_and_when_it_is_refused() -> None:
    m = meeting()
    invitees, answered = ["a", "b", "c", "d"], {"b"}
    assert to_chase(invitees, answered) == ["a", "c", "d"]
    assert to_chase(invitees, answered, invited={"a", "b"}) == ["a"]
    now = m.start_utc() - timedelta(days=10)
    assert remind_problem(m, False, ["a"], now, inviting=True) is None
    refused = remind_problem(m, False, [], now, inviting=True)
    assert refused is not None and "invitations are still going out" in refused
    assert remind_problem(m, False, [], now) == "everyone has answered: nobody to remind"
