"""The one error type of :mod:`engine.io`: a file that cannot be read or written."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from engine.errors import PartitaError


class FileFormatError(PartitaError):
    """A file is damaged, truncated, of the wrong kind or cannot be written.

    The message is one line that names the file and the problem, ready to show a user
    (``song.mid: not a MIDI file: it does not start with 'MThd', it looks like a ZIP
    archive``). ``path`` and ``problem`` hold the two parts for callers that lay them out
    themselves (a dialog, a log); ``detail`` is for developers, not part of the message:
    where in the file, as the file itself says it (``at song.tracks[0].notes[1] in the
    file's JSON``), or ``""``.
    """

    def __init__(self, path: str | os.PathLike[str], problem: str, detail: str = "") -> None:
        self.path = Path(path)
        self.problem = " ".join(str(problem).split())  # always one line
        self.detail = detail
        super().__init__(f"{self.path.name}: {self.problem}")


MAX_NAME_BYTES = 255  # a file name's bytes on most file systems (ext4, APFS, NTFS)


def _shortened(name: str, keep: int = 40) -> str:
    """A long name's start and end, enough to find it among others: "aaaa…aaaa"."""
    return name if len(name) <= keep else f"{name[:keep // 2]}…{name[-keep // 2:]}"


def write_problem(error: OSError, path: str | os.PathLike[str]) -> str | None:
    """What an OS error writing ``path`` means when the file is not to blame: "the
    folder /…/gone no longer exists", "the folder /…/ro cannot be written in (read-only,
    or no permission)", "the file name is too long (300 bytes; at most 255)", "the folder
    name "aaaa…aaaa" is too long (300 bytes; at most 255)", "the path is too long (…)";
    None for any other error (the OS's words, naming the file, say it). A save that
    failed said "song.partita: No such file or directory" for a folder deleted while the
    song was open (QA)."""
    target = Path(path)
    folder = target.parent
    code = error.errno
    if code == errno.ENAMETOOLONG:
        name = len(os.fsencode(target.name))
        if name > MAX_NAME_BYTES:
            return f"the file name is too long ({name} bytes; at most {MAX_NAME_BYTES})"
        # A folder's name on the way, not the whole path, is often what is too long
        # (QA: `render --stems` into a folder of a 300-byte name said "the path is too
        # long (324 bytes)", the fix elsewhere).
        for part in target.parent.parts:
            if (size := len(os.fsencode(part))) > MAX_NAME_BYTES:
                return (f"the folder name \"{_shortened(part)}\" is too long ({size} "
                        f"bytes; at most {MAX_NAME_BYTES})")
        return f"the path is too long ({len(os.fsencode(target.absolute()))} bytes)"
    if code == errno.ENOENT and not folder.is_dir():
        return f"the folder {folder} no longer exists"
    if code == errno.EROFS or (code in (errno.EACCES, errno.EPERM) and folder.is_dir()
                               and not os.access(folder, os.W_OK | os.X_OK)):
        return f"the folder {folder} cannot be written in (read-only, or no permission)"
    return None
