"""What a keyboard-only user (no mouse at all) can do: grow a selection note by note,
select a bar's notes, mask bars of one track, set a track's volume, pan and colour, and
reach every snap grid — each sent as real key presses to the focused piano roll."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from engine.score import set_track_props
from studio.mixer_slider import FADER_TOP

K = Qt.Key
M = Qt.KeyboardModifier
Q, BAR = 480, 1920


def press(win, key, mods=M.NoModifier) -> None:
    QTest.keyClick(win.pianoroll.canvas, key, mods)


def piano(win):
    return win.document.song.tracks[0]


def keys(track, indices) -> set[tuple[int, int]]:
    return {(track.id, track.notes[i].id) for i in indices}


def test_alt_shift_arrows_grow_and_shrink_the_selection_from_where_it_began(focused):
    win = focused
    track = piano(win)
    win.selection.clear_notes()
    win.transport.seek(Q)  # the second note
    grow = (K.Key_Right, M.AltModifier | M.ShiftModifier)
    back = (K.Key_Left, M.AltModifier | M.ShiftModifier)
    press(win, *grow)  # nothing selected: from the playhead
    assert win.selection.notes == keys(track, [1])
    press(win, *grow)
    press(win, *grow)
    assert win.selection.notes == keys(track, [1, 2, 3])
    press(win, *back)  # the other way shrinks it back towards where it began
    assert win.selection.notes == keys(track, [1, 2])
    press(win, *back)
    press(win, *back)  # past the anchor: grows on that side
    assert win.selection.notes == keys(track, [0, 1])
    press(win, *back)  # no note before the first: said, the selection stays
    assert win.selection.notes == keys(track, [0, 1])
    assert "No more notes" in win.statusBar().currentMessage()
    # From a note picked with Ctrl+→: grown from it, then transposed as one phrase.
    win.selection.clear_notes()
    win.transport.seek(0)
    press(win, K.Key_Right, M.ControlModifier)
    press(win, K.Key_Right, M.ControlModifier)  # the second note
    press(win, *grow)
    assert win.selection.notes == keys(track, [1, 2])
    press(win, K.Key_Up)
    assert [n.pitch for n in piano(win).notes[:4]] == [60, 63, 65, 65]


def test_alt_shift_arrow_takes_a_whole_chord_and_fills_gaps(focused):
    from engine.score import Note, add_notes

    win = focused
    track = piano(win)
    win.pianoroll.commit(add_notes(track.id, [Note(67, 2 * Q, Q, 90)], "Chord"))
    track = piano(win)

    def chosen():
        return sorted((n.start, n.pitch) for n in piano(win).notes
                      if (track.id, n.id) in win.selection.notes)

    first = next(n for n in track.notes if n.start == 0)
    win.selection.set_notes([(track.id, first.id)])
    press(win, K.Key_Right, M.AltModifier | M.ShiftModifier)
    press(win, K.Key_Right, M.AltModifier | M.ShiftModifier)
    assert chosen() == [(0, 60), (Q, 62), (2 * Q, 64), (2 * Q, 67)]
    # A selection with a hole (two notes clicked) grows over the note between them.
    win.selection.set_notes([(track.id, n.id) for n in track.notes if n.pitch in (60, 64)])
    press(win, K.Key_Right, M.AltModifier | M.ShiftModifier)
    assert chosen() == [(0, 60), (Q, 62), (2 * Q, 64), (2 * Q, 67), (3 * Q, 65)]


def test_ctrl_b_selects_the_bar_s_notes_else_the_loop_s(focused):
    win = focused
    track = piano(win)
    win.selection.clear_notes()
    win.transport.seek(BAR + Q)  # in bar 2
    press(win, K.Key_B, M.ControlModifier)
    assert win.selection.notes == keys(track, [4, 5, 6, 7])
    assert "Selected 4 notes in bar 2" in win.statusBar().currentMessage()
    win.transport.set_loop(Q, 3 * Q, True)  # looping: the loop range's notes
    press(win, K.Key_B, M.ControlModifier)
    assert win.selection.notes == keys(track, [1, 2])
    win.transport.set_loop(Q, 3 * Q, False)  # a range not looped: the playhead's bar
    press(win, K.Key_B, M.ControlModifier)
    assert win.selection.notes == keys(track, [4, 5, 6, 7])
    win.transport.seek(3 * BAR)  # past the song: said
    press(win, K.Key_B, M.ControlModifier)
    assert not win.selection.notes
    assert "No notes of the current track start in bar 4" in win.statusBar().currentMessage()


def test_ctrl_alt_b_masks_bars_of_the_current_track_and_adds_to_the_mask(focused):
    # The README's "bars 9–12 of Lead", without the mouse: the playhead's bar, the
    # selection's bars or the loop's, on the current track only, each added to the mask.
    win = focused
    song = win.document.song
    piano, bass, _drums = song.tracks
    win.selection.set_tracks([piano.id])
    win.selection.clear_notes()
    win.transport.seek(BAR + Q)
    press(win, K.Key_B, M.ControlModifier | M.AltModifier)  # the playhead's bar
    mask = win.document.mask
    assert mask.track_ids == {piano.id} and mask.span == (BAR, 2 * BAR)
    assert "Bar 2 of Piano added to the mask" in win.statusBar().currentMessage()
    win.selection.set_tracks([bass.id])
    win.selection.set_notes([(bass.id, bass.notes[0].id)])  # bar 1's note
    press(win, K.Key_B, M.ControlModifier | M.AltModifier)
    mask = win.document.mask
    assert mask.contains(bass.id, 0, 36) and not mask.contains(bass.id, BAR, 43)
    assert mask.contains(piano.id, BAR, 67) and not mask.contains(piano.id, 0, 60)
    press(win, K.Key_B, M.ControlModifier | M.AltModifier)  # the same again: said
    assert "in the mask already" in win.statusBar().currentMessage()
    assert win.document.undo_stack.undoText() == "Mask bars of the track"
    win.selection.clear_notes()
    win.transport.set_loop(BAR, 2 * BAR, True)  # looping: the loop range
    press(win, K.Key_B, M.ControlModifier | M.AltModifier)
    assert win.document.mask.contains(bass.id, BAR, 43)
    assert win.document.mask.track_ids == {piano.id, bass.id}
    win.document.undo_stack.undo()  # one undo step each
    assert not win.document.mask.contains(bass.id, BAR, 43)


def test_ctrl_m_adds_the_selection_s_box_to_the_mask_and_esc_esc_clears_it(focused):
    win = focused
    piano = win.document.song.tracks[0]
    win.selection.set_tracks([piano.id])
    win.selection.set_notes([(piano.id, piano.notes[0].id)])
    press(win, K.Key_M, M.ControlModifier)
    win.selection.set_notes([(piano.id, piano.notes[5].id)])
    press(win, K.Key_M, M.ControlModifier)  # a second box: added, not replacing the first
    mask = win.document.mask
    assert mask.contains(piano.id, 0, 60) and mask.contains(piano.id, 5 * Q, 69)
    assert not mask.contains(piano.id, Q, 62)
    assert "The selection added to the mask" in win.statusBar().currentMessage()
    press(win, K.Key_Escape)
    press(win, K.Key_Escape)
    assert win.document.mask.is_empty


def test_ctrl_alt_keys_set_the_current_track_s_volume_pan_and_colour(focused, dialogs):
    # The header's fader, pan and swatch take no focus: a keyboard user had no way in.
    win = focused
    bass = win.document.song.tracks[1]
    win.selection.set_tracks([bass.id])
    stack = win.document.undo_stack
    header = next(h for h in win.tracklist.headers if h.track_id == bass.id)
    press(win, K.Key_Down, M.ControlModifier | M.AltModifier)
    press(win, K.Key_Down, M.ControlModifier | M.AltModifier)
    track = win.document.song.tracks[1]
    assert round(track.volume * 127) == 64 and header.volume.value() == FADER_TOP - 60  # −6 dB
    assert win.statusBar().currentMessage() == "Volume Bass: −6.0 dB (64)"
    stack.undo()  # one undo step a press
    assert round(win.document.song.tracks[1].volume * 127) == 90
    press(win, K.Key_Up, M.ControlModifier | M.AltModifier)
    assert win.document.song.tracks[1].volume == 1.0  # back to full, exactly
    press(win, K.Key_Up, M.ControlModifier | M.AltModifier)  # no louder than full: said
    assert "at full, 0 dB (127) already" in win.statusBar().currentMessage()
    assert stack.undoText() == "Volume of Bass +3 dB"
    press(win, K.Key_Down, M.ControlModifier | M.AltModifier)
    win.document.apply(set_track_props(win.document.song, bass.id, "Set", volume=108 / 127))
    press(win, K.Key_Up, M.ControlModifier | M.AltModifier)  # −1.4 dB: stops at full
    assert stack.undoText() == "Volume of Bass to 0 dB (127)"  # named for what it did

    press(win, K.Key_Period, M.ControlModifier | M.AltModifier)
    press(win, K.Key_Period, M.ControlModifier | M.AltModifier)
    press(win, K.Key_Comma, M.ControlModifier | M.AltModifier)
    assert round(win.document.song.tracks[1].pan * 64) == 10 and header.pan.value() == 10
    assert win.statusBar().currentMessage() == "Pan Bass: R10"  # as the fader says it
    for _ in range(9):
        press(win, K.Key_Comma, M.ControlModifier | M.AltModifier)
    assert win.document.song.tracks[1].pan == -1.0  # hard left, −64
    assert win.statusBar().currentMessage() == "Bass is panned hard left already (L64)"
    assert win.document.song.tracks[0].pan == 0  # the other tracks stay

    dialogs.answers["pick_colour"] = "#123456"
    press(win, K.Key_C, M.ControlModifier | M.AltModifier)
    assert win.document.song.tracks[1].colour == "#123456"
    assert stack.undoText() == "Change colour of Bass"


def test_pan_steps_land_on_the_centre_and_the_mix_resets_from_the_keyboard(focused):
    """Keyboard QA: from R19 the pan steps went R9, L1 … and never reached the centre, and
    only a double-click reset a fader. Now steps snap to multiples of 10 (a DAW's
    detents), Ctrl+Alt+0 resets the volume to 0 dB and Ctrl+Alt+/ centres the pan; the
    faders say their value to a screen reader in the tooltip's words."""
    from PySide6.QtGui import QAccessible

    win = focused
    bass = win.document.song.tracks[1]
    win.selection.set_tracks([bass.id])
    win.document.apply(set_track_props(win.document.song, bass.id, "Set", pan=19 / 64,
                                       volume=64 / 127))
    header = next(h for h in win.tracklist.headers if h.track_id == bass.id)
    said = QAccessible.queryAccessibleInterface(header.pan)
    assert said.text(QAccessible.Text.Value) == "Pan R19"
    assert said.text(QAccessible.Text.Name) == "Pan of Bass"
    press(win, K.Key_Comma, M.ControlModifier | M.AltModifier)
    assert round(win.document.song.tracks[1].pan * 64) == 10
    press(win, K.Key_Comma, M.ControlModifier | M.AltModifier)
    assert win.document.song.tracks[1].pan == 0
    assert win.statusBar().currentMessage() == "Pan Bass: C"
    assert said.text(QAccessible.Text.Value) == "Pan C"
    press(win, K.Key_Comma, M.ControlModifier | M.AltModifier)
    assert said.text(QAccessible.Text.Value) == "Pan L10"
    volume = QAccessible.queryAccessibleInterface(header.volume)
    assert volume.text(QAccessible.Text.Value) == "Volume −6.0 dB (64)"

    stack = win.document.undo_stack
    press(win, K.Key_0, M.ControlModifier | M.AltModifier)
    assert win.document.song.tracks[1].volume == 1.0 and header.volume.value() == FADER_TOP
    assert win.statusBar().currentMessage() == "Volume Bass: 0 dB (127)"
    assert stack.undoText() == "Reset volume of Bass"
    assert volume.text(QAccessible.Text.Value) == "Volume 0 dB (127)"
    press(win, K.Key_0, M.ControlModifier | M.AltModifier)
    assert win.statusBar().currentMessage() == "Bass is at 0 dB (127) already"
    press(win, K.Key_Slash, M.ControlModifier | M.AltModifier)
    assert win.document.song.tracks[1].pan == 0 and header.pan.value() == 0
    assert win.statusBar().currentMessage() == "Pan Bass: C"
    assert stack.undoText() == "Centre pan of Bass"
    stack.undo()
    assert round(win.document.song.tracks[1].pan * 64) == -10


