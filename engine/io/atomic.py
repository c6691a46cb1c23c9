"""Atomic file replacement: a save either fully happens or leaves the old file untouched."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from pathlib import Path


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably.

    The bytes go to a temporary file in the same directory (same filesystem, so the rename
    is atomic), which is flushed and fsync'ed, then renamed over ``path`` with
    ``os.replace``; finally the directory is fsync'ed so the rename itself survives a
    power cut. On any error the temporary file is removed and ``path`` is as it was.
    A symlink at ``path`` is followed (its target is replaced, the link stays); an existing
    file keeps its permissions.
    """
    target = Path(os.path.realpath(path))
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    # os.open with 0o666 lets the umask decide the permissions, as for any new file.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if target.is_file():
            shutil.copymode(target, tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(target.parent)


def _fsync_directory(directory: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory to fsync it
        return
    with contextlib.suppress(OSError):  # some filesystems refuse; the data is already safe
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
