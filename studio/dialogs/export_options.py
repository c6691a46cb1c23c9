"""File ▸ Export Audio & Stems: where to, at which sample rate, bit depth and level, with
which SoundFont, ending where, with rehearsal mixes or not.

The choices the CLI's ``partita render`` takes as ``--stems``/``-o``, ``--sample-rate``,
``--bit-depth``, ``--gain``, ``--soundfont``, ``--end``, ``--dry-stems``, ``--stem-names``
and ``--rehearsal``/``--count-in``; the window
remembers them between sessions (studio.settings). The **Range** (``--bars``: the loop
range or the selected bars instead of the whole song) is offered only where the studio has
one, and not remembered: it is this moment's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ..accessible import set_name
from ..number_entry import DecimalEntry, number_text
from ..settings import (
    DEFAULT_EXPORT_BIT_DEPTH,
    DEFAULT_EXPORT_END,
    DEFAULT_EXPORT_GAIN_DB,
    DEFAULT_EXPORT_LEVEL,
    DEFAULT_EXPORT_RATE,
    DEFAULT_EXPORT_STEM_NAMES,
    EXPORT_BIT_DEPTHS,
    EXPORT_ENDS,
    EXPORT_GAIN_RANGE_DB,
    EXPORT_LEVELS,
    EXPORT_SAMPLE_RATES,
    EXPORT_STEM_NAMES,
)
from .export import blocking_file
from .forms import lay_out_form

SOUNDFONT_FILTER = "SoundFonts (*.sf2 *.sf3);;All files (*)"
# The Length menu, in EXPORT_ENDS order: what each end means to someone about to use the files.
END_NAMES = {
    "tail": "Until the last note has rung out",
    "bar": "Cut at the last bar line",
    "loop": "Loop: cut at the last bar line, the tail wrapped to the start",
}
# The same while a Range is chosen: "the last bar line" read as the song's (QA).
RANGE_END_NAMES = {
    "tail": END_NAMES["tail"],
    "bar": "Cut at the range's last bar line",
    "loop": "Loop: cut at the range's last bar line, the tail wrapped to its start",
}
# The Bit depth menu, in EXPORT_BIT_DEPTHS order.
BIT_DEPTH_NAMES = {
    "16": "16-bit (dithered: CD, demos)",
    "24": "24-bit",
    "32f": "32-bit float",
}
# The Stem names menu, in EXPORT_STEM_NAMES order: the template as a musician reads it.
STEM_NAME_NAMES = {
    "{nn} - {track}": "NN - Track",
    "{song}_{track}": "Song_Track",
    "{song}_{nn}_{track}": "Song_NN_Track",
}
# The track an example name shows (the dialog is asked before any track is rendered).
EXAMPLE_TRACK = "Lead"
# The Level menu, in EXPORT_LEVELS order; the fixed gain's dB in the field beside it.
# Not "Normalise": a DAW's normalise brings a quiet mix up too, and this one never does.
LEVEL_NAMES = {
    "normalise": "Automatic headroom (never clips)",
    "fixed": "Fixed gain:",
}


@dataclass(frozen=True)
class AudioExport:
    """What to export: ``folder/mix.wav`` and ``folder/stems/*.wav`` at ``sample_rate``,
    played by ``soundfont`` (``None``: the default one, as ``partita render`` finds it),
    every file ending at ``end`` (one of :data:`~studio.settings.EXPORT_ENDS`);
    ``rehearsal``: a rehearsal mix per part in ``folder/rehearsal/`` too, ``count_in``
    with a bar of click before each one's music; every file at ``bit_depth`` (one of
    :data:`~studio.settings.EXPORT_BIT_DEPTHS`); ``dry_stems``: the stems without their
    track's volume and pan (pre-fader; the mix keeps them); ``span``: the ticks of the
    range exported (``render_files``'s), ``None`` for the whole song; ``level`` (one of
    :data:`~studio.settings.EXPORT_LEVELS`): normalised, or every file at ``gain_db``
    (kept while normalising, for the next time: :attr:`fixed_gain_db` is what renders);
    ``stem_names``: how the stems are named (one of
    :data:`~studio.settings.EXPORT_STEM_NAMES`, ``render --stem-names``'s template)."""

    folder: Path
    sample_rate: int = DEFAULT_EXPORT_RATE
    soundfont: Path | None = None
    end: str = DEFAULT_EXPORT_END
    rehearsal: bool = False
    count_in: bool = False
    bit_depth: str = DEFAULT_EXPORT_BIT_DEPTH
    dry_stems: bool = False
    span: tuple[int, int] | None = None
    level: str = DEFAULT_EXPORT_LEVEL
    gain_db: float = DEFAULT_EXPORT_GAIN_DB
    stem_names: str = DEFAULT_EXPORT_STEM_NAMES

    @property
    def fixed_gain_db(self) -> float | None:
        """The fixed gain to render at (``render_files(gain_db=…)``); ``None``: normalised."""
        return self.gain_db if self.level == "fixed" else None


# A range the export can take instead of the whole song: its name in the Range menu
# ("Loop range (bars 5–8)") and its ticks.
ExportRange = tuple[str, tuple[int, int]]
WHOLE_SONG = "Whole song"


def rate_name(rate: int) -> str:
    """``"44.1 kHz"`` ("44,1 kHz" in German), ``"48 kHz"``: a rate as a DAW's menu writes
    it."""
    khz = rate / 1000
    return f"{number_text(khz, len(f'{khz:g}'.partition('.')[2]))} kHz"  # 44.1: one decimal


def stem_name_example(template: str, song_name: str) -> str:
    """"Song_Track — mysong_Lead.wav": a template's menu name and the file it writes for
    a track named :data:`EXAMPLE_TRACK` (the first), as ``render`` names it."""
    from engine.render.files import stem_names
    from engine.score import Song, Track

    song = Song(tracks=(Track(id=1, name=EXAMPLE_TRACK),))
    name = stem_names(song, template, song_name)[1]
    return f"{STEM_NAME_NAMES[template]} — {name}"


def default_soundfont_text() -> str:
    """What plays when no SoundFont is chosen, for the field's placeholder."""
    from engine.render import SoundFontError, find_soundfont

    try:
        found = find_soundfont()
    except SoundFontError as e:  # $PARTITA_SOUNDFONT names a missing file
        return f"Default: none usable ({e})"
    if found is None:
        return "Default: the built-in synth (no General MIDI SoundFont found)"
    return f"Default: {found.name}"


class ExportAudioDialog(QDialog):
    """The folder, the sample rate and bit depth, the SoundFont, where the files end and
    whether to write rehearsal mixes, prefilled with the last export's; the range to
    export when ``ranges`` offers any (the loop range, the selected bars)."""

    def __init__(self, parent: QWidget | None, folder: str, sample_rate: int,
                 soundfont: str, end: str = DEFAULT_EXPORT_END, rehearsal: bool = False,
                 count_in: bool = False,
                 bit_depth: str = DEFAULT_EXPORT_BIT_DEPTH, dry_stems: bool = False,
                 level: str = DEFAULT_EXPORT_LEVEL, gain_db: float = DEFAULT_EXPORT_GAIN_DB,
                 stem_names: str = DEFAULT_EXPORT_STEM_NAMES, song_name: str = "",
                 ranges: Sequence[ExportRange] = ()) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export Audio & Stems")
        self.setMinimumWidth(520)
        text = QLabel("Writes the mix as mix.wav and one WAV per track in stems/ (stereo, "
                      "all from the song's start — a pickup's, when it opens with one"
                      + (", or the Range's first downbeat" if ranges else "")
                      + ": they line up in a DAW).", self)
        text.setWordWrap(True)
        self.folder = QLineEdit(folder, self)
        self.folder.setPlaceholderText("The folder to write into")
        self.folder.setAccessibleName("Folder")  # its row's label names a row, not it
        browse = QPushButton("Bro&wse…", self)
        browse.clicked.connect(self._browse_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.rate = QComboBox(self)
        for rate in EXPORT_SAMPLE_RATES:
            self.rate.addItem(rate_name(rate), rate)
        self.rate.setCurrentIndex(max(0, self.rate.findData(sample_rate)))
        self.rate.setToolTip("Match your DAW session's rate: stems at another rate are "
                             "resampled or play at the wrong speed")
        self.bit_depth = QComboBox(self)
        for depth in EXPORT_BIT_DEPTHS:
            self.bit_depth.addItem(BIT_DEPTH_NAMES[depth], depth)
        self.bit_depth.setCurrentIndex(max(0, self.bit_depth.findData(bit_depth)))
        self.bit_depth.setToolTip("24-bit for a DAW session; 16-bit for a CD or a demo "
                                  "(TPDF-dithered, as a DAW's bounce); 32-bit float keeps "
                                  "the render exactly")
        self.level = QComboBox(self)
        for choice in EXPORT_LEVELS:
            self.level.addItem(LEVEL_NAMES[choice], choice)
        self.level.setCurrentIndex(max(0, self.level.findData(level)))
        self.level.setToolTip("Automatic headroom: each export brought down to peak at "
                              "-1 dBFS when louder; quieter mixes keep their level. It "
                              "never clips, but a track's stem moves when another track "
                              "changes. Fixed gain: the same gain for "
                              "every song, range and take, so stems line up in FMOD, Wwise "
                              "or a DAW; a file past 0 dBFS clips (kept in 32-bit float)")
        self.gain = DecimalEntry(self)
        self.gain.setDecimals(1)
        self.gain.setRange(*EXPORT_GAIN_RANGE_DB)
        self.gain.setSingleStep(0.5)
        self.gain.setSuffix(" dB")
        self.gain.setValue(gain_db)
        self.gain.setAccessibleName("Fixed gain in dB")
        self.gain.setToolTip("The gain of every file: 0 dB as rendered, -6 dB leaves room "
                             "for a full mix")
        self.gain.setEnabled(level == "fixed")
        self.level.currentIndexChanged.connect(
            lambda: self.gain.setEnabled(self.level.currentData() == "fixed"))
        level_row = QHBoxLayout()
        level_row.addWidget(self.level, 1)
        level_row.addWidget(self.gain)
        self.soundfont = QLineEdit(soundfont, self)
        self.soundfont.setPlaceholderText(default_soundfont_text())
        self.soundfont.setClearButtonEnabled(True)
        self.soundfont.setAccessibleName("SoundFont")
        self.soundfont.setToolTip("A General MIDI SoundFont (.sf2) to play the tracks with; "
                                  "leave empty for the default one")
        pick = QPushButton("C&hoose…", self)
        pick.clicked.connect(self._browse_soundfont)
        sf_row = QHBoxLayout()
        sf_row.addWidget(self.soundfont, 1)
        sf_row.addWidget(pick)
        self.end = QComboBox(self)
        for choice in EXPORT_ENDS:
            self.end.addItem(END_NAMES[choice], choice)
        self.end.setCurrentIndex(max(0, self.end.findData(end)))
        self.end.setToolTip("For a DAW's grid: cut, or looped, every file is exactly the "
                            "song's bars long (8 bars at 90 BPM, 48 kHz: 1,024,000 samples); "
                            "a loop has what rings past the last bar line added onto its "
                            "start, so it repeats without a gap or a cut")
        self.range: QComboBox | None = None
        if ranges:  # only where the studio has a range to offer
            self.range = QComboBox(self)
            self.range.addItem(WHOLE_SONG, None)
            for name, span in ranges:
                self.range.addItem(name, span)
            self.range.setToolTip("Only these bars, as a DAW exports its loop range: the "
                                  "files start at the range's first downbeat, with the "
                                  "notes held into it sounding, and the Length counts "
                                  "from its end")
            self.range.currentIndexChanged.connect(self._name_ends)
        self.dry_stems = QCheckBox("&Dry stems (without volume and pan)", self)
        self.dry_stems.setChecked(dry_stems)
        self.dry_stems.setToolTip("Pre-fader stems: each track at full volume in the "
                                  "centre, to set the balance in your DAW; the mix keeps "
                                  "the tracks' volume and pan")
        self.stem_names = QComboBox(self)
        for template in EXPORT_STEM_NAMES:
            self.stem_names.addItem(stem_name_example(template, song_name), template)
        self.stem_names.setCurrentIndex(max(0, self.stem_names.findData(stem_names)))
        self.stem_names.setToolTip("How each track's WAV in stems/ is named: numbered in "
                                   "track order (a DAW lists them so), or with the song's "
                                   "file name first, so the stems of several songs or "
                                   "variations of a loop sit side by side in one folder "
                                   "for FMOD, Wwise or a sampler")
        self.rehearsal = QCheckBox("Rehearsal &mixes", self)
        self.rehearsal.setChecked(rehearsal)
        self.rehearsal.setToolTip(
            "A choir's learning tracks, in rehearsal/: for each part heard in the mix, "
            "“Rehearsal - Alto.wav” etc., the mix with that part forward (6 dB over the "
            "others together, however quiet it is; the part a little left and the rest "
            "right)")
        self.count_in = QCheckBox("One bar of count-&in", self)
        self.count_in.setChecked(count_in)
        self.count_in.setToolTip("A bar of click before the music of each rehearsal mix "
                                 "(a pickup is part of it); the mix and stems start at "
                                 "the song's start as always")
        self.count_in.setEnabled(rehearsal)
        self.rehearsal.toggled.connect(self.count_in.setEnabled)
        rehearsal_row = QHBoxLayout()
        rehearsal_row.addWidget(self.rehearsal)
        rehearsal_row.addWidget(self.count_in)
        rehearsal_row.addStretch(1)
        self.error = QLabel("", self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #ff6b6b;")
        # Every row an Alt letter (its label's buddy), as Quantize's and Pitch Bend
        # Range's: keyboard QA. A row of a field and a button or two fields has its label
        # made here, a buddy of its first field (a row's text names no field of a layout).
        folder_label, level_label, sf_label = (QLabel(text, self) for text in (
            "&Folder", "&Level", "So&undFont"))
        folder_label.setBuddy(self.folder)
        sf_label.setBuddy(self.soundfont)
        # A list's name on Linux is its label's (studio.accessible): the row's own, once.
        set_name(self.level, "Level", level_label)
        form = QFormLayout()
        form.addRow(folder_label, folder_row)
        form.addRow("Sample &rate", self.rate)
        form.addRow("&Bit depth", self.bit_depth)
        form.addRow(level_label, level_row)
        form.addRow(sf_label, sf_row)
        if self.range is not None:
            form.addRow("R&ange", self.range)
            # Tab as on screen: Range's row is above Length's, though made after it.
            QWidget.setTabOrder(self.range, self.end)
        form.addRow("Len&gth", self.end)
        form.addRow("Stems", self.dry_stems)
        stem_label = QLabel("Stem &names", self)
        set_name(self.stem_names, "Stem names", stem_label)
        form.addRow(stem_label, self.stem_names)
        form.addRow("Choir", rehearsal_row)
        lay_out_form(self, text, form, below=(self.error,), on_ok=self._check)

    def _name_ends(self) -> None:
        """The Length menu's names for the Range chosen: a range's last bar line, or the
        song's."""
        ranged = self.range is not None and self.range.currentData() is not None
        for i in range(self.end.count()):
            choice = self.end.itemData(i)
            self.end.setItemText(i, (RANGE_END_NAMES if ranged else END_NAMES)[choice])

    def _browse_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Export audio and stems to folder",
                                                self.folder.text())
        if path:
            self.folder.setText(path)

    def _browse_soundfont(self) -> None:
        start = self.soundfont.text() or "/usr/share/sounds/sf2"
        path, _ = QFileDialog.getOpenFileName(self, "Choose a SoundFont", start,
                                              SOUNDFONT_FILTER)
        if path:
            self.soundfont.setText(path)

    def choice(self) -> AudioExport | None:
        """What the fields say, or ``None`` with the problem shown under them."""
        folder = self.folder.text().strip()
        if not folder:
            self.error.setText("Choose the folder to export into.")
            return None
        path = Path(folder).expanduser()
        if not path.is_absolute():
            self.error.setText(f"“{folder}”: give the folder's full path (or Browse…).")
            return None
        if blocker := blocking_file(path):
            self.error.setText(f"{blocker} is a file, not a folder. Choose a folder, or "
                               "a new folder's name.")
            return None
        soundfont = None
        if self.soundfont.text().strip():
            soundfont = Path(self.soundfont.text().strip()).expanduser()
            if not soundfont.is_file():
                what = "is a folder" if soundfont.is_dir() else "no such file"
                self.error.setText(f"{soundfont}: {what}. Choose a SoundFont file (.sf2), "
                                   "or leave the field empty for the default one.")
                return None
        rehearsal = self.rehearsal.isChecked()
        span = self.range.currentData() if self.range is not None else None
        return AudioExport(path, int(self.rate.currentData()), soundfont,
                           str(self.end.currentData()), rehearsal,
                           rehearsal and self.count_in.isChecked(),
                           str(self.bit_depth.currentData()), self.dry_stems.isChecked(),
                           tuple(span) if span is not None else None,
                           str(self.level.currentData()), round(self.gain.value(), 1),
                           str(self.stem_names.currentData()))

    def _check(self) -> None:
        if self.choice() is not None:
            self.accept()


def ask_export_audio(parent: QWidget | None, folder: str, sample_rate: int,
                     soundfont: str, end: str = DEFAULT_EXPORT_END, rehearsal: bool = False,
                     count_in: bool = False, bit_depth: str = DEFAULT_EXPORT_BIT_DEPTH,
                     dry_stems: bool = False, level: str = DEFAULT_EXPORT_LEVEL,
                     gain_db: float = DEFAULT_EXPORT_GAIN_DB,
                     stem_names: str = DEFAULT_EXPORT_STEM_NAMES, song_name: str = "",
                     ranges: Sequence[ExportRange] = ()) -> AudioExport | None:
    """The export's folder, sample rate, bit depth, level, SoundFont, end, rehearsal
    mixes, dry stems, stem names (``song_name`` the ``{song}`` of their examples) and
    range (one of ``ranges``, or the whole song), or ``None`` when cancelled."""
    dialog = ExportAudioDialog(parent, folder, sample_rate, soundfont, end, rehearsal,
                               count_in, bit_depth, dry_stems, level, gain_db, stem_names,
                               song_name, ranges)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.choice()
