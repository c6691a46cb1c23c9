"""Copy and paste of bars from the keyboard (Ctrl+B, Ctrl+C, Ctrl+V) and the bar range
Delete Bars offers: what a songwriter arranging sections relies on, sent as real key
presses to the focused piano roll."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from engine.score import ControlEvent, Note, Song, TimeSignature, Track

K = Qt.Key
M = Qt.KeyboardModifier
Q, BAR = 480, 1920


def press(win, key, mods=M.NoModifier) -> None:
    QTest.keyClick(win.pianoroll.canvas, key, mods)


def section_song() -> Song:
    """A piano through bars 1–12; strings that come in at bar 6, with the pedal pressed in
    bar 4 and held into bar 8 (a controller the copy must take) and a bend in bar 7."""
    piano = Track("Piano", notes=tuple(Note(60, b * BAR, BAR) for b in range(12)))
    strings = Track("Strings", program=48, channel=1,
                    notes=(Note(67, 5 * BAR, BAR), Note(69, 6 * BAR + Q, BAR),
                           Note(71, 10 * BAR, BAR)),
                    controls=(ControlEvent(3 * BAR + 2 * Q, "control_change", 64, 127),
                              ControlEvent(6 * BAR + 2 * Q, "pitchwheel", 0, 1024),
                              ControlEvent(7 * BAR, "pitchwheel", 0, 0),
                              ControlEvent(7 * BAR + Q, "control_change", 64, 0)))
    return Song((piano, strings), ppq=Q, time_signatures=(TimeSignature(0, 4, 4),))


def test_bars_copied_with_ctrl_b_are_pasted_from_the_bar_line_with_their_controllers(focused):
    """QA: loop bars 21–28, Strings only, Ctrl+B, Ctrl+C, playhead at bar 29, Ctrl+V: the
    strings, which come in at bar 25, were pasted at 29.1 instead of 33.1 (measured from
    the first note, not from the bar line), and without their pedal and bends."""
    win = focused
    win.set_song(section_song())
    win.pianoroll.canvas.setFocus()
    strings = win.document.song.tracks[1]
    win.selection.set_tracks([strings.id])
    win.transport.set_loop(4 * BAR, 8 * BAR, True)  # bars 5–8
    press(win, K.Key_B, M.ControlModifier)
    press(win, K.Key_C, M.ControlModifier)
    assert win.statusBar().currentMessage() == "Copied 2 notes of bars 5–8"
    win.transport.set_loop(4 * BAR, 8 * BAR, False)
    win.transport.seek(12 * BAR)  # bar 13
    press(win, K.Key_V, M.ControlModifier)
    assert win.statusBar().currentMessage() == (
        "Pasted 2 notes and their controllers into Strings")
    after = win.document.song.tracks[1]
    assert [(n.pitch, n.start) for n in after.notes if n.start >= 12 * BAR] == [
        (67, 13 * BAR), (69, 14 * BAR + Q)]  # from bar 14, as from bar 6 in bars 5–8
    assert [(c.tick, c.kind, c.number, c.value) for c in after.controls
            if c.tick >= 8 * BAR] == [
        (12 * BAR, "control_change", 64, 127),  # the pedal down, as where bar 5 begins
        (14 * BAR + 2 * Q, "pitchwheel", 0, 1024), (15 * BAR, "pitchwheel", 0, 0),
        (15 * BAR + Q, "control_change", 64, 0)]
    assert win.transport.position == 16 * BAR  # pasting again follows with the next bars
    win.document.undo_stack.undo()
    assert win.document.song.tracks[1] == strings


def test_a_copy_of_notes_says_the_controllers_it_leaves_behind(focused):
    win = focused
    win.set_song(section_song())
    win.pianoroll.canvas.setFocus()
    strings = win.document.song.tracks[1]
    win.selection.set_tracks([strings.id])
    win.selection.set_notes([(strings.id, n.id) for n in strings.notes[:2]])
    press(win, K.Key_C, M.ControlModifier)
    assert win.statusBar().currentMessage() == (
        "Copied 2 notes (not the 2 controller events among them: Ctrl+B selects bars, "
        "whose pedal and bends are copied too)")
    win.transport.seek(8 * BAR)
    press(win, K.Key_V, M.ControlModifier)
    assert win.document.song.tracks[1].controls == strings.controls
    assert [n.start for n in win.document.song.tracks[1].notes if n.start >= 8 * BAR] == [
        8 * BAR, 9 * BAR + Q, 10 * BAR]  # from the first note, as before


def test_delete_bars_offers_the_loop_range_only_while_the_loop_is_on(opened, dialogs):
    """QA: Delete Bars (Ctrl+Del) offered bars 13–20, a loop range left set with looping
    off, where Ctrl+B took the playhead's bar."""
    win = opened
    win.set_song(section_song())
    dialogs.answers["ask_bars"] = None
    win.transport.set_loop(2 * BAR, 4 * BAR, False)
    win.transport.seek(6 * BAR + Q)  # bar 7
    win.actions.delete_bars.trigger()
    assert dialogs.calls[-1][1][:3] == (False, 7, 1)  # the playhead's bar
    win.transport.set_loop(2 * BAR, 4 * BAR, True)
    win.actions.delete_bars.trigger()
    assert dialogs.calls[-1][1][:3] == (False, 3, 2)  # bars 3–4, the loop's