def test_pan_steps_snap_to_the_next_multiple_of_the_step():
    from studio.track_commands import stepped_pan

    assert [stepped_pan(v, -10) for v in (19, 10, 1, 0, -1, -60, -64)] == [
        10, 0, 0, -10, -10, -64, -64]
    assert [stepped_pan(v, 10) for v in (-19, -10, -1, 0, 9, 60, 64)] == [
        -10, 0, 0, 10, 10, 64, 64]


def test_volume_steps_come_back_to_where_they_began_and_reach_silence():
    from studio.track_commands import stepped_volume

    volume = 100 / 127
    for _ in range(5):
        volume = stepped_volume(volume, -3)
    for _ in range(5):
        volume = stepped_volume(volume, 3)
    assert round(volume * 127) == 100
    for _ in range(20):
        volume = stepped_volume(volume, -3)
    assert volume == 0.0
    assert round(stepped_volume(volume, 3) * 127) == 1  # the quietest level heard


def test_ctrl_alt_arrows_reach_off_and_the_triplet_grids(focused):
    win = focused
    win.snap_box.setCurrentText("Bar")
    press(win, K.Key_Left, M.ControlModifier | M.AltModifier)
    assert win.pianoroll.snap.name == "Off"
    win.snap_box.setCurrentText("1/32")
    press(win, K.Key_Right, M.ControlModifier | M.AltModifier)
    assert win.pianoroll.snap.name == "1/4T"
    assert win.statusBar().currentMessage() == "Snap: 1/4T"


