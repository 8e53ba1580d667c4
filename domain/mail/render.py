"""Mail text from templates: one text and one HTML template per kind, in the reader's language.

Templates live in `domain/mail/templates/` (`<kind>.txt.j2`, `<kind>.html.j2`); every word in
them goes through the gettext catalogue of the language (Jinja2's i18n extension), HTML is
autoescaped, and an undefined name is an error, never an empty string. A message in two
languages is both sections, one after the other, in one document.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from domain.common import i18n

if TYPE_CHECKING:
    from jinja2 import Environment, Template

__all__ = ["MARK", "Rendered", "environment", "fill", "fill_text", "render", "render_text", "slot"]

# Placeholders (`slot`) stand for a recipient's own values in text rendered once for many:
# private-use characters, which no template writes and no escaping changes.
MARK = "\ue000"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def slot(name: str) -> str:
    """The placeholder of the value `name` (see `fill`)."""
    return f"{MARK}{name}\ue001"


def fill_text(text: str, values: Mapping[str, str]) -> str:
    """`text` with each placeholder replaced by its value as it is (`values` hold no MARK)."""
    for name, value in values.items():
        text = text.replace(slot(name), value)
    return text


def fill(rendered: Rendered, values: Mapping[str, str]) -> Rendered:
    """`rendered` with its placeholders filled in: as they are in the subject and the text,
    HTML-escaped in the HTML, which is what the templates write for the values themselves
    (every value is written by a plain `{{ }}`: autoescaped in HTML, as it is in text)."""
    html = rendered.html
    for name, value in values.items():
        html = html.replace(slot(name), str(escape(value)))
    return Rendered(
        subject=fill_text(rendered.subject, values),
        text=fill_text(rendered.text, values),
        html=html,
    )


def _filters(lang: str) -> dict[str, Callable[..., str]]:
    def dated(form: i18n.DateForm) -> Callable[[date | datetime], str]:
        return lambda value: i18n.format_date(value, lang, form)

    return {
        "day": dated("day"),
        "weekday": dated("weekday"),
        "date": dated("date"),
        "longdate": dated("long"),
        "hm": lambda value: i18n.format_hm(value, lang),
        "stamp": lambda value: f"{value:%Y-%m-%d %H:%M}",
    }


@cache
def environment(lang: str) -> Environment:
    """The template environment of one language (its catalogue and date formats).

    Jinja2 is imported here, on first use: the workflows and the CLI import the mail
    models beside this module but never render, and should not pay for it."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("domain.mail", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # the templates ship with the code: no file check per message
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(_filters(lang))
    env.globals["lang"] = lang
    return env


def _block(template: Template, name: str, context: Mapping[str, Any]) -> str:
    return "".join(template.blocks[name](template.new_context(dict(context)))).strip()


def render_text(name: str, lang: str, context: Mapping[str, Any]) -> str:
    """A text-only template (e.g. the calendar's DESCRIPTION) in `lang`."""
    return environment(lang).get_template(f"{name}.txt.j2").render(context).strip()


def render(
    kind: str, languages: Sequence[str], context: Callable[[str], Mapping[str, Any]]
) -> Rendered:
    """Subject, text and HTML of `kind`, one section per language (usually one).

    `context(lang)` gives the template's values for that language (titles and venues may
    differ per language; dates are formatted by the templates' filters).
    """
    subjects: list[str] = []
    texts: list[str] = []
    sections: list[Markup] = []
    for lang in languages:
        env = environment(lang)
        values = context(lang)
        text_template = env.get_template(f"{kind}.txt.j2")
        subject = _block(text_template, "subject", values)
        subjects.append(subject)
        texts.append(text_template.render(values).strip())
        html = env.get_template(f"{kind}.html.j2").render({**values, "subject": subject})
        sections.append(Markup(html))
    document = environment(languages[0]).get_template("_document.html.j2")
    html = document.render(sections=sections, subject=" / ".join(subjects))
    return Rendered(
        subject=" / ".join(subjects),
        text="\n\n\n".join(texts) + "\n",
        html=html.strip() + "\n",
    )
