"""File ▸ New's dialog: a producer's 4-bar loop was an 8-bar Piano song (4 silent bars in
every stem); the tracks, title, tempo, meter, key and length are now set up front, the
last choices remembered, Enter creating the song."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog

from engine.score import TimeMap
from engine.tasks import SongSetup
from studio.dialogs.new_song import NO_KEY, NewSongDialog, line_up_text
from studio.settings import Settings


def fields(dialog: NewSongDialog):
    return (dialog.template, dialog.title, dialog.tempo, dialog.meter, dialog.key,
            dialog.bars)


def test_the_dialog_opens_on_todays_default(qtbot):
    dialog = NewSongDialog(None, SongSetup())
    qtbot.addWidget(dialog)
    assert dialog.template.currentText() == "Piano"
    assert dialog.title.text() == "" and dialog.title.placeholderText() == "Untitled"
    assert dialog.tempo.value() == 120 and dialog.meter.currentText() == "4/4"
    assert dialog.key.currentText() == NO_KEY and dialog.bars.value() == 8
    assert dialog.setup() == SongSetup()
    assert [dialog.template.itemText(i) for i in range(dialog.template.count())] == [
        "Piano", "Band", "Beat", "Choir SATB", "String quartet", "Empty"]


def test_the_keys_read_as_musicians_name_them_and_the_song_gets_the_engines_name(qtbot):
    dialog = NewSongDialog(None, SongSetup(key="Cm"))
    qtbot.addWidget(dialog)
    assert dialog.key.currentText() == "C minor" and dialog.setup().key == "Cm"
    dialog.key.setCurrentIndex(dialog.key.findText("G♭ major"))
    assert dialog.setup().key == "Gb"
    dialog.key.setCurrentText(NO_KEY)
    assert dialog.setup().key is None


def test_the_line_up_says_each_track_and_its_instrument(qtbot):
    dialog = NewSongDialog(None, SongSetup())
    qtbot.addWidget(dialog)
    dialog.template.setCurrentText("Beat")
    assert dialog.line_up.text() == line_up_text("Beat") == (
        "Drums · 808: Synth Bass 1 · Pad: Pad 2 (warm) · Lead: Lead 1 (square)")
    # QA: Band's "Lead (Lead 1 (square))" read as nested brackets.
    assert line_up_text("Band").endswith(" · Lead: Lead 1 (square)")
    assert line_up_text("Empty").startswith("No tracks")


@pytest.mark.parametrize("field", range(6))
def test_enter_in_any_field_creates_the_song(qtbot, field):
    dialog = NewSongDialog(None, SongSetup(template="Band", bars=4, meter="7/8"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    widget = fields(dialog)[field]
    widget.setFocus()
    target = widget.lineEdit() if hasattr(widget, "lineEdit") and widget.lineEdit() else widget
    QTest.keyClick(target, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.setup() == SongSetup(template="Band", bars=4, meter="7/8")


def test_a_meter_that_is_none_is_said_and_the_dialog_stays(qtbot):
    dialog = NewSongDialog(None, SongSetup())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.meter.setCurrentText("4/3")
    QTest.keyClick(dialog.title, Qt.Key.Key_Return)
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    assert "4/3" in dialog.error.text()
    dialog.meter.setCurrentText("3+2+2/8")  # grouped, as Ctrl+K's dialog takes it
    QTest.keyClick(dialog.title, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_every_field_has_a_name_to_say(qtbot):
    from PySide6.QtGui import QAccessible

    from tests.studio.test_accessible_names import NAME, spoken_name, unnamed

    dialog = NewSongDialog(None, SongSetup())
    qtbot.addWidget(dialog)
    assert not unnamed(dialog)
    assert [spoken_name(w) for w in fields(dialog) if w is not dialog.meter] == [
        "Tracks", "Title", "Tempo", "Key signature", "Length in bars"]  # lists: once
    # A typed-in list is said by its value on Linux, its name by the label related to it.
    iface = QAccessible.queryAccessibleInterface(dialog.meter)
    assert "Meter" in [r.text(NAME) for r, _ in iface.relations(QAccessible.RelationFlag.Label)]


def test_the_settings_remember_the_choices_but_not_the_title(tmp_path):
    settings = Settings(tmp_path / "settings.ini")
    assert settings.new_song_setup() == SongSetup()
    chosen = SongSetup(template="Choir SATB", bars=16, tempo=72.5, meter="3/4", key="F#m",
                       title="Ave")
    settings.set_new_song_setup(chosen)
    settings.sync()
    again = Settings(tmp_path / "settings.ini").new_song_setup()
    assert again == SongSetup(template="Choir SATB", bars=16, tempo=72.5, meter="3/4",
                              key="F#m")


def test_a_hand_edited_setting_that_does_not_fit_gives_its_default(tmp_path):
    path = tmp_path / "settings.ini"
    path.write_text("[new_song]\ntemplate=Orchestra\nbars=4\ntempo=fast\nmeter=4/3\n"
                    "key=H\n", encoding="utf-8")
    assert Settings(path).new_song_setup() == SongSetup(bars=4)


# -- through the window ----------------------------------------------------------------------
def test_file_new_makes_the_song_the_dialog_set_up(window, dialogs):
    dialogs.answers["ask_new_song"] = SongSetup(template="Beat", bars=4, tempo=140,
                                                meter="4/4", key="Cm", title="Loop")
    window.new_file()
    song = window.document.song
    assert [t.name for t in song.tracks] == ["Drums", "808", "Pad", "Lead"]
    assert TimeMap.of(song).tick_to_bar(song.length) == 4 and song.title == "Loop"
    assert [k.key for k in song.key_signatures] == ["Cm"]
    assert not window.document.is_modified
    assert window.statusBar().currentMessage() == (
        "New song: Beat, 4 bars of 4/4 at 140 BPM in C minor")
    # the next New opens on these choices, a new title to type
    dialogs.answers["ask_new_song"] = None
    window.new_file()
    assert dialogs.calls[-1][1][0] == SongSetup(template="Beat", bars=4, tempo=140,
                                                meter="4/4", key="Cm")


def test_cancel_keeps_the_song(opened, dialogs):
    before = opened.document.song
    dialogs.answers["ask_new_song"] = None
    opened.new_file()
    assert opened.document.song is before
    assert opened.settings.new_song_setup() == SongSetup()  # nothing chosen, nothing kept


def test_unsaved_changes_are_asked_about_first(opened, dialogs):
    opened.document._dirty = True
    opened.new_file()  # "Save changes?" cancelled: no dialog of the new song
    assert "ask_new_song" not in dialogs.names()
    dialogs.answers["ask_save_changes"] = "discard"
    opened.new_file()
    names = dialogs.names()
    assert names.index("ask_save_changes") < names.index("ask_new_song")
    assert [t.name for t in opened.document.song.tracks] == ["Piano"]


def test_enter_in_the_real_dialog_creates_the_song(window, dialogs, monkeypatch):
    from studio import dialogs as module

    def press_enter(parent, setup):
        dialog = NewSongDialog(parent, setup)
        dialog.template.setCurrentText("String quartet")
        dialog.bars.setValue(4)
        dialog.show()
        QTest.qWaitForWindowExposed(dialog)
        dialog.bars.setFocus()
        QTest.keyClick(dialog.bars, Qt.Key.Key_Return)
        return dialog.setup() if dialog.result() == QDialog.DialogCode.Accepted else None

    monkeypatch.setattr(module, "ask_new_song", press_enter)
    window.new_file()
    song = window.document.song
    assert [t.name for t in song.tracks] == ["Violin I", "Violin II", "Viola", "Cello"]
    assert TimeMap.of(song).tick_to_bar(song.length) == 4


def test_ctrl_n_opens_it(focused, dialogs):
    QTest.keyClick(focused.pianoroll.canvas, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert "ask_new_song" in dialogs.names()


def test_an_empty_song_takes_a_track(window, dialogs):
    dialogs.answers["ask_new_song"] = SongSetup(template="Empty")
    window.new_file()
    assert window.document.song.tracks == ()
    window.actions.add_track.trigger()
    assert len(window.document.song.tracks) == 1


def test_a_new_band_songs_empty_kit_shows_kick_to_crash(window, dialogs, ui):
    # QA: the Band song opened its empty drum track on Hi Wood Block … Pedal Hi-Hat, the
    # kick and snare below the view.
    ui.show_all(window)
    dialogs.answers["ask_new_song"] = SongSetup(template="Band")
    window.new_file()
    roll, song = window.pianoroll, window.document.song
    assert song.tracks[0].is_drum and roll.current_track_id() == song.tracks[0].id
    low, high = roll.viewport.visible_pitches()
    assert low <= 36 and high >= 49  # Kick … Crash
    # Back to the kit after a pitched track scrolled elsewhere: the same rows again.
    roll.viewport.center_on_pitches(84, 96)
    window.selection.set_tracks([song.tracks[1].id])
    window.selection.set_tracks([song.tracks[0].id])
    low, high = roll.viewport.visible_pitches()
    assert low <= 36 and high >= 49
