"""Why a command was refused: a stable code and its parameters, with the English text.

A `Refusal` is the English sentence itself (a `str`: the workflows' validators raise it,
logs and the audit's `reason` keep reading it as before) that also carries its code and
parameters, so that each door (CLI, link pages, console) writes it in its reader's
language through the catalogue, and the audit log keeps what was refused in a form that
does not depend on the wording. The codes are part of the engine's interface: never
rename one, add a new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from domain.common.reasons import OTHER, REASONS

__all__ = ["OTHER", "REASONS", "Refusal", "each", "os_reason", "refusal_of", "several"]


# Parameters that hold one of the engine's values (a phase, a mode): shown in the reader's
# words (domain.common.terms) too.
_TERM_PARAMS = frozenset({"status", "phase", "mode", "kind"})


class Refusal(str):
    """The English reason (a `str`, as every caller used it) with its code and parameters."""

    code: str
    params: dict[str, str]
    inner: dict[str, Refusal]  # parameters that are refusals themselves, translated too

    def __new__(cls, code: str, /, **params: object) -> Refusal:
        if code not in REASONS:
            raise KeyError(f"no refusal code {code!r}")
        values = {k: str(v) for k, v in params.items()}
        self = super().__new__(cls, REASONS[code] % values)
        self.code = code
        self.params = values
        self.inner = {k: v for k, v in params.items() if isinstance(v, Refusal)}
        return self

    def text(self, lang: str) -> str:
        """The reason in `lang`, through the engine's catalogue (English without one)."""
        from domain.common import i18n
        from domain.common.fields import field_text
        from domain.common.terms import term

        template = REASONS[self.code]
        translated = i18n.gettext(lang, template) if template != REASONS[OTHER] else template
        values = {k: term(v, lang) if k in _TERM_PARAMS else v for k, v in self.params.items()}
        if "field" in values:  # the key the file or form uses, named in the reader's words
            values["field"] = field_text(values["field"], lang)
        values |= {k: v.text(lang) for k, v in self.inner.items()}
        return translated % values

    def detail(self) -> dict[str, Any]:
        """What a workflow's refusal carries to the doors, and the audit log keeps."""
        found: dict[str, Any] = {"code": self.code, "params": dict(self.params)}
        if self.inner:
            found["inner"] = {k: v.detail() for k, v in self.inner.items()}
        return found


def _from_detail(detail: Mapping[str, Any], depth: int = 0) -> Refusal | None:
    """The refusal that `detail()` described, or None if it names no known code."""
    if depth > 50 or detail.get("code") not in REASONS:
        return None
    params: dict[str, object] = dict(detail.get("params") or {})
    inner = detail.get("inner") or {}
    for key, sub in inner.items() if isinstance(inner, Mapping) else ():
        found = _from_detail(sub, depth + 1) if isinstance(sub, Mapping) else None
        if found is None:
            return None
        params[key] = found
    try:
        return Refusal(str(detail["code"]), **params)
    except (KeyError, TypeError, ValueError):
        return None


def os_reason(exc: OSError) -> str | Refusal:
    """Why a file cannot be opened, in the reader's words for the usual causes."""
    import errno

    code = {errno.ENOENT: "os.missing", errno.EACCES: "os.denied", errno.EISDIR: "os.directory"}
    found = code.get(exc.errno or 0)
    return Refusal(found) if found is not None else str(exc.strerror)


def refusal_of(reason: str, detail: object = None) -> Refusal:
    """The refusal behind `reason`: itself if it is one, else the code and parameters that
    `detail` gives (a workflow's refusal, decoded), else the text as it is."""
    if isinstance(reason, Refusal):
        return reason
    found = _from_detail(detail) if isinstance(detail, Mapping) else None
    if found is not None and str(found) == reason:
        return found  # the same sentence: the code is trusted only when it agrees
    return Refusal(OTHER, text=reason)


def several(problems: Iterable[str]) -> Refusal | None:
    """One refusal for a list of problems: the one itself, or all of them together."""
    found = list(problems)
    if not found:
        return None
    first = refusal_of(found[0])
    rest = several(found[1:])
    return first if rest is None else Refusal("and", first=first, rest=rest)


def each(reason: object) -> list[str]:
    """The problems that `several` joined, one by one (a plain text: itself)."""
    if isinstance(reason, Refusal) and reason.code == "and":
        return [reason.inner["first"], *each(reason.inner["rest"])]
    return [reason] if isinstance(reason, str) else [str(reason)]
