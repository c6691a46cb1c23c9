"""File ▸ New: the new song's title, tempo, meter, key, length and starting tracks.

As a DAW's project chooser or a notation program's New Score wizard sets them up front:
a 4-bar loop started as 8 bars of Piano exported 4 silent bars in every stem. The song is
the engine's (:mod:`engine.tasks.templates`); the window remembers the choices
(studio.settings) for the next new song.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QWidget

from engine.score.instruments import program_name
from engine.score.song import BPM_RANGE
from engine.tasks import TaskError
from engine.tasks.templates import MAX_BARS, TEMPLATES, SongSetup, template_tracks

from ..accessible import set_name
from ..number_entry import DecimalEntry, NumberEntry
from .forms import lay_out_form
from .timing import chosen_key, fill_key_list

NO_KEY = "None (Auto)"
# The meters offered; any other is typed, as Ctrl+K's dialog reads it (5/8, 3+2+2/8).
METERS = ("4/4", "3/4", "2/4", "2/2", "6/8", "9/8", "12/8", "5/4", "7/8")


def line_up_text(template: str) -> str:
    """The tracks a template starts with, each with its General MIDI instrument: "Drums ·
    808: Synth Bass 1 · Pad: Pad 2 (warm) · Lead: Lead 1 (square)" (a colon, not
    brackets: GM names have their own, "Lead (Lead 1 (square))" read as nested); "No
    tracks (add them with Ctrl+T)" for none."""
    parts = []
    for track in template_tracks(template):
        instrument = program_name(track.program, track.is_drum)
        said = track.is_drum or track.name.casefold() == instrument.casefold()
        parts.append(track.name if said else f"{track.name}: {instrument}")
    return " · ".join(parts) or "No tracks (add them with Ctrl+T)"


class NewSongDialog(QDialog):
    """The new song's set-up, prefilled with ``setup`` (the last one chosen); Enter in
    any field creates it."""

    def __init__(self, parent: QWidget | None, setup: SongSetup) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Song")
        self.setMinimumWidth(460)
        text = QLabel("An empty song, its bars ready to paint for the model, to record or "
                      "to draw in. Everything here can change later: tempo, meter and key "
                      "with Ctrl+K, the length with Insert and Delete Bars, the tracks.",
                      self)
        text.setWordWrap(True)
        self.template = QComboBox(self)
        self.template.addItems(list(TEMPLATES))
        self.template.setCurrentText(setup.template if setup.template in TEMPLATES
                                     else next(iter(TEMPLATES)))
        self.line_up = QLabel(self)
        self.line_up.setWordWrap(True)
        self.template.currentTextChanged.connect(self._show_line_up)
        self._show_line_up(self.template.currentText())
        self.title = QLineEdit(setup.title, self)
        self.title.setPlaceholderText("Untitled")
        self.tempo = DecimalEntry(self)
        self.tempo.setRange(*BPM_RANGE)
        self.tempo.setDecimals(1)
        self.tempo.setSuffix(" BPM")
        self.tempo.setValue(setup.tempo)
        self.tempo.setToolTip("Quarter notes a minute, as MIDI counts it: 6/8 at 80 dotted "
                              "beats is 120")
        # Editable: any meter is typed as Ctrl+K's dialog takes it (5/8, 3+2+2/8).
        self.meter = QComboBox(self)
        self.meter.setEditable(True)
        self.meter.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.meter.addItems(list(METERS))
        self.meter.setCurrentText(setup.meter)
        self.meter.setToolTip("A time signature like 3/4, or a bar of eighths as it is "
                              "counted, like 3+2+2/8")
        self.key = QComboBox(self)
        fill_key_list(self.key, NO_KEY, setup.key)
        self.key.setToolTip("The key signature a score shows; None: generation keeps the "
                            "key of the music around it, or picks one for a new piece")
        self.bars = NumberEntry(self)
        self.bars.setRange(1, MAX_BARS)
        self.bars.setSuffix(" bars")
        self.bars.setValue(setup.bars)
        self.bars.setToolTip("The song's length: the bars export and generation cover "
                             "(Insert and Delete Bars change it later)")
        # A list's rows' labels name it (on Linux, a list's name is its label's): once,
        # not a hidden label's name besides ("Starting tracks Tracks": QA).
        tracks_label, key_label = QLabel("Tracks", self), QLabel("Key signature", self)
        set_name(self.template, "Starting tracks", tracks_label)
        set_name(self.title, "Title")
        set_name(self.tempo, "Tempo")
        set_name(self.meter, "Meter")
        set_name(self.key, "Key signature", key_label)
        set_name(self.bars, "Length in bars")
        self.error = QLabel("", self)
        self.error.setStyleSheet("color: #ff6b6b;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tracks_label, self.template)
        form.addRow("", self.line_up)
        form.addRow("Title", self.title)
        form.addRow("Tempo (♩)", self.tempo)
        form.addRow("Meter", self.meter)
        form.addRow(key_label, self.key)
        form.addRow("Length", self.bars)
        lay_out_form(self, text, form, below=(self.error,), on_ok=self._check)
        self.template.setFocus()  # the first choice, as a project chooser's

    def _show_line_up(self, template: str) -> None:
        self.line_up.setText(line_up_text(template))

    def setup(self) -> SongSetup:
        """The set-up as the fields give it (the meter as typed, checked by :meth:`_check`)."""
        key = chosen_key(self.key)
        return SongSetup(template=self.template.currentText(), bars=self.bars.value(),
                         tempo=self.tempo.value(), meter=self.meter.currentText().strip(),
                         key=key or None, title=self.title.text().strip())

    def _check(self) -> None:
        try:
            self.setup().song()
        except TaskError as e:  # a meter typed that is none: said, the dialog kept open
            self.error.setText(str(e))
            self.meter.setFocus()
            return
        self.accept()


def ask_new_song(parent: QWidget | None, setup: SongSetup) -> SongSetup | None:
    """The new song's set-up, the dialog opened on ``setup``, or ``None`` when
    cancelled."""
    dialog = NewSongDialog(parent, setup)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.setup()
