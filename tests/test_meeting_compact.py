"""What a meeting carries into its next run: ids and enums, under 256 KB at 10,000
participants who all answered and attended both days, and everything comes back."""

from __future__ import annotations

import base64
import lzma
import random
import zlib
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.attendance.register import Mode, Presence
from domain.invitations.batches import Invitation, InvitationStatus
from domain.meeting.state import MeetingState, presence_key
from domain.meeting.timeline import (
    CONTINUE_AT,
    CONTINUE_AT_BYTES,
    MIN_RUN,
    SERVER_SUGGESTS_AT,
    SERVER_SUGGESTS_AT_BYTES,
    continue_threshold,
    fanout_room,
    must_continue,
)
from domain.registration.answers import Actor, Answer, Attendance, Channel
from tests.factories import meeting, synthetic_directory

N = 10_000
LIMIT = 256 * 1024


@pytest.fixture(scope="module")
def full() -> tuple[MeetingState, str]:
    """The 10,000 state and what it carries, built once for the module's tests and let go
    after them (kept for the whole session, its objects slowed every later collection)."""
    s = _full_state()
    return s, s.for_next_run().model_dump_json()


def _full_state(n: int = N) -> MeetingState:
    rng = random.Random(7)
    people = synthetic_directory(n).participants
    now = datetime(2027, 1, 11, 9, tzinfo=UTC)
    s = MeetingState(meeting=meeting(organisations=[]), horizon=now)
    desk = Actor(id="registration-desk", channel=Channel.LINK)
    days = [date(2027, 3, 1), date(2027, 3, 2)]
    for i, p in enumerate(people):
        s.invitees[p.id] = p
        failed = i % 997 == 0
        s.invitations[p.id] = Invitation(
            participant_id=p.id, email=p.email, sequence=1,
            status=InvitationStatus.FAILED if failed else InvitationStatus.SENT,
            message_id=f"<{s.meeting.id}.1.{p.id}.5f1c0e2a9b@example.org>",
            error="550 mailbox unavailable" if failed else None,
            at=now + timedelta(milliseconds=rng.randrange(600_000)),
        )  # fmt: skip
        via = [Channel.LINK, Channel.CALENDAR, Channel.CLI][i % 3]
        s.answers[p.id] = Answer(
            attendance=list(Attendance)[i % 4],
            at=now + timedelta(seconds=rng.randrange(40 * 86400)),
            actor=Actor(id="secretariat" if via is Channel.CLI else p.id, channel=via),
            sequence=i % 2,
        )
        for day in days:
            s.presences[presence_key(p.id, day)] = Presence(
                participant_id=p.id, day=day, mode=Mode.ONLINE if i % 2 else Mode.IN_PERSON,
                at=datetime.combine(day, datetime.min.time(), UTC)
                + timedelta(seconds=rng.randrange(36_000)),
                actor=desk if i % 2 == 0 else Actor(id=p.id, channel=Channel.LINK),
            )  # fmt: skip
        for prefix in ("s0:chaser:14", "s0:chaser:7", "s1:chaser:3", "s1:pre-meeting:1"):
            if rng.random() < 0.7:
                s.reminded.add(f"{prefix}:{p.id}")
    s.reminded.add("s1:escalation:10:secretariat")
    return s


@pytest.mark.size  # at 10,000 participants
def test_a_continued_run_carries_ids_and_enums_under_256_kb_and_loses_nothing(
    full: tuple[MeetingState, str],
) -> None:
    s, payload = full
    assert len(payload.encode()) <= LIMIT, f"{len(payload) / 1024:.0f} KB"
    assert "Participant 0042" not in payload and "p0042@example.org" not in payload

    restored = MeetingState.model_validate_json(payload)
    assert restored.roster() == list(s.invitees)
    assert restored.runs == s.runs + 1
    restored.unpack(list(reversed(list(s.invitees.values()))))  # any order from the store
    assert list(restored.invitees) == list(s.invitees)
    assert restored.invitations == s.invitations
    assert restored.answers == s.answers
    assert restored.presences == s.presences
    assert restored.reminded == s.reminded
    assert restored.packed is None


