"""Edit ▸ Undo History (Ctrl+Alt+Z): every undo step in a list, to go back or forward to
any of them in one go, as Photoshop's History, Reaper's and Logic's Undo History do.

A soak QA undid 1,780 steps one Ctrl+Z at a time (58.8 s). The list is a window of its
own beside the studio, not a dock: the right-hand docks (Generate, Jobs) already share
the height a 1080p screen at 200 % leaves, and the history is looked at now and then,
as Logic's floating window is. A click on a step, or Enter on it, goes there (the
window's :meth:`~studio.mainwindow.MainWindow.go_to_undo_step`); the arrows only move
through the list, so passing over 40 steps does not undo them one by one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QIcon,
    QKeyEvent,
    QPalette,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListView,
    QVBoxLayout,
    QWidget,
)

from engine.score import plural

from . import theme
from .dialogs.focus import focus_now

if TYPE_CHECKING:
    from .document import Document

START = "Start"  # the first row: the song before the first step listed
START_TIP = "The song before the first step listed: as it was opened, or new"
SAVED = "saved"
Role = Qt.ItemDataRole


class UndoHistoryModel(QStandardItemModel):
    """The document's undo stack as rows: row 0 the start, row ``i`` the step that
    leaves the stack at index ``i`` (its label, "Move 3 notes"). The stack's index is the
    current row (bold, an arrow beside it); the rows after it are undone steps (grey,
    still there to redo); the row of the file on disk says "saved".

    Rows held by Qt, changed only where a row's text or mark changes: a model answering
    from Python had the list call it for every row at each edit (its layout asks each
    row's index), 40 ms an edit with 1,780 steps listed."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._marker = theme.icon("chevron")
        blank = QPixmap(20, 20)
        blank.fill(QColor(0, 0, 0, 0))
        self._blank = QIcon(blank)  # the other rows' text lines up with the current one's
        self._bold = QFont()
        self._bold.setBold(True)
        self._shown: list[tuple[str, int, bool]] = []  # each row's (label, place, saved)

    def label(self, row: int) -> str:
        return self.document.undo_stack.text(row - 1) if row > 0 else START

    def refresh(self) -> None:
        """Follow the stack (a step pushed, undone or replaced, the song saved)."""
        stack = self.document.undo_stack
        current, saved = stack.index(), self.document.saved_step
        rows = [(self.label(row), (row > current) - (row < current), row == saved)
                for row in range(stack.count() + 1)]
        if len(rows) < len(self._shown):
            self.removeRows(len(rows), len(self._shown) - len(rows))
            del self._shown[len(rows):]
        for row, state in enumerate(rows):
            if row >= len(self._shown):
                item = QStandardItem()
                item.setEditable(False)
                self._show(item, row, state)
                self.appendRow(item)
                self._shown.append(state)
            elif self._shown[row] != state:
                self._show(self.item(row), row, state)
                self._shown[row] = state

    def _show(self, item: QStandardItem, row: int, state: tuple[str, int, bool]) -> None:
        label, place, saved = state  # place: -1 a step done, 0 the current one, 1 undone
        item.setText(f"{label} — {SAVED}" if saved else label)
        said = [label] + [["current"], ["undone"], []][place] + ([SAVED] if saved else [])
        item.setData(", ".join(said), Role.AccessibleTextRole)  # a screen reader's words
        where = START_TIP if row == 0 else f"Step {row:,}: {label}"
        item.setToolTip(f"{where} — where the song is now" if place == 0 else
                        f"{where} — click (or Enter) to "
                        f"{'redo forward' if place > 0 else 'undo back'} to here")
        item.setIcon(self._marker if place == 0 else self._blank)
        item.setFont(self._bold if place == 0 else QFont())
        item.setData(QPalette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
                     if place > 0 else None, Role.ForegroundRole)


class HistoryList(QListView):
    """The steps; Enter (or Return) goes to the highlighted one, as a click does."""

    def __init__(self, go: Callable[[int], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._go = go
        self.clicked.connect(lambda index: self._go(index.row()))

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if (e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and e.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                      Qt.KeyboardModifier.KeypadModifier)
                and self.currentIndex().isValid()):
            self._go(self.currentIndex().row())
            return
        super().keyPressEvent(e)


class UndoHistory(QDialog):
    """The Undo History window (not modal: edit on while it is open, it follows).
    ``go`` takes the stack index to undo or redo to."""

    def __init__(self, document: Document, go: Callable[[int], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setObjectName("UndoHistory")
        self.setWindowTitle("Undo History")
        self.resize(380, 520)
        self.model = UndoHistoryModel(document, self)
        self.list = HistoryList(go, self)
        self.list.setObjectName("UndoHistoryList")
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(True)  # thousands of rows lay out at once
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setAccessibleName("Undo history")
        self.list.setAccessibleDescription(
            "Every undo step, the first at the top; Enter or a click goes back or forward "
            "to the step; the current one is marked")
        hint = QLabel("Click a step, or press Enter on it, to undo or redo to it at once. "
                      "Steps after the current one (grey) stay until the next edit.", self)
        hint.setWordWrap(True)
        hint.setBuddy(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        col = QVBoxLayout(self)
        col.addWidget(hint)
        col.addWidget(self.list, 1)
        col.addWidget(buttons)
        self._back: Callable[[], None] | None = None
        self.finished.connect(self._closed)
        stack = document.undo_stack
        for signal in (stack.indexChanged, stack.cleanChanged, document.pathChanged,
                       document.modifiedChanged):
            signal.connect(lambda *_: self.refresh())

    def open_at_current(self) -> None:
        """Show (or raise) the window with the current step highlighted and in view."""
        if not self.isVisible():
            self._back = focus_now()  # the keys go back where they were on closing
        self.show()
        self.raise_()
        self.activateWindow()
        self.refresh(force=True)
        self.list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def refresh(self, force: bool = False) -> None:
        """Follow the stack: the rows again, the current step highlighted and in view. A
        hidden window waits until it is shown (each edit would relist it for nothing)."""
        if not (force or self.isVisible()) or not shiboken6.isValid(self.document.undo_stack):
            return  # (the stack goes first when the studio closes)
        self.model.refresh()
        steps = self.document.undo_stack.count()
        self.setWindowTitle(f"Undo History — {plural(steps, 'step', grouped=True)}")
        current = self.model.index(self.document.undo_stack.index(), 0)
        self.list.setCurrentIndex(current)
        self.list.scrollTo(current, QAbstractItemView.ScrollHint.EnsureVisible)

    def _closed(self, _result: int) -> None:
        back, self._back = self._back, None
        if back is not None:
            back()
