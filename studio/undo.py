"""The one undo command: a QUndoCommand wrapping an invertible engine edit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from engine.score import Edit, Song

if TYPE_CHECKING:
    from .document import Document


class EditCommand(QUndoCommand):
    """Applies ``edit`` on redo and its inverse on undo; the menu text is ``edit.label``.

    ``result`` is the song the edit produced when it was first checked, so the first
    redo (which QUndoStack runs on push) costs nothing extra.
    """

    def __init__(self, document: Document, edit: Edit, result: Song | None = None) -> None:
        super().__init__(edit.label)
        self.document = document
        self.edit = edit
        self._result = result

    def redo(self) -> None:
        song = self._result if self._result is not None else self.edit.apply(self.document.song)
        self._result = None
        self.document._set_song(song)

    def undo(self) -> None:
        self.document._set_song(self.edit.inverse().apply(self.document.song))
