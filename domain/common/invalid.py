"""Pydantic's validation errors as refusals: each error, by its `type`, `loc` and `ctx`,
becomes a coded sentence beside its field (`title: Field required`), so that the CLI,
the console's forms and the file imports write it in their reader's language. The
English is pydantic's own where the catalogue keeps it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from domain.common.refusals import Refusal, several

__all__ = ["error_refusal", "invalid", "validation_problems"]


def _same(code: str) -> Callable[[Mapping[str, Any]], Refusal]:
    return lambda ctx: Refusal(code)


def _expected(ctx: Mapping[str, Any]) -> Refusal:
    """pydantic's "'a', 'b' or 'c'", its "or" through the catalogue."""
    some, _, last = str(ctx.get("expected", "")).rpartition(" or ")
    expected: str | Refusal = Refusal("or", some=some, last=last) if some else last
    return Refusal("input.choice", expected=expected)


def _short(ctx: Mapping[str, Any]) -> Refusal:
    n = ctx.get("min_length", 1)
    return Refusal("input.short.one") if n == 1 else Refusal("input.short", min_length=n)


def _with(code: str, *names: str) -> Callable[[Mapping[str, Any]], Refusal]:
    return lambda ctx: Refusal(code, **{n: ctx.get(n, "") for n in names})


_BY_TYPE: dict[str, Callable[[Mapping[str, Any]], Refusal]] = {
    "missing": _same("input.missing"),
    "int_parsing": _same("input.integer"),
    "int_type": _same("input.integer_type"),
    "int_from_float": _same("input.integer_fraction"),
    "float_parsing": _same("input.number"),
    "float_type": _same("input.number_type"),
    "bool_parsing": _same("input.boolean"),
    "bool_type": _same("input.boolean_type"),
    "string_type": _same("input.string"),
    "string_too_short": _short,
    "string_too_long": _with("input.long", "max_length"),
    "string_pattern_mismatch": _with("input.pattern", "pattern"),
    "too_short": _with("input.few", "min_length", "actual_length"),
    "too_long": _with("input.many", "max_length", "actual_length"),
    "enum": _expected,
    "literal_error": _expected,
    "extra_forbidden": _same("input.extra"),
    "list_type": _same("input.list"),
    "tuple_type": _same("input.list"),
    "set_type": _same("input.list"),
    "dict_type": _same("input.mapping"),
    "model_type": _same("input.mapping"),
    "model_attributes_type": _same("input.mapping"),
    "date_type": _same("input.date"),
    "date_parsing": _same("input.date"),
    "date_from_datetime_parsing": _same("input.date"),
    "date_from_datetime_inexact": _same("input.date"),
    "datetime_type": _same("input.datetime"),
    "datetime_parsing": _same("input.datetime"),
    "datetime_from_date_parsing": _same("input.datetime"),
    "time_type": _same("input.time"),
    "time_parsing": _same("input.time"),
    "greater_than": _with("input.gt", "gt"),
    "greater_than_equal": _with("input.ge", "ge"),
    "less_than": _with("input.lt", "lt"),
    "less_than_equal": _with("input.le", "le"),
    "url_type": _same("input.url"),
    "url_parsing": _same("input.url"),
    "url_scheme": _same("input.url"),
    "url_syntax_violation": _same("input.url"),
    "timezone_naive": _same("input.naive"),
    "timezone_aware": _same("input.aware"),
}

# loc parts that name no field: the validator pydantic ran (a union's branch, a function)
_MACHINERY = re.compile(r"^(function-|tagged-union|union\[|lax-|json-or-python|list\[|dict\[)")


def error_refusal(err: ErrorDetails) -> Refusal | None:
    """One pydantic error's reason (without its field): the engine's own refusal that a
    validator raised, else pydantic's check by its type; None for a type the catalogue
    does not have."""
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, ValueError) and cause.args and isinstance(cause.args[0], Refusal):
        return cause.args[0]
    make = _BY_TYPE.get(err["type"])
    return make(err.get("ctx") or {}) if make is not None else None


def _where(loc: tuple[int | str, ...]) -> str:
    """`participants.2.email`: the keys of the file or form, as pydantic names them."""
    return ".".join(str(p) for p in loc if not (isinstance(p, str) and _MACHINERY.match(p)))


def validation_problems(exc: ValidationError) -> list[str]:
    """Each error as `field: reason`, a Refusal (its code and parameters) where the engine or
    the catalogue knows it, else pydantic's words as they are."""
    problems: list[str] = []
    for err in exc.errors():
        where = _where(err["loc"])
        found = error_refusal(err)
        if found is None:
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(f"{where}: {msg}" if where else msg)
        else:
            problems.append(Refusal("at", field=where, problem=found) if where else found)
    return problems


def invalid(exc: ValidationError) -> Refusal:
    """All of a model's problems as one refusal (a command built from a form, a file)."""
    found = several(validation_problems(exc))
    return found if found is not None else Refusal("input.missing")
