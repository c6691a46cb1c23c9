"""The undo command for a mask change: the mask is editor state beside the song."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from engine.score import Mask

if TYPE_CHECKING:
    from ..document import Document


class MaskCommand(QUndoCommand):
    """Sets the document's mask on redo and puts the previous one back on undo.

    It sits on the same undo stack as song edits (so Ctrl+Z walks back through painting
    and editing in the order they happened) but never changes the song.
    """

    def __init__(self, document: Document, before: Mask, after: Mask, label: str) -> None:
        super().__init__(label)
        self.document = document
        self.before = before
        self.after = after

    def redo(self) -> None:
        self.document._set_mask(self.after)

    def undo(self) -> None:
        self.document._set_mask(self.before)
