"""The one error type of :mod:`engine.io`: a file that cannot be read or written."""

from __future__ import annotations

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
