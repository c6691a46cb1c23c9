"""Transport ▸ Go To… (Ctrl+J): the playhead to a bar.beat.tick or a time typed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def test_go_to_moves_the_playhead_to_a_bar_beat_or_a_time(opened, dialogs):
    """QA: a film composer had no way to type where the playhead goes (a DAW's Ctrl+G)."""
    win = opened  # two 4/4 bars at 100 BPM
    assert win.actions.go_to.shortcut().toString() == "Ctrl+J"
    for typed, tick in (("2.3", 2880), ("2.3.120", 3000), ("2", 1920),
                        ("0:01.8", 1440), ("1,8s", 1440), ("1.1", 0)):
        dialogs.answers["ask_go_to"] = typed
        win.actions.go_to.trigger()
        assert win.transport.position == tick, typed
    assert dialogs.calls[-1][1][0] == "1.4.000"  # opened on the playhead's position
    dialogs.answers["ask_go_to"] = None  # cancelled: the playhead stays
    win.actions.go_to.trigger()
    assert win.transport.position == 0


def test_go_to_shows_the_playhead_and_the_read_out_opens_it(opened, dialogs):
    from engine.score import Song

    win = opened
    song = win.document.song
    win.set_song(Song(song.tracks, ppq=song.ppq, tempos=song.tempos, length=64 * 1920))
    dialogs.answers["ask_go_to"] = "60"
    QTest.mouseDClick(win.lcd_position, Qt.MouseButton.LeftButton)
    assert dialogs.names()[-1] == "ask_go_to"
    tick = 59 * 1920
    assert win.transport.position == tick
    vp = win.pianoroll.viewport
    assert vp.left <= tick <= vp.right  # the view follows


def test_the_go_to_dialog_says_what_it_cannot_read_and_stays_open(qapp):
    from engine.score import Song, TimeMap, parse_go_to
    from studio.dialogs.go_to import GoToDialog

    song = Song((), length=2 * 1920)
    tm = TimeMap.of(song)
    dialog = GoToDialog(None, "1.1.000", lambda t: parse_go_to(tm, t, 2, song.end))
    assert dialog.position.selectedText() == "1.1.000"  # typing replaces it
    dialog.position.setText("1.7")
    dialog._check()
    assert dialog.error.text() == "bar 1 has beats 1–4; for a time, type 0:01.7 or 1.7s"
    assert dialog.result() == 0
    dialog.position.setText("0:02")
    dialog._check()
    assert dialog.result() == 1
