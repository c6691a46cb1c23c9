"""Autosave that follows edits, and crash recovery, over the engine's ``RecoveryStore``.

While the song has unsaved changes, a copy is written to this session's recovery file
:data:`DEBOUNCE_S` after the last change (a QA pass drew a note, killed the studio a second
later and recovered the song without it: the copy was then written every 30 s), at most
:data:`MAX_DELAY_S` after the first change not yet in a copy while edits keep coming, and
never more often than the last write's cost allows (:data:`WRITE_SHARE`). The copy is
built and written atomically on a worker thread: a 14,000-note song's takes 0.1–0.3 s,
which the window must not freeze for. A slow timer (``interval``) still looks for work
no change announced. A clean save or a clean close deletes the copy. Work that lives
beside the song (the painted mask, takes not yet accepted) counts too: ``extras``
returns a value that changes with it, and a copy is written while it differs from what
the last save or open (:meth:`Autosaver.mark_clean`) had. On start the
main window asks the store what earlier sessions left (see :meth:`Autosaver.pending`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from .document import Document
from .worker import Worker

if TYPE_CHECKING:  # engine.io loads on first use, not with the window
    from engine.io import Recovery, RecoveryStore


DEBOUNCE_S = 0.5  # a copy this long after the last change: a burst of edits makes one
MAX_DELAY_S = 3.0  # ... and no later than this after the first change not yet copied
WRITE_SHARE = 0.2  # writing takes at most this share of the time (a 0.3 s write: 1.5 s apart)


class Autosaver(QObject):
    """Drives ``engine.io.RecoveryStore`` from QTimers; the store does the file work.

    :meth:`changed` (the song, the mask, the takes) starts the debounce; ``debounce_s``,
    ``max_delay_s`` and ``write_share`` can be set (tests)."""

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
        # A crashed session's copy this session recovered: deleted only once this
        # session's own copy is written, or the work is in a file (take_over).
        self._adopted: Recovery | None = None
        self._worker = Worker(1, self)
        self.debounce_s, self.max_delay_s, self.write_share = DEBOUNCE_S, MAX_DELAY_S, WRITE_SHARE
        self.last_write_s = 0.0  # how long the last copy took to build and write
        self._written_at = 0.0  # time.monotonic() when it was done
        self._first_change: float | None = None  # the first change not yet in a copy
        self._again = False  # a change came while a copy was being written
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.timeout.connect(self.save_in_background)
        self.timer = QTimer(self)  # the slow look for work no change announced
        self.timer.setInterval(int(interval_s * 1000))
        self.timer.timeout.connect(self.save_in_background)
        self.timer.start()
        document.modifiedChanged.connect(self._modified_changed)
        document.songChanged.connect(self.changed)
        document.maskChanged.connect(self.changed)

    @property
    def has_unsaved_extras(self) -> bool:
        """The mask or takes changed since the last save or open."""
        return self.extras() != self._clean_extras

    def changed(self) -> None:
        """Something a copy keeps changed: write one :attr:`debounce_s` after the last such
        call, but by :attr:`max_delay_s` after the first, and no sooner after the last
        write than its cost allows (``last_write_s / write_share``)."""
        if self._stopped:
            return
        now = time.monotonic()
        if self._first_change is None:
            self._first_change = now
        rest = self.last_write_s / self.write_share - (now - self._written_at)
        due = max(min(self.debounce_s, self._first_change + self.max_delay_s - now), rest, 0.0)
        self.debounce.start(round(due * 1000))

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
        if self._stopped:
            return
        if self._busy:  # written again when this write is done, if still needed
            self._again = True
            return
        self._first_change = None  # the changes so far are written now, or need no copy
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

    def _job(self) -> Callable[[], tuple[int, tuple[int, Hashable], str, float]] | None:
        """What to write, captured now (the song is immutable; values of the studio state
        may be functions, evaluated with the write, e.g. the takes' JSON)."""
        doc = self.document
        state = (doc.revision, self.extras())
        if not (doc.is_modified or self.has_unsaved_extras) or state == self._saved:
            return None
        song, path, studio, store = doc.song, doc.path, self.studio_state(), self.store
        generation = self._generation
        self._first_change = None  # what changed so far is in this copy

        def write() -> tuple[int, tuple[int, Hashable], str, float]:
            start = time.perf_counter()
            resolved = {k: v() if callable(v) else v for k, v in studio.items()}
            written = str(store.save(song, path, resolved))
            return generation, state, written, time.perf_counter() - start

        return write

    def _written(self, result: tuple[int, tuple[int, Hashable], str, float]) -> None:
        self._busy = False
        generation, state, path, cost = result
        self.last_write_s, self._written_at = cost, time.monotonic()
        self._write_again()
        if generation != self._generation:
            return  # saved cleanly meanwhile: that copy is already discarded
        self._saved = state
        self._drop_adopted()  # the recovered work is safe in this session's copy now
        self.saved.emit(path)

    def _write_failed(self, error: BaseException) -> None:
        self._busy = False
        self._written_at = time.monotonic()
        self._write_again()
        self.failed.emit(self._reason(error))

    def _write_again(self) -> None:
        """A change that came during the write gets its own copy (debounced again)."""
        if self._again:
            self._again = False
            self.changed()

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

    def take_over(self, recovery: Recovery) -> tuple[bool, str | None]:
        """Keep the work recovered from ``recovery`` (a crashed session's copy, now the
        document) under this session: this session's copy is written first, and the
        crashed session's deleted only once that worked (QA: it was deleted first, and
        with a full disk a second crash lost the recovered work for good). Returns
        whether this session's copy was written, and the problem deleting the old copy
        (one line) if any. Unwritten, the old copy stays until a later copy is written
        or the work is saved (:meth:`mark_clean`), or the window closes cleanly."""
        self._adopted = recovery
        if not self.save_now():
            return False, None
        return True, self._drop_adopted()

    def _drop_adopted(self) -> str | None:
        """Delete the crashed session's copy :meth:`take_over` kept; the problem, if any
        (a file it cannot delete is offered again at the next start)."""
        adopted, self._adopted = self._adopted, None
        return self.store.discard(adopted) if adopted is not None else None

    def mark_clean(self) -> None:
        """The song, mask and takes are now what a file holds (saved as a project, or
        just opened): forget the recovery copy, and a recovered one :meth:`take_over`
        kept."""
        self._clean_extras = self.extras()
        self.discard(adopted=True)

    def _modified_changed(self, modified: bool) -> None:
        if not modified and not self.has_unsaved_extras:
            self.discard()

    def discard(self, adopted: bool = False) -> None:
        """Forget this session's recovery copy (after a save or a clean close); with
        ``adopted``, the crashed session's copy :meth:`take_over` kept too (the work is
        saved, or the user chose to let it go)."""
        self.wait()
        self._generation += 1
        self._saved = None
        self.store.discard()  # never raises; a file it cannot delete is offered next time
        if adopted:
            self._drop_adopted()

    def pending(self) -> list[Recovery]:
        try:
            return list(self.store.pending())
        except OSError:
            return []

    def stop(self) -> None:
        self._stopped = True
        self.timer.stop()
        self.debounce.stop()
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