@pytest.mark.size  # at 10,000 participants
def test_a_participant_gone_from_the_directory_is_left_out_of_the_next_run(
    full: tuple[MeetingState, str],
) -> None:
    s, payload = full
    carried = MeetingState.model_validate_json(payload)
    carried.unpack([p for p in s.invitees.values() if p.id != "p0042"])
    assert "p0042" not in carried.invitees and "p0042" not in carried.answers
    assert len(carried.invitations) == N - 1
    assert not any(k.endswith(":p0042") for k in carried.presences)


def test_a_continued_run_rebuilds_page_by_page_what_it_rebuilds_at_once() -> None:
    """The workflow rebuilds the columns a page at a time, as the participants load (each
    page in its own activation); pages in any order give the same state, in the same order."""
    s = _full_state(1_200)
    payload = s.for_next_run().model_dump_json()
    at_once = MeetingState.model_validate_json(payload)
    at_once.unpack(list(s.invitees.values()))
    paged = MeetingState.model_validate_json(payload)
    unpacker, people = paged.unpacker(), list(reversed(s.invitees.values()))
    for i in range(0, len(people), 500):
        unpacker.add(people[i : i + 500])
    paged.unpack(people, unpacker)
    assert list(paged.invitees) == list(at_once.invitees) == list(s.invitees)
    assert list(paged.answers.items()) == list(at_once.answers.items())
    assert list(paged.presences.items()) == list(at_once.presences.items())
    assert paged.invitations == at_once.invitations and paged.reminded == at_once.reminded
    assert len(paged.answers) == len(s.answers) and len(paged.presences) == len(s.presences)


@pytest.mark.size  # at 10,000 participants
def test_the_state_is_compressed_smaller_and_a_deflated_one_from_before_still_unpacks(
    full: tuple[MeetingState, str],
) -> None:
    """xz since the format, 13% smaller than deflate at 10,000 (the state is in the history
    twice per run); a run continued before the change carries deflate, and still reads."""
    s, payload = full
    packed = MeetingState.model_validate_json(payload).packed
    assert packed is not None
    raw = lzma.decompress(base64.b85decode(packed))
    deflated = base64.b85encode(zlib.compress(raw, 6)).decode("ascii")
    assert len(packed) < 0.9 * len(deflated)
    old = MeetingState.model_validate_json(payload).model_copy(update={"packed": deflated})
    old.unpack(list(s.invitees.values()))
    assert old.invitations == s.invitations and old.answers == s.answers
    assert old.presences == s.presences and old.reminded == s.reminded


def test_the_threshold_is_below_the_suggestion_whatever_the_setting() -> None:
    assert CONTINUE_AT < SERVER_SUGGESTS_AT
    assert continue_threshold(9_000) == CONTINUE_AT
    assert continue_threshold(120) == 120


def test_a_run_continues_for_its_bytes_and_before_a_fanout_that_would_not_fit() -> None:
    """From 3 MB of history, or when a fan-out to everyone would take the run past its
    threshold or past 3 MB; never for bytes in a run that has only just reloaded."""
    assert CONTINUE_AT_BYTES < SERVER_SUGGESTS_AT_BYTES
    room = fanout_room(10_000, 200)
    assert room == (50 * 12, 10_000 * 120) and fanout_room(0, 200) == (0, 0)
    assert must_continue(CONTINUE_AT, 0, CONTINUE_AT, started_at=CONTINUE_AT)
    assert not must_continue(CONTINUE_AT - 1, 0, CONTINUE_AT)
    assert must_continue(1_000, CONTINUE_AT_BYTES, CONTINUE_AT)
    assert not must_continue(1_000, CONTINUE_AT_BYTES - 1, CONTINUE_AT)
    assert must_continue(CONTINUE_AT - room[0], 0, CONTINUE_AT, room)
    assert not must_continue(CONTINUE_AT - room[0] - 1, 0, CONTINUE_AT, room)
    assert must_continue(1_000, CONTINUE_AT_BYTES - room[1], CONTINUE_AT, room)
    fresh = 500 + MIN_RUN - 1  # reloaded at 500 events: goes on, however large
    assert not must_continue(fresh, SERVER_SUGGESTS_AT_BYTES, CONTINUE_AT, room, started_at=500)
    assert must_continue(fresh + 1, SERVER_SUGGESTS_AT_BYTES, CONTINUE_AT, room, started_at=500)
