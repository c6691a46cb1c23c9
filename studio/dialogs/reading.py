"""Read a song file off the GUI thread behind a progress dialog that can cancel it.

A big MusicXML score takes seconds to read (music21 parses it, then the import walks every
note): the window stays responsive, and Cancel keeps the current song. A small file reads
before the dialog would show, so opening it looks as instant as before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QProgressDialog, QWidget

from ..document import display_path
from ..worker import Worker
from .progress import ProgressJob

if TYPE_CHECKING:
    from ..document import FileRead

SHOW_AFTER_MS = 500  # a read done sooner shows no dialog at all


def read_in_background(parent: QWidget | None, path: Path,
                       on_done: Callable[[FileRead], None],
                       on_error: Callable[[BaseException], None],
                       worker: Worker,
                       on_cancel: Callable[[], None] | None = None) -> QProgressDialog:
    """Read ``path`` (:func:`studio.document.read_file`) on ``worker``; ``on_done`` gets
    what was read, ``on_error`` what went wrong, both on the GUI thread. Cancel (or the
    worker's ``cancel_all``) calls neither (the user's Cancel calls ``on_cancel``): the
    read itself runs to its end (music21 cannot be stopped midway) and its result is
    dropped. Returns the dialog: window-modal, with a busy bar, shown only once the read
    has taken :data:`SHOW_AFTER_MS`."""
    job = ProgressJob(parent, "Open", f"Reading {display_path(path.name)}…", maximum=0,
                      show_after_ms=SHOW_AFTER_MS, on_cancel=on_cancel)

    def run() -> FileRead:
        from .. import document  # looked up now: tests watch which thread reads

        return document.read_file(path)

    return job.start(worker, run, on_done, on_error)


__all__ = ["SHOW_AFTER_MS", "read_in_background"]
