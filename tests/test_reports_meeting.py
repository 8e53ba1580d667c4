"""The meeting report of a meeting recorded like the 15th RTM reads like its press release:
same six countries in the same official names and order, same organisations, the format."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from activities.reports.documents import Format, report_document, report_markdown
from domain.reports.report import Basis, draft
from tests.pdf_pages import page_png, pdf_text
from tests.report_facts import RELEASE, release_names, rtm15_facts

RUSSIAN_COUNTRIES = [
    "Республика Казахстан",
    "Кыргызская Республика",
    "Монголия",
    "Исламская Республика Пакистан",
    "Республика Таджикистан",
    "Республика Узбекистан",
]


def _normal(name: str) -> str:
    """An organisation's name without article, acronym or the EC/European Commission
    spelling difference, for comparing a report with a release."""
    name = re.sub(r"^the ", "", name.strip())
    name = re.sub(r" \([A-Z]+\)$", "", name)
    return name.replace("European Commission ", "EC ")


def _listed(markdown: str) -> tuple[list[str], list[str]]:
    text = " ".join(markdown.split())
    found = re.search(r"These included: (.*?), as well as representatives of (.*?)\.", text)
    assert found, markdown
    countries = re.split(r", | and ", found.group(1))
    return countries, re.split(r", | and ", found.group(2))


def test_report_names_the_countries_and_organisations_of_the_release() -> None:
    release_countries, release_orgs = release_names()
    assert len(release_countries) == 6  # the oracle itself: six partner countries
    markdown = report_markdown(rtm15_facts(), "en")
    countries, orgs = _listed(markdown)
    assert countries == release_countries
    assert [_normal(o) for o in orgs] == [_normal(o) for o in release_orgs]
    assert "held in a blended format (face-to-face and online)" in markdown
    headline = markdown.splitlines()[0].removeprefix("# ")
    assert headline in RELEASE.read_text(encoding="utf-8").splitlines()
    assert "On 21-22 March 2022, the 15th Round-Table Meeting (RTM) for the Central Asia region" \
        " took place in Dubai, the United Arab Emirates." in markdown  # fmt: skip
    assert "including National Focal Points from six partner countries" in markdown
    assert "The meeting was opened by Dilnoza Rakhimova, the CBRN CoE Regional Secretariat" in (
        markdown
    )
    assert "National updates on CBRN activities by the Republic of Kazakhstan," in markdown
    assert "Project 65 CABICHEM: outcomes and lessons learnt; Preparedness and Response" in (
        markdown
    )
    assert "- Share the PRECA exercise schedule (the Republic of Kazakhstan, by 31 May 2022)" in (
        markdown
    )


def test_report_counts_the_register_and_says_more_than_once_past_twenty() -> None:
    facts = rtm15_facts()
    report = draft(facts)
    assert report.basis is Basis.REGISTER
    assert report.participants == len({p.participant_id for p in facts.presences}) == 18
    assert (report.in_person, report.online) == (14, 4)
    assert "allowing to bring together 18 participants," in report_markdown(facts, "en")
    before = draft(rtm15_facts(presences=False))
    assert before.basis is Basis.ANSWERS and before.participants == 18
    text = report_markdown(before, "en")
    assert "So far the event, to be held in a blended format (face-to-face and online), has " \
        "registered 18 participants, including National Focal Points" in text  # fmt: skip
    assert "allowing to bring together" not in text
    assert "пока зарегистрировались 18 участников" in report_markdown(before, "ru")


def test_russian_report_comes_from_the_catalogue() -> None:
    markdown = report_markdown(rtm15_facts(), "ru")
    text = " ".join(markdown.split())
    assert "21-22 марта 2022 г." in text
    assert "в смешанном формате (очно и онлайн)" in text
    assert "из шести стран-партнёров" in text
    found = re.search(r"Среди них: (.*?), а также", text)
    assert found
    assert re.split(r", | и ", found.group(1)) == RUSSIAN_COUNTRIES
    assert "Объединённый исследовательский центр Европейской комиссии (JRC)" in text
    assert "These included" not in text and "participants" not in text


def test_unknown_language_or_format_is_refused() -> None:
    with pytest.raises(ValueError, match="language: 'de'"):
        report_markdown(rtm15_facts(), "de")
    with pytest.raises(ValueError, match="format: 'csv'"):
        report_document(rtm15_facts(), Format.CSV, "en")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_report_pdf_reads_back_the_same_text(language: str, tmp_path: Path) -> None:
    facts = rtm15_facts()
    data = report_document(facts, Format.PDF, language)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    countries = release_names()[0] if language == "en" else RUSSIAN_COUNTRIES
    positions = [text.find(c.removeprefix("the ")) for c in countries]
    assert -1 not in positions and positions == sorted(positions), text
    assert ("18 participants" if language == "en" else "18 участников") in text
    page_png(data, f"report-rtm15-{language}", tmp_path)
