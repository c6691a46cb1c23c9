"""Tempo, meter and key from a bar: the song's time, as a sequencer's tempo/meter dialog sets it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.score.song import BPM_RANGE, MAX_DENOMINATOR, MAX_NUMERATOR
from engine.score.spelling import KEY_SIGNATURES

NO_KEY = "(none)"
# Majors then minors, round the circle of fifths from the most flats.
KEYS = tuple(KEY_SIGNATURES[k] for k in sorted(KEY_SIGNATURES, key=lambda k: (k[1], k[0])))
DENOMINATORS = tuple(2**i for i in range(MAX_DENOMINATOR.bit_length()))  # 1 … 64


class TimeDialog(QDialog):
    """Tempo (BPM), meter and key from one bar on, prefilled with what is in force."""

    def __init__(self, parent: QWidget | None, bar: int, bpm: float, meter: tuple[int, int],
                 key: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Tempo, Meter and Key from Bar {bar}")
        self.setMinimumWidth(400)
        text = QLabel(f"From bar {bar} until the next change. Notes keep their places; later "
                      "meter changes keep their bar numbers. Setting what the bar before has "
                      "removes a change.", self)
        text.setWordWrap(True)
        self.tempo = QDoubleSpinBox(self)
        self.tempo.setRange(*BPM_RANGE)
        self.tempo.setDecimals(1)
        self.tempo.setSuffix(" BPM")
        self.tempo.setValue(bpm)
        self.numerator = QSpinBox(self)
        self.numerator.setRange(1, MAX_NUMERATOR)
        self.numerator.setValue(meter[0])
        self.denominator = QComboBox(self)
        self.denominator.addItems([str(d) for d in DENOMINATORS])
        self.denominator.setCurrentText(str(meter[1]))
        row = QHBoxLayout()
        row.addWidget(self.numerator)
        row.addWidget(QLabel("/", self))
        row.addWidget(self.denominator)
        row.addStretch(1)
        self.key = QComboBox(self)
        self.key.addItems([NO_KEY, *KEYS])
        self.key.setCurrentText(key or NO_KEY)
        form = QFormLayout()
        form.addRow("Tempo", self.tempo)
        form.addRow("Meter", row)
        form.addRow("Key signature", self.key)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def answer(self) -> tuple[float, tuple[int, int], str]:
        key = self.key.currentText()
        return (self.tempo.value(), (self.numerator.value(), int(self.denominator.currentText())),
                "" if key == NO_KEY else key)


def ask_time(parent: QWidget | None, bar: int, bpm: float, meter: tuple[int, int],
             key: str) -> tuple[float, tuple[int, int], str] | None:
    """``(bpm, (numerator, denominator), key or "")`` from 1-based ``bar`` on, or ``None``
    when cancelled."""
    dialog = TimeDialog(parent, bar, bpm, meter, key)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.answer()
