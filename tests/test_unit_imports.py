"""`pytest -m unit` stays the pure domain in seconds: the modules it imports (those that may
hold unit tests, tests/kinds.py) load no server, database, web or mail library."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kinds import HEAVY, may_hold_unit_tests

pytestmark = pytest.mark.integration  # it starts a fresh interpreter to import them in

HERE = Path(__file__).parent
# Imports each module named on the command line in turn, and prints which of the packages
# given (as JSON) the first module that loaded it brought in.
_PROBE = """
import importlib, json, sys
modules, heavy = sys.argv[1:], json.loads(sys.stdin.read())
found = {}
import tests.conftest
for name in modules:
    importlib.import_module(name)
    for package in heavy:
        if package in sys.modules and package not in found:
            found[package] = name
print(json.dumps(found))
"""


def _unit_modules() -> list[str]:
    conftest = HERE / "conftest.py"
    paths = sorted(p for p in HERE.glob("test_*.py") if may_hold_unit_tests(p, conftest))
    return [f"tests.{p.stem}" for p in paths]


def test_the_modules_of_unit_tests_import_no_server_database_web_or_mail_library() -> None:
    modules = _unit_modules()
    assert "tests.test_meeting_compact" in modules and "tests.test_store" not in modules
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *modules],
        input=json.dumps(HEAVY), capture_output=True, text=True, cwd=HERE.parent, check=True,
    )  # fmt: skip
    found = json.loads(done.stdout)
    assert found == {}, "imported by (move the test or the import): " + ", ".join(
        f"{package} by {module}" for package, module in found.items()
    )


def test_the_probe_sees_a_module_that_imports_one() -> None:
    """The check above can fail: the ORM's own module is named as what loaded it."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, "tests.kinds", "activities.store"],
        input=json.dumps(HEAVY), capture_output=True, text=True, cwd=HERE.parent, check=True,
    )  # fmt: skip
    assert json.loads(done.stdout)["sqlalchemy"] == "activities.store"
