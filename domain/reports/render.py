"""Texts of the reports in the reader's language: Jinja2 templates whose strings are
marked for gettext, translated from the catalogue beside them (Babel's PO format)."""

from __future__ import annotations

from datetime import date
from functools import cache
from gettext import NullTranslations
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale
from babel.dates import format_date
from babel.lists import format_list

from domain.common import i18n
from domain.reports.charts import Chart, geometry, table
from domain.reports.wording import more_than, number_word, ordinal, with_article

HERE = Path(__file__).parent
DOMAIN = "reports"
# Where CLDR's plain locale of a language is not the one the reports write ("21 March 2022",
# not "March 21, 2022"); any other language takes its own, or English dates if CLDR has none.
_LOCALES = {"en": "en_GB"}


class UnknownLanguage(ValueError):
    pass


def languages() -> tuple[str, ...]:
    """The languages the reports write: every one that has a catalogue (English first)."""
    return i18n.available()


def check_language(language: str) -> str:
    if language not in languages():
        raise UnknownLanguage(f"language: {language!r} is not one of {', '.join(languages())}")
    return language


def _locale(language: str) -> str | Locale:
    return _LOCALES.get(language) or i18n.cldr_locale(language) or _LOCALES[i18n.DEFAULT]


def translations(language: str) -> NullTranslations:
    """The reports' catalogue of `language`, with the engine's shared one behind it
    (English is the source language: no catalogue)."""
    return i18n.domain_translations(language, DOMAIN, HERE / "locale")


def date_range(start: date, end: date, language: str) -> str:
    """ "21-22 March 2022", "30 June - 1 July 2021"; in Russian "21-22 марта 2022 г."."""
    locale = _locale(language)
    last = format_date(end, "long", locale=locale)
    if start == end:
        return last
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}-{last}"
    pattern = "d MMMM" if start.year == end.year else "long"
    return f"{format_date(start, pattern, locale=locale)} - {last}"


@cache
def environment(language: str) -> jinja2.Environment:
    """A template environment that writes `language`."""
    check_language(language)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        extensions=["jinja2.ext.i18n"],
        autoescape=jinja2.select_autoescape(["html.j2", "svg.j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    tr = translations(language)
    env.install_gettext_translations(tr, newstyle=True)  # type: ignore[attr-defined]
    locale = _locale(language)

    def official(name: str) -> str:
        """A directory name in a sentence: translated, with its article in English."""
        translated = tr.gettext(name)
        return with_article(translated) if language == "en" else translated

    def org_label(org: Any) -> str:
        """An organisation in a sentence: "the EC Joint Research Centre (JRC)"."""
        name = official(org.name)
        return f"{name} ({org.acronym})" if org.acronym else name

    def and_list(items: list[str]) -> str:
        return format_list(list(items), locale=locale) if items else ""

    def count_word(count: int) -> str:
        return number_word(count, language, tr)

    env.filters.update(
        official=official,
        org_label=org_label,
        and_list=and_list,
        count_word=count_word,
        ordinal=lambda n: ordinal(n, language),
        date=lambda d: format_date(d, "long", locale=locale),
        more_than=more_than,
    )
    env.globals.update(date_range=lambda s, e: date_range(s, e, language), language=language)
    return env


def render(template: str, language: str, **context: Any) -> str:
    return environment(language).get_template(template).render(**context)


def chart_svg(chart: Chart, language: str) -> str:
    """One chart as a standalone SVG document."""
    return render("chart.svg.j2", language, c=chart, g=geometry(chart))


def charts_page(title: str, charts: list[Chart], language: str) -> str:
    """An HTML page: each chart's SVG inline, its numbers in a table beside it."""
    figures = [(c, chart_svg(c, language), *table(c)) for c in charts]
    return render("charts.html.j2", language, title=title, charts=figures)
