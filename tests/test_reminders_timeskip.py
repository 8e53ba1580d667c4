"""Reminders over months on the time-skipping server: exactly the planned reminders, to
the planned people, at the planned instants, across a reschedule and a DST change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from domain.directory.models import Country, Directory, Organisation, Participant, Region, Role
from domain.meeting.changes import RescheduleCommand
from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand
from domain.reminders.planning import PlannedReminder
from domain.reminders.policy import ReminderPolicy
from starter.client import commands
from starter.devstack.catcher import SmtpCatcher
from tests.factories import meeting, plan_reminders, unique_id
from tests.harness import advance_to, invited, plan, running_worker
from tests.ports import free_port

SECRETARIAT = Actor(id="secretariat.ca", channel=Channel.CLI)
PEOPLE = [
    Participant(id="kz-nfp", name="Aigerim Bekova", email="nfp.kz@example.org", role=Role.NFP,
                country="KZ", zone="Asia/Almaty"),
    Participant(id="mn-nfp", name="Bolormaa Ganbaatar", email="nfp.mn@example.org",
                role=Role.NFP, country="MN", zone="Asia/Ulaanbaatar"),
    Participant(id="pk-nfp", name="Ayesha Siddiqui", email="nfp.pk@example.org", role=Role.NFP,
                country="PK", zone="Asia/Karachi"),
    Participant(id="eeas-obs", name="Anne De Smet", email="observer.eeas@example.org",
                role=Role.OBSERVER, organisation="EEAS", zone="Europe/Brussels"),
]  # fmt: skip


def _directory() -> Directory:
    return Directory(
        regions=[Region(code="CA", name="Central Asia", secretariat_city="Tashkent",
                        secretariat_email="secretariat.ca@example.org", zone="Asia/Tashkent")],
        countries=[Country(code=c, name=c, region="CA") for c in ("KZ", "MN", "PK")],
        organisations=[Organisation(code="EEAS", name="European External Action Service")],
        participants=PEOPLE,
    )  # fmt: skip


def _expected(
    start: datetime, deadline: datetime, sequence: int, horizon: datetime,
    answers: dict[str, Attendance],
) -> list[PlannedReminder]:  # fmt: skip
    return plan_reminders(
        start_utc=start,
        agenda_deadline_utc=deadline,
        policy=ReminderPolicy(),
        invitees={p.id: p for p in PEOPLE},
        answers=answers,
        secretariat_zone="Asia/Tashkent",
        sequence=sequence,
        horizon=horizon,
    )


async def test_reminders_over_months_across_reschedule_and_dst(
    skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = skipping_env
    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(_directory())
    # a technical round table in Brussels, like the 2015 one, after the 2027 DST switch
    m = meeting(
        id=unique_id("TRT-CA"),
        kind="technical",
        title="Technical Round Table on bio-safety and bio-security",
        zone="Europe/Brussels",
        start="2027-04-05T09:00:00",
        end="2027-04-06T17:00:00",
        venue={"name": "Charlemagne building", "city": "Brussels", "country": "Belgium"},
        countries=["KZ", "MN", "PK"],
        organisations=["EEAS"],
    )
    with SmtpCatcher(port=free_port()) as catcher:
        async with running_worker(env.client, store, catcher.port) as queue:
            handle = await plan(env.client, m, queue)
            await invited(handle)
            started = (await handle.describe()).start_time
            answer = RsvpCommand(
                participant_id="kz-nfp", attendance=Attendance.IN_PERSON, actor=SECRETARIAT
            )
            await commands.rsvp(env.client, None, m.id, answer)
            answers = {"kz-nfp": Attendance.IN_PERSON}
            first = _expected(m.start_utc(), m.agenda_deadline_utc(), 0, started, answers)

            moved_at = datetime(2027, 3, 10, 12, tzinfo=UTC)
            await advance_to(env, moved_at)
            await commands.reschedule(env.client, None, m.id, RescheduleCommand(
                start=datetime(2027, 4, 19, 9), end=datetime(2027, 4, 20, 17),
                actor=SECRETARIAT))  # fmt: skip
            status = await commands.status(env.client, m.id)
            second = _expected(
                status.meeting.start_utc(), status.meeting.agenda_deadline_utc(), 1,
                moved_at, answers,
            )  # fmt: skip
            await advance_to(env, datetime(2027, 4, 21, tzinfo=UTC))
            final = await commands.status(env.client, m.id)

        reminders = [c for c in catcher.caught if c.message()["X-RTM-Reminder-Key"]]

    expected = [r for r in first if r.at < moved_at] + second
    assert len(expected) >= 15, "the plan spans many reminders"
    emails = {p.id: p.email for p in PEOPLE} | {None: "secretariat.ca@example.org"}
    got = {
        str(c.message()["X-RTM-Reminder-Key"]): (
            c.rcpt_tos[0],
            datetime.fromisoformat(str(c.message()["X-RTM-Scheduled"])),
        )
        for c in reminders
    }
    assert len(reminders) == len(got), "no reminder sent twice"
    assert sorted(got) == sorted(r.key for r in expected)
    for r in expected:
        rcpt, sent_at = got[r.key]
        assert rcpt == emails[r.participant_id]
        assert abs(sent_at - r.at) < timedelta(minutes=1), (r.key, sent_at, r.at)
    # chasers never reached the participant who answered; pre-meeting reminders did
    kinds_to_kz = {r.kind.value for r in expected if r.participant_id == "kz-nfp"}
    assert "chaser" not in kinds_to_kz and "pre-meeting" in kinds_to_kz
    # Brussels wall-clock 10:00 is 09:00 UTC before 28 March 2027 and 08:00 UTC after
    brussels = sorted(got[r.key][1] for r in expected if r.participant_id == "eeas-obs")
    assert {t.hour for t in brussels if t < datetime(2027, 3, 28, tzinfo=UTC)} == {9}
    assert {t.hour for t in brussels if t > datetime(2027, 3, 28, tzinfo=UTC)} == {8}
    assert final.reminders == [], "nothing left to remind once the meeting started"
