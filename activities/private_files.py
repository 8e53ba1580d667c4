"""Files only the engine's own user may read: the var directory, the link key, mail, databases.

The link key signs every personal link and the var directory holds mail, the SQLite
database and Temporal's state, so nothing there may be readable by other users, not even
for the moment between creating a file and changing its mode.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def restrict_umask() -> int:
    """Make every file and directory this process creates private; returns the old umask."""
    return os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) if needed and make it accessible to its owner only."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):  # a directory another user owns stays as is
        path.chmod(DIR_MODE)
    return path


def _private_copy(path: Path, data: bytes, sync: bool = True) -> Path:
    """A new file beside `path` holding `data`, mode 0600 from its creation."""
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            if sync:
                out.flush()
                os.fsync(out.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_private(path: Path, data: bytes, sync: bool = True) -> None:
    """Write `path` atomically, mode 0600 from its very creation (never chmod afterwards);
    `sync=False` skips the fsync where a crash may lose the file (a test's mail catcher)."""
    tmp = _private_copy(path, data, sync)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_or_create_secret(path: Path) -> bytes:
    """The secret kept in `path`; a new random one, written privately, if there is none.

    Two processes starting at once both try to create it: os.link refuses the second, which
    then reads the first one's key, so every process signs with the same key.
    """
    if not path.exists():
        tmp = _private_copy(path, secrets.token_urlsafe(32).encode())
        try:
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            tmp.unlink()
    return path.read_bytes().strip()
