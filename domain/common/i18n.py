"""Languages: which one a person is written to, its catalogue, and dates and plurals in it.

One gettext domain ("messages") for every text a person reads (mail, calendar, pages), kept
as Babel catalogues under `domain/common/locale/<lang>/LC_MESSAGES/`; a feature may keep a
domain of its own beside it (the reports' "reports"), found the same way and falling back to
the shared one. Adding a language is adding a catalogue: `available()` lists every directory
there. English is the source language and needs none. Dates, weekdays and months come from
CLDR through Babel.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # Babel is imported where it is used: `rtm --help` need not load it
    from babel import Locale

__all__ = [
    "DEFAULT",
    "LOCALE_DIR",
    "DateForm",
    "available",
    "catalogue_dirs",
    "cldr_locale",
    "display_name",
    "domain_translations",
    "format_date",
    "format_hm",
    "gettext",
    "known",
    "mail_languages",
    "ngettext",
    "pick",
    "translations",
    "written_in",
]

DEFAULT = "en"
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).parent / "locale"
# Where catalogues are looked for, first wins; tests may add a directory (then `reset()`).
catalogue_dirs: list[Path] = [LOCALE_DIR]

DateForm = Literal["day", "weekday", "date", "long"]
# English keeps the engine's own short forms ("Mon 11 Jan 2027"); every other language
# takes CLDR's (ru: "пн, 11 янв. 2027 г."), so that a new catalogue needs nothing else.
_ENGLISH: dict[DateForm, str] = {
    "day": "EEE dd MMM y",
    "weekday": "EEEE dd MMMM y",
    "date": "dd MMM y",
    "long": "dd MMMM y",
}


def _catalogue(lang: str, domain: str = DOMAIN, home: Path = LOCALE_DIR) -> Path | None:
    """The first `domain` catalogue of `lang`: in `catalogue_dirs` (a test's first), then home."""
    for root in dict.fromkeys((*catalogue_dirs, home)):
        po = root / lang / "LC_MESSAGES" / f"{domain}.po"
        if po.exists():
            return po
    return None


def available() -> tuple[str, ...]:
    """English and every language that has a catalogue, English first."""
    return _languages_in(tuple(catalogue_dirs))


@cache
def _languages_in(roots: tuple[Path, ...]) -> tuple[str, ...]:
    """Read once per set of roots (every page asks; `reset()` forgets)."""
    found = {DEFAULT}
    for root in roots:
        if root.is_dir():
            found |= {d.name for d in root.iterdir() if (d / "LC_MESSAGES").is_dir()}
    return (DEFAULT, *sorted(found - {DEFAULT}))


def mail_languages(preferred: Sequence[str], bilingual: bool = False) -> list[str]:
    """The languages of one message to a reader of `preferred` (in their order): the
    first that has a catalogue, or, for a bilingual meeting, the first two (a reader of
    [uz, ru, en] gets Russian, then English)."""
    have = set(available())
    usable = [lang for lang in dict.fromkeys(preferred) if lang in have] or [DEFAULT]
    return usable[:2] if bilingual else usable[:1]


def written_in(preferred: Sequence[str], bilingual: bool = False) -> str:
    """What the status shows: e.g. "ru", or "ru+en" for a bilingual message."""
    return "+".join(mail_languages(preferred, bilingual))


def pick(preferred: Iterable[str]) -> str:
    """The first of a person's languages (in their order) that has a catalogue, else English."""
    have = set(available())
    for lang in preferred:
        if lang in have:
            return lang
    return DEFAULT


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The language's shared catalogue ("messages")."""
    return _compiled(_catalogue(lang) if lang != DEFAULT else None, lang, DOMAIN)


@cache
def domain_translations(lang: str, domain: str, home: Path) -> _gettext.NullTranslations:
    """A feature's own catalogue of `lang` (its `domain` under `home`, or in a directory a
    test added), with the shared catalogue behind it for what it does not hold."""
    shared = translations(lang)
    po = _catalogue(lang, domain, home) if lang != DEFAULT else None
    if po is None:
        return shared
    own = _compiled(po, lang, domain)
    own.add_fallback(shared)
    return own


def _compiled(po: Path | None, lang: str, domain: str) -> _gettext.NullTranslations:
    """The compiled .mo beside `po` when it is current, else the .po compiled in memory (a
    fresh checkout works before `scripts/bootstrap.sh` compiled anything)."""
    if po is None:  # English: nothing to load (`rtm --help` need not import Babel)
        return _gettext.NullTranslations()
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as fp:  # the standard library's reader: no Babel for `rtm --help`
            return _gettext.GNUTranslations(fp)
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with po.open("rb") as fp:
        catalog = read_po(fp, locale=cldr_locale(lang) or DEFAULT, domain=domain)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=domain)


def reset() -> None:
    """Forget loaded catalogues (after `catalogue_dirs` changed)."""
    translations.cache_clear()
    domain_translations.cache_clear()
    cldr_locale.cache_clear()
    _languages_in.cache_clear()


def gettext(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def ngettext(lang: str, singular: str, plural: str, n: int) -> str:
    """The plural form for `n` that the language needs (Russian has three)."""
    return translations(lang).ngettext(singular, plural, n)


@cache
def cldr_locale(lang: str) -> Locale | None:
    """The language's CLDR locale; None for one CLDR does not know (a pseudo-locale)."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None  # a pseudo or private-use language: English dates


def known(lang: str) -> bool:
    """Whether CLDR knows the language (a pseudo-locale is not a valid `lang` attribute)."""
    return cldr_locale(lang) is not None


def display_name(lang: str) -> str:
    """A language's name as its own readers write it ("English", "Русский"); the code
    for a language CLDR does not know (a pseudo-locale)."""
    locale = cldr_locale(lang)
    name = locale.get_display_name(locale) if locale is not None else None
    return name[:1].upper() + name[1:] if name else lang


def format_date(value: date | datetime, lang: str, form: DateForm = "day") -> str:
    """A date as the language writes it: day (short weekday), weekday (long), date, long.

    Only the calendar date counts (as Babel takes it), so the text is kept per date: every
    message of a meeting writes the same few dates."""
    return _format_day(value.date() if isinstance(value, datetime) else value, lang, form)


@lru_cache(maxsize=4096)
def _format_day(value: date, lang: str, form: DateForm) -> str:
    from babel.dates import format_date as _babel_date
    from babel.dates import format_skeleton

    locale = cldr_locale(lang)
    if locale is None or locale.language == DEFAULT:
        return _babel_date(value, _ENGLISH[form], locale="en")
    if form == "day":
        return format_skeleton("yMMMEd", value, locale=locale)
    if form == "date":
        return format_skeleton("yMMMd", value, locale=locale)
    return _babel_date(value, "full" if form == "weekday" else "long", locale=locale)


def format_hm(value: datetime, lang: str) -> str:
    """A 24-hour wall-clock time, as the venue shows it."""
    from babel.dates import format_time

    return format_time(value, "HH:mm", locale=cldr_locale(lang) or "en")
