"""Undo commands: an invertible engine edit (the one for the music), and a value of the
editor beside it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

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


class ValueCommand(QUndoCommand):
    """Editor state beside the song (the mask, the loop range) set as an undo step:
    ``set_value`` takes ``after`` on redo and ``before`` on undo."""

    def __init__(self, label: str, set_value: Callable[[Any], None], before: Any,
                 after: Any) -> None:
        super().__init__(label)
        self._set, self._before, self._after = set_value, before, after

    def redo(self) -> None:
        self._set(self._after)

    def undo(self) -> None:
        self._set(self._before)
