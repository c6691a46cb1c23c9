"""Track ▸ Transposition…: the key a track's part is written in (a clarinet in Bb)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QWidget

from engine.score.instruments import sounding_text, transposition_text

from ..accessible import set_name
from .forms import lay_out_form

# The transpositions an orchestral part is usually written at, written → sounding as
# ``Track.transposition`` keeps them, with the instruments written so; the key first,
# so that typing "B" in the list finds the B♭ ones.
COMMON_TRANSPOSITIONS: tuple[tuple[tuple[int, int], str], ...] = (
    ((0, 0), "C: concert pitch, as it sounds (none)"),
    ((-1, -2), "Bb: clarinet, trumpet, soprano sax"),
    ((-2, -3), "A: clarinet in A"),
    ((2, 3), "Eb: Eb clarinet, Eb trumpet"),
    ((-5, -9), "Eb: alto sax, alto clarinet"),
    ((-4, -7), "F: horn, English horn"),
    ((1, 2), "D: D trumpet"),
    ((-3, -5), "G: alto flute"),
    ((-8, -14), "Bb an octave lower: bass clarinet, tenor sax"),
    ((-12, -21), "Eb an octave lower: baritone sax"),
    ((7, 12), "Octave up: piccolo, glockenspiel"),
    ((-7, -12), "Octave down: double bass, guitar"),
)


class TranspositionDialog(QDialog):
    """A list of :data:`COMMON_TRANSPOSITIONS` (and ``now`` where it is none of them),
    ``now`` chosen."""

    def __init__(self, parent: QWidget | None, track_name: str,
                 now: tuple[int, int]) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Transposition of {track_name}")
        self.setMinimumWidth(600)  # the list's longest choice and its label, whole
        info = QLabel(f"The key {track_name}'s part is written in. A MusicXML export writes "
                      "the part transposed, as its player reads it; the notes sound as they "
                      "do now.", self)
        info.setWordWrap(True)
        self.choice = QComboBox(self)
        self.intervals = [interval for interval, _ in COMMON_TRANSPOSITIONS]
        # What each sounds like, in the words of `partita tracks --transposition`.
        for interval, text in COMMON_TRANSPOSITIONS:
            self.choice.addItem(f"{text} — {sounding_text(interval)}" if interval[1] else text)
        if now not in self.intervals:  # an imported score's own: kept on offer
            text = transposition_text(now)
            self.choice.addItem(text[0].upper() + text[1:])
            self.intervals.append(now)
        self.choice.setCurrentIndex(self.intervals.index(now))
        set_name(self.choice, f"Transposition of {track_name}")
        form = QFormLayout()
        form.addRow("&Written in", self.choice)
        lay_out_form(self, info, form)
        self.choice.setFocus()

    def transposition(self) -> tuple[int, int]:
        return self.intervals[self.choice.currentIndex()]


def ask_transposition(parent: QWidget | None, track_name: str,
                      now: tuple[int, int]) -> tuple[int, int] | None:
    """The transposition chosen for ``track_name``'s part (written → sounding), or None
    when cancelled."""
    dialog = TranspositionDialog(parent, track_name, now)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.transposition()
