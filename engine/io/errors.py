"""The one error type of :mod:`engine.io`: a file that cannot be read or written."""

from __future__ import annotations

import os
from pathlib import Path

from engine.errors import PartitaError


class FileFormatError(PartitaError):
    """A file is damaged, truncated, of the wrong kind or cannot be written.

    The message is one line that names the file and the problem, ready to show a user
    (``song.mid: not a MIDI file (starts with b'PK\\x03\\x04')``). ``path`` and ``problem``
    hold the two parts for callers that lay them out themselves (a dialog, a log).
    """

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = Path(path)
        self.problem = " ".join(str(problem).split())  # always one line
        super().__init__(f"{self.path.name}: {self.problem}")
