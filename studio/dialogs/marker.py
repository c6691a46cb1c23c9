"""Edit ▸ Add Marker, and a marker double-clicked in the ruler: its name, or Delete."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from .forms import lay_out_form


class MarkerDialog(QDialog):
    """A marker's name at ``where`` ("bar 13", "17.2.000"); with ``can_delete`` a
    Delete Marker button too."""

    def __init__(self, parent: QWidget | None, where: str, text: str,
                 can_delete: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit Marker" if can_delete else "Add Marker")
        self.setMinimumWidth(380)
        self.deleted = False
        info = QLabel(f"A section marker at {where}: the ruler and the arrangement show it, "
                      "and projects and MIDI files keep it.", self)
        info.setWordWrap(True)
        self.name = QLineEdit(text, self)
        self.name.setPlaceholderText("e.g. Chorus")
        self.name.selectAll()
        self.error = QLabel("", self)
        self.error.setStyleSheet("color: #ff6b6b;")
        form = QFormLayout()
        form.addRow("Name", self.name)
        lay_out_form(self, info, form, below=(self.error,), on_ok=self._check)
        if can_delete:
            [buttons] = self.findChildren(QDialogButtonBox)
            delete = buttons.addButton("Delete Marker",
                                       QDialogButtonBox.ButtonRole.DestructiveRole)
            delete.clicked.connect(self._delete)

    def _check(self) -> None:
        if not self.name.text().strip():
            self.error.setText("Give the marker a name.")
            return
        self.accept()

    def _delete(self) -> None:
        self.deleted = True
        self.accept()


def ask_marker(parent: QWidget | None, where: str, text: str,
               can_delete: bool = False) -> str | None:
    """The marker's name (surrounding spaces dropped), ``""`` when Delete Marker was
    pressed (only with ``can_delete``), or ``None`` when cancelled."""
    dialog = MarkerDialog(parent, where, text, can_delete)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return "" if dialog.deleted else dialog.name.text().strip()
