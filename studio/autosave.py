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
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from .document import Document


class Autosaver(QObject):
    """Drives ``engine.io.RecoveryStore`` from a QTimer; the store does the file work."""

    saved = Signal(str)  # path of the recovery file
    failed = Signal(str)  # why the recovery copy could not be written

    def __init__(self, document: Document, store: Any = None, interval_s: float = 30.0,
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
        self.timer = QTimer(self)
        self.timer.setInterval(int(interval_s * 1000))
        self.timer.timeout.connect(self.save_now)
        self.timer.start()
        document.modifiedChanged.connect(self._modified_changed)

    @property
    def has_unsaved_extras(self) -> bool:
        """The mask or takes changed since the last save or open."""
        return self.extras() != self._clean_extras

    def save_now(self) -> bool:
        """Write the recovery copy if there are unsaved changes not yet autosaved."""
        doc = self.document
        state = (doc.revision, self.extras())
        if not (doc.is_modified or self.has_unsaved_extras) or state == self._saved:
            return False
        try:
            path = self.store.save(doc.song, doc.path, self.studio_state())
        except Exception as e:  # a full disk must not interrupt the user's work
            self.failed.emit(str(e))
            return False
        self._saved = state
        self.saved.emit(str(path))
        return True

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
        self._saved = None
        self.store.discard()  # never raises; a file it cannot delete is offered next time

    def pending(self) -> list[Any]:
        try:
            return list(self.store.pending())
        except OSError:
            return []

    def stop(self) -> None:
        self.timer.stop()


def original_is_newer(recovery: Any) -> bool:
    """True when the file a recovery copy was made from was saved after the copy (by
    another program or window): recovering and saving would overwrite that newer work."""
    if recovery.document is None:
        return False
    try:
        mtime = recovery.document.stat().st_mtime
    except OSError:
        return False
    return mtime > recovery.saved_at.timestamp()
