"""Every participant in their own language: catalogues, choice of language, dates and
plurals, bilingual mail, the calendar entry, and a pseudo-locale that proves a new language
is a catalogue and nothing else."""

from __future__ import annotations

import email
import re
import subprocess
import sys
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import icalendar
import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from jinja2 import Environment, nodes

from domain.common import i18n
from domain.directory.models import Participant
from domain.mail import render
from domain.mail.builder import Mail
from domain.reports import render as reports_render
from scripts.catalogue import EXTRACT
from tests.mail_kinds import KINDS, builders, people, rtm

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "domain" / "common" / "locale"
# the reports' own domain: its Russian catalogue is the list of its messages
REPORTS_RU = ROOT / "domain" / "reports" / "locale" / "ru" / "LC_MESSAGES" / "reports.po"
TEMPLATES = [
    *sorted((ROOT / "domain" / "mail" / "templates").glob("*.j2")),
    *sorted((ROOT / "starter" / "web" / "templates").glob("*.html")),
    *sorted((ROOT / "starter" / "web" / "console" / "templates").glob("*.html")),
]
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdr]")  # %(name)s, %s, %r: argparse writes both


def catalogue(path: Path) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp)


def parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def part(msg: EmailMessage, content_type: str) -> str:
    (found,) = [p for p in msg.walk() if p.get_content_type() == content_type]
    data = found.get_payload(decode=True)
    assert isinstance(data, bytes)
    return data.decode("utf-8")


# --- the catalogue ------------------------------------------------------------------------


