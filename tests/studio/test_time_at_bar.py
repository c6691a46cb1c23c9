"""Tempo, meter and key from the playhead's bar (Ctrl+K, or a double-click on the read-outs)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def _at_bar(win, bar: int) -> None:
    win.transport.seek(win.document.time_map.bar_to_tick(bar - 1))


def test_tempo_meter_and_key_from_a_bar_are_one_undo_step(opened, dialogs):
    win = opened
    before = win.document.song
    _at_bar(win, 2)
    dialogs.answers["ask_time"] = (90.0, (3, 4), "D", None)
    win.actions.time_at_bar.trigger()
    # What is in force (no pickup field: bar 2 is not the first)
    assert dialogs.calls[-1] == ("ask_time", (2, 100.0, (4, 4, ()), "", None, False))
    song = win.document.song
    assert [(t.tick, round(t.bpm, 1)) for t in song.tempos] == [(0, 100.0), (1920, 90.0)]
    assert [(s.tick, s.numerator, s.denominator) for s in song.time_signatures] == [
        (0, 4, 4), (1920, 3, 4)]
    assert [(k.tick, k.key) for k in song.key_signatures] == [(1920, "D")]
    assert song.tracks == before.tracks  # the notes stay where they are
    assert (win.lcd_tempo.text(), win.lcd_meter.text()) == ("90.0 BPM", "3/4 · D")
    assert win.document.time_map.bar_to_tick(2) == 1920 + 1440  # bar 3 starts a 3/4 bar on
    assert "Set tempo, meter and key at bar 2" in win.statusBar().currentMessage()
    win.document.undo_stack.undo()
    assert win.document.song == before
    assert (win.lcd_tempo.text(), win.lcd_meter.text()) == ("100.0 BPM", "4/4")


def test_cancel_or_no_change_leaves_the_song_and_the_undo_stack_alone(opened, dialogs):
    win = opened
    steps = win.document.undo_stack.count()
    dialogs.answers["ask_time"] = None
    win.set_time_at_playhead()
    dialogs.answers["ask_time"] = (100.0, (4, 4), "", None)
    win.set_time_at_playhead()
    assert win.document.undo_stack.count() == steps


def test_double_clicking_the_tempo_read_out_opens_the_dialog(opened, dialogs):
    dialogs.answers["ask_time"] = (140.0, (4, 4), "", None)
    QTest.mouseDClick(opened.lcd_tempo, Qt.MouseButton.LeftButton)
    assert dialogs.names()[-1] == "ask_time"
    assert round(opened.document.song.tempos[0].bpm, 1) == 140.0


def test_a_tempo_or_meter_the_dialog_cannot_show_stays_when_only_the_key_changes(opened,
                                                                                 dialogs):
    # A 7.5 BPM file became 10 BPM, and 5/64 became 5/1, when only the key was changed
    # (the dialog clamped what it could not show; found by a monkey test).
    from engine.score import TempoChange, TimeSignature
    from studio.dialogs.timing import TimeDialog

    win = opened
    song = win.document.song
    win.set_song(song.__class__(tracks=song.tracks, ppq=song.ppq,
                                tempos=(TempoChange(0, 16_000_000),),  # 3.75 BPM
                                time_signatures=(TimeSignature(0, 5, 64),)))
    _at_bar(win, 1)

    # The real dialog, only the key changed.
    def keep_but_key(parent, bar, bpm, meter, key, pickup, tempo_change):
        dialog = TimeDialog(None, bar, bpm, meter, key, pickup)
        dialog.key.setCurrentText("G major")  # shown as musicians name it
        return dialog.answer()

    dialogs.answers["ask_time"] = keep_but_key
    win.set_time_at_playhead()
    after = win.document.song
    assert [t.us_per_beat for t in after.tempos] == [16_000_000]
    assert [(s.numerator, s.denominator) for s in after.time_signatures] == [(5, 64)]
    assert [k.key for k in after.key_signatures] == ["G"]


def test_insert_and_delete_bars_on_every_track_as_one_undo_step(opened, dialogs):
    win = opened
    before = win.document.song
    win.transport.seek(1920 + 480)  # in bar 2
    dialogs.answers["ask_bars"] = lambda parent, inserting, bar, count, first, last: (bar, 2)
    win.actions.insert_bars.trigger()
    assert dialogs.calls[-1] == ("ask_bars", (True, 2, 1, 1, 2))  # the playhead's bar, 1 bar
    song = win.document.song
    for old, new in zip(before.tracks, song.tracks, strict=True):
        assert [n.start for n in new.notes] == [
            n.start + (2 * 1920 if n.start >= 1920 else 0) for n in old.notes]
    assert win.actions.undo.text() == "&Undo Insert 2 bars at bar 2"
    assert win.transport.position == 1920
    assert win.statusBar().currentMessage().startswith("Insert 2 bars at bar 2: paint them")
    # Delete takes the loop range's bars while looping: bars 2–3, the new ones.
    win.transport.set_loop(1920, 3 * 1920, True)
    win.actions.delete_bars.trigger()
    assert dialogs.calls[-1] == ("ask_bars", (False, 2, 2, 1, 4))
    assert win.document.song == before
    win.document.undo_stack.undo()
    win.document.undo_stack.undo()
    assert win.document.song == before
    dialogs.answers["ask_bars"] = None  # cancelled: nothing happens
    win.actions.delete_bars.trigger()
    assert win.document.song == before and win.document.undo_stack.index() == 0


def test_the_mask_and_the_loop_move_with_inserted_and_deleted_bars(opened, dialogs):
    """A Repaint after Insert Bars rewrote the bars that had moved away from the mask."""
    from engine.score import Mask, Region

    win = opened
    doc = win.document
    piano = doc.song.tracks[0].id
    doc.set_mask(Mask.of(Region({piano}, 1920, 3840)))  # bar 2
    win.transport.set_loop(1920, 3840, True)
    win.transport.seek(0)
    dialogs.answers["ask_bars"] = lambda parent, inserting, bar, count, first, last: (1, 2)
    win.actions.insert_bars.trigger()  # two bars before bar 1
    assert doc.mask.span == (3 * 1920, 4 * 1920)  # still over the same notes
    assert (win.transport.loop_start, win.transport.loop_end) == (3 * 1920, 4 * 1920)
    assert win.actions.undo.text() == "&Undo Insert 2 bars at bar 1"
    doc.undo_stack.undo()  # song, mask and loop back in one step
    assert doc.mask.span == (1920, 3840) and len(doc.song.tracks[0].notes) == 8
    assert (win.transport.loop_start, win.transport.loop_end) == (1920, 3840)
    dialogs.answers["ask_bars"] = lambda parent, inserting, bar, count, first, last: (2, 1)
    win.actions.delete_bars.trigger()  # bar 2, where the mask and the loop are: both go
    assert doc.mask.is_empty and not win.transport.loop_enabled
    doc.undo_stack.undo()
    assert win.transport.loop_enabled and win.transport.loop_end == 3840
    doc.undo_stack.redo()
    assert not win.transport.loop_enabled


def test_a_dialogs_number_field_is_selected_so_typing_replaces_it(qtbot):
    # Typing 5 in Insert Bars (opened on 1) left 1; a tempo of 104 became "0104.0 BPM".
    from PySide6.QtTest import QTest

    from studio.dialogs.timing import BarsDialog

    dialog = BarsDialog(None, True, 3, 1, 1, 10)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.bar.hasFocus, timeout=2000)
    qtbot.wait(20)
    QTest.keyClicks(dialog.bar, "5")
    assert dialog.bar.value() == 5


# -- a meter's grouping (7/8 as 3+2+2) ----------------------------------------------------------


def test_the_dialog_offers_the_bars_groupings_the_usual_first(qapp):
    from studio.dialogs.timing import TimeDialog

    dialog = TimeDialog(None, 1, 120.0, (7, 8, ()), "")
    offered = [dialog.grouping.itemText(i) for i in range(dialog.grouping.count())]
    assert offered == ["2+2+3", "3+2+2", "2+3+2"]
    dialog.grouping.setCurrentText("3+2+2")
    assert dialog.meter() == (7, 8, (3, 2, 2))
    dialog.numerator.setValue(8)  # a new numerator offers its own
    assert dialog.grouping.currentText() == "3+3+2"  # 8/8's usual, as prog counts it
    assert "2+2+2+2" in [dialog.grouping.itemText(i) for i in range(dialog.grouping.count())]
    dialog.denominator.setCurrentText("4")  # quarters are counted in quarters
    assert not dialog.grouping.isEnabled() and dialog.meter() == (8, 4, ())
    grouped = TimeDialog(None, 1, 120.0, (7, 8, (3, 2, 2)), "")  # opens as it is
    assert grouped.grouping.currentText() == "3+2+2" and grouped.meter() == (7, 8, (3, 2, 2))


def test_the_keys_read_as_musicians_name_them_and_answer_the_engines_name(qtbot):
    from studio.dialogs.timing import NO_KEY, TimeDialog

    dialog = TimeDialog(None, 1, 120.0, (4, 4, ()), "Cm")
    qtbot.addWidget(dialog)
    shown = [dialog.key.itemText(i) for i in range(dialog.key.count())]
    assert shown[:3] == [NO_KEY, "C♭ major", "G♭ major"] and "F♯ minor" in shown
    assert "Cm" not in shown and "Gb" not in shown  # the status bar's names, not MIDI's
    assert dialog.key.currentText() == "C minor" and dialog.answer()[2] == "Cm"
    dialog.key.setFocus()
    QTest.keyClicks(dialog.key, "G")  # typing a letter still goes to its keys (the next)
    assert dialog.key.currentText() == "G minor" and dialog.answer()[2] == "Gm"
    dialog.key.setCurrentIndex(0)
    assert dialog.answer()[2] == ""
    assert TimeDialog(None, 1, 120.0, (4, 4, ()), "").key.currentText() == NO_KEY


def test_a_meter_typed_as_musicians_write_it_sets_the_whole_meter(qapp):
    from studio.dialogs.timing import TimeDialog

    dialog = TimeDialog(None, 1, 120.0, (4, 4, ()), "")
    dialog.grouping.setCurrentText("3+2+2/8")
    dialog.grouping.lineEdit().editingFinished.emit()
    assert (dialog.numerator.value(), dialog.denominator.currentText()) == (7, "8")
    assert dialog.grouping.currentText() == "3+2+2" and dialog.meter() == (7, 8, (3, 2, 2))
    dialog.grouping.setCurrentText("4+3")  # any grouping may be typed
    assert dialog.meter() == (7, 8, (4, 3))


def test_a_grouping_that_does_not_fit_keeps_the_dialog_open_and_says_why(qapp):
    from studio.dialogs.timing import TimeDialog

    dialog = TimeDialog(None, 1, 120.0, (7, 8, ()), "")
    dialog.grouping.setCurrentText("3+3")
    dialog._check()
    assert "groups 3+3 add up to 6, not the 7 beats of 7/8" in dialog.error.text()
    assert dialog.result() != dialog.DialogCode.Accepted
    dialog.grouping.setCurrentText("three")
    dialog._check()
    assert "give a grouping like 3+2+2" in dialog.error.text()


def test_a_grouping_from_a_bar_is_one_undo_step_and_the_ruler_and_read_out_show_it(
        opened, dialogs):
    from engine.score import TimeSignature

    win = opened
    before = win.document.song
    _at_bar(win, 2)
    dialogs.answers["ask_time"] = (100.0, (7, 8, (3, 2, 2)), "", None)
    win.actions.time_at_bar.trigger()
    song = win.document.song
    assert song.time_signatures == (TimeSignature(0, 4, 4), TimeSignature(1920, 7, 8, (3, 2, 2)))
    assert win.lcd_meter.text() == "3+2+2/8"
    assert "3+2+2/8" in [text for _x, _rect, text in win.pianoroll.ruler.flag_labels()]
    assert win.document.time_map.pulse_offsets(1) == [0, 720, 1200]  # eighths 0, 3, 5
    # Ctrl+K again shows the grouping; leaving it as shown changes nothing.
    _at_bar(win, 2)
    dialogs.answers["ask_time"] = (100.0, (7, 8, (3, 2, 2)), "", None)
    steps = win.document.undo_stack.count()
    win.actions.time_at_bar.trigger()
    assert dialogs.calls[-1] == ("ask_time", (2, 100.0, (7, 8, (3, 2, 2)), "", None, False))
    assert win.document.undo_stack.count() == steps
    # Only the grouping changed is a change of its own: 7/8's usual counting back.
    dialogs.answers["ask_time"] = (100.0, (7, 8, ()), "", None)
    win.actions.time_at_bar.trigger()
    assert win.document.song.time_signatures[-1] == TimeSignature(1920, 7, 8)
    win.document.undo_stack.undo()
    win.document.undo_stack.undo()
    assert win.document.song == before


def test_a_meter_set_and_set_back_leaves_the_demo_ending_with_its_music(window, dialogs):
    # Ctrl+K at bar 10 (3/4) then bar 11 (4/4 again) made the demo's 32 bars 40: the music
    # ended in bar 33 and 7 silent bars followed, played, rendered and exported.
    from engine.resources import shipped

    win = window
    assert win.open_path(shipped("assets", "demo", "demo.mid"))
    notes_end = max(t.end for t in win.document.song.tracks)
    for bar, meter in ((10, (3, 4)), (11, (4, 4))):
        _at_bar(win, bar)
        dialogs.answers["ask_time"] = (104.0, meter, "Dm", None)
        win.actions.time_at_bar.trigger()
    song, tm = win.document.song, win.document.time_map
    assert [(s.numerator, tm.tick_to_bar(s.tick) + 1) for s in song.time_signatures] == [
        (4, 1), (3, 10), (4, 11)]
    assert tm.tick_to_bar(notes_end - 1) + 1 == 33
    assert tm.whole_bars(song.end) == 33 and song.end == tm.bar_to_tick(33)


# -- a pickup (a short first bar), set at the first bar -------------------------------------


def test_a_pickup_set_at_the_first_bar_is_one_undo_step_and_the_bars_renumber(opened, dialogs):
    # It took two Ctrl+K dialogs: 1/4 at bar 1, then 4/4 at the bar after.
    win = opened
    before = win.document.song
    _at_bar(win, 1)
    dialogs.answers["ask_time"] = (100.0, (4, 4), "", "1/4")
    win.actions.time_at_bar.trigger()
    assert dialogs.calls[-1] == ("ask_time", (1, 100.0, (4, 4, ()), "", "", False))  # no pickup yet
    song, tm = win.document.song, win.document.time_map
    assert [(s.tick, s.text) for s in song.time_signatures] == [(0, "1/4"), (480, "4/4")]
    assert tm.has_pickup and tm.bar_number(0) == 0 and tm.bar_number(1) == 1
    assert song.tracks == before.tracks  # the notes stay where they are
    assert "Set a 1/4 pickup before 4/4 (Ctrl+Z undoes)" in win.statusBar().currentMessage()
    assert win.actions.undo.text() == "&Undo Set a 1/4 pickup before 4/4"
    # Ctrl+K at the pickup shows it, and the meter of the bars after it.
    win.transport.seek(0)
    dialogs.answers["ask_time"] = (100.0, (4, 4), "", "1/4")  # as shown: nothing changes
    steps = win.document.undo_stack.count()
    win.actions.time_at_bar.trigger()
    assert dialogs.calls[-1] == ("ask_time", (0, 100.0, (4, 4, ()), "", "1/4", False))
    assert win.document.undo_stack.count() == steps
    dialogs.answers["ask_time"] = (100.0, (3, 4), "", "")  # no pickup, and 3/4
    win.actions.time_at_bar.trigger()
    assert [s.text for s in win.document.song.time_signatures] == ["3/4"]
    assert win.actions.undo.text() == "&Undo Remove the pickup (3/4 from the first bar)"
    win.document.undo_stack.undo()
    win.document.undo_stack.undo()
    assert win.document.song == before


def test_the_pickup_field_is_the_first_bars_and_says_what_does_not_fit(qapp):
    from studio.dialogs.timing import TimeDialog

    assert TimeDialog(None, 2, 120.0, (4, 4, ()), "").pickup is None  # not the first bar
    dialog = TimeDialog(None, 1, 120.0, (6, 8, ()), "", "")
    assert dialog.pickup is not None and dialog.pickup.text() == ""
    dialog.pickup.setText("2")  # beats of the meter: two eighths
    assert dialog.answer() == (120.0, (6, 8, ()), "", "2")
    dialog.pickup.setText("6/8")
    dialog._check()
    assert "a pickup is shorter than a bar of 6/8" in dialog.error.text()
    assert dialog.result() != dialog.DialogCode.Accepted
    dialog.pickup.setText("a bit")
    dialog._check()
    assert "give a note value like 1/4" in dialog.error.text()


def test_off_the_bar_line_ctrl_k_sets_and_removes_the_tempo_at_the_playheads_beat(opened,
                                                                                   dialogs):
    """QA: Ctrl+K at 6.3 edited the change at bar 6, not a cue's 78 BPM at 6.3."""
    from studio.dialogs.timing import REMOVE_TEMPO

    win = opened
    before = win.document.song
    win.transport.seek(1920 + 2 * 480 + 100)  # in beat 3 of bar 2
    dialogs.answers["ask_tempo"] = 78.0
    win.actions.time_at_bar.trigger()
    assert dialogs.calls[-1] == ("ask_tempo", ("2.3", 100.0, False))
    after = win.document.song
    assert [(t.tick, round(t.bpm)) for t in after.tempos] == [(0, 100), (2880, 78)]
    assert win.document.undo_stack.undoText() == "Set tempo at 2.3"
    win.document.undo_stack.undo()
    assert win.document.song.tempos == before.tempos
    win.document.undo_stack.redo()
    dialogs.answers["ask_tempo"] = REMOVE_TEMPO  # on the change: it can be removed
    win.actions.time_at_bar.trigger()
    assert dialogs.calls[-1] == ("ask_tempo", ("2.3", 78.0, True))
    assert win.document.song.tempos == before.tempos
    win.document.undo_stack.undo()
    assert win.document.song.tempos == after.tempos
    # The meter read-out's double-click is the bar's dialog wherever the playhead is.
    dialogs.answers["ask_time"] = None
    QTest.mouseDClick(win.lcd_meter, Qt.MouseButton.LeftButton)
    assert dialogs.names()[-1] == "ask_time"


