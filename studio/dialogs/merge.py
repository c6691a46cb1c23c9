"""Track ▸ Merge Tracks…: which tracks to merge into one, and consent to lose what one
channel cannot hold (each string's pitch bends)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..accessible import set_name
from .messages import _ask_destructive


class MergeTracksDialog(QDialog):
    """The song's tracks, each with a check box, ``chosen`` ticked; OK needs two."""

    def __init__(self, parent: QWidget | None, names: Sequence[str],
                 chosen: Sequence[int]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Merge Tracks")
        self.setMinimumWidth(480)
        info = QLabel("Tick the tracks to merge: their notes go to the first one ticked, "
                      "which keeps its instrument, channel, volume and pan; the others are "
                      "removed. One undo step.", self)
        info.setWordWrap(True)
        self.list = QListWidget(self)
        for i, name in enumerate(names):
            item = QListWidgetItem(f"{i + 1}  {name}", self.list)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if i in chosen
                               else Qt.CheckState.Unchecked)
        set_name(self.list, "Tracks to merge")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.itemChanged.connect(self._enable_ok)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addWidget(self.list)
        layout.addWidget(self.buttons)
        self._enable_ok()
        self.list.setFocus()

    def chosen(self) -> list[int]:
        return [i for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def _enable_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            len(self.chosen()) >= 2)


def ask_merge_tracks(parent: QWidget | None, names: Sequence[str],
                     chosen: Sequence[int]) -> list[int] | None:
    """The 0-based indices of the tracks to merge (two or more, in song order: the first
    is merged into), or None when cancelled."""
    dialog = MergeTracksDialog(parent, names, chosen)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.chosen()


def ask_drop_controllers(parent: QWidget | None, why: str) -> bool:
    """Merge although ``why`` (what differs and is dropped) — No the default."""
    return _ask_destructive(parent, "Merge and drop controllers?",
                            why[0].upper() + why[1:] + ".",
                            "Merge anyway? Undo (Ctrl+Z) brings the tracks back as they were.")
