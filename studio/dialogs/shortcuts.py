"""The keyboard-shortcuts reference (Help ▸ Keyboard Shortcuts)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..actions import shortcut_rows


def show_shortcuts(parent: QWidget | None) -> None:
    shortcuts_dialog(parent).exec()


def shortcuts_dialog(parent: QWidget | None) -> QDialog:
    """The table of every action and its keys, with a filter field on top (type "take"
    or "ctrl+r")."""
    dlg = QDialog(parent)
    dlg.setWindowTitle("Keyboard shortcuts")
    dlg.resize(720, 620)
    rows = shortcut_rows()
    table = QTableWidget(len(rows), 2, dlg)
    table.setAccessibleName("Keyboard shortcuts")
    table.setHorizontalHeaderLabels(["Action", "Keys"])
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    # The keys column as wide as its longest entry (the mouse gestures are sentences):
    # a cut "Ctrl+Backsp…" helps nobody; the action column takes the rest.
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    for i, (action, keys) in enumerate(rows):
        for column, text in enumerate((action, keys)):
            item = QTableWidgetItem(text)
            item.setToolTip(f"{action}: {keys}")
            table.setItem(i, column, item)
    search = QLineEdit(dlg)
    search.setPlaceholderText("Filter: an action or a key")
    search.setClearButtonEnabled(True)
    search.setAccessibleName("Filter")

    def show_matching(text: str) -> None:
        words = text.lower().split()
        for i, (action, keys) in enumerate(rows):
            row = f"{action} {keys}".lower()
            table.setRowHidden(i, not all(w in row for w in words))

    search.textChanged.connect(show_matching)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dlg)
    buttons.rejected.connect(dlg.reject)
    col = QVBoxLayout(dlg)
    col.addWidget(search)
    col.addWidget(table)
    col.addWidget(buttons)
    search.setFocus()  # typing "take" filters at once (the table had the focus)
    dlg.search, dlg.table = search, table  # for tests
    return dlg
