"""The reports, charts and feeds in a third language that is only a catalogue (the
pseudo-locale of test_languages): every export, chart and feed renders, nothing is left
untranslated and nothing breaks with the longer text."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from openpyxl import load_workbook

from activities.reports.documents import (
    Format,
    desk_document,
    register_document,
    report_document,
    report_markdown,
    tracker_document,
)
from domain.common import i18n
from domain.directory.models import Role
from domain.followup.actions import OwnerKind
from domain.reports.charts import Chart
from domain.reports.feeds import FeedMeeting, build_feed
from domain.reports.render import chart_svg, charts_page, check_language, languages, translations
from domain.reports.series import (
    RtmCount,
    actions_chart,
    answer_events,
    answers_chart,
    attendance_chart,
    years_chart,
)
from domain.reports.tracker import TrackerFilter
from domain.reports.wording import number_word, ordinal
from starter.cli.main import parser
from tests.pdf_pages import pdf_text
from tests.report_facts import rtm15_facts
from tests.test_languages import (
    LOCALE,
    REPORTS_RU,
    _Balanced,
    _data_free,
    _english_words,
    _Text,
    pseudo_locale,
)

__all__ = ["pseudo_locale"]  # the fixture, used by name below

WRAPPED = re.compile(r"⟦[^⟧]*⟧")


def _english() -> set[str]:
    return _english_words(LOCALE / "messages.pot", REPORTS_RU)


def _data() -> list[str]:
    """What the recorded meeting says (names, titles, codes), not the catalogues."""
    facts = rtm15_facts()
    values = [facts.meeting.title, facts.region_name, *[p.name for p in facts.participants]]
    values += [a.title for a in facts.agenda] + [a.project or "" for a in facts.agenda]
    values += [a.what for a in facts.actions] + [a.meeting_title for a in facts.actions]
    values += [p.organisation or "" for p in facts.participants]
    values += [p.id for p in facts.participants]
    venue = facts.meeting.venue
    assert venue is not None
    values += [venue.name, venue.city, venue.country, facts.meeting.organiser.name, "Asia/Dubai"]
    return [v for v in values if v]


def untranslated(text: str) -> set[str]:
    """The catalogues' English words still in `text` outside what they wrapped."""
    left = WRAPPED.sub(" ", _data_free(text, _data()))
    return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", left)} & _english()


# Columns that hold codes to filter by, the same in every language (as in Russian).
CODES = {"kind": {"country", "organisation", "total"}, "role": {r.value for r in Role},
         "owner kind": {k.value for k in OwnerKind},
         "recorded by": {"registration-desk"}}  # fmt: skip


def _words(header: list[str], rows: list[list[str]], language: str) -> str:
    """A table's text but its code columns (each holding its codes only)."""
    tr = translations(language).gettext
    skip = {header.index(tr(name)): codes for name, codes in CODES.items() if tr(name) in header}
    for i, codes in skip.items():
        assert {r[i] for r in rows} <= codes, header[i]
    return " ".join(c for row in [header, *rows] for i, c in enumerate(row) if i not in skip)


def _charts(language: str) -> list[Chart]:
    """The four charts (a meeting's two, a region's two) in `language`."""
    facts = rtm15_facts()
    _ = translations(language).gettext
    t0 = datetime(2022, 2, 1, 6, tzinfo=UTC)
    invited, events = answer_events([
        (t0, "invitation.sent", {}),
        (t0 + timedelta(days=1), "rsvp", {"participant_id": "kz-nfp", "attendance": "online"}),
        (t0 + timedelta(days=2), "rsvp", {"participant_id": "kg-nfp", "attendance": "decline"}),
    ])  # fmt: skip
    opened = datetime(2022, 3, 22, 12, tzinfo=UTC)
    actions = [a.model_copy(update={"opened_at": opened}) for a in facts.actions]
    counts = [RtmCount(number=14, year=2021, participants=60, countries=7),
              RtmCount(number=15, year=2022, participants=40, countries=6)]  # fmt: skip
    return [
        answers_chart(invited, events, facts.meeting.zone, _),
        attendance_chart(facts, _),
        actions_chart(actions, date(2022, 6, 14), _),
        years_chart(counts, language, _),
    ]


