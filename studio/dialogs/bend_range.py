"""Track ▸ Pitch Bend Range…: how far a track's wheel bends (RPN 0), in whole semitones."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QWidget

from engine.score.bend_range import MAX_BEND_RANGE

from ..accessible import set_name
from ..number_entry import NumberEntry, number_text
from .forms import lay_out_form


class BendRangeDialog(QDialog):
    """A field of 0 to :data:`MAX_BEND_RANGE` semitones, ``now`` shown first (rounded:
    a file's range in cents, ±2.5, is said above the field)."""

    def __init__(self, parent: QWidget | None, track_name: str, now: float) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Pitch Bend Range of {track_name}")
        self.setMinimumWidth(420)
        exact = "" if now == round(now) else (
            f" It bends ±{number_text(now, 2)} semitones now; the field takes whole ones.")
        info = QLabel(f"How far {track_name}'s pitch bend goes, up and down, at the wheel's "
                      "end: 2 semitones is General MIDI's default, 12 an octave (an 808's "
                      "glide), 0 no bend. Set at the track's start, as MIDI files keep it; "
                      f"the bends drawn stay as they are and sound wider or narrower.{exact}",
                      self)
        info.setWordWrap(True)
        self.semitones = NumberEntry(self)
        self.semitones.setRange(0, MAX_BEND_RANGE)
        self.semitones.setValue(round(now))
        self.semitones.set_units(" semitone", " semitones")  # "1 semitone"
        set_name(self.semitones, f"Pitch bend range of {track_name} in semitones")
        # The explanation above it said with the field, which has the focus throughout.
        self.semitones.setAccessibleDescription(info.text())
        form = QFormLayout()
        form.addRow("&Range ±", self.semitones)
        lay_out_form(self, info, form)
        self.semitones.setFocus()


def ask_bend_range(parent: QWidget | None, track_name: str, now: float) -> int | None:
    """The pitch-bend range chosen for ``track_name`` (whole semitones, 0 to
    :data:`MAX_BEND_RANGE`), or None when cancelled."""
    dialog = BendRangeDialog(parent, track_name, now)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.semitones.value()