def test_no_two_actions_share_a_key_but_step_entry_s_lent_ones():
    """A key bound twice fires neither (Qt's ambiguous shortcut): the new keys must be
    free. Step entry's own actions are enabled only while it is on, when the window's
    action with that key gives it up."""
    from PySide6.QtGui import QKeySequence

    from studio.actions import SPECS

    owner: dict[str, str] = {}
    clashes = []
    for spec in SPECS:
        if spec.name.startswith("step_") and spec.name != "step_entry":
            continue
        for key in spec.keys:
            text = QKeySequence(key).toString()
            if text in owner:
                clashes.append((text, owner[text], spec.name))
            owner[text] = spec.name
    assert not clashes, clashes


def test_the_three_bar_keys_agree_on_which_bars(focused):
    """Review: Ctrl+Shift+B took a loop range left set with the loop off where Ctrl+B and
    Ctrl+Alt+B took the playhead's bar, and a selected note held over a bar line brought
    the next bar into the mask. One rule now (studio.bars_in_focus)."""
    from engine.score import Note, add_notes

    win = focused
    track = piano(win)
    undo = win.document.undo_stack.undo
    win.selection.set_tracks([track.id])
    win.selection.clear_notes()
    win.transport.set_loop(0, BAR, False)  # a range left set, the loop off
    win.transport.seek(BAR + Q)  # in bar 2
    press(win, K.Key_B, M.ControlModifier | M.ShiftModifier)
    assert win.document.mask.span == (BAR, 2 * BAR)
    undo()
    press(win, K.Key_B, M.ControlModifier | M.AltModifier)
    assert win.document.mask.span == (BAR, 2 * BAR)
    assert "Bar 2 of Piano added to the mask" in win.statusBar().currentMessage()
    undo()
    press(win, K.Key_B, M.ControlModifier)
    assert win.selection.notes == keys(track, [4, 5, 6, 7])
    win.transport.set_loop(0, BAR, True)  # looping: the loop range, for all three
    press(win, K.Key_B, M.ControlModifier)
    assert win.selection.notes == keys(track, [0, 1, 2, 3])
    win.selection.clear_notes()
    press(win, K.Key_B, M.ControlModifier | M.ShiftModifier)
    assert win.document.mask.span == (0, BAR)
    undo()
    # A selected note held over the bar line: its onset's bar, not the next one too.
    held = Note(50, 3 * Q, 2 * Q)
    win.document.apply(add_notes(track.id, [held]))
    win.selection.set_notes([(track.id, held.id)])
    press(win, K.Key_B, M.ControlModifier | M.ShiftModifier)
    assert win.document.mask.span == (0, BAR)
    undo()
    press(win, K.Key_B, M.ControlModifier | M.AltModifier)
    assert win.document.mask.span == (0, BAR)
    assert "Bar 1 of Piano added to the mask" in win.statusBar().currentMessage()
