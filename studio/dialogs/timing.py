"""Tempo, meter and key from a bar: the song's time, as a sequencer's tempo/meter dialog sets it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from engine.score import Meter, TimeSignature
from engine.score.pickup import pickup_from_text, pickup_meter
from engine.score.song import (
    BPM_RANGE,
    MAX_DENOMINATOR,
    MAX_NUMERATOR,
    default_pulses,
    grouping_from_text,
    grouping_text,
    groupings_of,
)
from engine.score.spelling import KEY_SIGNATURES, key_label

from ..accessible import set_name
from ..number_entry import DecimalEntry, NumberEntry
from .forms import lay_out_form

NO_KEY = "(none)"
# Majors then minors, round the circle of fifths from the most flats.
KEYS = tuple(KEY_SIGNATURES[k] for k in sorted(KEY_SIGNATURES, key=lambda k: (k[1], k[0])))


def fill_key_list(combo: QComboBox, none_text: str, key: str | None) -> None:
    """``combo``'s keys as musicians read them ("G♭ major", "C♯ minor"), each holding the
    engine's name ("Gb", "C#m") as its data (:func:`chosen_key`), ``none_text`` first
    (data ""); ``key`` chosen, else none. Typing a letter still steps to its keys."""
    combo.addItem(none_text, "")
    for name in KEYS:
        combo.addItem(key_label(name), name)
    combo.setCurrentIndex(max(0, combo.findData(key or "")))


def chosen_key(combo: QComboBox) -> str:
    """The engine's name of the key a :func:`fill_key_list` list shows ("" for none)."""
    return combo.currentData() or ""


DENOMINATORS = tuple(2**i for i in range(MAX_DENOMINATOR.bit_length()))  # 1 … 64


def tempo_entry(parent: QWidget, bpm: float) -> DecimalEntry:
    """A BPM field in the user's locale (the bar's dialog and the beat's)."""
    entry = DecimalEntry(parent)
    entry.setRange(*BPM_RANGE)
    entry.setDecimals(1)
    entry.setSuffix(" BPM")
    entry.setValue(bpm)
    return entry