def test_the_template_is_what_the_code_and_templates_say(tmp_path: Path) -> None:
    """messages.pot is current: a fresh extraction finds the same messages."""
    pot = tmp_path / "messages.pot"
    pybabel = str(Path(sys.executable).with_name("pybabel"))
    subprocess.run(
        [pybabel, *EXTRACT, "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    fresh = {m.id for m in catalogue(pot) if m.id}
    committed = {m.id for m in catalogue(LOCALE / "messages.pot") if m.id}
    assert fresh == committed, "run: python -m scripts.catalogue extract && ... update"
    assert len(fresh) > 100


# Words a Russian text keeps as they are: formats and examples a reader types or sees
# (Markdown, Excel, an https:// address, a time zone's name, an example address).
# What an operator types, as `rtm`'s help names it: a command in backticks, a setting, a
# format, a value of a choice or a file's keys; every other Latin word is left untranslated.
TYPED = (
    r"`[^`]*`|\b(?:RTM|SMTP|TEMPORAL)_[A-Z_*]*(?::[A-Z_]+)?|\b(?:AUTH|IANA|JSON|YAML|SMTP)\b"
    r"|\bTemporal\b|\{kind, code\}|country:KZ|participant:kz-nfp|Asia/Almaty|index\.html"
    r"|\bxlsx\b|\(worker, web, inbound\)|\bshow:|Ctrl-C|SIGTERM|var/mail"
)
TECHNICAL = re.compile(r"Markdown|Excel|http\(s\)|https://|Asia/Dubai|name@example\.org|" + TYPED)


def test_every_message_has_a_russian_translation() -> None:
    ids = {m.id for m in catalogue(LOCALE / "messages.pot") if m.id}
    ru = catalogue(LOCALE / "ru" / "LC_MESSAGES" / "messages.po")
    assert ru.num_plurals == 3
    translated = {m.id: m for m in ru if m.id}
    assert set(translated) == ids
    for msgid, message in translated.items():
        assert not message.fuzzy, msgid
        source = [str(x) for x in (msgid if isinstance(msgid, tuple) else (msgid,))]
        given = message.string
        strings = [str(x) for x in (given if isinstance(given, tuple) else (given,))]
        assert len(strings) == (3 if isinstance(msgid, tuple) else 1), msgid
        wanted = set(PLACEHOLDER.findall(source[-1]))
        for text in strings:
            assert text and text != source[0], msgid
            assert set(PLACEHOLDER.findall(text)) == wanted, (msgid, text)
            rest = TECHNICAL.sub("", PLACEHOLDER.sub("", text))
            assert not re.search(r"[A-Za-z]{4,}", rest), (msgid, text)


def _literal_text(node: nodes.Node) -> Iterator[str]:
    """The template's own words: its literal output (not expressions, not gettext calls)."""
    if isinstance(node, nodes.TemplateData):
        yield node.data
    for child in node.iter_child_nodes():
        yield from _literal_text(child)


class _Text(HTMLParser):
    """What a reader sees of a page: its text, without style sheets."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.text.append(data)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_no_template_carries_english_outside_the_catalogue(path: Path) -> None:
    tree = Environment(extensions=["jinja2.ext.i18n"]).parse(path.read_text("utf-8"))
    literal = "".join(_literal_text(tree))
    if path.name.endswith((".html.j2", ".html")):
        reader = _Text()
        reader.feed(literal)
        literal = " ".join(reader.text)
        literal = re.sub(r"<!DOCTYPE[^>]*>", "", literal, flags=re.I)
    words = re.findall(r"[A-Za-z]{2,}", literal)
    assert words == [], f"{path.name}: {words}"


# --- choosing the language ----------------------------------------------------------------


def test_a_participant_gets_the_first_language_that_has_a_catalogue() -> None:
    assert i18n.pick(["uz", "ru", "en"]) == "ru"
    assert i18n.pick(["mn", "en"]) == "en"
    assert i18n.pick(["tg"]) == "en"
    assert i18n.pick([]) == "en"
    assert i18n.mail_languages(["uz", "ru", "en"], bilingual=True) == ["ru", "en"]
    assert i18n.mail_languages(["uz", "ru", "en"]) == ["ru"]
    assert i18n.mail_languages(["en", "ru"], bilingual=True) == ["en", "ru"]
    assert i18n.written_in(["ps", "en"], bilingual=True) == "en"
    assert "ru" in i18n.available() and i18n.available()[0] == "en"


def test_the_single_language_of_older_directories_becomes_an_ordered_list() -> None:
    base = people()["kz-nfp"].model_dump(exclude={"languages"})
    assert Participant.model_validate({**base, "language": "ru"}).languages == ["ru", "en"]
    stored = Participant.model_validate({**base, "language": "uz,ru,en"})  # the store's column
    assert (stored.language, stored.languages) == ("uz", ["uz", "ru", "en"])
    explicit = Participant.model_validate({**base, "languages": ["en", "ru"]})
    assert (explicit.language, explicit.languages) == ("en", ["en", "ru"])
    with pytest.raises(ValueError, match="languages"):
        Participant.model_validate({**base, "languages": ["Russian!"]})


def test_the_demo_directory_writes_russian_to_four_nfps() -> None:
    for pid in ("kz-nfp", "kg-nfp", "tj-nfp", "uz-nfp"):
        assert i18n.pick(people()[pid].languages) == "ru", pid
    assert people()["uz-nfp"].languages == ["uz", "ru", "en"]
    assert i18n.pick(people()["mn-nfp"].languages) == "en"


def test_directory_languages_survive_the_store(tmp_path: Path) -> None:
    from activities.store import Store
    from tests.factories import central_asia

    store = Store(f"sqlite:///{tmp_path / 'rtm.db'}")
    store.upgrade_schema()
    store.load_directory(central_asia())
    by_id = {p.id: p for p in store.participants()}
    assert by_id["uz-nfp"].languages == ["uz", "ru", "en"]
    assert by_id["kz-nfp"].languages == ["ru", "en"]


# --- dates and plurals --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "word"),
    [(1, "день"), (2, "дня"), (4, "дня"), (5, "дней"), (11, "дней"), (12, "дней"),
     (21, "день"), (22, "дня"), (25, "дней"), (111, "дней")],
)  # fmt: skip
def test_russian_plurals(n: int, word: str) -> None:
    text = i18n.ngettext(
        "ru",
        "Escalation: action %(id)s is %(num)d day overdue",
        "Escalation: action %(id)s is %(num)d days overdue",
        n,
    )
    assert text % {"id": "A1", "num": n} == f"Эскалация: поручение A1 просрочено на {n} {word}"


def test_dates_in_the_language() -> None:
    from datetime import date

    day = date(2027, 1, 11)
    assert i18n.format_date(day, "en", "day") == "Mon 11 Jan 2027"
    assert i18n.format_date(day, "ru", "weekday") == "понедельник, 11 января 2027\u202fг."
    assert i18n.format_date(day, "ru", "long") == "11 января 2027\u202fг."
    assert "янв." in i18n.format_date(day, "ru", "day")


# --- what a Russian reader gets -----------------------------------------------------------


def test_the_calendar_entry_is_in_the_readers_language() -> None:
    m = rtm()
    msg = parse(builders(m)["invitation-request"](people()["kz-nfp"]).data)
    event = icalendar.Calendar.from_ical(part(msg, "text/calendar")).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == m.texts["ru"].title
    assert str(event["LOCATION"]).startswith("Выставочный центр Дубая, Дубай")
    assert str(event["DESCRIPTION"]).startswith("Подключиться онлайн: https://")
    assert "Время указано по месту проведения (Asia/Dubai)." in str(event["DESCRIPTION"])
    english = parse(builders(m)["invitation-request"](people()["kz-expert-bio"]).data)
    event = icalendar.Calendar.from_ical(part(english, "text/calendar")).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == m.title
    assert str(event["DESCRIPTION"]).startswith("Join online: https://")


def test_notes_per_language_and_english_where_a_language_has_none() -> None:
    ru = {"title": "Круглый стол", "notes": "Возьмите с собой проект национального плана."}
    english = "Bring the draft national plan."
    m = rtm(notes=english, texts={"ru": ru})
    for pid, notes in (("kz-nfp", ru["notes"]), ("kz-expert-bio", english)):
        msg = parse(builders(m)["invitation-request"](people()[pid]).data)
        event = icalendar.Calendar.from_ical(part(msg, "text/calendar")).walk("VEVENT")[0]
        assert notes in str(event["DESCRIPTION"]), pid
        assert notes in part(msg, "text/plain") and notes in part(msg, "text/html"), pid
    assert m.venue is not None
    # no Russian venue given: the English one stands, in a Russian sentence around it
    msg = parse(builders(m)["invitation-request"](people()["kz-nfp"]).data)
    event = icalendar.Calendar.from_ical(part(msg, "text/calendar")).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Круглый стол"
    assert str(event["LOCATION"]).startswith(m.venue.name)
    bare = rtm(texts={})
    msg = parse(builders(bare)["invitation-request"](people()["kz-nfp"]).data)
    event = icalendar.Calendar.from_ical(part(msg, "text/calendar")).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == bare.title
    assert str(event["DESCRIPTION"]).startswith("Подключиться онлайн: https://")


def test_a_bilingual_meeting_writes_russian_first_then_english() -> None:
    m = rtm(bilingual=True)
    msg = parse(builders(m)["invitation-request"](people()["uz-nfp"]).data)
    text = part(msg, "text/plain")
    russian = text.index("Приглашаем вас принять участие")
    english = text.index("You are invited to the")
    assert russian < english
    assert str(msg["Subject"]).startswith("Приглашение: ") and " / Invitation: " in msg["Subject"]
    page = part(msg, "text/html")
    assert page.index('<div lang="ru">') < page.index('<div lang="en">')
    assert '<html lang="ru">' in page
    # one language for who has one, even at a bilingual meeting
    only = parse(builders(m)["invitation-request"](people()["mn-nfp"]).data)
    assert "Приглашаем" not in part(only, "text/plain")


# --- a third language is a catalogue and nothing else ---------------------------------------

PSEUDO = "qps"


def _pseudo(text: str) -> str:
    """Accented, a third longer, wrapped: placeholders kept as they are."""
    accents = str.maketrans("aeiouAEIOUcnsyCNSY", "áéíóúÁÉÍÓÚçñšýÇÑŠÝ")
    pieces = PLACEHOLDER.split(text)
    holders = PLACEHOLDER.findall(text)
    out = []
    for i, piece in enumerate(pieces):
        out.append(re.sub(r"([aeiou])", r"\1\1", piece, count=len(piece) // 6).translate(accents))
        if i < len(holders):
            out.append(holders[i])
    return "⟦" + "".join(out) + "⟧"


def _pseudo_catalogue(source: Catalog, domain: str, folder: Path) -> None:
    """`source`'s every message in the pseudo-locale, as `folder`/`domain`.po."""
    target = Catalog(locale="en", domain=domain)
    for m in source:
        if not m.id:
            continue
        if isinstance(m.id, tuple):
            target.add(m.id, tuple(_pseudo(str(x)) for x in m.id), flags=m.flags,
                       context=m.context)  # fmt: skip
        else:
            target.add(m.id, _pseudo(str(m.id)), flags=m.flags, context=m.context)
    with (folder / f"{domain}.po").open("wb") as fp:
        write_po(fp, target)


@pytest.fixture
def pseudo_locale(tmp_path: Path) -> Iterator[str]:
    """A third language, the shared catalogue and the reports' one: in a directory that
    is only added to where catalogues are looked for."""
    folder = tmp_path / PSEUDO / "LC_MESSAGES"
    folder.mkdir(parents=True)
    _pseudo_catalogue(catalogue(LOCALE / "messages.pot"), "messages", folder)
    _pseudo_catalogue(catalogue(REPORTS_RU), "reports", folder)

    from starter.web import link_templates  # the pages' cached templates, for the web's tests
    from starter.web.console import render as console_render

    def forget() -> None:
        i18n.reset()
        render.environment.cache_clear()
        reports_render.environment.cache_clear()
        link_templates.environment.cache_clear()
        console_render.env_for.cache_clear()

    i18n.catalogue_dirs.insert(0, tmp_path)
    forget()
    try:
        yield PSEUDO
    finally:
        i18n.catalogue_dirs.remove(tmp_path)
        forget()


def _english_words(*catalogues: Path) -> set[str]:
    """The source words (four letters or more) of the shared catalogue, or of `catalogues`."""
    words: set[str] = set()
    messages = [m for path in catalogues or (LOCALE / "messages.pot",) for m in catalogue(path)]
    for m in messages:
        for msgid in m.id if isinstance(m.id, tuple) else (m.id,):
            text = TECHNICAL.sub("", PLACEHOLDER.sub("", str(msgid)))  # typed, not words
            words |= {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}
    # months and weekdays come from CLDR (a pseudo-locale has none: English dates)
    english = Locale("en")
    names = [*english.months["format"]["wide"].values(), *english.days["format"]["wide"].values()]
    return words - {n.lower() for n in names}


def _data_free(text: str, data: list[str]) -> str:
    """The text without links and without what the meeting's data says (names, titles)."""
    text = re.sub(r"(https?|mailto):\S+", " ", text)
    text = re.sub(r"[\w.+-]+@[\w.-]+", " ", text)
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return text


VOID = frozenset({"meta", "br", "hr", "input", "img", "link"})


class _Balanced(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (self.open, tag)
        self.open.pop()


def _data(m: object) -> list[str]:
    """Every value of the test meeting that is data, not the catalogue's words."""
    from tests.mail_kinds import DONE_URL, MIXED_FAILURES

    values = [DONE_URL, "Asia/Dubai", "Asia/Almaty", "RTM-CA-16-GOLDEN", "RTM-CA-15", "Opening"]
    values += ["Project 87 PRECA", "Submit the national CBRN action plan draft"]
    values += ["Republic of Kazakhstan", "national plan", "The meeting opened at", "Minutes"]
    values += ["rtm meeting schedule", "--venue-name", "--venue-city", "--venue-country"]
    values += ["--join-link", "--start", "--end", "--zone", "--format hybrid"]
    values += ["the host city cannot receive us", "Expo City Dubai"]
    values += ["rtm meeting resend", "--failed", "550 5.1.1"]
    values += [f.error for f in MIXED_FAILURES]  # the relay's words, as it answered
    meeting = rtm()
    assert meeting.venue is not None
    values += [meeting.title, meeting.organiser.name, meeting.venue.name, meeting.venue.city]
    values += [meeting.venue.country, "Central Asia", "Dubai"]
    values += [p.name for p in people().values()]
    return values


@pytest.mark.parametrize("kind", KINDS)
def test_a_pseudo_locale_renders_every_mail_kind(pseudo_locale: str, kind: str) -> None:
    reader = people()["kz-expert-bio"].model_copy(update={"languages": [pseudo_locale, "en"]})
    mail: Mail = builders(rtm())[kind](reader)
    msg = parse(mail.data)
    assert not msg.defects and all(not p.defects for p in msg.walk())
    subject = str(msg["Subject"])
    assert "⟦" in subject
    english = _english_words()
    data = _data(rtm())
    for content_type in ("text/plain", "text/html"):
        text = part(msg, content_type)
        assert "⟦" in text and "⟧" in text
        if content_type == "text/html":
            checker = _Balanced()
            checker.feed(text)
            assert checker.open == []
            assert f'<html lang="{pseudo_locale}">' in text
            reader_text = _Text()
            reader_text.feed(text)
            text = " ".join(reader_text.text)
        left = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", _data_free(text, data))}
        assert left & english == set(), (content_type, left & english)
    for line in mail.data.split(b"\r\n"):
        assert len(line) <= 998
    left = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", _data_free(subject, data))}
    assert left & english == set(), left & english
    if kind.startswith("invitation"):
        event = icalendar.Calendar.from_ical(part(msg, "text/calendar")).walk("VEVENT")[0]
        assert "⟦" in str(event["DESCRIPTION"])


def untranslated(page: str, data: list[str]) -> set[str]:
    """The catalogue's English words a reader still sees on a page in the pseudo-locale:
    its text without what the catalogue wrapped (⟦...⟧), links, addresses and `data`
    (names, titles: what the meeting's records say, not the catalogue)."""
    reader = _Text()
    reader.feed(page)
    text = re.sub(r"⟦[^⟧]*⟧", " ", " ".join(reader.text))
    left = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", _data_free(text, data))}
    return left & _english_words()
