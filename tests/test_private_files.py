"""The link key and everything under var/ are private to the engine's user, from the moment
each file exists (watched through Python's audit hooks, with the most permissive umask)."""

from __future__ import annotations

import os
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from activities.config import Settings
from activities.private_files import read_or_create_secret, write_private

_watched: list[Path] = []
_seen: list[tuple[str, str, int]] = []
_lock = threading.Lock()


def _hook(event: str, _args: tuple[Any, ...]) -> None:
    """After every audited operation, note the mode of each file in the watched folder."""
    if not _watched or event.startswith(("os.listdir", "os.scandir")):
        return
    folder = _watched[0]
    with _lock:
        for entry in os.scandir(folder):
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except FileNotFoundError:
                continue
            _seen.append((event, entry.name, stat.S_IMODE(mode)))


sys.addaudithook(_hook)  # audit hooks cannot be removed; it does nothing unless watching


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "var"
    folder.mkdir()
    old = os.umask(0)
    _seen.clear()
    _watched.append(folder)
    try:
        yield folder
    finally:
        _watched.clear()
        os.umask(old)


def test_link_key_is_never_readable_by_others(watched: Path) -> None:
    key = Settings(var_dir=watched, link_key_env="").link_key()
    assert len(key) >= 32
    assert _seen, "the hook saw the key being made"
    loose = [(event, name, oct(mode)) for event, name, mode in _seen if mode & 0o077]
    assert loose == [], "a file was readable by group or others for a moment"
    assert stat.S_IMODE((watched / "link.key").stat().st_mode) == 0o600
    assert Settings(var_dir=watched, link_key_env="").link_key() == key
    assert sorted(p.name for p in watched.iterdir()) == ["link.key"]


def test_two_processes_creating_the_key_agree(watched: Path) -> None:
    keys = []
    threads = [
        threading.Thread(target=lambda: keys.append(read_or_create_secret(watched / "k")))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 1


def test_private_writes_are_atomic_and_0600(watched: Path) -> None:
    write_private(watched / "mail" / "one.eml", b"hello")
    assert (watched / "mail" / "one.eml").read_bytes() == b"hello"
    assert stat.S_IMODE((watched / "mail").stat().st_mode) == 0o700
    assert stat.S_IMODE((watched / "mail" / "one.eml").stat().st_mode) == 0o600
    assert [n for n in os.listdir(watched / "mail")] == ["one.eml"]
