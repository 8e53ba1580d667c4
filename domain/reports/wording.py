"""Small rules of English and Russian press-release wording that templates cannot hold:
articles before official names, ordinals, "more than N", number words. A language with no
rule here gets what CLDR writes (its digits), so a new catalogue needs nothing else."""

from __future__ import annotations

import re
from gettext import NullTranslations

from domain.common import i18n
from domain.cycle.next_meeting import ordinal as english_ordinal

# Official names that read with "the": the Republic of Kazakhstan, the Kyrgyz Republic,
# the United Arab Emirates; but Mongolia, Georgia, Ukraine.
_THE = re.compile(
    r"\b(Republic|Kingdom|Federation|Emirates|States|Union|Principality|Sultanate|Duchy|"
    r"Commonwealth|Islands|Netherlands|Philippines|Gambia|Bahamas|Maldives|Comoros|"
    r"Seychelles|Centre|Center|Institute|Service|Commission|Delegation|Delegations|"
    r"Secretariat|Office|Organisation|Organization|Agency|Programme|Bank|Council)\b"
)

# The number words of press releases ("six partner countries"); past twelve, digits.
NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight",
                "nine", "ten", "eleven", "twelve"]  # fmt: skip


def with_article(name: str) -> str:
    """`name` as it stands in an English sentence: "the Kyrgyz Republic", "Mongolia"."""
    if name.startswith(("the ", "The ")) or not _THE.search(name):
        return name
    return f"the {name}"


def ordinal(number: int, language: str) -> str:
    """15th, 21st, 12th; in Russian 15-е (совещание); otherwise the language's digits."""
    if language == i18n.DEFAULT:
        return english_ordinal(number)
    if language == "ru":
        return f"{number}-е"
    return digits(number, language)


def more_than(count: int) -> int | None:
    """The round figure a release says "more than" of (45 -> 40, 61 -> 60); None below 20,
    where the exact count reads better."""
    if count < 20:
        return None
    return (count - 1) // 10 * 10


def digits(count: int, language: str) -> str:
    """A count as CLDR writes it in the language (English digits if CLDR has none)."""
    from babel.numbers import format_decimal

    return format_decimal(count, locale=i18n.cldr_locale(language) or i18n.DEFAULT)


def number_word(count: int, language: str, translations: NullTranslations) -> str:
    """The word of a small count ("six"; the catalogue's in another language), else digits:
    digits too where the language's catalogue has no word for it."""
    if 0 <= count < len(NUMBER_WORDS):
        word = NUMBER_WORDS[count]
        said = translations.pgettext("from N countries", word)
        if language == i18n.DEFAULT or said != word:
            return said
    return digits(count, language)
