"""Settings come from the environment through pydantic-settings: a bad value is refused
with the variable's name (exit 2, nothing started); an empty variable counts as unset."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from activities.config import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_are_the_embedded_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RTM_VAR_DIR", "SMTP_PORT", "DATABASE_URL", "SMTP_STARTTLS", "RTM_WEB_PORT"):
        monkeypatch.delenv(name, raising=False)
    s = load_settings()
    assert (s.smtp_port, s.smtp_starttls, s.web_port) == (1025, False, 8000)
    assert s.database_url == f"sqlite:///{Path('var') / 'rtm.db'}"
    assert s.public_url == "http://127.0.0.1:8000"


def test_variables_are_read_and_empty_ones_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_PORT", "2525")
    monkeypatch.setenv("SMTP_STARTTLS", "yes")
    monkeypatch.setenv("RTM_VAR_DIR", "/srv/rtm")
    monkeypatch.setenv("RTM_WEB_PORT", "")
    monkeypatch.setenv("DATABASE_URL", "")
    monkeypatch.setenv("RTM_WORKFLOW_CACHE", "3000")
    monkeypatch.setenv("RTM_WORKFLOW_TASKS", "4")
    monkeypatch.setenv("RTM_ACTIVITY_TASKS", "12")
    s = load_settings()
    assert (s.smtp_port, s.smtp_starttls, s.web_port) == (2525, True, 8000)
    assert s.database_url == "sqlite:////srv/rtm/rtm.db"
    assert (s.workflow_cache, s.workflow_tasks, s.activity_tasks) == (3000, 4, 12)


@pytest.mark.parametrize(("name", "value", "says"), [
    ("SMTP_PORT", "abc", "valid integer"),
    ("SMTP_PORT", "70000", "less than or equal to 65535"),
    ("SMTP_STARTTLS", "maybe", "valid boolean"),
    ("SMTP_TIMEOUT", "-1", "greater than 0"),
    ("RTM_INBOUND_PORT", "25x", "valid integer"),
    ("RTM_WORKFLOW_CACHE", "-1", "greater than or equal to 0"),
    ("RTM_WORKFLOW_TASKS", "1", "greater than or equal to 2"),
    ("RTM_ACTIVITY_TASKS", "0", "greater than or equal to 2"),
])  # fmt: skip
def test_a_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    (problem,) = caught.value.problems
    assert problem.startswith(f"{name}: ") and says in problem and repr(value) in problem


def test_code_passes_field_names_and_typos_are_refused() -> None:
    assert Settings(smtp_port=2526).smtp_port == 2526
    with pytest.raises(ValueError, match="smtp_prot"):
        Settings(smtp_prot=2526)  # type: ignore[call-arg]


@pytest.mark.e2e
@pytest.mark.parametrize("command", [["meeting", "status", "RTM-CA-16"], ["worker"], ["dev"]])
def test_the_cli_refuses_bad_settings_before_starting_anything(
    tmp_path: Path, command: list[str]
) -> None:
    env = os.environ | {"SMTP_PORT": "abc", "RTM_VAR_DIR": str(tmp_path / "var")}
    done = subprocess.run(
        [sys.executable, "-m", "starter.cli.main", *command],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stderr.startswith("error: SMTP_PORT: Input should be a valid integer")
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "var").exists(), "nothing started, nothing written"


@pytest.mark.e2e
def test_the_worker_script_refuses_bad_settings(tmp_path: Path) -> None:
    env = os.environ | {"RTM_WEB_PORT": "eighty", "RTM_VAR_DIR": str(tmp_path / "var")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "worker.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "RTM_WEB_PORT" in done.stderr and "Traceback" not in done.stderr
