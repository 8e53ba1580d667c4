"""The README's first command, twice, on its own ports: the second run sends nothing new."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from starter.devstack.catcher import read_mailbox
from tests.ports import free_port

pytestmark = pytest.mark.e2e  # runs `rtm` or the worker as processes

ROOT = Path(__file__).resolve().parent.parent


def _demo(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "starter.cli.main", "demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_demo_invites_everyone_once_and_reuses_the_meeting(tmp_path: Path) -> None:
    env = os.environ | {
        "RTM_VAR_DIR": str(tmp_path / "var"),
        "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "RTM_UI_PORT": str(free_port()),
        "SMTP_PORT": str(free_port()),
        "RTM_WEB_PORT": str(free_port()),
        "RTM_INBOUND_PORT": str(free_port()),
    }
    env.pop("DATABASE_URL", None)
    first = _demo(env)
    assert first.returncode == 0, first.stderr
    assert "Planned RTM-CA-16" in first.stdout
    assert "History: RTM-CA-14, RTM-CA-15 with their published counts" in first.stdout
    web = f"http://127.0.0.1:{env['RTM_WEB_PORT']}"
    assert f"Charts: {web}/charts/region/CA?exp=" in first.stdout
    assert f"Calendar feed of the region: {web}/feeds/region/CA/1/" in first.stdout
    assert "21 invitations sent, 0 failed" in first.stdout
    console = f"http://127.0.0.1:{env['RTM_WEB_PORT']}/console/"
    assert f"Console: {console}" in first.stdout
    assert "Sign in as Dilnoza Rakhimova (one click" in first.stdout
    assert f"{console}signin/link?token=" in first.stdout
    mail_dir = tmp_path / "var" / "mail"
    assert f"Mail: {mail_dir}" in first.stdout
    messages = read_mailbox(mail_dir)
    assert len(messages) == 21
    assert len({str(m["To"]) for m in messages}) == 21
    assert (tmp_path / "var" / "temporal" / "temporal.db").exists()
    var = tmp_path / "var"
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    shared = [
        f"{p.relative_to(var)} {oct(stat.S_IMODE(p.stat().st_mode))}"
        for p in [var, *var.rglob("*")]
        if stat.S_IMODE(p.stat().st_mode) & 0o077
    ]
    assert shared == [], "mail, database, Temporal state and link key are private"
    assert (var / "link.key").exists() and (var / "rtm.db").exists()

    second = _demo(env)
    assert second.returncode == 0, second.stderr
    assert "RTM-CA-16 already planned" in second.stdout
    assert "21 invitations sent" in second.stdout
    assert len(read_mailbox(mail_dir)) == 21, "a second run sends no second invitation"

    # the same demo from a Russian terminal: what it prints is in Russian
    third = _demo(env | {"LANG": "ru_RU.UTF-8", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""})
    assert third.returncode == 0, third.stderr
    assert "RTM-CA-16 уже запланирована" in third.stdout
    assert "отправлено приглашений — 21, не отправлено — 0" in third.stdout
    assert "Вход от имени Dilnoza Rakhimova" in third.stdout
    assert f"Консоль: {console} (ссылки для входа" in third.stdout
    assert "Справочник: регионов — " in third.stdout and "Directory:" not in third.stdout
    assert len(read_mailbox(mail_dir)) == 21
