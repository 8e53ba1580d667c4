"""The kind of every test (unit, size, integration, e2e, replay), and which modules may hold unit
tests, read from their source without importing them.

`pytest -m unit` skips the modules whose every test is of another kind (tests/conftest.py),
so that the pure domain runs without importing Temporal, the ORM or the browser. The reading
is conservative: a module is skipped only when each of its tests carries another kind's mark
or uses, directly or through its fixtures, one that gives it another kind. Every full
collection checks it against the kinds the tests were given (`unread_unit_tests`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from functools import cache
from pathlib import Path

KINDS = ("unit", "size", "integration", "e2e", "replay")
"""`size`: the pure domain at the largest meeting's size, seconds a test: the whole suite runs
them, `pytest -m unit` does not."""
HEAVY = (
    "temporalio", "sqlalchemy", "sqlmodel", "alembic", "psycopg", "aiosmtpd", "aiosmtplib",
    "playwright",
)  # fmt: skip
"""What a unit test has no use for, neither its module nor itself: together seconds of
`-m unit` (aiohttp, a tenth of one, stays allowed: the console's words and forms are units)."""
E2E = frozenset({"dev_env", "skipping_env", "cli_env"})
"""Fixtures that make a test end-to-end: a Temporal server, the CLI against it."""
INTEGRATION = frozenset(
    {"store", "any_store", "postgres_store", "postgres_url", "catcher", "tmp_path"}
)
"""Fixtures that make a test an integration test: one real part (a database, SMTP, files)."""

Fixtures = dict[str, tuple[frozenset[str], bool]]
"""A fixture's name -> (the fixtures it asks for, whether it is autouse)."""


def kind_of(marks: Iterable[str], fixtures: Iterable[str]) -> set[str]:
    """The kinds of a test: its kind marks, else the kind its fixtures give it."""
    given = {m for m in marks if m in KINDS}
    if given:
        return given
    names = set(fixtures)
    return {"e2e" if names & E2E else "integration" if names & INTEGRATION else "unit"}


def _marks(decorators: Iterable[ast.expr]) -> set[str]:
    """`pytest.mark.X` and `pytest.mark.X(...)`, alone or in a list or tuple: the Xs."""
    found: set[str] = set()
    for node in decorators:
        for item in node.elts if isinstance(node, ast.List | ast.Tuple) else [node]:
            target = item.func if isinstance(item, ast.Call) else item
            if isinstance(target, ast.Attribute) and ast.unparse(target.value) == "pytest.mark":
                found.add(target.attr)
    return found


def _pytestmark(body: Iterable[ast.stmt]) -> set[str]:
    return {
        mark
        for node in body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
        for mark in _marks([node.value])
    }


def _fixtures(tree: ast.Module) -> Fixtures:
    """The fixtures a module defines, with what each asks for."""
    found: Fixtures = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for deco in node.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            if ast.unparse(target).endswith("fixture"):
                autouse = isinstance(deco, ast.Call) and any(
                    k.arg == "autouse" and ast.unparse(k.value) == "True" for k in deco.keywords
                )
                found[node.name] = (frozenset(a.arg for a in node.args.args), autouse)
    return found


def _closure(names: Iterable[str], fixtures: Fixtures) -> set[str]:
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += fixtures.get(name, (frozenset(), False))[0]
    return seen


@cache
def _conftest_fixtures(conftest: Path) -> Fixtures:
    return fixtures_of(conftest.read_text())


def fixtures_of(source: str) -> Fixtures:
    """The fixtures a module's `source` defines (a conftest's), with what each asks for."""
    return _fixtures(ast.parse(source))


@cache  # read once a run: by `-m unit` to skip the module, again to check the kinds given
def may_hold_unit_tests(module: Path, conftest: Path) -> bool:
    """False only when every test of `module` is surely of another kind than unit."""
    return reads_as_unit(module.read_text(), _conftest_fixtures(conftest))


def reads_as_unit(source: str, shared: Fixtures) -> bool:
    """Whether a module's `source` may hold a unit test, given the conftest's fixtures."""
    if "mark.unit" in source:
        return True
    tree = ast.parse(source)
    if _pytestmark(tree.body) & set(KINDS):  # the module's kind is every test's
        return False
    if "usefixtures" in source or "getfixturevalue" in source:
        return True
    fixtures = shared | _fixtures(tree)
    autouse = [name for name, (_, auto) in fixtures.items() if auto]
    module_marks = _pytestmark(tree.body)
    tests: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, set[str]]] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            tests.append((node, set()))
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            marks = _marks(node.decorator_list) | _pytestmark(node.body)
            tests += [
                (n, marks)
                for n in node.body
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
            ]
    for fn, class_marks in tests:
        if not fn.name.startswith("test"):
            continue
        marks = _marks(fn.decorator_list) | class_marks | module_marks
        asked = _closure([a.arg for a in fn.args.args] + autouse, fixtures)
        if "unit" in kind_of(marks, asked):
            return True
    return False


def unread_unit_tests(unit_modules: Iterable[Path], conftest: Path) -> list[Path]:
    """The modules holding unit tests that `may_hold_unit_tests` would have skipped."""
    return sorted(m for m in set(unit_modules) if not may_hold_unit_tests(m, conftest))
