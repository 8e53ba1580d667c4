"""`pytest -m unit` skips a module only when its source shows that none of its tests is a
unit test (tests/kinds.py): read on made-up modules, each way a test gets its kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kinds import fixtures_of, reads_as_unit

pytestmark = pytest.mark.unit

SHARED = fixtures_of(
    """
import pytest

@pytest.fixture
def store(tmp_path): ...

@pytest.fixture
def cli_env(dev_env, store): ...

@pytest.fixture
def clock(): ...
"""
)


@pytest.mark.parametrize(
    "source",
    [
        "import pytest\npytestmark = pytest.mark.e2e\ndef test_a(): ...\n",
        "import pytest\npytestmark = pytest.mark.e2e\n"
        "def test_a(request): request.getfixturevalue('x')\n",
        "import pytest\npytestmark = [pytest.mark.replay]\ndef test_a(clock): ...\n",
        "def test_a(dev_env): ...\nasync def test_b(store): ...\n",
        "def test_a(cli_env): ...\n",  # through the conftest's fixture
        "import pytest\n@pytest.fixture\ndef served(catcher): ...\ndef test_a(served): ...\n",
        "import pytest\n@pytest.fixture(autouse=True)\ndef db(any_store): ...\ndef test_a(): ...\n",
        "import pytest\n@pytest.mark.integration\ndef test_a(): ...\n",
        "import pytest\n@pytest.mark.size\ndef test_a(): ...\n",  # seconds: not in -m unit
        "import pytest\nclass TestA:\n    pytestmark = pytest.mark.e2e\n"
        "    def test_a(self): ...\n",
        "def helper(): ...\n",  # no tests at all
    ],
)
def test_modules_without_unit_tests_are_read_as_such(source: str) -> None:
    assert not reads_as_unit(source, SHARED)


@pytest.mark.parametrize(
    "source",
    [
        "def test_a(): ...\n",
        "def test_a(clock, monkeypatch): ...\n",
        "def test_a(dev_env): ...\ndef test_b(): ...\n",  # one of them
        "import pytest\npytestmark = pytest.mark.postgres\ndef test_a(): ...\n",  # not a kind
        "import pytest\n@pytest.mark.unit\ndef test_a(dev_env): ...\n",
        "import pytest\n@pytest.mark.usefixtures('x')\ndef test_a(dev_env): ...\n",  # unread
        "import pytest\ndef test_a(request):\n    request.getfixturevalue('store')\n",
        "import pytest\nclass TestA:\n    def test_a(self, clock): ...\n",
    ],
)
def test_modules_that_may_hold_unit_tests_are_collected(source: str) -> None:
    assert reads_as_unit(source, SHARED)


def test_the_conftest_is_read_for_its_fixtures() -> None:
    conftest = fixtures_of((Path(__file__).parent / "conftest.py").read_text())
    assert {"dev_env", "skipping_env", "store", "cli_env", "catcher"} <= set(conftest)
    assert "dev_env" in conftest["cli_env"][0] and conftest["_unit_tests_stay_pure"][1]
