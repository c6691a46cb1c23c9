"""Edit ▸ Quantize with Swing…: the grid (1/8 or 1/16) and the swing, as an MPC's swing
or Logic's Q-Swing counts it (50 % straight … 75 %)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QWidget

from engine.score.snap import MAX_SWING, STRAIGHT, SWING_GRIDS

from ..accessible import set_name
from ..number_entry import NumberEntry
from .forms import lay_out_form


class SwingDialog(QDialog):
    """The grid and the swing in whole per cent, ``grid`` and ``percent`` shown first."""

    def __init__(self, parent: QWidget | None, grid: str, percent: int) -> None:
        super().__init__(parent)
        self.setWindowTitle("Quantize with Swing")
        self.setMinimumWidth(420)
        info = QLabel("Quantizes the selected notes (nothing selected: the current tracks) "
                      "and moves every second grid line later: 50 % is straight, 66 % a "
                      "triplet swing, 75 % the most. Each note keeps its length, up to the "
                      "next note of its pitch.", self)
        info.setWordWrap(True)
        self.grid = QComboBox(self)
        self.grid.addItems(SWING_GRIDS)
        self.grid.setCurrentIndex(SWING_GRIDS.index(grid) if grid in SWING_GRIDS else 0)
        set_name(self.grid, "Swing grid")
        self.swing = NumberEntry(self)
        self.swing.setRange(round(STRAIGHT * 100), round(MAX_SWING * 100))
        self.swing.setSuffix(" %")
        self.swing.setValue(percent)
        set_name(self.swing, "Swing amount in per cent")
        form = QFormLayout()
        form.addRow("&Grid", self.grid)  # Alt+G, Alt+S: their labels' buddies
        form.addRow("&Swing", self.swing)
        lay_out_form(self, info, form)
        self.swing.setFocus()

    def choice(self) -> tuple[str, int]:
        return self.grid.currentText(), self.swing.value()


def ask_swing(parent: QWidget | None, grid: str, percent: int) -> tuple[str, int] | None:
    """The grid ("1/8", "1/16") and swing (per cent, 50-75) chosen, or None when
    cancelled."""
    dialog = SwingDialog(parent, grid, percent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.choice()
