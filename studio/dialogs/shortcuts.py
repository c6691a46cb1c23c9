"""The keyboard-shortcuts reference (Help ▸ Keyboard Shortcuts)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..actions import shortcut_rows


def show_shortcuts(parent: QWidget | None) -> None:
    dlg = QDialog(parent)
    dlg.setWindowTitle("Keyboard shortcuts")
    dlg.resize(460, 620)
    rows = shortcut_rows()
    table = QTableWidget(len(rows), 2, dlg)
    table.setHorizontalHeaderLabels(["Action", "Keys"])
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for i, (action, keys) in enumerate(rows):
        table.setItem(i, 0, QTableWidgetItem(action))
        table.setItem(i, 1, QTableWidgetItem(keys))
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dlg)
    buttons.rejected.connect(dlg.reject)
    col = QVBoxLayout(dlg)
    col.addWidget(table)
    col.addWidget(buttons)
    dlg.exec()
