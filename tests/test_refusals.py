"""Refused commands: stable codes and parameters, the English text auditors read, and the
reason in each reader's language (Russian, and a pseudo-locale that wraps every string)."""

from __future__ import annotations

import re

import pytest

from domain.common import i18n
from domain.common.refusals import OTHER, REASONS, Refusal, refusal_of, several
from domain.registration.answers import rsvp_problem
from starter.cli.language import terminal_language
from starter.client.refusals import CommandRefused, refused_detail
from starter.web.pages import reason
from tests.mail_kinds import people, rtm
from tests.test_languages import PLACEHOLDER, TECHNICAL, _english_words, pseudo_locale

__all__ = ["pseudo_locale"]  # the fixture, used by name below

# every code with words of its own (OTHER, "at" and "and" only frame other words)
CODED = sorted(c for c, t in REASONS.items() if re.search(r"[a-z]", PLACEHOLDER.sub("", t)))


def _sample(code: str) -> Refusal:
    """The refusal with a value for each of its parameters (the same for every code)."""
    names = re.findall(r"%\((\w+)\)s", REASONS[code])
    values = {"status": "proposed", "phase": "cancelled", "mode": "in-person", "kind": "country"}
    return Refusal(code, **{n: values.get(n, f"X{n.upper()}9") for n in names})


def test_a_refusal_is_its_english_sentence_with_a_code() -> None:
    r = Refusal("rsvp.closed", meeting="RTM-CA-16", deadline="Mon 11 Jan 2027 17:00 Asia/Dubai")
    assert r == "registration for RTM-CA-16 closed at Mon 11 Jan 2027 17:00 Asia/Dubai"
    assert (r.code, r.params["meeting"]) == ("rsvp.closed", "RTM-CA-16")
    assert refusal_of(str(r), r.detail()).code == "rsvp.closed"  # across the wire
    # a code is trusted only when its sentence agrees with the words that came with it
    assert refusal_of("something else", r.detail()).code == OTHER
    assert refusal_of("meeting X is on fire", {"code": "no.such.code"}).code == OTHER
    with pytest.raises(KeyError):
        Refusal("no.such.code")
    assert several([]) is None and several([r]) is r
    both = several(["a: b", r, Refusal("meeting.too_long")])
    assert both == f"a: b; {r}; a meeting lasts at most 14 days"
    assert both is not None and refusal_of(str(both), both.detail()).text("ru") == (
        f"a: b; регистрация на встречу RTM-CA-16 завершилась {r.params['deadline']}; "
        "встреча длится не более 14 дней"
    )  # each part in the reader's words, across the wire


def test_the_domain_refuses_with_codes() -> None:
    from datetime import timedelta

    from domain.registration.answers import Actor, Attendance, Channel, RsvpCommand

    m = rtm()
    invitees = {p.id: p for p in people().values()}
    late = m.registration_deadline_utc() + timedelta(minutes=1)
    command = RsvpCommand(
        participant_id="kz-nfp",
        attendance=Attendance.ONLINE,
        actor=Actor(id="kz-nfp", channel=Channel.LINK),
    )
    closed = rsvp_problem(m, invitees, 1, False, command, late)
    assert isinstance(closed, Refusal) and closed.code == "rsvp.closed"
    stranger = command.model_copy(update={"participant_id": "nobody"})
    absent = rsvp_problem(m, invitees, 1, False, stranger, late)
    assert isinstance(absent, Refusal) and absent.code == "rsvp.not_invited"
    assert absent == f"participant 'nobody' is not invited to {m.id}"


@pytest.mark.parametrize("code", CODED)
def test_every_reason_has_its_russian_words(code: str) -> None:
    r = _sample(code)
    russian = r.text("ru")
    assert russian != str(r), code
    assert set(PLACEHOLDER.findall(i18n.gettext("ru", REASONS[code]))) == set(
        PLACEHOLDER.findall(REASONS[code])
    )
    rest = russian
    for value in r.params.values():
        rest = rest.replace(value, " ")
    assert not re.search(r"[A-Za-z]{4,}", TECHNICAL.sub("", rest)), (code, russian)
    if "status" in r.params:  # the engine's values in the reader's words too
        assert "предложен" in russian


def test_the_audit_keeps_code_parameters_and_english() -> None:
    r = Refusal("agenda.deadline", deadline="Mon 11 Jan 2027")
    assert refused_detail(r) == {
        "reason": "the agenda proposal deadline passed (Mon 11 Jan 2027)",
        "code": "agenda.deadline",
        "params": {"deadline": "Mon 11 Jan 2027"},
    }
    assert refused_detail("an older worker's words")["code"] == OTHER


def test_the_link_pages_and_the_cli_write_the_reason_in_their_readers_language() -> None:
    exc = CommandRefused(Refusal("meeting.cancelled", meeting="RTM-CA-16"))
    assert reason(exc, "ru") == "Встреча RTM-CA-16 отменена."
    assert reason(exc, "en") == "Meeting RTM-CA-16 is cancelled."
    assert terminal_language({"LANG": "ru_RU.UTF-8"}) == "ru"
    assert terminal_language({"LANGUAGE": "uz:ru", "LANG": "en_GB.UTF-8"}) == "ru"
    assert terminal_language({"LANG": "C.UTF-8"}) == "en"
    assert terminal_language({"LC_ALL": "mn_MN"}) == "en"
    assert terminal_language({}) == "en"


def test_a_pseudo_locale_writes_every_reason(pseudo_locale: str) -> None:
    english = _english_words()
    for code in CODED:
        r = _sample(code)
        text = r.text(pseudo_locale)
        assert text.startswith("⟦") and text.endswith("⟧"), code
        for value in r.params.values():
            text = text.replace(value, " ")
        text = re.sub(r"http\S*", " ", text)  # a link's scheme is not a word to translate
        left = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}
        assert left & english == set(), (code, left & english)


def test_a_meeting_definitions_problems_in_the_readers_language() -> None:
    """The plan form and `rtm meeting plan FILE` show these beside their fields."""
    from pydantic import ValidationError

    from domain.meeting.definition import MeetingDefinition
    from starter.cli.inputs import validation_problems
    from starter.web.console import render
    from starter.web.console.forms import problems_by_field

    data = rtm().model_dump(mode="json") | {"format": "hybrid", "join_link": None}
    with pytest.raises(ValidationError) as no_link:
        MeetingDefinition.model_validate(data)
    (problem,) = validation_problems(no_link.value)
    assert problem == "join_link: required for a hybrid meeting"
    assert isinstance(problem, Refusal) and problem.code == "meeting.needs.hybrid"
    data = rtm().model_dump(mode="json")
    del data["title"]
    with pytest.raises(ValidationError) as untitled:
        MeetingDefinition.model_validate(data)
    (missing,) = validation_problems(untitled.value)
    assert missing == "title: Field required"
    by_field = problems_by_field([problem, missing, "zone: as pydantic wrote it"])
    token = render._PAGE_LANG.set("ru")
    try:
        shown = {k: str(v) for k, v in by_field.items()}
    finally:
        render._PAGE_LANG.reset(token)
    assert shown == {
        "join_link": "обязательно для встречи в смешанном формате",
        "title": "обязательное поле",
        "zone": "as pydantic wrote it",  # words without a code stay as they are
    }
