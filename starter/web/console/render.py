"""Rendering console pages: Jinja2 templates (autoescaped, every text through gettext) and the
security headers the link pages send, with a stylesheet of the app's own allowed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from domain.common import i18n
from domain.common.display import printable
from domain.common.refusals import Refusal
from domain.common.terms import term
from starter.web.console.roles import CSRF, NAMES, VIEWER
from starter.web.pages import SECURITY_HEADERS

HERE = Path(__file__).parent
STATIC = HERE / "static"

HEADERS = SECURITY_HEADERS | {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
}


# The language of the page being rendered: a `Msg` anywhere in a page's context (a title, a
# form error in a dict, a row's problem) is written in it when the template prints it.
_PAGE_LANG: ContextVar[str] = ContextVar("console_page_lang", default=i18n.DEFAULT)


class Msg:
    """A sentence of the console's Python code (title, notice, form error), translated when
    the page prints it, so that handlers need not know the reader's language. `str()`
    outside a page gives the English (logs, audit). Extracted as the keyword `Msg`."""

    __slots__ = ("message", "params")

    def __init__(self, message: str, /, **params: object) -> None:
        self.message = message
        self.params = params

    def __str__(self) -> str:
        text = i18n.gettext(_PAGE_LANG.get(), self.message)
        return text % {k: str(v) for k, v in self.params.items()} if self.params else text

    def __bool__(self) -> bool:
        return bool(self.message)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg | str) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self.message)

    def __repr__(self) -> str:
        return f"Msg({self.message!r})"


class Said:
    """What the engine said (a refusal, form problems), written in the page's language when
    printed: a Refusal through the catalogue, other words as they are. `after_field` drops
    the field's name each sentence starts with (the page shows it beside that field)."""

    __slots__ = ("after_field", "lines")

    def __init__(self, lines: list[str], after_field: bool = False) -> None:
        self.lines = lines
        self.after_field = after_field

    def __str__(self) -> str:
        lang = _PAGE_LANG.get()
        said = [line.text(lang) if isinstance(line, Refusal) else line for line in self.lines]
        if self.after_field:
            said = [text.partition(": ")[2] or text for text in said]
        return " ".join(said)

    def __bool__(self) -> bool:
        return bool(self.lines)


Text = Msg | Said | str  # what a page's context may hold for a sentence


def written_in(languages: Iterable[str], bilingual: bool = False) -> str:
    """The language(s) a participant's mail is written in, by their own names ("Русский",
    "Русский + English" for a bilingual meeting): what the status shows per row."""
    return _written_in(tuple(languages), bilingual, i18n.available())


@lru_cache(maxsize=256)
def _written_in(languages: tuple[str, ...], bilingual: bool, have: tuple[str, ...]) -> str:
    """Kept per list and set of catalogues: a page of 100 rows holds a few lists."""
    return " + ".join(i18n.display_name(x) for x in i18n.mail_languages(languages, bilingual))


def why(exc: BaseException) -> Text:
    """Why a command was refused, in the page's language: the refusal's code through the
    catalogue when the engine gave one (a workflow's refusal, a validator's, pydantic's
    checks of a form), else the exception's own words."""
    from pydantic import ValidationError

    from domain.common.invalid import invalid

    refusal = getattr(exc, "refusal", None)
    if isinstance(refusal, Refusal):
        return Said([refusal])
    if isinstance(exc, ValidationError):
        return Said([invalid(exc)])
    if isinstance(exc, ValueError) and exc.args and isinstance(exc.args[0], Refusal):
        return Said([exc.args[0]])
    return str(exc)


@cache
def env_for(lang: str) -> Environment:
    """The templates in one language: its catalogue for _() and its date forms."""
    env = _make_env()
    translations = i18n.translations(lang)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.globals["_"] = env.globals["gettext"] = quick_gettext(translations.gettext)
    env.filters["day"] = lambda value: i18n.format_date(value, lang, "day")
    env.filters["term"] = quick_term(lang)
    env.filters["said"] = lambda value: value.text(lang) if isinstance(value, Refusal) else value
    env.filters["written"] = written_in
    env.filters["clock"] = lambda value: (
        f"{i18n.format_date(value, lang, 'day')}, {i18n.format_hm(value, lang)}"
    )
    return env


