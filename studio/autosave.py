"""Autosave on a timer and crash recovery, over the engine's ``RecoveryStore``.

While the song has unsaved changes, a copy is written every ``interval`` seconds to
this session's recovery file; a clean save or a clean close deletes it. Work that lives
beside the song (the painted mask, takes not yet accepted) counts too: ``extras``
returns a value that changes with it, and a copy is written while it differs from what
the last save or open (:meth:`Autosaver.mark_clean`) had. On start the
main window asks the store what earlier sessions left (see :meth:`Autosaver.pending`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from .document import Document
from .worker import Worker

if TYPE_CHECKING:  # engine.io loads on first use, not with the window
    from engine.io import Recovery, RecoveryStore


class Autosaver(QObject):
    """Drives ``engine.io.RecoveryStore`` from a QTimer; the store does the file work."""

    saved = Signal(str)  # path of the recovery file
    failed = Signal(str)  # why the recovery copy could not be written

    def __init__(self, document: Document, store: RecoveryStore | None = None,
                 interval_s: float = 30.0,
                 studio_state: Callable[[], dict] | None = None,
                 parent: QObject | None = None,
                 extras: Callable[[], Hashable] | None = None) -> None:
        super().__init__(parent)
        if store is None:
            from engine.io import RecoveryStore

            store = RecoveryStore()
        self.store = store
        self.document = document
        self.studio_state = studio_state or (lambda: {})
        self.extras = extras or (lambda: None)
        self._clean_extras = self.extras()
        self._saved: tuple[int, Hashable] | None = None
        self._generation = 0  # a discard makes a write still in flight stale
        self._busy = False
        self._stopped = False  # closed: a late request (a job cancelled at close) writes nothing
        self._worker = Worker(1, self)
        self.timer = QTimer(self)
        self.timer.setInterval(int(interval_s * 1000))
        self.timer.timeout.connect(self.save_in_background)
        self.timer.start()
        document.modifiedChanged.connect(self._modified_changed)

    @property
    def has_unsaved_extras(self) -> bool:
        """The mask or takes changed since the last save or open."""
        return self.extras() != self._clean_extras

    def save_now(self) -> bool:
        """Write the recovery copy now, on this thread, if there are unsaved changes not
        yet autosaved (the timer writes on a worker thread instead)."""
        self.wait()
        job = self._job()
        if job is None:
            return False
        try:
            result = job()
        except Exception as e:  # a full disk must not interrupt the user's work
            self.failed.emit(self._reason(e))
            return False
        self._written(result)
        return True

    def save_in_background(self) -> None:
        """The timer's save: the file is built and written on a worker thread (a big song
        with takes is megabytes of JSON: half a second the window must not freeze for)."""
        if self._busy or self._stopped:
            return
        if self._saved is not None and not (self.document.is_modified
                                            or self.has_unsaved_extras):
            # Back to what the files hold (a cancelled generation, an undone edit): a copy
            # left on disk would tell a later recovery of work that is not lost.
            self.discard()
            return
        job = self._job()
        if job is None:
            return
        self._busy = True
        self._worker.start(job, on_done=self._written, on_error=self._write_failed)

    def wait(self, msecs: int = 30000) -> None:
        """Let a background write finish (before a synchronous save or a discard)."""
        if self._busy:
            self._worker.wait(msecs)

    def _job(self) -> Callable[[], tuple[int, tuple[int, Hashable], str]] | None:
        """What to write, captured now (the song is immutable; values of the studio state
        may be functions, evaluated with the write, e.g. the takes' JSON)."""
        doc = self.document
        state = (doc.revision, self.extras())
        if not (doc.is_modified or self.has_unsaved_extras) or state == self._saved:
            return None
        song, path, studio, store = doc.song, doc.path, self.studio_state(), self.store
        generation = self._generation

        def write() -> tuple[int, tuple[int, Hashable], str]:
            resolved = {k: v() if callable(v) else v for k, v in studio.items()}
            return generation, state, str(store.save(song, path, resolved))

        return write

    def _written(self, result: tuple[int, tuple[int, Hashable], str]) -> None:
        self._busy = False
        generation, state, path = result
        if generation != self._generation:
            return  # saved cleanly meanwhile: that copy is already discarded
        self._saved = state
        self.saved.emit(path)

    def _write_failed(self, error: BaseException) -> None:
        self._busy = False
        self.failed.emit(self._reason(error))

    def _reason(self, error: BaseException) -> str:
        """What failed, in words a user can act on: an OS error names the recovery folder
        (it may have stopped at a parent such as '/nonexistent') and the way to move it."""
        if not isinstance(error, OSError):
            return str(error)
        folder = getattr(self.store, "directory", None)
        why = (error.strerror or str(error)).lower()
        where = f"cannot write the recovery folder {folder} ({why}" if folder else why
        if error.filename and folder and str(error.filename) != str(folder):
            where += f" at {error.filename}"
        return (where + (")" if folder else "") +
                ("; set $PARTITA_STATE_DIR to a folder you can write" if folder else ""))

    def mark_clean(self) -> None:
        """The song, mask and takes are now what a file holds (saved as a project, or
        just opened): forget the recovery copy."""
        self._clean_extras = self.extras()
        self.discard()

    def _modified_changed(self, modified: bool) -> None:
        if not modified and not self.has_unsaved_extras:
            self.discard()

    def discard(self) -> None:
        """Forget this session's recovery copy (after a save or a clean close)."""
        self.wait()
        self._generation += 1
        self._saved = None
        self.store.discard()  # never raises; a file it cannot delete is offered next time

    def pending(self) -> list[Recovery]:
        try:
            return list(self.store.pending())
        except OSError:
            return []

    def stop(self) -> None:
        self._stopped = True
        self.timer.stop()
        self.wait()


def original_is_newer(recovery: Recovery) -> bool:
    """True when the file a recovery copy was made from was saved after the copy (by
    another program or window): recovering and saving would overwrite that newer work."""
    if recovery.document is None:
        return False
    try:
        mtime = recovery.document.stat().st_mtime
    except OSError:
        return False
    return mtime > recovery.saved_at.timestamp()