def test_the_reports_take_every_language_that_has_a_catalogue(pseudo_locale: str) -> None:
    assert languages() == i18n.available() and pseudo_locale in languages()
    assert check_language(pseudo_locale) == pseudo_locale
    own = translations(pseudo_locale)
    # the reports' own domain from the test's directory, the shared one behind it
    assert own.gettext("Register").startswith("⟦")
    assert own.gettext("Charts: %(title)s").startswith("⟦")
    assert own.gettext("Ask the secretariat for a new calendar subscription link.").startswith("⟦")
    assert own.pgettext("from N countries", "six").startswith("⟦")


def test_wording_has_no_rules_of_its_own_for_a_new_language() -> None:
    """A language the wording knows nothing of: digits as CLDR writes them, never a KeyError."""
    from gettext import NullTranslations

    none = NullTranslations()  # a catalogue without the number words
    assert (ordinal(15, "en"), ordinal(15, "ru"), ordinal(15, "uz"), ordinal(15, "qps")) == (
        "15th", "15-е", "15", "15")  # fmt: skip
    assert number_word(6, "en", none) == "six" and number_word(6, "uz", none) == "6"
    assert number_word(6, "ru", translations("ru")) == "шести"
    assert number_word(0, "ru", translations("ru")) == "0"  # no word for none: digits
    assert number_word(1500, "de", none) == "1.500" and number_word(1500, "en", none) == "1,500"


def test_every_report_in_a_pseudo_locale(pseudo_locale: str) -> None:
    facts = rtm15_facts()
    markdown = report_markdown(facts, pseudo_locale)
    assert markdown.count("⟦") >= 5 and markdown.count("⟦") == markdown.count("⟧")
    assert untranslated(markdown) == set(), markdown
    pdf = pdf_text(report_document(facts, Format.PDF, pseudo_locale))
    assert "⟦" in pdf and untranslated(pdf) == set()
    header, *rows = csv.reader(io.StringIO(register_document(facts, Format.CSV, pseudo_locale)
                                           .decode()))  # fmt: skip
    assert all(h.startswith("⟦") for h in header if not re.match(r"\d{4}-", h)), header
    assert untranslated(_words(header, rows, pseudo_locale)) == set()
    book = load_workbook(io.BytesIO(register_document(facts, Format.XLSX, pseudo_locale)))
    assert len(book.sheetnames) == 2 and all(n.startswith("⟦") for n in book.sheetnames)
    for sheet in book.worksheets:
        head, *body = [[str(c) if c is not None else "" for c in row]
                       for row in sheet.iter_rows(values_only=True)]  # fmt: skip
        assert untranslated(_words(head, body, pseudo_locale)) == set(), sheet.title
    desk = pdf_text(desk_document(facts, pseudo_locale))
    assert "⟦" in desk and untranslated(desk) == set()
    for person in facts.participants[:3]:
        assert person.name in desk
    now = datetime(2022, 6, 10, tzinfo=UTC)
    for fmt in (Format.CSV, Format.XLSX):
        data = tracker_document(facts.actions, TrackerFilter(), now, fmt, pseudo_locale)
        if fmt is Format.CSV:
            head, *body = csv.reader(io.StringIO(data.decode()))
        else:
            sheet = load_workbook(io.BytesIO(data)).active
            assert sheet is not None
            head, *body = [[str(c) if c is not None else "" for c in row]
                           for row in sheet.iter_rows(values_only=True)]  # fmt: skip
        text = _words(head, body, pseudo_locale)
        assert "⟦" in text and untranslated(text) == set(), fmt


def test_every_chart_in_a_pseudo_locale(pseudo_locale: str) -> None:
    charts = _charts(pseudo_locale)
    for chart in charts:
        svg = chart_svg(chart, pseudo_locale)
        root = ET.fromstring(svg)  # well-formed with the longer words
        assert "⟦" in svg and untranslated(" ".join(root.itertext())) == set(), chart.id
    page = charts_page("15th RTM", charts, pseudo_locale)
    assert f'<html lang="{pseudo_locale}">' in page and page.count("<svg") == len(charts)
    balanced = _Balanced()
    balanced.feed(re.sub(r"<svg.*?</svg>", "", page, flags=re.S))
    assert balanced.open == []
    reader = _Text()
    reader.feed(page)
    assert untranslated(" ".join(reader.text).replace("15th RTM", " ")) == set()


