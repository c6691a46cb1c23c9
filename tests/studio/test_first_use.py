"""What a first-time user following the README met (a QA pass in the real studio): the
status bar's counts, the Save changes? box's keys, the Help menu, where Save As
suggests saving the shipped demo, the no-audio wording and settings kept from an earlier
session."""

from __future__ import annotations

from engine.io import save_song
from engine.score import Note, Song, Track


def test_opening_a_one_track_song_says_1_track(window, tmp_path):
    path = tmp_path / "mytune.partita"
    save_song(Song(tracks=(Track("Lead", notes=tuple(Note(60 + i, i * 480, 480)
                                                     for i in range(10))),)), path)
    assert window.open_path(path)
    assert "mytune.partita: 1 track, 10 notes" in window.statusBar().currentMessage()


def test_the_save_changes_box_answers_alt_s_alt_d_and_alt_c(qtbot):
    # QA: Discard had no mnemonic (Qt's own button texts have none off KDE).
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QMessageBox

    from studio.dialogs.messages import save_changes_box

    B = QMessageBox.StandardButton
    box = save_changes_box(None, "mytune.partita")
    qtbot.addWidget(box)
    assert [box.button(b).text() for b in (B.Save, B.Discard, B.Cancel)] == [
        "&Save", "&Discard", "&Cancel"]
    box.show()
    box.activateWindow()
    qtbot.waitUntil(box.isActiveWindow, timeout=2000)
    with qtbot.waitSignal(box.finished, timeout=2000):
        QTest.keyClick(box, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert box.clickedButton() is box.button(B.Discard)
