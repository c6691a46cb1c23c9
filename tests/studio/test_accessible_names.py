"""Screen readers: every control that takes the keyboard has a name to say (keyboard and
screen-reader QA: fields with none, a list named by its value, "Auto", "59 notes")."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QWidget

NAME = QAccessible.Text.Name


def spoken_name(w: QWidget) -> str:
    """What a screen reader names ``w`` by: its name, or (a closed list) the labels
    related to it (a label's buddy: studio.accessible.set_name), only them. On Linux Qt
    says a closed list's value as its name and ignores its accessibleName, so a list
    named with setAccessibleName alone (the export's Level) was read as "Normalise"."""
    iface = QAccessible.queryAccessibleInterface(w)
    if isinstance(w, QComboBox) and not w.isEditable():
        labels = [r.text(NAME) for r, _ in iface.relations(QAccessible.RelationFlag.Label)]
        return " ".join(labels)
    return iface.text(NAME) or (w.text() if isinstance(w, QAbstractButton) else "")


def part_of_a_control(w: QWidget) -> bool:
    """A list's popup or line edit, a spin box's line edit: said as the control."""
    parent = w.parentWidget()
    while parent is not None:
        if isinstance(parent, (QComboBox, QAbstractSpinBox)):
            return True
        parent = parent.parentWidget()
    return False


def unnamed(root: QWidget) -> list[str]:
    return [f"{type(w).__name__} {w.objectName()!r} in {type(w.parentWidget()).__name__}"
            for w in root.findChildren(QWidget)
            if w.focusPolicy() != Qt.FocusPolicy.NoFocus and not part_of_a_control(w)
            and not spoken_name(w).strip()]


def test_every_control_of_the_window_and_its_dialogs_has_a_name(opened):
    from engine.tasks import SongSetup
    from studio.dialogs.bend_range import BendRangeDialog
    from studio.dialogs.export_options import ExportAudioDialog
    from studio.dialogs.model_manager import ModelManager
    from studio.dialogs.new_song import NewSongDialog
    from studio.dialogs.quantize import QuantizeDialog
    from studio.dialogs.shortcuts import shortcuts_dialog
    from studio.dialogs.timing import TimeDialog
    from studio.dialogs.transposition import TranspositionDialog

    dialogs = [TimeDialog(opened, 1, 120.0, (4, 4), "C", pickup=""),
               shortcuts_dialog(opened), ExportAudioDialog(opened, "/tmp", 48000, ""),
               TranspositionDialog(opened, "Clarinet", (-1, -2)),
               BendRangeDialog(opened, "808", 12.0),
               QuantizeDialog(opened, "1/8", 50, 100), NewSongDialog(opened, SongSetup()),
               ModelManager(opened.catalog, opened)]
    for root in (opened, *dialogs):
        assert not unnamed(root), type(root).__name__


def test_names_say_the_track_and_the_setting(focused):
    win = focused
    drums = next(t for t in win.document.song.tracks if t.is_drum)
    header = next(h for h in win.tracklist.headers if h.track_id == drums.id)
    assert spoken_name(header.instrument) == "Instrument of Drums"
    assert win.generate_panel.density_auto.accessibleName() == "Automatic density"
    first = win.document.song.tracks[0]
    win.selection.set_tracks([first.id])
    QTest.keyClick(win.pianoroll.canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    second = win.document.song.tracks[1]
    assert win.pianoroll.canvas.accessibleDescription() == (
        f"{second.name} · {len(second.notes)} notes")


def test_the_generate_panels_clear_button_says_what_it_clears(opened):
    # QA: the first Tab stop after the piano roll was read as "Clear".
    assert spoken_name(opened.generate_panel.clear_mask_button) == "Clear mask"


def test_number_fields_say_their_unit_in_the_number(opened, qtbot):
    # QA: the export's fixed gain was said "-6.0" (Qt's value of a decimal field leaves
    # its suffix out), Bend Range showed and said "1 semitones", and its explanation was
    # said nowhere while the field has the focus.
    from studio.dialogs.bend_range import BendRangeDialog
    from studio.dialogs.export_options import ExportAudioDialog
    from studio.dialogs.new_song import NewSongDialog

    value = QAccessible.Text.Value
    export = ExportAudioDialog(opened, "/tmp", 48000, "", level="fixed", gain_db=-6.0)
    qtbot.addWidget(export)
    gain = QAccessible.queryAccessibleInterface(export.gain)
    assert gain.text(value) == "-6.0 dB" and export.gain.text() == "-6.0 dB"
    export.show()
    export.gain.setFocus()
    export.gain.selectAll()
    assert export.gain.lineEdit().selectedText() == "-6.0"  # typing over keeps the unit
    QTest.keyClicks(export.gain, "-4,5")
    export.gain.interpretText()
    assert export.gain.value() == -4.5 and gain.text(value) == "-4.5 dB"
    from engine.tasks import SongSetup

    tempo = NewSongDialog(opened, SongSetup()).tempo
    assert QAccessible.queryAccessibleInterface(tempo).text(value).endswith(" BPM")
    bend = BendRangeDialog(opened, "808", 1.0)
    qtbot.addWidget(bend)
    field = QAccessible.queryAccessibleInterface(bend.semitones)
    assert bend.semitones.text() == "1 semitone" and field.text(value) == "1 semitone"
    bend.semitones.setValue(12)
    assert field.text(value) == "12 semitones"
    assert "2 semitones is General MIDI's default" in field.text(QAccessible.Text.Description)