def test_the_feeds_in_a_pseudo_locale(pseudo_locale: str) -> None:
    facts = rtm15_facts()
    soon = facts.meeting.model_copy(update={"start": datetime(2022, 3, 21, 9),
                                            "end": datetime(2022, 3, 22, 17, 30)})  # fmt: skip
    listed = [FeedMeeting(meeting=soon, phase=facts.phase, updated_at=datetime(2022, 3, 1,
                          tzinfo=UTC))]  # fmt: skip
    tr = translations(pseudo_locale)
    name = tr.gettext("Round-Table Meetings: %(name)s") % {"name": facts.region_name}
    feed = build_feed(
        name,
        listed,
        facts.actions,
        datetime(2022, 3, 20, tzinfo=UTC),
        tr.gettext,
        lang=pseudo_locale,
    )
    cal = icalendar.Calendar.from_ical(feed.body)
    assert str(cal["X-WR-CALNAME"]).startswith("⟦")
    events = cal.walk("VEVENT")
    actions = [e for e in events if str(e["UID"]) != soon.uid]
    assert len(events) == 1 + len(facts.actions) == 1 + len(actions)
    for event in cal.walk("VEVENT"):
        said = " ".join(str(event.get(k, "")) for k in ("SUMMARY", "DESCRIPTION", "LOCATION"))
        assert untranslated(said) == set(), said
    for event in actions:
        assert str(event["SUMMARY"]).startswith("⟦"), event["SUMMARY"]
    (meeting,) = (e for e in events if str(e["UID"]) == soon.uid)
    assert "⟦" in str(meeting["DESCRIPTION"])  # the invitation's words, in the reader's language


def test_russian_keeps_its_own_rules() -> None:
    """The language with rules of its own still writes them (ordinals, number words)."""
    markdown = report_markdown(rtm15_facts(), "ru")
    assert "15-е" in markdown and "шести" in markdown


def test_the_cli_takes_the_new_language(pseudo_locale: str) -> None:
    for command in ("report", "register", "participants", "charts", "tracker"):
        argv = [command, *(["RTM-CA-15"] if command in ("report", "register", "participants")
                           else []), "--language", pseudo_locale]  # fmt: skip
        assert parser(argv).parse_args(argv).language == pseudo_locale, command
    with pytest.raises(SystemExit):
        parser(["report", "X", "--language", "xx"]).parse_args(["report", "X", "--language", "xx"])


# Where the reports' messages are written (their own domain, "reports").
REPORTS_MAPPING = """\
[python: domain/reports/**.py]
[python: starter/client/reports.py]
[python: activities/reports/**.py]
[jinja2: domain/reports/templates/**.j2]
trim_blocks = True
lstrip_blocks = True
"""


@pytest.mark.integration  # runs pybabel's extraction as a process
def test_every_message_of_the_reports_has_a_russian_translation(tmp_path: Path) -> None:
    """What the reports' code and templates ask for is in their Russian catalogue, or in the
    shared one behind it: a new sentence cannot come out English in a Russian report."""
    import subprocess
    import sys

    from babel.messages.pofile import read_po

    mapping, pot = tmp_path / "reports.cfg", tmp_path / "reports.pot"
    mapping.write_text(REPORTS_MAPPING)
    pybabel = str(Path(sys.executable).with_name("pybabel"))
    root = LOCALE.parent.parent.parent
    subprocess.run([pybabel, "extract", "-F", str(mapping), "--no-location", "-o", str(pot), "."],
                   cwd=root, check=True, capture_output=True)  # fmt: skip

    def ids(path: Path) -> set[tuple[str | None, str]]:
        with path.open("rb") as fp:
            found = [m for m in read_po(fp) if m.id]
        return {(m.context, str(m.id[0] if isinstance(m.id, tuple) else m.id)) for m in found}

    asked = ids(pot)
    assert len(asked) > 50
    russian = ids(REPORTS_RU) | {
        (None, m) for _, m in ids(LOCALE / "ru" / "LC_MESSAGES" / "messages.po")
    }
    assert asked - russian == set()