def quick_term(lang: str) -> Callable[[object], str]:
    """The `term` filter with each engine value's word looked up once (a 50-row page asks
    for "sent" and "no answer" a hundred times)."""
    words: dict[object, str] = {}

    def word(value: object) -> str:
        try:
            return words[value]
        except KeyError:
            found = words[value] = term(value, lang)
            return found
        except TypeError:  # not hashable: asked as it is
            return term(value, lang)

    return word


def quick_gettext(lookup: Callable[[str], str]) -> Callable[..., Markup]:
    """`_()` for templates that are always autoescaped, as Jinja's new-style gettext does it
    (the translation is markup, formatted with escaped variables) without its three context
    calls per use, and each message looked up once: a 50-row page calls it hundreds of
    times, and that was most of its rendering time."""
    found: dict[str, Markup] = {}
    plain: dict[str, Markup] = {}

    def gettext(message: str, /, **variables: Any) -> Markup:
        if variables:
            if (markup := found.get(message)) is None:
                markup = found[message] = Markup(lookup(message))
            return markup % variables
        if (done := plain.get(message)) is None:
            done = plain[message] = Markup(lookup(message)) % {}  # '%%' reads '%', as Jinja's
        return done

    return gettext


LANGUAGE_COOKIE = "rtm_lang"  # the reader's own choice, kept for the session


def language(request: web.Request) -> str:
    """The reader's choice (the language form on every page) if it has a catalogue, else the
    signed-in person's first language that has one, else the browser's, else en."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen and chosen in i18n.available():
        return chosen
    viewer = request.get(VIEWER)
    if viewer is not None:
        return i18n.pick(viewer.person.languages)
    wanted = [
        part.split(";")[0].strip().split("-")[0].lower()
        for part in request.headers.get("Accept-Language", "").split(",")[:8]
    ]
    return i18n.pick([w for w in wanted if w])


def _make_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader([HERE / "templates", HERE.parent / "templates"]),  # _head.html
        autoescape=select_autoescape(
            enabled_extensions=("html",), disabled_extensions=("txt",), default=True
        ),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,  # the templates ship with the code: no stat() per page and include
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.filters["printable"] = printable  # outside text: control characters escaped
    return env


@cache
def language_choices(codes: tuple[str, ...]) -> tuple[tuple[str, str, bool], ...]:
    """The language form's buttons (code, name as its readers write it, known to CLDR):
    every page shows them, and Babel builds a name anew each time it is asked."""
    return tuple((code, i18n.display_name(code), i18n.known(code)) for code in codes)


def render(request: web.Request, template: str, code: int = 200, /, **context: Any) -> web.Response:
    """A page from `template` with the request's viewer, CSRF token and language."""
    lang = language(request)
    base = {
        "viewer": request.get(VIEWER),
        "csrf": request.get(CSRF, ""),
        "names": request.get(NAMES, {}),
        "lang": lang,
        "languages": language_choices(i18n.available()),
        "here": request.path_qs if request.method == "GET" else "",
        "path": request.path,
        "done": request.query.get("done", "")[:40],
        "who": request.query.get("who", "")[:100],
        "meetings": request.query.get("meetings", "")[:200],  # ids a change did not reach
        "problem": "",
        "section": "",
    }
    token = _PAGE_LANG.set(lang)
    try:
        text = env_for(lang).get_template(template).render(base | context)
    finally:
        _PAGE_LANG.reset(token)
    return web.Response(
        status=code, text=text, content_type="text/html", charset="utf-8", headers=HEADERS
    )


def form_expired(request: web.Request, why: Msg) -> web.Response:
    """403 for a form the console did not accept, saying `why` and that nothing changed."""
    return render(request, "error.html", 403, title=Msg("Form expired"), message=why)


async def stylesheet(_: web.Request) -> web.FileResponse:
    """The console's one stylesheet, served by the app itself."""
    return web.FileResponse(
        STATIC / "console.css", headers={"Cache-Control": "public, max-age=3600"}
    )
