"""The status query's desk filters (pure): those coming, found by name or affiliation."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.directory.models import Participant, Role
from domain.invitations.batches import Invitation
from domain.meeting.status import StatusPage
from domain.registration.answers import Actor, Answer, Attendance, Channel

AIGERIM = Participant(id="kz-nfp", name="Aigerim Bekova", email="a@example.org",
                      role=Role.NFP, country="KZ")  # fmt: skip
SENT = Invitation(participant_id="kz-nfp", email="a@example.org")


def answer(attendance: Attendance) -> Answer:
    actor = Actor(id="kz-nfp", channel=Channel.LINK)
    return Answer(attendance=attendance, at=datetime.now(UTC), actor=actor, sequence=0)


def test_the_desk_lists_those_coming_by_name_or_affiliation() -> None:
    desk = StatusPage(attending=True)
    assert desk.filtered
    for coming in (Attendance.IN_PERSON, Attendance.ONLINE, Attendance.TENTATIVE):
        assert desk.matches(AIGERIM, SENT, answer(coming))
    assert not desk.matches(AIGERIM, SENT, answer(Attendance.DECLINE))
    assert not desk.matches(AIGERIM, SENT, None), "no answer: not at the desk"
    found = StatusPage(attending=True, text="bekOVA")
    assert found.matches(AIGERIM, SENT, answer(Attendance.ONLINE))
    assert StatusPage(text="kz").matches(AIGERIM, SENT, None), "the affiliation's code"
    assert not StatusPage(text="Asanov").matches(AIGERIM, SENT, None)
