"""Edit ▸ Add Marker, and a marker double-clicked in the ruler: its name, whether it is
locked to its time (a film's hit point), or Delete."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from .forms import lay_out_form


class MarkerDialog(QDialog):
    """A marker's name at ``where`` ("bar 13", "17.2.000"), whose time is ``time``
    ("0:34.250"), and its Lock to time box; with ``can_delete`` a Delete Marker button
    too."""

    def __init__(self, parent: QWidget | None, where: str, time: str, text: str,
                 can_delete: bool, locked: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit Marker" if can_delete else "Add Marker")
        self.setMinimumWidth(380)
        self.deleted = False
        info = QLabel(f"A section marker at {where} ({time}): the ruler and the arrangement "
                      "show it, and projects and MIDI files keep it.", self)
        info.setWordWrap(True)
        self.name = QLineEdit(text, self)
        self.name.setPlaceholderText("e.g. Chorus")
        self.name.selectAll()
        self.position = QLabel(f"{where} · {time}", self)
        self.position.setAccessibleName("Position and time")
        # A film's hit point stays on its frame: a tempo change moves the bars under it.
        self.locked = QCheckBox("Lock to time", self)
        self.locked.setChecked(locked)
        self.locked.setToolTip(f"Keep the marker at {time} when the tempo changes (a hit "
                               "point in a film); unlocked, it moves with its bar")
        self.error = QLabel("", self)
        self.error.setStyleSheet("color: #ff6b6b;")
        self.error.setWordWrap(True)  # as every dialog's error line: never cut off
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Position", self.position)
        form.addRow("", self.locked)
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


def ask_marker(parent: QWidget | None, where: str, time: str, text: str,
               can_delete: bool = False, locked: bool = False) -> tuple[str, bool] | None:
    """The marker's name (surrounding spaces dropped) and whether it is locked to its
    time; ``("", False)`` when Delete Marker was pressed (only with ``can_delete``), or
    ``None`` when cancelled."""
    dialog = MarkerDialog(parent, where, time, text, can_delete, locked)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    if dialog.deleted:
        return "", False
    return dialog.name.text().strip(), dialog.locked.isChecked()
