"""Questions a generation asks: which instruments to create, whether to overwrite edits."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from engine.score.instruments import GM_PROGRAMS

from ..number_entry import NumberEntry
from .forms import lay_out_form

COMMON = ("Piano", "Bass", "Drums", "Strings", "Guitar", "Electric Piano", "Organ", "Choir",
          "Flute", "Clarinet", "Sax", "Trumpet", "Violin", "Cello", "Pad", "Lead", "Alto",
          "Tenor", "Soprano")


class InstrumentsDialog(QDialog):
    """Instruments (comma-separated, checked as they are typed) and, optionally, bars."""

    def __init__(self, parent: QWidget | None, title: str, prompt: str, default: str,
                 bars: int | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        text = QLabel(prompt, self)
        text.setWordWrap(True)
        self.instruments = QLineEdit(default, self)
        self.instruments.setPlaceholderText("e.g. Piano, Bass, Drums")
        self.instruments.setStyleSheet("font-weight: 400;")
        completer = QCompleter([*COMMON, *GM_PROGRAMS], self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.instruments.setCompleter(completer)
        self.error = QLabel("", self)
        self.error.setStyleSheet("color: #ff6b6b;")
        # Wrapped: "unknown instrument Stings: did you mean …" was cut at the dialog's edge.
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Instruments", self.instruments)
        self.bars: NumberEntry | None = None
        if bars is not None:
            self.bars = NumberEntry(self)
            self.bars.setRange(1, 256)
            self.bars.setValue(bars)
            self.bars.setSuffix(" bars")
            form.addRow("Length", self.bars)
        lay_out_form(self, text, form, below=(self.error,), on_ok=self._check)

    def _check(self) -> None:
        from engine.tasks.requests import PlanError, parse_instruments

        try:
            parse_instruments(self.instruments.text())
        except PlanError as e:
            self.error.setText(str(e))
            return
        self.accept()


def ask_instruments(parent: QWidget | None, title: str, prompt: str, default: str,
                    bars: int | None) -> tuple[str, int] | None:
    """``(instruments text, bars)``, or ``None`` when cancelled."""
    dialog = InstrumentsDialog(parent, title, prompt, default, bars)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.instruments.text(), dialog.bars.value() if dialog.bars else 0


def confirm_take_conflict(parent: QWidget | None, title: str, message: str) -> bool:
    """Ask before a take overwrites edits made after it was asked for (default: No)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, message,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.button(QMessageBox.StandardButton.Yes).setText("Accept Anyway")
    box.button(QMessageBox.StandardButton.No).setText("Keep My Edits")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes
