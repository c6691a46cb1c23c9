"""Transport ▸ Go To…: a bar.beat.tick or a time typed, as a DAW's Go To Position."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QWidget

from .forms import lay_out_form


class GoToDialog(QDialog):
    """One field, opened on the playhead's position (selected: typing replaces it); OK
    checks the text with ``read`` (a ValueError's message stays below, the dialog open)."""

    def __init__(self, parent: QWidget | None, shown: str,
                 read: Callable[[str], object]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Go To")
        self.setMinimumWidth(360)
        self._read = read
        text = QLabel("A bar, bar.beat or bar.beat.tick (12, 6.3, 6.3.120), or a time "
                      "(0:12.480, 12.48s, 1:02). A decimal comma reads as a point.", self)
        text.setWordWrap(True)
        self.position = QLineEdit(shown, self)
        self.position.selectAll()
        self.position.setPlaceholderText("6.3 or 0:12.480")
        self.error = QLabel("", self)
        self.error.setStyleSheet("color: #ff6b6b;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Position", self.position)
        lay_out_form(self, text, form, below=(self.error,), on_ok=self._check)

    def _check(self) -> None:
        try:
            self._read(self.position.text())
        except ValueError as e:
            self.error.setText(str(e))
            return
        self.accept()


def ask_go_to(parent: QWidget | None, shown: str,
              read: Callable[[str], object]) -> str | None:
    """The position typed (one ``read`` takes without a ValueError), or ``None`` when
    cancelled."""
    dialog = GoToDialog(parent, shown, read)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.position.text()
