"""Atomic file replacement: a save either fully happens or leaves the old file untouched."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import time
from pathlib import Path

STALE_TEMP_SECONDS = 3600
"""A temporary file this old was left by a save that was killed (a live save finishes or
at least writes within seconds), so the next save to the same target removes it."""


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably.

    The bytes go to a temporary file in the same directory (same filesystem, so the rename
    is atomic), which is flushed and fsync'ed, then renamed over ``path`` with
    ``os.replace``; finally the directory is fsync'ed so the rename itself survives a
    power cut. On any error the temporary file is removed and ``path`` is as it was.
    A symlink at ``path`` is followed (its target is replaced, the link stays); an existing
    file keeps its permissions. Temporary files of ``path`` left by a save that was killed
    (:func:`remove_stale_temps`) are removed.
    """
    target = Path(os.path.realpath(path))
    refuse_read_only(target, path)
    tmp = temp_sibling(target, "tmp")
    # os.open with 0o666 lets the umask decide the permissions, as for any new file.
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o666)
    except OSError as e:  # name the user's file, not our temporary one
        raise OSError(e.errno, e.strerror, os.fspath(path)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if target.is_file():
            shutil.copymode(target, tmp)
        os.replace(tmp, target)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError) and e.strerror and e.filename in (None, os.fspath(tmp)):
            # A full disk names no file (or our temporary one): name the user's, so
            # every caller's message says which save failed (QA: "[Errno 28] No space
            # left on device" from three CLI commands).
            raise OSError(e.errno, e.strerror, os.fspath(path)) from None
        raise
    _fsync_directory(target.parent)
    remove_stale_temps(target)


# A temporary name embeds at most this many bytes of its file's name: with the dot, the
# random part and the suffix it stays within the 255 bytes a file name may have, even
# for a legal 255-byte name.
TEMP_NAME_BYTES = 200


def temp_sibling(target: Path, suffix: str) -> Path:
    """A fresh temporary path beside ``target``: ``.NAME.<8 hex>.SUFFIX``, NAME cut to
    :data:`TEMP_NAME_BYTES` bytes of UTF-8."""
    return target.with_name(f".{_temp_stem(target)}.{secrets.token_hex(4)}.{suffix}")


def _temp_stem(target: Path) -> str:
    # Bytes as the file system has them: a name that is not valid UTF-8 (Latin-1 from an
    # old zip) is str with surrogate escapes, which str.encode() refuses. Cut between
    # characters, never inside one.
    stem = target.name
    while len(os.fsencode(stem)) > TEMP_NAME_BYTES:
        stem = stem[:-1]
    return stem


def refuse_read_only(target: Path, shown: str | os.PathLike[str] | None = None) -> None:
    """A file whose write permission is off everywhere (``chmod a-w``) is one its owner
    protected: never replaced, even where the folder would allow it (an atomic save
    renames over the file, which its own permissions do not stop)."""
    try:
        protected = target.is_file() and not target.stat().st_mode & 0o222
    except OSError:  # cannot look: the write itself will say what is wrong
        return
    if protected:
        raise PermissionError(errno.EACCES, "the file is read-only (its write permission is "
                              "off): choose another name",
                              os.fspath(shown if shown is not None else target))


def remove_stale_temps(target: Path, max_age: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Delete ``target``'s temporary files (only its, by exact name pattern) that were last
    written over ``max_age`` seconds ago; best effort. Returns those deleted."""
    # The name atomic_write gives them: .NAME.<8 hex digits>.tmp
    pattern = re.compile(re.escape(f".{_temp_stem(target)}.") + r"[0-9a-f]{8}\.tmp")
    return _remove_old(target.parent, pattern, max_age)


def remove_stale_temps_in(directory: Path, max_age: float = STALE_TEMP_SECONDS,
                          suffixes: tuple[str, ...] = ("tmp",)) -> list[Path]:
    """Delete every temporary file (:func:`temp_sibling`'s ``.NAME.<8 hex>.SUFFIX``, one of
    ``suffixes``: :func:`atomic_write`'s ``tmp`` unless asked) left in ``directory``,
    whatever its target, last written over ``max_age`` seconds ago: for a folder only
    Partita writes, whose targets change name (a killed session's recovery file is never
    saved again, so :func:`remove_stale_temps` never meets its temporary), and a render's
    folders (a killed export's stems waiting on disk, ``raw``, and WAVs not yet renamed,
    ``partial``: hundreds of megabytes). A live save's is seconds old and stays. Best
    effort; returns those deleted."""
    pattern = re.compile(r"\..+\.[0-9a-f]{8}\.(?:"
                         + "|".join(map(re.escape, suffixes)) + ")", re.DOTALL)
    return _remove_old(directory, pattern, max_age)


def _remove_old(directory: Path, pattern: re.Pattern[str], max_age: float) -> list[Path]:
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory):
            if not pattern.fullmatch(entry.name):
                continue
            with contextlib.suppress(OSError):
                if time.time() - entry.stat(follow_symlinks=False).st_mtime > max_age:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def _fsync_directory(directory: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory to fsync it
        return
    with contextlib.suppress(OSError):  # some filesystems refuse; the data is already safe
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file (links, hard links and ``..`` resolved); a
    path that cannot be resolved (a link loop) is compared as written."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):
        return a == b
