"""DAW keyboard shortcuts, sent as real key presses to the focused piano roll."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolButton

K = Qt.Key
M = Qt.KeyboardModifier


def press(win, key, mods=M.NoModifier) -> None:
    QTest.keyClick(win.pianoroll.canvas, key, mods)


def piano(win):
    return win.document.song.tracks[0]


def select_first(win, n: int = 1):
    track = piano(win)
    win.selection.set_notes((track.id, note.id) for note in track.notes[:n])
    return track.notes[:n]


def test_delete_undo_redo_keys(focused):
    win = focused
    total = len(piano(win).notes)
    select_first(win, 2)
    press(win, K.Key_Delete)
    assert len(piano(win).notes) == total - 2
    press(win, K.Key_Z, M.ControlModifier)
    assert len(piano(win).notes) == total
    press(win, K.Key_Z, M.ControlModifier | M.ShiftModifier)
    assert len(piano(win).notes) == total - 2
    press(win, K.Key_Z, M.ControlModifier)
    press(win, K.Key_Y, M.ControlModifier)
    assert len(piano(win).notes) == total - 2


def test_arrows_nudge_and_transpose(focused):
    win = focused
    (note,) = select_first(win)
    press(win, K.Key_Right)  # one 1/16 step
    press(win, K.Key_Up)  # a semitone
    press(win, K.Key_Up, M.ShiftModifier)  # an octave
    press(win, K.Key_Right, M.ShiftModifier)  # a bar
    moved = piano(win).note_by_id(note.id)
    assert (moved.start, moved.pitch) == (note.start + 120 + 1920, note.pitch + 13)
    press(win, K.Key_Left, M.ShiftModifier)
    press(win, K.Key_Down)
    moved = piano(win).note_by_id(note.id)
    assert (moved.start, moved.pitch) == (note.start + 120, note.pitch + 12)


def test_ctrl_d_duplicates_after_the_selection(focused):
    win = focused
    notes = select_first(win, 2)  # beats 1-2 of bar 1: a half-note span
    press(win, K.Key_D, M.ControlModifier)
    track = piano(win)
    copies = [track.note_by_id(nid) for _, nid in win.selection.notes]
    assert sorted((n.start, n.pitch) for n in copies) == sorted(
        (n.start + 960, n.pitch) for n in notes)
    assert len(track.notes) == 10


def test_ctrl_a_copy_paste_into_another_track(focused):
    win = focused
    press(win, K.Key_A, M.ControlModifier)
    assert len(win.selection) == 8
    press(win, K.Key_C, M.ControlModifier)
    bass = win.document.song.tracks[1]
    win.selection.set_tracks([bass.id])
    win.transport.seek(1920 * 2)  # paste at the playhead: bar 3
    press(win, K.Key_V, M.ControlModifier)
    bass = win.document.song.tracks[1]
    pasted = [n for n in bass.notes if n.start >= 3840]
    assert [(n.start, n.pitch) for n in pasted] == [
        (3840 + n.start, n.pitch) for n in piano(win).notes]


def test_tool_keys_and_zoom(focused):
    win = focused
    press(win, K.Key_B)
    assert win.pianoroll.tool.value == "draw"
    press(win, K.Key_E)
    assert win.pianoroll.tool.value == "erase"
    press(win, K.Key_P)
    assert win.pianoroll.tool.value == "select"
    before = win.pianoroll.viewport.px_per_beat
    press(win, K.Key_Plus)
    assert win.pianoroll.viewport.px_per_beat > before
    press(win, K.Key_Minus)
    press(win, K.Key_Minus)
    assert win.pianoroll.viewport.px_per_beat < before


def test_space_without_audio_says_so_once(focused, dialogs):
    win = focused
    press(win, K.Key_Space)
    assert win.statusBar().currentMessage().startswith("No audio output")
    press(win, K.Key_Space)
    assert "show_notice" not in dialogs.names()  # no modal box in the way of writing
    assert "No audio output" in win.status_audio.text()
    assert not win.transport.is_playing


def test_quantize_key_snaps_to_the_grid(focused):
    win = focused
    track = piano(win)
    note = track.notes[0]
    from engine.score import move_notes

    win.document.apply(move_notes(track.id, [note], 50))
    win.selection.set_notes([(track.id, note.id)])
    press(win, K.Key_Q)
    assert piano(win).note_by_id(note.id).start == note.start


def test_shorter_rows_shows_a_readable_key_and_keeps_the_alternate(focused):
    from PySide6.QtGui import QKeySequence

    from studio.actions import shortcut_rows

    win = focused
    native = QKeySequence.SequenceFormat.NativeText
    action = win.actions.zoom_out_v
    # The menu shows the action's first shortcut.
    assert action.shortcut().toString(native) == "Ctrl+Shift+-"
    assert "Shift+-" in [k.toString(native) for k in action.shortcuts()]
    assert dict(shortcut_rows())["Shorter Rows"] == "Ctrl+Shift+-, Shift+-"
    assert dict(shortcut_rows())["Taller Rows"] == "Ctrl+Shift+=, Shift++"
    # Both still work (a real Shift and minus was checked under Xvfb: the X keymap makes
    # Qt try Shift+- for it; offscreen has no keymap, so the keypad's event stands in).
    vp = win.pianoroll.viewport
    for key, mods in ((K.Key_Minus, M.ShiftModifier | M.KeypadModifier),
                      (K.Key_Minus, M.ControlModifier | M.ShiftModifier)):
        before = vp.key_h
        press(win, key, mods)
        assert vp.key_h < before


def test_the_shortcuts_reference_filters_by_action_or_key(qapp):
    from studio.dialogs.shortcuts import shortcuts_dialog

    dlg = shortcuts_dialog(None)
    table = dlg.table

    def shown() -> list[str]:  # "action keys" of the visible rows
        return [f"{table.item(i, 0).text()} {table.item(i, 1).text()}"
                for i in range(table.rowCount()) if not table.isRowHidden(i)]

    everything = shown()
    dlg.search.setText("take")
    assert shown() and all("take" in row.lower() for row in shown())
    assert len(shown()) < len(everything)
    dlg.search.setText("ctrl+r")
    assert any(row.startswith("Repaint") for row in shown())
    dlg.search.clear()
    assert shown() == everything
    # Keys and gestures that are not menu actions are listed too.
    dlg.search.setText("take")
    assert any("1–9" in row for row in shown())
    dlg.search.setText("right-click")
    assert any(row.startswith("Delete a Note") for row in shown())


def alt_letters(menu, without: list[str]) -> None:
    """Check that ``menu``'s items and its submenus' have each its own Alt letter; those
    with none (and enabled: a greyed line only says why) added to ``without``."""
    import re

    found = []
    for action in menu.actions():
        if action.isSeparator():
            continue
        m = re.search(r"&([^&])", action.text().replace("&&", ""))
        if m:
            found.append(m.group(1).lower())
        elif action.isEnabled():  # a greyed line that only says why (no recent files)
            without.append(f"{menu.title()} ▸ {action.text()}")
        if action.menu() is not None:
            alt_letters(action.menu(), without)
    assert len(found) == len(set(found)), (menu.title() or menu.accessibleName(), found)


def test_every_menu_item_has_its_own_alt_letter(window, tmp_path):
    """Alt+G, A must accept a take, not cycle between two items that share the letter; and
    every item has one (keyboard QA: Select Next Note, the Transpose items, Taller Rows,
    Previous Track, Clear List, View ▸ Generate and Jobs had none)."""
    song = tmp_path / "a.mid"
    song.write_bytes(b"")
    window.settings.add_recent_file(song)  # Open Recent ▸ Clear List shown
    window._rebuild_recent_menu()
    without: list[str] = []
    for action in window.menuBar().actions():
        alt_letters(action.menu(), without)
    assert not without, without
    texts = [a.text() for a in window.recent_menu.actions()]
    assert "&Clear List" in texts


def test_the_generate_and_jobs_panels_show_and_hide_from_their_keys(focused):
    win = focused
    press(win, K.Key_J, M.ControlModifier | M.AltModifier)
    assert not win.jobs_dock.isVisible()
    press(win, K.Key_J, M.ControlModifier | M.AltModifier)
    assert win.jobs_dock.isVisible()
    press(win, K.Key_G, M.ControlModifier | M.AltModifier)
    assert not win.generate_dock.isVisible()
    press(win, K.Key_G, M.ControlModifier | M.AltModifier)
    assert win.generate_dock.isVisible()
    from studio.actions import shortcut_rows

    assert dict(shortcut_rows())["Show / Hide the Jobs Panel"] == "Ctrl+Alt+J"


def test_painted_views_and_track_controls_have_names_for_screen_readers(opened):
    win = opened
    roll = win.pianoroll
    names = [w.accessibleName() for w in (roll.canvas, roll.ruler, roll.keyboard,
                                          roll.velocity, win.arrangement, win.takes_bar)]
    assert names == ["Piano roll", "Ruler", "Keyboard", "Velocity lane", "Arrangement",
                     "Takes"]
    header = win.tracklist.headers[0]
    assert header.mute.accessibleName() == f"Mute of {header.track.name}"
    assert header.volume.accessibleName() == f"Volume of {header.track.name}"


def test_the_grid_changes_from_the_keyboard(opened):
    win = opened
    win.snap_box.setCurrentText("1/16")
    win.actions.snap_previous.trigger()
    assert win.snap_box.currentText() == "1/8" and win.pianoroll.snap.name == "1/8"
    for _ in range(9):
        win.actions.snap_previous.trigger()
    assert win.snap_box.currentText() == "Off"  # the box's first grid: Off is reached
    assert "the first grid" in win.statusBar().currentMessage()
    win.actions.snap_next.trigger()
    assert win.snap_box.currentText() == "Bar"
    win.snap_box.setCurrentText("1/32")
    seen = []
    for _ in range(6):
        win.actions.snap_next.trigger()
        seen.append(win.snap_box.currentText())
    assert seen == ["1/4T", "1/8T", "1/16T", "1/32T", "1/32T", "1/32T"]
    assert win.pianoroll.snap.name == "1/32T"
    win.actions.snap_previous.trigger()
    assert win.snap_box.currentText() == "1/16T"


def test_the_window_fits_a_1080p_screen_at_200_percent(window):
    # The Generate panel scrolls instead of holding the window 755 px tall, and the takes
    # bar's long hints end in "…" instead of holding it 1,102 px wide.
    assert window.minimumSizeHint().height() <= 540
    assert window.minimumSizeHint().width() <= 960
    assert window.generate_dock.widget().widget() is window.generate_panel
    hint = window.takes_bar.hint
    assert hint.toolTip() == hint.text() and "Compose" in hint.text()


def test_the_generate_panels_buttons_name_the_menus_shortcuts(window):
    # One source (studio.actions): a key changed there changes the buttons' tips too.
    for name, button in window.generate_panel.buttons.items():
        action = window.actions.all[name]
        key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert button.text() == action.text().replace("&", "")
        # The toolbar's and the panel's tips alike name the key (once).
        assert button.toolTip() == action.toolTip() and button.toolTip().endswith(f"({key})")


def test_toolbar_takes_bar_and_snap_tips_name_their_keys(window):
    """Every tip of a control that has a key names it, from studio.actions."""
    def key(name: str) -> str:
        return window.actions.all[name].shortcut().toString(
            QKeySequence.SequenceFormat.NativeText)

    buttons = {b.defaultAction().objectName(): b for b in window.toolbar.findChildren(
        QToolButton) if b.defaultAction() is not None}
    assert buttons["undo"].toolTip() == f"Undo ({key('undo')})"
    assert buttons["redo"].toolTip() == f"Redo ({key('redo')})"
    bar = window.takes_bar
    assert bar.listen.toolTip().endswith("(Space)")
    assert bar.solo.toolTip().endswith("(Shift+Space)")
    tip = window.snap_box.toolTip()
    assert key("snap_next") in tip and key("snap_previous") in tip


def test_undo_selects_the_notes_it_brings_back_or_moves(focused):
    win = focused
    notes = select_first(win, 2)
    press(win, K.Key_Delete)
    assert len(win.selection) == 0
    press(win, K.Key_Z, M.ControlModifier)  # the deleted notes are back, selected
    assert win.selection.notes == {(piano(win).id, n.id) for n in notes}
    win.selection.clear_notes()
    press(win, K.Key_Z, M.ControlModifier | M.ShiftModifier)  # redo the delete
    press(win, K.Key_Z, M.ControlModifier)
    select_first(win, 1)
    press(win, K.Key_Right)  # move one, select nothing, undo: the moved note is selected
    win.selection.clear_notes()
    press(win, K.Key_Z, M.ControlModifier)
    assert win.selection.notes == {(piano(win).id, notes[0].id)}


def test_undo_and_redo_show_what_they_changed_as_ctrl_d_shows_its_copies(focused):
    """QA: Ctrl+D on bars 1–2 showed the copies in bars 3–4; Ctrl+Z removed them and left
    the roll on the emptied bars. Undo now selects and shows what was selected before the
    step (an edit that only added notes brings nothing back), redo the copies again."""
    win = focused
    vp = win.pianoroll.viewport
    vp.fit_ticks(0, 4800)  # two and a half bars on screen
    notes = select_first(win, 8)  # bars 1-2 of the piano
    originals = {(piano(win).id, n.id) for n in notes}
    press(win, K.Key_D, M.ControlModifier)
    copies = set(win.selection.notes)
    assert len(copies) == 8 and vp.left > 3000  # on the copies, bars 3-4
    win.selection.clear_notes()
    press(win, K.Key_Z, M.ControlModifier)
    assert len(piano(win).notes) == 8
    assert win.selection.notes == originals and vp.left <= 0 and vp.right >= 3840
    press(win, K.Key_Z, M.ControlModifier | M.ShiftModifier)  # redo: the copies again
    assert win.selection.notes == copies and vp.left > 3000
    # Any note edit: what undo brings back is shown, wherever the roll was.
    press(win, K.Key_Delete)
    vp.set_left(40 * 1920)
    vp.set_top(0)  # the top rows: the notes are far below
    press(win, K.Key_Z, M.ControlModifier)
    assert win.selection.notes == copies and vp.left < 3840 < vp.right
    low, high = vp.visible_pitches()
    assert low <= 60 and high >= 72


def test_an_octave_with_no_room_is_refused_not_squeezed(focused):
    win = focused
    track = piano(win)
    from engine.score import transpose_notes

    win.document.apply(transpose_notes(track.id, track.notes[:2], 118 - 60))  # 118 and 120
    select_first(win, 2)
    stack = win.document.undo_stack
    steps = stack.count()
    press(win, K.Key_Up, M.ShiftModifier)
    assert [n.pitch for n in piano(win).notes[:2]] == [118, 120]  # not 127 and 129→127
    assert stack.count() == steps  # and no empty undo step
    assert win.statusBar().currentMessage().startswith("No room to transpose an octave up")
    for _ in range(7):
        press(win, K.Key_Up)
    assert [n.pitch for n in piano(win).notes[:2]] == [125, 127]
    assert stack.count() == steps + 7  # the eighth semitone up was refused


def test_paste_moves_the_playhead_past_the_pasted_notes(focused):
    win = focused
    notes = select_first(win, 1)  # a quarter note
    press(win, K.Key_C, M.ControlModifier)
    assert win.statusBar().currentMessage() == "Copied 1 note"
    win.transport.seek(1920 * 2)
    for _ in range(3):
        press(win, K.Key_V, M.ControlModifier)
    pasted = sorted(n.start for n in piano(win).notes if n.start >= 3840)
    assert pasted == [3840, 3840 + 480, 3840 + 960]  # one after another, not stacked
    assert win.transport.position == 3840 + 3 * 480
    assert all(n.pitch == notes[0].pitch for n in piano(win).notes if n.start >= 3840)


def test_quantize_says_what_it_did(focused):
    from engine.score import move_notes

    win = focused
    track = piano(win)
    win.document.apply(move_notes(track.id, [track.notes[2]], 7))
    steps = win.document.undo_stack.count()
    win.selection.clear_notes()
    press(win, K.Key_Q)
    assert win.statusBar().currentMessage() == (
        "Quantized 1 note to 1/16 (nothing selected: the whole track)")
    assert win.actions.undo.text() == "&Undo Quantize 1 note"  # only the note that moved
    press(win, K.Key_Q)
    assert win.statusBar().currentMessage() == "Already on the 1/16 grid"
    assert win.document.undo_stack.count() == steps + 1  # no empty undo step


def test_shift_q_quantizes_with_swing_in_one_undo_step_and_remembers_it(focused, dialogs):
    """A jazz pianist's played 8ths swung to 62 % (Logic's Q-Swing, an MPC's swing): the
    off-beats 58 ticks late at 480 PPQ, one undo step, the swing kept for the next time."""
    from engine.score import ChangeNotes, Note

    win = focused
    track = piano(win)
    played = [Note(60 + i % 3, t, 200, 90) for i, t in enumerate(
        (10, 230, 470, 750, 965, 1205, 1430, 1700))]
    win.document.apply(ChangeNotes(track.id, track.notes, tuple(played)))
    before, steps = win.document.song, win.document.undo_stack.count()
    win.selection.set_notes((track.id, n.id) for n in played)
    dialogs.answers["ask_quantize"] = None  # cancelled: nothing happens
    press(win, K.Key_Q, M.ShiftModifier)
    assert dialogs.calls[-1] == ("ask_quantize", ("1/8", 50, 100))  # straight at first
    assert win.document.song == before
    dialogs.answers["ask_quantize"] = ("1/8", 62, 100)
    press(win, K.Key_Q, M.ShiftModifier)
    assert sorted(n.start for n in piano(win).notes) == [0, 298, 480, 778, 960, 1258,
                                                          1440, 1738]
    assert win.statusBar().currentMessage() == "Quantized 8 notes to 1/8 with 62 % swing"
    assert win.document.undo_stack.count() == steps + 1
    assert win.actions.undo.text() == "&Undo Quantize 8 notes with 62 % swing"
    assert win.settings.quantize_choice() == ("1/8", 62, 100)
    press(win, K.Key_Q, M.ShiftModifier)
    assert dialogs.calls[-1] == ("ask_quantize", ("1/8", 62, 100))  # remembered
    assert win.statusBar().currentMessage() == "Already on the 1/8 grid with 62 % swing"
    press(win, K.Key_Z, M.ControlModifier)
    assert win.document.song == before  # undone exactly
    press(win, K.Key_Q)  # Q stays straight, on the snap grid
    assert win.statusBar().currentMessage().startswith("Quantized 8 notes to 1/16")


def test_shift_q_at_a_strength_keeps_some_of_the_played_feel(focused, dialogs):
    """A pianist's played 16ths at 60 % strength (Logic's Q-Strength, Ableton's Amount):
    each note 60 % of the way to its line, said in the status bar and the undo step and
    remembered; Q stays at 100 %."""
    from engine.score import ChangeNotes, Note

    win = focused
    track = piano(win)
    played = [Note(60 + i % 3, t, 100, 90) for i, t in enumerate(
        (10, 230, 470, 750, 965, 1205, 1430, 1700))]
    win.document.apply(ChangeNotes(track.id, track.notes, tuple(played)))
    before = win.document.song
    win.selection.set_notes((track.id, n.id) for n in played)
    dialogs.answers["ask_quantize"] = ("1/16", 50, 60)
    press(win, K.Key_Q, M.ShiftModifier)
    # The lines 0, 240, 480, 720, 960, 1200, 1440, 1680: 60 % of each way there.
    assert sorted(n.start for n in piano(win).notes) == [4, 236, 476, 732, 962, 1202,
                                                          1436, 1688]
    assert win.statusBar().currentMessage() == "Quantized 8 notes to 1/16 at 60 %"
    assert win.actions.undo.text() == "&Undo Quantize 8 notes at 60 %"
    assert win.settings.quantize_choice() == ("1/16", 50, 60)
    dialogs.answers["ask_quantize"] = ("1/8", 66, 50)  # with swing, halfway to its line
    press(win, K.Key_Z, M.ControlModifier)
    press(win, K.Key_Q, M.ShiftModifier)
    # Swung lines 0, 317, 480, 797: 230 → 274, 750 → 774 (half a tick to the even one).
    assert sorted(n.start for n in piano(win).notes)[:4] == [5, 274, 475, 774]
    assert win.statusBar().currentMessage() == (
        "Quantized 8 notes to 1/8 with 66 % swing at 50 %")
    press(win, K.Key_Z, M.ControlModifier)
    assert win.document.song == before
    press(win, K.Key_Q)  # Q: all the way, whatever Shift+Q last used
    assert sorted(n.start for n in piano(win).notes)[:4] == [0, 240, 480, 720]
    assert win.statusBar().currentMessage() == "Quantized 8 notes to 1/16"


def test_the_quantize_dialog_offers_every_grid_and_swings_only_8ths_and_16ths(focused):
    from studio.dialogs.quantize import QuantizeDialog

    dialog = QuantizeDialog(focused, "1/8", 62, 70)
    grids = [dialog.grid.itemText(i) for i in range(dialog.grid.count())]
    assert {"1/4", "1/8", "1/16", "1/32", "1/8T"} <= set(grids) and "Off" not in grids
    assert dialog.swing.isEnabled() and dialog.choice() == ("1/8", 62, 70)
    dialog.grid.setCurrentText("1/4")  # no swing on quarters: straight, the field greyed
    assert not dialog.swing.isEnabled() and dialog.choice() == ("1/4", 50, 70)
    dialog.grid.setCurrentText("1/16")
    assert dialog.swing.isEnabled() and dialog.choice() == ("1/16", 62, 70)
    dialog.close()


def test_follow_playhead_can_be_switched_off_and_is_remembered(focused, monkeypatch):
    from studio.transport import Transport

    win = focused
    monkeypatch.setattr(Transport, "is_playing", property(lambda self: True))
    vp = win.pianoroll.viewport
    vp.fit_ticks(0, 480)  # one beat on screen; the song is two bars long
    far = 3000
    left = vp.left
    press(win, K.Key_F, M.ControlModifier)
    assert not win.actions.follow.isChecked() and not win.settings.follow_playhead()
    win._position_changed(far)
    assert vp.left == left  # the view stays where the user is working
    press(win, K.Key_F, M.ControlModifier)
    win._position_changed(far)
    assert vp.left < far < vp.right  # paged on to the playhead


def test_transposing_with_pitched_tracks_leaves_the_drums_alone(focused):
    win = focused
    song = win.document.song
    piano, drums = song.tracks[0], song.tracks[2]
    win.selection.set_tracks([piano.id, drums.id])
    press(win, K.Key_A, M.ControlModifier)
    press(win, K.Key_Up)
    after = win.document.song
    assert [n.pitch for n in after.tracks[0].notes] == [n.pitch + 1 for n in piano.notes]
    assert after.tracks[2].notes == drums.notes  # kick and snare still kick and snare
    assert win.statusBar().currentMessage().startswith("Drum tracks left out")
    win.selection.set_tracks([drums.id])  # a kit alone: ↑ moves hits to the next drum
    press(win, K.Key_A, M.ControlModifier)
    press(win, K.Key_Up)
    assert [n.pitch for n in win.document.song.tracks[2].notes] == [
        n.pitch + 1 for n in drums.notes]


def test_legato_split_and_join_keys_edit_the_selection_as_one_undo_step(focused):
    win = focused
    track = piano(win)
    first = track.notes[0]
    total = len(track.notes)
    select_first(win, 1)
    win.transport.seek(first.start + first.duration // 2)
    press(win, K.Key_S)  # split at the playhead
    assert len(piano(win).notes) == total + 1
    assert win.actions.undo.text() == "&Undo Split 1 note"
    halves = sorted(piano(win).note_by_id(i).start for _, i in win.selection.notes)
    assert halves == [first.start, first.start + first.duration // 2]
    press(win, K.Key_J)  # join them again
    joined = [n for n in piano(win).notes if n.pitch == first.pitch and n.start == first.start]
    assert (len(piano(win).notes), joined[0].end) == (total, first.end)
    press(win, K.Key_Z, M.ControlModifier)
    press(win, K.Key_Z, M.ControlModifier)
    assert piano(win).notes == track.notes
    win.selection.set_notes((track.id, n.id) for n in track.notes)
    press(win, K.Key_L, M.ControlModifier)  # legato
    onsets = sorted({n.start for n in track.notes})
    after = piano(win)
    for n in after.notes:
        later = [t for t in onsets if t > n.start]
        if later:
            assert n.end == later[0]
    win.selection.clear_notes()
    press(win, K.Key_L, M.ControlModifier)
    assert "select the notes" in win.statusBar().currentMessage()
    press(win, K.Key_J)
    assert "Join: select notes" in win.statusBar().currentMessage()


def test_split_with_nothing_selected_cuts_the_current_tracks_notes_at_the_playhead(focused):
    win = focused
    track = piano(win)
    assert win.pianoroll.active_track_ids() == [track.id]
    note = max(track.notes, key=lambda n: n.duration)
    at = note.start + note.duration // 2
    crossing = [n for n in track.notes if n.start < at < n.end]
    win.selection.clear_notes()
    win.transport.seek(at)
    press(win, K.Key_S)
    assert len(piano(win).notes) == len(track.notes) + len(crossing)
    assert win.statusBar().currentMessage() == f"Split {len(crossing)} note" + (
        "s" if len(crossing) > 1 else "")
    win.transport.seek(piano(win).notes[-1].end + 10_000)
    press(win, K.Key_S)
    assert win.statusBar().currentMessage().startswith("No note to split")


def test_select_all_says_how_many_notes_it_selected(focused):
    """QA: Ctrl+A said nothing while Ctrl+Shift+A said "Selected 26 notes on 4 tracks"."""
    win = focused
    press(win, K.Key_A, M.ControlModifier)
    count = sum(len(win.document.song.track(t).notes) for t in win.pianoroll.active_track_ids())
    assert count and len(win.selection) == count
    assert win.statusBar().currentMessage() == f"Selected {count} notes"


def test_select_all_tracks_edits_the_whole_song(focused):
    win = focused
    song = win.document.song
    press(win, K.Key_A, M.ControlModifier | M.ShiftModifier)
    assert win.pianoroll.active_track_ids() == [t.id for t in song.tracks]
    assert len(win.selection) == sum(len(t.notes) for t in song.tracks)
    assert win.statusBar().currentMessage().startswith(
        f"Selected {len(win.selection)} notes on 3 tracks")
    press(win, K.Key_Up)  # pitched tracks move, the kit stays (each key another drum)
    after = win.document.song
    assert [n.pitch for n in after.tracks[0].notes] == [n.pitch + 1 for n in song.tracks[0].notes]
    assert after.tracks[2].notes == song.tracks[2].notes


def test_keys_move_the_playhead_resize_notes_and_loop_the_selection(focused):
    # A keyboard user could not move the playhead, change a note's length or set a loop.
    win = focused
    win.selection.clear_notes()
    win.transport.seek(0)
    press(win, K.Key_Right)  # nothing selected: the playhead, one 1/16 step
    assert win.transport.position == 120
    press(win, K.Key_Right, M.ShiftModifier)  # to the next bar line
    assert win.transport.position == 1920
    press(win, K.Key_Left, M.ShiftModifier)
    assert win.transport.position == 0
    (note,) = select_first(win)
    press(win, K.Key_Right, M.AltModifier)
    assert piano(win).note_by_id(note.id).duration == note.duration + 120
    press(win, K.Key_Left, M.AltModifier)
    assert piano(win).note_by_id(note.id).duration == note.duration
    press(win, K.Key_L, M.ControlModifier | M.ShiftModifier)
    tr = win.transport
    assert (tr.loop_start, tr.loop_end, tr.loop_enabled) == (0, 1920, True)


def test_join_legato_and_resizing_leave_drum_hits_as_they_are(focused):
    # Select All Tracks then J joined a hi-hat pattern into one long hit.
    win = focused
    song = win.document.song
    press(win, K.Key_A, M.ControlModifier | M.ShiftModifier)
    press(win, K.Key_J)
    press(win, K.Key_L, M.ControlModifier)
    press(win, K.Key_Right, M.AltModifier)
    assert win.document.song.tracks[2].notes == song.tracks[2].notes  # the kit
    assert "drum tracks left as they are" in win.statusBar().currentMessage()
    kit = win.document.song.tracks[2]
    win.selection.set_notes((kit.id, n.id) for n in kit.notes)  # only hits selected
    press(win, K.Key_J)
    assert win.statusBar().currentMessage().startswith("Join: drum tracks left as they are")


def test_shorten_and_loop_the_selection_with_odd_notes(focused):
    from engine.score import Note, add_notes

    win = focused
    track = piano(win)
    short, long_ = Note(40, 3840, 0), Note(41, 3840 + 480, 100)  # 0-length, 1/16 and less
    win.document.apply(add_notes(track.id, [short, long_]))
    win.selection.set_notes([(track.id, short.id), (track.id, long_.id)])
    steps = win.document.undo_stack.count()
    press(win, K.Key_Left, M.AltModifier)  # nothing can get shorter: no undo step
    assert win.document.undo_stack.count() == steps
    assert piano(win).note_by_id(long_.id).duration == 100
    win.selection.set_notes([(track.id, short.id)])
    press(win, K.Key_L, M.ControlModifier | M.ShiftModifier)
    tr = win.transport
    assert (tr.loop_start, tr.loop_end) == (3840, 5760)  # its bar, not an empty loop


def test_ctrl_arrows_select_notes_one_by_one(focused):
    # A keyboard user could select one note only with Ctrl+A.
    win = focused
    track = piano(win)
    win.selection.clear_notes()
    win.transport.seek(0)
    press(win, K.Key_Right, M.ControlModifier)
    assert win.selection.notes == {(track.id, track.notes[0].id)}
    press(win, K.Key_Right, M.ControlModifier)
    press(win, K.Key_Right, M.ControlModifier)
    assert win.selection.notes == {(track.id, track.notes[2].id)}
    press(win, K.Key_Left, M.ControlModifier)
    assert win.selection.notes == {(track.id, track.notes[1].id)}
    press(win, K.Key_Up)  # then the usual keys act on it
    assert piano(win).note_by_id(track.notes[1].id).pitch == track.notes[1].pitch + 1


def test_notes_of_tracks_a_new_song_lacks_go_to_its_tracks_of_their_kind(focused):
    # Ctrl+Shift+A, Ctrl+C, Ctrl+N, Ctrl+V put every note, drum hits too, into the new
    # song's one piano track.
    win = focused
    press(win, K.Key_A, M.ControlModifier | M.ShiftModifier)
    press(win, K.Key_C, M.ControlModifier)
    press(win, K.Key_N, M.ControlModifier)
    (track,) = win.document.song.tracks
    assert not track.is_drum and not track.notes
    press(win, K.Key_V, M.ControlModifier)
    (track,) = win.document.song.tracks
    # The first pitched part (Piano's 8 notes) goes to the one pitched track; the bass
    # finds no other track, the drums no drum track: left out, and said.
    assert sorted(n.pitch for n in track.notes) == [60, 62, 64, 65, 67, 69, 71, 72]
    assert win.statusBar().currentMessage() == (
        "Pasted 8 notes into Piano (Piano's); 10 left out: no track from the current one "
        "down for Bass; no drum track from the current one down for Drums")


def test_a_deleted_track_s_notes_go_to_the_current_track_not_another(focused):
    # Bar 2 of Bass and Piano copied, Bass deleted, then pasted with Drums current: the
    # bass note landed in the current track whatever it was (a kit here).
    win = focused
    song = win.document.song
    piano_t, bass, drums = song.tracks
    win.selection.set_tracks([piano_t.id, bass.id])
    win.selection.set_notes([(t.id, n.id) for t in (piano_t, bass) for n in t.notes
                             if 1920 <= n.start < 3840])
    press(win, K.Key_C, M.ControlModifier)
    win.selection.set_tracks([bass.id])
    press(win, K.Key_T, M.ControlModifier | M.ShiftModifier)  # Remove Track
    assert [t.name for t in win.document.song.tracks] == ["Piano", "Drums"]
    win.selection.set_tracks([drums.id])
    win.transport.seek(4 * 1920)
    press(win, K.Key_V, M.ControlModifier)
    song = win.document.song
    assert len(song.track(drums.id).notes) == len(drums.notes)  # no bass in the kit
    assert [n.pitch for n in song.track(piano_t.id).notes if n.start >= 4 * 1920] == [
        67, 69, 71, 72]
    assert win.statusBar().currentMessage() == (
        "Pasted 4 notes into Piano; 1 left out: no track from the current one down for Bass")

    press(win, K.Key_T, M.ControlModifier)  # Add Track: a pitched one
    (new,) = [t for t in win.document.song.tracks if t.id not in (piano_t.id, drums.id)]
    win.selection.set_tracks([piano_t.id])  # from Piano down: Piano is its own, new is free
    win.transport.seek(6 * 1920)
    press(win, K.Key_V, M.ControlModifier)
    song = win.document.song
    assert [n.pitch for n in song.track(new.id).notes] == [43]
    assert win.statusBar().currentMessage() == (
        f"Pasted 5 notes into Piano, {new.name} (Bass's)")


def zoomed_in(win, bar: int = 0):
    """One bar on screen (``bar``, 0-based), rows 52–78 or so: a close-up to edit in."""
    vp = win.pianoroll.viewport
    vp.fit_ticks(bar * 1920, (bar + 1) * 1920)
    vp.key_h = max(5, vp.height // 27)
    vp.center_on_pitches(52, 78)
    return vp


def assert_on_screen(win, notes) -> None:
    vp = win.pianoroll.viewport
    low, high = vp.visible_pitches()
    for n in notes:
        assert vp.left <= n.start and n.end <= vp.right, (n, vp.left, vp.right)
        assert low <= n.pitch <= high, (n, low, high)


def test_moving_the_playhead_with_the_keys_keeps_it_on_screen(focused):
    # Shift+→ ×10 took the playhead to bar 11 while the view stayed on bar 1.
    win = focused
    vp = zoomed_in(win)
    win.selection.clear_notes()
    for bar in range(1, 5):
        press(win, K.Key_Right, M.ShiftModifier)
        assert win.transport.position == bar * 1920
        assert vp.left <= win.transport.position < vp.right
    press(win, K.Key_Right)  # a grid step too
    assert vp.left <= win.transport.position < vp.right


def test_notes_moved_or_written_by_the_keys_are_scrolled_into_view(focused):
    win = focused
    track = piano(win)
    zoomed_in(win, bar=1)
    win.selection.set_notes((track.id, n.id) for n in track.notes[4:])  # bar 2
    press(win, K.Key_D, M.ControlModifier)  # copies in bar 3, off screen
    copies = win.selection.selected_notes(win.document.song)[track.id]
    assert [n.start for n in copies] == [3840, 4320, 4800, 5280]
    assert_on_screen(win, copies)

    zoomed_in(win)
    (note,) = select_first(win)
    press(win, K.Key_Right, M.ShiftModifier)  # to bar 2
    moved = piano(win).note_by_id(note.id)
    assert moved.start == 1920
    assert_on_screen(win, [moved])

    press(win, K.Key_C, M.ControlModifier)
    win.transport.seek(5 * 1920)  # off screen
    press(win, K.Key_V, M.ControlModifier)
    (pasted,) = win.selection.selected_notes(win.document.song)[track.id]
    assert pasted.start == 5 * 1920
    assert_on_screen(win, [pasted])

    zoomed_in(win, bar=5)
    for _ in range(3):
        press(win, K.Key_Up, M.ShiftModifier)  # 60 → 96: above rows 52–78
    (up,) = win.selection.selected_notes(win.document.song)[track.id]
    assert up.pitch == 96
    assert_on_screen(win, [up])


def test_a_selection_partly_on_screen_is_not_scrolled_away_from(focused):
    win = focused
    track = piano(win)
    vp = zoomed_in(win)
    press(win, K.Key_A, M.ControlModifier)  # two bars: wider than the one on screen
    left, top = vp.left, vp.top
    press(win, K.Key_Right)
    press(win, K.Key_Up)
    assert (vp.left, vp.top) == (left, top)
    assert piano(win).note_by_id(track.notes[0].id).start == 120


def test_one_track_s_drum_hits_go_to_a_drum_track_not_into_the_piano(focused):
    win = focused
    song = win.document.song
    piano_t, bass, drums = song.tracks
    win.selection.set_tracks([drums.id])
    press(win, K.Key_A, M.ControlModifier)
    press(win, K.Key_C, M.ControlModifier)
    win.selection.set_tracks([piano_t.id])  # Piano current: the hits pass it for Drums
    win.transport.seek(4 * 1920)
    press(win, K.Key_V, M.ControlModifier)
    song = win.document.song
    assert song.track(piano_t.id).notes == piano_t.notes
    assert sorted((n.start, n.pitch) for n in song.track(drums.id).notes if n.start >= 7680) \
        == sorted((n.start + 7680, n.pitch) for n in drums.notes)
    assert win.statusBar().currentMessage() == (
        "Pasted 8 notes into Drums (Piano is not a drum track)")
    assert win.pianoroll.current_track_id() == drums.id and len(win.selection) == 8
    press(win, K.Key_Z, M.ControlModifier)  # one undo step
    assert win.document.song.track(drums.id).notes == drums.notes

    # A pitched line with only a kit from the current track down: refused, and said.
    win.selection.set_tracks([bass.id])
    press(win, K.Key_A, M.ControlModifier)
    press(win, K.Key_C, M.ControlModifier)
    win.selection.set_tracks([drums.id])
    steps = win.document.undo_stack.count()
    press(win, K.Key_V, M.ControlModifier)
    assert win.document.undo_stack.count() == steps
    assert win.document.song.track(drums.id).notes == drums.notes
    assert win.statusBar().currentMessage() == (
        "Nothing pasted; 2 left out: no track from the current one down for Bass (Drums "
        "is a drum kit)")
    win.selection.set_tracks([piano_t.id])  # a pitched track of another instrument: fine
    press(win, K.Key_V, M.ControlModifier)
    assert win.statusBar().currentMessage() == "Pasted 2 notes into Piano"


def test_alt_up_down_move_the_selected_notes_velocity_one_undo_step_each(focused):
    win = focused
    track = piano(win)
    notes = select_first(win, 2)  # velocity 90
    stack = win.document.undo_stack
    steps = stack.count()
    press(win, K.Key_Up, M.AltModifier)
    assert [piano(win).note_by_id(n.id).velocity for n in notes] == [98, 98]
    assert stack.count() == steps + 1 and stack.undoText() == "Velocity +8 (2 notes)"
    assert win.statusBar().currentMessage() == "Velocity +8: 2 notes, now velocity 98"
    assert [n.pitch for n in piano(win).notes] == [n.pitch for n in track.notes]  # no transpose
    press(win, K.Key_Down, M.AltModifier)
    press(win, K.Key_Down, M.AltModifier)
    assert [piano(win).note_by_id(n.id).velocity for n in notes] == [82, 82]
    press(win, K.Key_Z, M.ControlModifier)
    assert [piano(win).note_by_id(n.id).velocity for n in notes] == [90, 90]

    from dataclasses import replace

    from engine.score import update_notes

    loud = piano(win).note_by_id(notes[0].id)
    win.document.apply(update_notes(track.id, [loud], [replace(loud, velocity=124)], "Loud"))
    press(win, K.Key_Up, M.AltModifier)  # 124 stops at 127, 90 goes to 98: differences go
    assert [piano(win).note_by_id(n.id).velocity for n in notes] == [127, 98]
    assert win.statusBar().currentMessage() == "Velocity +8: 2 notes, now velocities 98–127"
    select_first(win, 1)
    steps = stack.count()
    press(win, K.Key_Up, M.AltModifier)  # at the top already: said, no undo step
    assert stack.count() == steps and "127, the loudest" in win.statusBar().currentMessage()
    win.selection.clear_notes()
    press(win, K.Key_Down, M.AltModifier)
    assert stack.count() == steps and "Select the notes" in win.statusBar().currentMessage()


def test_z_zooms_to_the_selected_notes_else_the_mask(focused):
    from engine.score import Mask, Region

    win = focused
    vp = win.pianoroll.viewport
    track = piano(win)
    win.selection.set_notes([(track.id, n.id) for n in track.notes[4:6]])  # 1920–2880, G4 A4
    rows = vp.key_h
    press(win, K.Key_Z)
    assert vp.left <= 1920 and vp.right >= 2880 and vp.right - vp.left < 1.5 * 960
    low, high = vp.visible_pitches()
    assert low <= 67 and high >= 69 and high - low < 20 and vp.key_h > rows
    assert win.statusBar().currentMessage() == "Zoomed to 2 selected notes"

    win.selection.clear_notes()
    win.document.set_mask(Mask.of(Region({track.id}, 3 * 1920, 4 * 1920, 40, 52)))
    press(win, K.Key_Z)  # nothing selected: the mask's bar and its pitch band
    assert vp.left <= 3 * 1920 and 4 * 1920 <= vp.right < 5 * 1920
    low, high = vp.visible_pitches()
    assert low <= 40 and high >= 52 and high - low < 20

    win.document.set_mask(Mask())
    left, top, key_h = vp.left, vp.top, vp.key_h
    press(win, K.Key_Z)  # nothing to zoom to: said, the view stays
    assert (vp.left, vp.top, vp.key_h) == (left, top, key_h)
    assert "select notes or paint a mask" in win.statusBar().currentMessage()


def test_every_action_is_in_a_menu_with_its_key(window):
    from studio.actions import SPECS

    shown = {}

    def walk(menu):
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu())
            elif action.objectName():
                shown[action.objectName()] = action.shortcut().toString()

    for action in window.menuBar().actions():
        walk(action.menu())
    missing = [s.name for s in SPECS if s.name not in shown]
    assert not missing, missing
    assert (shown["velocity_up"], shown["velocity_down"], shown["zoom_selection"]) == (
        "Alt+Up", "Alt+Down", "Z")


def test_transposing_the_whole_song_moves_its_key_signature_too(focused):
    # QA (a producer): every track up a tone, and the exported MIDI still said C minor.
    from engine.score import set_time_from_bar

    win = focused
    assert win.pianoroll.commit(set_time_from_bar(win.document.song, 0, key="Bb"))
    song = win.document.song
    win.selection.set_tracks([t.id for t in song.tracks])
    press(win, K.Key_A, M.ControlModifier)
    press(win, K.Key_Up)
    press(win, K.Key_Up)
    assert [k.key for k in win.document.song.key_signatures] == ["C"]
    assert "Key signature transposed too: B major → C major" in (
        win.statusBar().currentMessage())
    press(win, K.Key_Z, M.ControlModifier)  # one step each, the key with its notes
    assert [k.key for k in win.document.song.key_signatures] == ["B"]
    press(win, K.Key_Z, M.ControlModifier)
    assert win.document.song == song
    # Part of the song (one track): its key stays, as a score editor's would.
    win.selection.set_tracks([song.tracks[0].id])
    press(win, K.Key_A, M.ControlModifier)
    press(win, K.Key_Up)
    assert [k.key for k in win.document.song.key_signatures] == ["Bb"]


def test_transposing_the_whole_song_moves_its_chord_symbols_too(focused):
    # QA (a singer-songwriter): select all, transpose — "Key signature transposed too",
    # and the chords stayed where they were, a tone above the band.
    from engine.score import set_time_from_bar
    from engine.score.chord_edits import set_chord

    win = focused
    assert win.pianoroll.commit(set_time_from_bar(win.document.song, 0, key="G"))
    for tick, text in ((0, "G"), (480, "D/F#"), (960, "Em"), (1440, "C")):
        assert win.pianoroll.commit(set_chord(win.document.song, tick, text))
    song = win.document.song
    win.selection.set_tracks([t.id for t in song.tracks])
    press(win, K.Key_A, M.ControlModifier)
    press(win, K.Key_Down)
    press(win, K.Key_Down)
    after = win.document.song
    assert [k.key for k in after.key_signatures] == ["F"]
    assert [c.text for c in after.chords] == ["F", "C/E", "Dm", "Bb"]  # the flat key's Bb
    assert "Key signature and chords transposed too: F# major → F major" in (
        win.statusBar().currentMessage())
    press(win, K.Key_Z, M.ControlModifier)  # one step: the notes, the key, the chords
    assert [c.text for c in win.document.song.chords] == ["F#", "C#/E#", "D#m", "B"]
    press(win, K.Key_Z, M.ControlModifier)
    assert win.document.song == song
    # Part of the song: the chords stay with the key.
    win.selection.set_tracks([song.tracks[0].id])
    press(win, K.Key_A, M.ControlModifier)
    press(win, K.Key_Down)
    assert [c.text for c in win.document.song.chords] == ["G", "D/F#", "Em", "C"]


def test_keys_transpose_with_the_fewest_accidentals():
    from engine.score.spelling import transpose_key

    assert [transpose_key("C", n) for n in (1, 6, -1)] == ["Db", "F#", "B"]
    assert [transpose_key("Am", n) for n in (1, 3, -2)] == ["Bbm", "Cm", "Gm"]
    assert transpose_key("F#m", -1) == "Fm" and transpose_key("Eb", 12) == "Eb"


def test_the_rename_gestures_name_the_double_click_that_starts_a_rename(qapp):
    # F1 said "Click its name" for a track, but a single click only selects it
    # (test_tracks checks the double-click and F2 themselves).
    from studio.actions import GESTURES, spec

    renames = {action: how for action, how in GESTURES if "rename" in action.lower()}
    assert set(renames) == {"Rename a Track", "Rename or Delete a Marker"}
    assert all(how.startswith("Double-click") for how in renames.values())
    assert all(key in renames["Rename a Track"] for key in spec("rename_track").keys)


def test_delete_or_cut_with_nothing_selected_says_how_to_select(focused):
    win = focused
    total = len(piano(win).notes)
    win.selection.clear_notes()
    steps = win.document.undo_stack.count()
    press(win, K.Key_Delete)
    assert win.statusBar().currentMessage() == (
        "Nothing selected: click a note or drag a box around notes to delete them")
    press(win, K.Key_X, M.ControlModifier)
    assert "to cut them" in win.statusBar().currentMessage()
    assert len(piano(win).notes) == total and win.document.undo_stack.count() == steps


def test_lengthen_and_quantize_leave_one_note_sounding_per_pitch(focused):
    """Review: C4 0–1 and 1–2 beats lengthened together (Alt+→) overlapped each other;
    two C4s quantized onto one grid line were two notes at one onset."""
    from engine.score import Note, add_notes

    win = focused
    tid = piano(win).id
    first, second = Note(30, 0, 480, 80), Note(30, 480, 480, 80)
    win.document.apply(add_notes(tid, [first, second]))
    win.selection.set_notes([(tid, first.id), (tid, second.id)])
    steps = win.document.undo_stack.count()
    press(win, K.Key_Right, M.AltModifier)  # a 1/16 step longer: 0–600, 480–1080
    low = sorted((n.start, n.end) for n in piano(win).notes if n.pitch == 30)
    assert low == [(0, 480), (480, 1080)]
    assert win.document.undo_stack.count() == steps + 1
    win.document.undo_stack.undo()
    near, later = Note(31, 1930, 100, 80), Note(31, 1950, 200, 80)
    win.document.apply(add_notes(tid, [near, later]))
    win.selection.set_notes([(tid, near.id), (tid, later.id)])
    press(win, K.Key_Q)
    assert [(n.start, n.end) for n in piano(win).notes if n.pitch == 31] == [(1920, 2120)]
    assert win.statusBar().currentMessage() == (
        "Quantized 2 notes to 1/16; 1 note of the same pitch underneath trimmed")


def test_a_tracks_menu_and_the_notes_menu_have_each_item_its_own_letter(opened):
    # QA: a track's right-click menu had Mask This &Track and &Transposition… (T twice:
    # Alt+T only cycled between them).
    from PySide6.QtCore import QPoint

    win = opened
    titles = {a.menu().title(): a.menu() for a in win.menuBar().actions()}
    without: list[str] = []
    alt_letters(titles["&Notes"], without)
    piano = win.document.song.tracks[0]
    win.tracklist.show_track_menu(piano.id, QPoint(0, 0))
    menu = win.tracklist.menu
    assert win.actions.mask_track in menu.actions()
    assert win.actions.track_transposition in menu.actions()
    alt_letters(menu, without)
    menu.close()
    assert not without, without
