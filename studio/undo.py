"""Undo commands: an invertible engine edit (the one for the music), and a value of the
editor beside it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand, QUndoStack

from engine.score import Edit, Song

if TYPE_CHECKING:
    from .document import Document
    from .selection import Selection


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


class SelectionsBefore(QObject):
    """The notes selected before each undo step was made, by the stack's index after it.

    Undoing a step that only added notes (Ctrl+D, a paste, a note drawn) brings nothing
    back to select and show: the notes selected before it are, as a DAW puts back the
    state the edit started from (the roll stayed on the emptied bars 9–16 of a Ctrl+D).
    """

    def __init__(self, stack: QUndoStack, selection: Selection) -> None:
        super().__init__(stack)
        self._selection = selection
        self._at: dict[int, frozenset[tuple[int, int]]] = {}
        self._stepping = False
        stack.indexChanged.connect(self._index_changed)

    @contextmanager
    def stepping(self) -> Iterator[None]:
        """Undo or redo, not a new step: nothing is recorded meanwhile."""
        self._stepping = True
        try:
            yield
        finally:
            self._stepping = False

    def _index_changed(self, index: int) -> None:
        if self._stepping:
            return
        # A step pushed (its songChanged has run, the edit's own selection comes after):
        # what was selected when it was made; the steps it replaced are gone.
        self._at = {i: keys for i, keys in self._at.items() if i < index}
        self._at[index] = self._selection.notes

    def before(self, index: int) -> frozenset[tuple[int, int]]:
        """What was selected before the step that left the stack at ``index`` was made."""
        return self._at.get(index, frozenset())
