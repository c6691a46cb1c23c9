"""Edit ▸ Quantize…: the grid, the swing (on 1/8 and 1/16), as an MPC's swing or Logic's
Q-Swing counts it (50 % straight … 75 %), and the strength, as Logic's Q-Strength or
Ableton's Amount (100 % onto the line, less keeps some of a played feel)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QWidget

from engine.score.snap import MAX_SWING, QUANTIZE_GRIDS, STRAIGHT, SWING_GRIDS

from ..accessible import set_name
from ..number_entry import NumberEntry
from .forms import lay_out_form

DEFAULT_GRID = "1/8"


class QuantizeDialog(QDialog):
    """The grid, the swing and the strength in whole per cent, ``grid``, ``swing`` and
    ``strength`` shown first."""

    def __init__(self, parent: QWidget | None, grid: str, swing: int,
                 strength: int = 100) -> None:
        super().__init__(parent)
        self.setWindowTitle("Quantize")
        self.setMinimumWidth(420)
        info = QLabel("Quantizes the selected notes (nothing selected: the current tracks). "
                      "Swing, on 1/8 and 1/16, moves every second grid line later: 50 % is "
                      "straight, 66 % a triplet swing, 75 % the most; each note then keeps "
                      "its length, up to the next note of its pitch. Strength is how far "
                      "each note moves to its line: 100 % onto it, 60 % keeps some of the "
                      "played feel.", self)
        info.setWordWrap(True)
        self.grid = QComboBox(self)
        self.grid.addItems(QUANTIZE_GRIDS)
        self.grid.setCurrentIndex(QUANTIZE_GRIDS.index(
            grid if grid in QUANTIZE_GRIDS else DEFAULT_GRID))
        set_name(self.grid, "Quantize grid")
        self.swing = NumberEntry(self)
        self.swing.setRange(round(STRAIGHT * 100), round(MAX_SWING * 100))
        self.swing.setSuffix(" %")
        self.swing.setValue(swing)
        set_name(self.swing, "Swing amount in per cent (1/8 and 1/16 only)")
        self.strength = NumberEntry(self)
        self.strength.setRange(1, 100)
        self.strength.setSuffix(" %")
        self.strength.setValue(strength)
        set_name(self.strength, "Quantize strength in per cent")
        form = QFormLayout()
        form.addRow("&Grid", self.grid)  # Alt+G, Alt+S, Alt+T: their labels' buddies
        form.addRow("&Swing", self.swing)
        form.addRow("S&trength", self.strength)
        lay_out_form(self, info, form)
        self.grid.currentTextChanged.connect(self._show_swing)
        self._show_swing(self.grid.currentText())
        (self.swing if self.swing.isEnabled() else self.strength).setFocus()

    def _show_swing(self, grid: str) -> None:
        # A swing only on the grids whose swing the takes' groove reads back.
        self.swing.setEnabled(grid in SWING_GRIDS)

    def choice(self) -> tuple[str, int, int]:
        """The grid, the swing that applies (50 %, straight, off 1/8 and 1/16) and the
        strength."""
        grid = self.grid.currentText()
        swing = self.swing.value() if grid in SWING_GRIDS else round(STRAIGHT * 100)
        return grid, swing, self.strength.value()


def ask_quantize(parent: QWidget | None, grid: str, swing: int,
                 strength: int) -> tuple[str, int, int] | None:
    """The grid ("1/16", "1/8T" …), swing (per cent, 50-75) and strength (per cent,
    1-100) chosen, or None when cancelled."""
    dialog = QuantizeDialog(parent, grid, swing, strength)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.choice()