def test_a_tempo_change_on_a_bar_line_can_be_removed_from_the_bar_dialog(opened, dialogs):
    from studio.dialogs.timing import REMOVE_TEMPO

    win = opened
    _at_bar(win, 2)
    dialogs.answers["ask_time"] = (90.0, (4, 4), "", None)
    win.actions.time_at_bar.trigger()
    changed = win.document.song.tempos
    assert [t.tick for t in changed] == [0, 1920]
    dialogs.answers["ask_time"] = REMOVE_TEMPO
    win.actions.time_at_bar.trigger()
    assert dialogs.calls[-1][1][-1] is True  # offered: bar 2's line has a change
    assert [t.tick for t in win.document.song.tempos] == [0]
    assert win.document.undo_stack.undoText() == "Remove tempo change at 2.1"
    win.document.undo_stack.undo()
    assert win.document.song.tempos == changed


def test_the_tempo_dialog_at_a_beat_names_it_and_offers_removal_only_on_a_change(qapp):
    from PySide6.QtWidgets import QPushButton

    from studio.dialogs.timing import _REMOVED, TempoDialog

    plain = TempoDialog(None, "6.3", 84.0, False)
    assert plain.windowTitle() == "Tempo at 6.3"
    names = [b.text() for b in plain.findChildren(QPushButton)]
    assert "Remove This Change" not in names
    on_change = TempoDialog(None, "6.3", 78.0, True)
    button = next(b for b in on_change.findChildren(QPushButton)
                  if b.text() == "Remove This Change")
    button.click()
    assert on_change.result() == _REMOVED
