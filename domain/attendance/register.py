"""Hybrid attendance: in-person check-ins and online joins per meeting day, the register,
and the counts in the form the press releases use."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.common.base import Frozen
from domain.common.refusals import Refusal
from domain.directory.models import Code, Participant, Role
from domain.registration.answers import Actor, Attendance

ACCEPTED = (Attendance.IN_PERSON, Attendance.ONLINE)


class Mode(StrEnum):
    IN_PERSON = "in-person"
    ONLINE = "online"


class CheckInCommand(Frozen):
    """The registration desk: `participant_id` is in the room today."""

    participant_id: Code
    actor: Actor


class JoinCommand(Frozen):
    """The participant opened their personal join link today."""

    participant_id: Code
    actor: Actor


class Presence(Frozen):
    participant_id: str
    day: date
    mode: Mode
    at: datetime
    actor: Actor


def meeting_day(now: datetime, zone: str, days: list[date]) -> date | None:
    """Today's date at the venue if it is one of the meeting days, else None."""
    today = now.astimezone(ZoneInfo(zone)).date()
    return today if today in days else None


def presence_problem(
    participant_id: str,
    mode: Mode,
    invitees: dict[str, Participant],
    answers: dict[str, Attendance],
    seen: Presence | None,
    today: date | None,
    ended: bool,
) -> str | None:
    """Why a check-in or online join must be refused, or None."""
    if ended:
        return Refusal("meeting.over")
    if participant_id not in invitees:
        return Refusal("presence.not_invited", participant=participant_id)
    if answers.get(participant_id) not in ACCEPTED:
        return Refusal("presence.not_registered", participant=participant_id)
    if today is None:
        return Refusal("presence.not_today")
    if seen is None or wins_over(mode, seen.mode):
        return None
    return Refusal("presence.counted", participant=participant_id, mode=seen.mode.value)


def wins_over(mode: Mode, seen: Mode) -> bool:
    """A check-in at the desk replaces an online mark of the same day: the person is in the
    room, whatever opened their join link before (a mail scanner, a colleague's click)."""
    return mode is Mode.IN_PERSON and seen is Mode.ONLINE


class AttendanceView(Frozen):
    meeting_id: str
    presences: list[Presence]
    counts: RegisterCounts


class RegisterCounts(Frozen):
    participants: int
    by_mode: dict[str, int]
    by_country: dict[str, int]
    by_organisation: dict[str, int]
    nfp_countries: list[str]
    by_day: dict[str, dict[str, int]]
    summary: str


_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve"]  # fmt: skip


def _number(n: int) -> str:
    return _WORDS[n] if n < len(_WORDS) else str(n)


def press_summary(participants: int, nfp_countries: int) -> str:
    """ "more than 40 participants, including NFPs from six partner countries"."""
    if participants >= 20:
        head = f"more than {(participants - 1) // 10 * 10} participants"
    else:
        head = f"{participants} participant{'s' if participants != 1 else ''}"
    tail = (
        f"NFPs from {_number(nfp_countries)} partner countr{'ies' if nfp_countries != 1 else 'y'}"
    )
    return f"{head}, including {tail}"


def count_register(
    invitees: dict[str, Participant], presences: Iterable[Presence]
) -> RegisterCounts:
    """Who attended, how (a participant counted once, in person if ever in the room)."""
    modes: dict[str, Mode] = {}
    by_day: dict[str, Counter[str]] = {}
    for presence in sorted(presences, key=lambda p: (p.day, p.participant_id)):
        pid = presence.participant_id
        if modes.get(pid) is not Mode.IN_PERSON:
            modes[pid] = presence.mode
        by_day.setdefault(presence.day.isoformat(), Counter())[presence.mode.value] += 1
    by_mode = Counter(m.value for m in modes.values())
    by_country = Counter(invitees[p].country for p in modes if invitees[p].country)
    by_org = Counter(invitees[p].organisation for p in modes if invitees[p].organisation)
    nfp = sorted(
        {
            c
            for p in modes
            if (c := invitees[p].country) and invitees[p].role in (Role.NFP, Role.DEPUTY_NFP)
        }
    )
    return RegisterCounts(
        participants=len(modes),
        by_mode=dict(sorted(by_mode.items())),
        by_country={k: v for k, v in sorted(by_country.items()) if k},
        by_organisation={k: v for k, v in sorted(by_org.items()) if k},
        nfp_countries=nfp,
        by_day={d: dict(sorted(c.items())) for d, c in by_day.items()},
        summary=press_summary(len(modes), len(nfp)),
    )
