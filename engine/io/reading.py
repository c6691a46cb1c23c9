"""Reading a song file: only a regular file, and its size known before a byte is read.

A named pipe (FIFO) opened to be read waits for a writer that may never come (QA:
``partita info fifo.mid`` hung for good), a device never ends, and a sparse file of 3 GB
was read up to the limit (574 MB in memory) before it was called too large: so the file
is looked at with ``stat`` first, and only a regular file under the limit is opened.
"""

from __future__ import annotations

import errno
import os
import stat

from .errors import FileFormatError

# What a path that is not a regular file is, as the message says it.
_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def regular_file_size(path: str | os.PathLike[str]) -> int:
    """The size in bytes of the regular file at ``path`` (a link is followed).

    Raises ``IsADirectoryError`` ("is a folder, not a file", the command line's words) for
    a folder, :class:`FileFormatError` for anything else that is not a regular file (a
    named pipe, a device), and ``OSError`` for a file that cannot be looked at (missing,
    no permission)."""
    info = os.stat(path)
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", os.fspath(path))
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)),
                    "not a regular file")
        raise FileFormatError(path, f"{kind}, not a file: Partita reads only files")
    return info.st_size


def read_limited(path: str | os.PathLike[str], limit: int, too_large: str) -> bytes:
    """The bytes of the regular file at ``path`` (:func:`regular_file_size`), refused
    with :class:`FileFormatError` saying ``too_large`` when it holds over ``limit`` bytes,
    before any is read. A file that grows meanwhile is still read only up to the limit."""
    if regular_file_size(path) > limit:
        raise FileFormatError(path, too_large)
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise FileFormatError(path, too_large)
    return data


def os_problem(error: OSError) -> str:
    """An OS error's words as Partita says them, after the file's name: "is a folder, not
    a file" for a folder (the OS says "Is a directory"), else its own, lower-cased ("no
    such file or directory"). One wording for the command line and the studio's dialogs."""
    if error.errno == errno.EISDIR:
        return "is a folder, not a file"
    text = error.strerror or str(error)
    return text[:1].lower() + text[1:]