class TimeDialog(QDialog):
    """Tempo (BPM), meter and key from one bar on, prefilled with what is in force. A meter
    of eighths or shorter is also counted as chosen: 7/8 as 3+2+2 (a list of the bar's
    groupings in twos and threes, or any typed, or a whole meter typed as "3+2+2/8").

    At the first bar (``pickup`` given, "" for none) it also sets a pickup: a short first
    bar before the meter, typed as a note value (1/4) or in beats of the meter (1)."""

    def __init__(self, parent: QWidget | None, bar: int, bpm: float, meter: Meter,
                 key: str, pickup: str | None = None, tempo_change: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Tempo, Meter and Key from Bar {bar}")
        self.setMinimumWidth(400)
        text = QLabel(f"From bar {bar} until the next change. Notes keep their places; later "
                      "meter changes keep their bar numbers. Setting what the bar before has "
                      "removes a change." + (" A pickup is a short first bar before the meter "
                                             "(bar 0)." if pickup is not None else ""), self)
        text.setWordWrap(True)
        self.tempo = tempo_entry(self, bpm)
        self.numerator = NumberEntry(self)
        self.numerator.setRange(1, MAX_NUMERATOR)
        self.numerator.setValue(meter[0])
        self.denominator = QComboBox(self)
        self.denominator.addItems([str(d) for d in DENOMINATORS])
        self.denominator.setCurrentText(str(meter[1]))
        # The row's label is "Meter": each half named (they had no name at all).
        set_name(self.numerator, "Meter: beats in a bar")
        set_name(self.denominator, "Meter: beat note value")
        row = QHBoxLayout()
        row.addWidget(self.numerator)
        row.addWidget(QLabel("/", self))
        row.addWidget(self.denominator)
        row.addStretch(1)
        # Editable: any grouping can be typed (4+3, 2+2+2+3), or a whole meter (3+2+2/8).
        self.grouping = QComboBox(self)
        self.grouping.setEditable(True)
        self.grouping.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.grouping.setToolTip("How a bar of eighths is counted: the click, the beat lines, "
                                 "the accents and the drums follow it (7/8 as 3+2+2 for a "
                                 "Kalamatianos). Type any grouping, or a meter like 3+2+2/8")
        self._offer_groupings(tuple(meter[2]) if len(meter) > 2 else ())
        self.numerator.valueChanged.connect(lambda _: self._offer_groupings())
        self.denominator.currentTextChanged.connect(lambda _: self._offer_groupings())
        self.grouping.lineEdit().editingFinished.connect(self._take_typed_meter)
        self.key = QComboBox(self)
        fill_key_list(self.key, NO_KEY, key)
        self.pickup: QLineEdit | None = None
        self._shown = (pickup, TimeSignature(0, *meter).meter)
        if pickup is not None:  # only the first bar can be one
            self.pickup = QLineEdit(pickup, self)
            self.pickup.setPlaceholderText("none (or 1/4, 3/8, or beats: 1)")
            self.pickup.setToolTip("A short first bar, its length as a note value (1/4, 3/8) "
                                   "or in beats of the meter (1 in 4/4 is a quarter, 2 in "
                                   "6/8 two eighths); empty for none. The meter above holds "
                                   "from the first full bar, bar 1")
        self.error = QLabel("", self)
        self.error.setStyleSheet("color: #ff6b6b;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        self.tempo.setToolTip("Quarter notes a minute, as MIDI counts it: 6/8 at 80 dotted "
                              "beats is 120")
        form.addRow("Tempo (♩)", self.tempo)
        form.addRow("Meter", row)
        form.addRow("Counted", self.grouping)
        form.addRow("Key signature", self.key)
        if self.pickup is not None:
            form.addRow("Pickup", self.pickup)
        lay_out_form(self, text, form, below=(self.error,), on_ok=self._check)
        if tempo_change:  # the bar's tempo change, and only it (meter and key stay)
            _add_remove_button(self, "Remove This Tempo Change",
                               "The tempo before this bar holds on; meter and key stay")

    def _offer_groupings(self, groups: tuple[int, ...] = ()) -> None:
        """The numerator's groupings, the usual counting first; ``groups`` shown when
        given. A meter of quarters or longer is counted in its own beats: nothing to pick."""
        num, den = self.numerator.value(), int(self.denominator.currentText())
        self.grouping.clear()
        self.grouping.setEnabled(den >= 8)
        if den < 8:
            self.grouping.lineEdit().setPlaceholderText("in its beats (groupings are for x/8, "
                                                        "x/16 …)")
            return
        self.grouping.lineEdit().setPlaceholderText("")
        usual = default_pulses(num, den)
        self.grouping.addItems([grouping_text(usual), *(grouping_text(g)
                                                         for g in groupings_of(num)
                                                         if g != usual)])
        if groups:
            self.grouping.setCurrentText(grouping_text(groups))

    def _take_typed_meter(self) -> None:
        """A whole meter typed where the grouping goes (3+2+2/8) sets the meter too."""
        if "/" not in self.grouping.currentText():
            return
        try:
            sig = TimeSignature.from_text(self.grouping.currentText())
        except ValueError as e:
            self.error.setText(str(e))
            return
        self.error.setText("")
        for field in (self.numerator, self.denominator):
            field.blockSignals(True)
        self.numerator.setValue(sig.numerator)
        self.denominator.setCurrentText(str(sig.denominator))
        for field in (self.numerator, self.denominator):
            field.blockSignals(False)
        self._offer_groupings(sig.groups)

    def meter(self) -> Meter:
        """The meter as set: ``(7, 8, (3, 2, 2))``; ValueError saying what does not fit."""
        num, den = self.numerator.value(), int(self.denominator.currentText())
        typed = self.grouping.currentText().strip()
        if "/" in typed:
            return TimeSignature.from_text(typed).meter
        if not self.grouping.isEnabled() or not typed:
            return num, den, ()
        # The usual counting typed out (2+2+3 in 7/8) is stored as no grouping.
        return TimeSignature(0, num, den, grouping_from_text(typed)).meter

    def _check(self) -> None:
        try:
            meter = self.meter()
            # A pickup and meter left as shown are the song's, whatever their lengths.
            if self.pickup is not None and (self.pickup.text(), meter) != self._shown and (
                    pickup := pickup_from_text(self.pickup.text(), meter)):
                pickup_meter(pickup, meter)
        except ValueError as e:
            self.error.setText(str(e))
            return
        self.accept()

    def answer(self) -> tuple[float, Meter, str, str | None]:
        pickup = None if self.pickup is None else self.pickup.text().strip()
        return self.tempo.value(), self.meter(), chosen_key(self.key), pickup


# What the tempo dialogs answer for their "Remove This Tempo Change" button.
REMOVE_TEMPO = "remove tempo change"
_REMOVED = 2  # the dialog's result code for it (Accepted is 1)


def _add_remove_button(dialog: QDialog, text: str, tip: str) -> None:
    """A button beside OK / Cancel that closes ``dialog`` with :data:`_REMOVED`."""
    buttons = dialog.findChild(QDialogButtonBox)
    button = buttons.addButton(text, QDialogButtonBox.ButtonRole.DestructiveRole)
    button.setToolTip(tip)
    button.clicked.connect(lambda: dialog.done(_REMOVED))


def ask_time(parent: QWidget | None, bar: int, bpm: float, meter: Meter, key: str,
             pickup: str | None, tempo_change: bool = False,
             ) -> tuple[float, Meter, str, str | None] | str | None:
    """``(bpm, (numerator, denominator, groups), key or "", pickup)`` from ``bar`` on (the
    user's number: a pickup is bar 0), or ``None`` when cancelled. ``pickup`` (the first
    bar only; "" for none) opens a Pickup field, answered as typed; else it is None.
    ``tempo_change`` (the bar has one, not the song's first) offers Remove This Tempo
    Change, answered :data:`REMOVE_TEMPO`."""
    dialog = TimeDialog(parent, bar, bpm, meter, key, pickup, tempo_change)
    result = dialog.exec()
    if result == _REMOVED:
        return REMOVE_TEMPO
    if result != QDialog.DialogCode.Accepted:
        return None
    return dialog.answer()


class TempoDialog(QDialog):
    """The tempo from a beat inside a bar (a ritardando's 78 BPM on beat 3 of bar 6): a
    meter or key starts on a bar line, so only the tempo is here."""

    def __init__(self, parent: QWidget | None, position: str, bpm: float,
                 tempo_change: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Tempo at {position}")
        self.setMinimumWidth(380)
        bar = position.split(".")[0]
        text = QLabel(f"From {position} (bar.beat) until the next change. Notes keep their "
                      "places; setting the tempo before removes a change. Meter and key "
                      f"start on a bar line: Ctrl+K on bar {bar}'s line sets them.", self)
        text.setWordWrap(True)
        self.tempo = tempo_entry(self, bpm)
        self.tempo.setToolTip("Quarter notes a minute, as MIDI counts it")
        form = QFormLayout()
        form.addRow("Tempo (♩)", self.tempo)
        lay_out_form(self, text, form)
        if tempo_change:
            _add_remove_button(self, "Remove This Change", "The tempo before it holds on")


def ask_tempo(parent: QWidget | None, position: str, bpm: float,
              tempo_change: bool) -> float | str | None:
    """The tempo (BPM) from ``position`` ("6.3", the user's bar.beat) on, :data:`REMOVE_TEMPO`
    when ``tempo_change`` (one is there) and Remove This Change is pressed, or ``None`` when
    cancelled."""
    dialog = TempoDialog(parent, position, bpm, tempo_change)
    result = dialog.exec()
    if result == _REMOVED:
        return REMOVE_TEMPO
    if result != QDialog.DialogCode.Accepted:
        return None
    return dialog.tempo.value()


class BarsDialog(QDialog):
    """Which bars to insert or delete: a first bar and a count."""

    def __init__(self, parent: QWidget | None, inserting: bool, bar: int, count: int,
                 first_bar: int, last_bar: int) -> None:
        super().__init__(parent)
        self.setWindowTitle("Insert Bars" if inserting else "Delete Bars")
        self.setMinimumWidth(380)
        text = QLabel(
            "New empty bars, in the meter of that bar; the music from there on moves later, "
            "on every track. Paint them with the mask and let the model fill them."
            if inserting else
            "The bars' notes on every track go, and the music after them moves earlier; "
            "tempo, meter and key from after them hold on.", self)
        text.setWordWrap(True)
        self.bar = NumberEntry(self)
        self.bar.setRange(first_bar, last_bar + (1 if inserting else 0))
        self.bar.setValue(min(bar, self.bar.maximum()))
        self.count = NumberEntry(self)
        self.count.setRange(1, 999)
        self.count.setValue(count)
        form = QFormLayout()
        form.addRow("Before bar" if inserting else "From bar", self.bar)
        form.addRow("Bars", self.count)
        lay_out_form(self, text, form)


def ask_bars(parent: QWidget | None, inserting: bool, bar: int, count: int,
             first_bar: int, last_bar: int) -> tuple[int, int] | None:
    """``(bar, count)`` of the bars to insert before or to delete from, or ``None`` when
    cancelled. Bars are the user's numbers (``TimeMap.bar_number``: a pickup is bar 0);
    ``first_bar`` and ``last_bar`` are the song's first and last."""
    dialog = BarsDialog(parent, inserting, bar, count, first_bar, last_bar)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.bar.value(), dialog.count.value()
