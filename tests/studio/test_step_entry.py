"""Step entry (N): notes written from the letter keys at the playhead, as real key presses
to the focused piano roll (studio.step_entry)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest

from engine.score import Track
from studio.step_entry import nearest_pitch, pitch_above, starting_pitch

K = Qt.Key
M = Qt.KeyboardModifier
Q = 480
BAR = 4 * Q
AFTER = 2 * BAR  # the test song's two bars end here: bar 3 is empty


@pytest.fixture
def stepping(focused):
    """Step entry on, the grid at 1/8, the piano track current, the playhead in bar 3."""
    win = focused
    win.set_snap("1/8")
    win.selection.set_tracks([piano(win).id])
    win.transport.seek(AFTER)
    press(win, K.Key_N)
    assert win.step_entry.on and win.actions.step_entry.isChecked()
    return win


def press(win, key, mods=M.NoModifier) -> None:
    QTest.keyClick(win.pianoroll.canvas, key, mods)


def typed(win, letters: str) -> None:
    for ch in letters:
        press(win, getattr(K, f"Key_{ch}"))


def piano(win):
    return win.document.song.tracks[0]


def entered(win, since: int = AFTER) -> list[tuple[int, int, int]]:
    """(start, pitch, duration) of the piano's notes from ``since`` on."""
    return sorted((n.start, n.pitch, n.duration) for n in piano(win).notes if n.start >= since)


def test_letters_write_grid_notes_step_on_and_undo_one_by_one(stepping, qtbot):
    win = stepping
    heard = []
    win.pianoroll.previewRequested.connect(lambda p, t: heard.append(p))
    stack = win.document.undo_stack
    before = stack.count()
    typed(win, "CDE")
    # Near the piano's last note before the playhead (C5), eighth notes one after another.
    assert entered(win) == [(AFTER, 72, 240), (AFTER + 240, 74, 240), (AFTER + 480, 76, 240)]
    assert win.transport.position == AFTER + 720
    assert stack.count() == before + 3 and stack.undoText() == "Enter E5"
    e5 = next(n for n in piano(win).notes if n.start == AFTER + 480)
    assert win.selection.notes == {(piano(win).id, e5.id)}  # selected, heard
    assert heard == [72, 74, 76]
    assert win.status_step.isVisible() and win.status_step.text() == "Step entry: 1/8 · E5"
    press(win, K.Key_Z, M.ControlModifier)  # the note and the playhead's step, together
    assert entered(win) == [(AFTER, 72, 240), (AFTER + 240, 74, 240)]
    assert win.transport.position == AFTER + 480
    press(win, K.Key_Z, M.ControlModifier)
    assert entered(win) == [(AFTER, 72, 240)] and win.transport.position == AFTER + 240
    typed(win, "F")  # on from where the undo put the playhead, near C5 still
    assert entered(win) == [(AFTER, 72, 240), (AFTER + 240, 77, 240)]


def test_an_entered_note_far_off_screen_is_scrolled_into_view(stepping):
    win = stepping
    vp = win.pianoroll.viewport
    vp.set_left(0)
    vp.center_on_pitches(30, 30)
    win.transport.seek(12 * BAR)
    typed(win, "C")
    note = max(piano(win).notes, key=lambda n: n.start)
    assert note.start == 12 * BAR
    assert vp.left <= note.start and note.end <= vp.right
    low, high = vp.visible_pitches()
    assert low <= note.pitch <= high


def test_shift_letters_build_a_chord_and_backspace_takes_a_step_back(stepping):
    win = stepping
    typed(win, "C")
    press(win, K.Key_E, M.ShiftModifier)
    press(win, K.Key_G, M.ShiftModifier)
    press(win, K.Key_C, M.ShiftModifier)  # the same letter: an octave above the top
    assert entered(win) == [(AFTER, p, 240) for p in (72, 76, 79, 84)]
    assert win.transport.position == AFTER + 240  # a chord is one step
    typed(win, "D")  # near the last note entered (C6)
    assert entered(win)[-1] == (AFTER + 240, 86, 240)
    stack = win.document.undo_stack
    count = stack.count()
    press(win, K.Key_Backspace)  # D goes, the playhead comes back
    assert len(entered(win)) == 4 and win.transport.position == AFTER + 240
    assert stack.count() == count + 1
    press(win, K.Key_Backspace)  # the whole chord
    assert entered(win) == [] and win.transport.position == AFTER
    press(win, K.Key_Z, M.ControlModifier)  # Ctrl+Z brings it back, playhead and all
    assert len(entered(win)) == 4 and win.transport.position == AFTER + 240
    press(win, K.Key_Backspace)  # ... and Backspace takes it back again
    assert entered(win) == [] and win.transport.position == AFTER
    press(win, K.Key_Backspace)  # nothing entered left to take back: said, nothing gone
    assert "nothing entered" in win.statusBar().currentMessage()


def test_a_chord_needs_a_note_first(stepping):
    win = stepping
    press(win, K.Key_E, M.ShiftModifier)
    assert entered(win) == [] and "type A–G first" in win.statusBar().currentMessage()
    press(win, K.Key_0)
    press(win, K.Key_E, M.ShiftModifier)
    assert entered(win) == [] and "rest" in win.statusBar().currentMessage()


def test_rests_step_on_without_notes_and_backspace_steps_back_over_them(stepping):
    win = stepping
    typed(win, "C")
    press(win, K.Key_0)
    press(win, K.Key_R)
    typed(win, "D")
    assert entered(win) == [(AFTER, 72, 240), (AFTER + 720, 74, 240)]
    assert win.transport.position == AFTER + 960
    press(win, K.Key_Backspace)
    press(win, K.Key_Backspace)  # a rest: only the playhead moves
    assert entered(win) == [(AFTER, 72, 240)] and win.transport.position == AFTER + 480
    press(win, K.Key_Backspace)
    press(win, K.Key_Backspace)
    assert entered(win) == [] and win.transport.position == AFTER


def test_sharps_flats_and_octaves_move_the_note_just_entered(stepping):
    win = stepping
    typed(win, "F")
    press(win, K.Key_NumberSign)
    assert entered(win) == [(AFTER, 78, 240)]  # F#5
    press(win, K.Key_Minus)
    press(win, K.Key_Minus)
    assert entered(win) == [(AFTER, 76, 240)]  # E5
    press(win, K.Key_Plus)
    press(win, K.Key_Up, M.ControlModifier)  # an octave (not the previous track)
    assert entered(win) == [(AFTER, 89, 240)]
    assert win.pianoroll.current_track_id() == piano(win).id
    press(win, K.Key_Down, M.ControlModifier)
    press(win, K.Key_Down, M.ControlModifier)
    press(win, K.Key_Up)
    assert entered(win) == [(AFTER, 66, 240)]  # F#4
    typed(win, "G")  # the octave nearest the note as it is now
    assert entered(win)[-1] == (AFTER + 240, 67, 240)


def test_moving_the_note_just_entered_names_it_in_the_status_bar(stepping):
    """QA: after 5 (the length said) and a note, Ctrl+↓ left "Step length: 1/4" in the
    status bar; it names the moved note, as the step entry label does."""
    win = stepping
    press(win, K.Key_5)
    typed(win, "C")
    press(win, K.Key_Down, M.ControlModifier)
    assert entered(win) == [(AFTER, 60, 480)]
    assert win.statusBar().currentMessage() == "C4 (an octave down)"
    assert win.status_step.text() == "Step entry: 1/4 · C4"
    press(win, K.Key_NumberSign)
    assert win.statusBar().currentMessage() == "C#4 (a semitone up)"
    press(win, K.Key_Up, M.ShiftModifier)
    assert win.statusBar().currentMessage() == "C#5 (an octave up)"
    # Other notes selected: the window's transposition, no note of step entry named.
    win.selection.set_notes([(piano(win).id, piano(win).notes[0].id)])
    win.statusBar().showMessage("before")
    press(win, K.Key_Up, M.ControlModifier)
    assert win.statusBar().currentMessage() == "before"


def test_digits_set_the_step_length_in_the_snap_box(stepping):
    win = stepping
    press(win, K.Key_5)
    assert win.snap_box.currentText() == "1/4" and win.status_step.text() == "Step entry: 1/4"
    typed(win, "C")
    press(win, K.Key_3)
    typed(win, "D")
    press(win, K.Key_7)
    typed(win, "E")
    # The length typed is the length written: a whole bar from where the 1/16 ended.
    assert entered(win) == [(AFTER, 72, 480), (AFTER + 480, 74, 120), (AFTER + 600, 76, BAR)]
    assert win.transport.position == AFTER + 600 + BAR
    press(win, K.Key_1)  # no 1/64 grid: said, nothing else
    assert win.snap_box.currentText() == "Bar" and "1/64" in win.statusBar().currentMessage()


def test_a_step_is_as_long_as_typed_wherever_it_starts(stepping):
    win = stepping
    win.transport.seek(AFTER + 100)
    typed(win, "C")
    assert entered(win) == [(AFTER + 100, 72, 240)] and win.transport.position == AFTER + 340
    win.transport.seek(AFTER + BAR - Q)
    press(win, K.Key_6)
    typed(win, "D")  # a half note on beat 4 crosses the bar line, as typed
    assert entered(win)[-1] == (AFTER + BAR - Q, 74, 2 * Q)


def test_a_dot_makes_the_step_dotted_until_a_new_length(stepping):
    win = stepping
    press(win, K.Key_5)
    press(win, K.Key_Period)
    assert win.status_step.text() == "Step entry: dotted 1/4"
    typed(win, "C")
    press(win, K.Key_4)
    typed(win, "D")
    assert entered(win) == [(AFTER, 72, 720), (AFTER + 720, 74, 240)]


def test_letters_follow_the_key_signature_and_keep_the_spelling_typed(stepping):
    from dataclasses import replace

    from engine.score import KeySignature

    win = stepping

    def in_key(key: str) -> None:
        doc = win.document
        doc.reset(replace(doc.song, key_signatures=(KeySignature(0, key),)), None)
        win.selection.set_tracks([piano(win).id])

    in_key("D")
    win.transport.seek(AFTER)
    typed(win, "FC")  # D major: F#, C#
    assert [p for _s, p, _d in entered(win)] == [78, 73]
    assert win.status_step.text().endswith("C#5")
    in_key("F")
    win.transport.seek(AFTER + BAR)
    typed(win, "F")
    press(win, K.Key_NumberSign)  # F then #: F#, not Gb, in F major
    assert win.status_step.text().endswith("F#5")
    assert "F#5" in win.status_selection.text()


def test_entering_again_replaces_the_same_pitch_instead_of_doubling_it(stepping):
    win = stepping
    typed(win, "CD")
    win.transport.seek(AFTER)
    typed(win, "CE")
    assert entered(win) == [(AFTER, 72, 240), (AFTER + 240, 74, 240), (AFTER + 240, 76, 240)]


def test_enter_keeps_the_entry_point(stepping):
    win = stepping
    typed(win, "C")
    press(win, K.Key_Return)
    press(win, K.Key_Return)
    assert win.transport.position == AFTER + 240
    typed(win, "D")
    assert entered(win)[-1] == (AFTER + 240, 74, 240)


def test_a_bass_line_typed_upwards_stays_in_the_bass_range(stepping):
    win = stepping
    bass = win.document.song.tracks[1]
    win.selection.set_tracks([bass.id])
    typed(win, "EADGCFB")
    pitches = [n.pitch for n in win.document.song.tracks[1].notes if n.start >= AFTER]
    assert max(pitches) <= 64  # an Electric Bass's practical top (E4)


def test_backspace_after_an_undone_note_never_moves_the_playhead_forward(stepping):
    win = stepping
    typed(win, "C")
    press(win, K.Key_R)
    press(win, K.Key_Z, M.ControlModifier)  # the rest: the playhead back, the C stays
    assert win.transport.position == AFTER + 240 and len(entered(win)) == 1
    press(win, K.Key_Z, M.ControlModifier)  # the C and its step: the playhead at AFTER
    assert win.transport.position == AFTER and entered(win) == []
    press(win, K.Key_Backspace)
    assert win.transport.position == AFTER


def test_the_first_octave_follows_the_track(stepping):
    win = stepping
    song = win.document.song
    bass = song.tracks[1]
    win.selection.set_tracks([bass.id])
    typed(win, "C")  # the bass's last note is G2: C3 is nearer than C2
    assert max(win.document.song.tracks[1].notes, key=lambda n: n.start).pitch == 48
    # An empty track: middle C on a piano, an octave inside a bass's or flute's range.
    assert starting_pitch(Track(program=0), 0) == 60
    assert nearest_pitch(0, starting_pitch(Track(program=33), 0)) == 48
    assert nearest_pitch(0, starting_pitch(Track(program=73), 0)) == 72
    # Cello, trombone, tuba and bassoon read the bass clef: C3, not middle C.
    for program in (42, 57, 58, 70):
        assert nearest_pitch(0, starting_pitch(Track("Cello", program=program), 0)) == 48
    # A contrabass reads it too, an octave above where it sounds: written C3 is C2 heard
    # (QA: it started at a sounding C3, written C4); one written at
    # concert pitch starts at C3.
    assert nearest_pitch(0, starting_pitch(Track("Contrabass", program=43), 0)) == 36
    assert nearest_pitch(0, starting_pitch(
        Track("Contrabass", program=43, transposition=(0, 0)), 0)) == 48
    # A track with notes only after the playhead: the middle of its notes.
    assert starting_pitch(piano(win), 0) == 67
    # Nearest, a tritone up, never past the MIDI range; a chord's notes go above.
    assert [nearest_pitch(11, 65), nearest_pitch(5, 71), nearest_pitch(0, 60)] == [71, 77, 60]
    assert nearest_pitch(0, 126) == 120 and nearest_pitch(11, 2) == 11
    assert [pitch_above(4, 60), pitch_above(0, 60), pitch_above(0, 121)] == [64, 72, None]


def test_drum_tracks_are_refused_with_a_reason(stepping):
    win = stepping
    drums = win.document.song.tracks[2]
    win.selection.set_tracks([drums.id])
    count = len(drums.notes)
    typed(win, "CA")
    assert len(win.document.song.tracks[2].notes) == count
    assert "drum kit" in win.statusBar().currentMessage()
    assert win.transport.position == AFTER


def test_off_letters_do_nothing_and_the_keys_come_back(stepping):
    win = stepping
    typed(win, "B")  # a note in the mode, not the brush
    assert not win.actions.tool_draw.isChecked() and len(entered(win)) == 1
    press(win, K.Key_N)  # leaves the mode; the note stays selected (Esc deselects)
    assert not win.step_entry.on and not win.actions.step_entry.isChecked()
    assert not win.status_step.isVisible() and len(win.selection) == 1
    win.transport.seek(AFTER + BAR)
    total = len(piano(win).notes)
    typed(win, "CDGA")
    press(win, K.Key_0)
    press(win, K.Key_R)
    assert len(piano(win).notes) == total and win.transport.position == AFTER + BAR
    press(win, K.Key_Backspace)  # Delete again: the selected note goes
    assert len(piano(win).notes) == total - 1
    typed(win, "B")
    assert win.actions.tool_draw.isChecked()
    press(win, K.Key_Up, M.ControlModifier)  # the previous track again
    assert win.pianoroll.current_track_id() == win.document.song.tracks[0].id
    press(win, K.Key_Down, M.ControlModifier)
    assert win.pianoroll.current_track_id() == win.document.song.tracks[1].id


def test_no_key_has_two_actions_in_or_out_of_the_mode(stepping):
    win = stepping

    def bound() -> list[str]:
        keys = [k.toString() for a in win.findChildren(QAction) if a.isEnabled()
                for k in a.shortcuts()]
        keys += [s.key().toString() for s in win.take_keys if s.isEnabled()]
        return keys

    for on in (True, False):
        win.actions.step_entry.setChecked(on)
        keys = bound()
        assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
        assert ("C" in keys) == on and ("B" in keys) and ("Esc" in keys)


def test_letters_in_a_number_field_do_nothing(stepping, qtbot):
    win = stepping
    spin = win.generate_panel.steps
    spin.setValue(8)
    spin.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(spin.hasFocus, timeout=2000)
    QTest.keyClick(spin, K.Key_C)
    QTest.keyClick(spin, K.Key_R)
    assert entered(win) == [] and win.transport.position == AFTER and spin.value() == 8
    QTest.keyClick(spin, K.Key_4)  # a digit is the field's
    assert win.snap_box.currentText() == "1/8"


def test_letters_in_a_track_name_type_there(stepping, qtbot):
    from studio.tracklist import TrackHeader

    win = stepping
    header = next(h for h in win.tracklist.findChildren(TrackHeader)
                  if h.track_id == piano(win).id)
    header.name.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(header.name.hasFocus, timeout=2000)
    header.name.selectAll()
    QTest.keyClick(header.name, K.Key_C)
    QTest.keyClick(header.name, K.Key_E, M.ShiftModifier)
    QTest.keyClick(header.name, K.Key_Backspace)
    assert header.name.text() == "c" and entered(win) == []
    assert win.transport.position == AFTER and win.step_entry.on


def test_undo_redo_then_backspace_takes_back_the_last_note(stepping):
    win = stepping
    typed(win, "CD")
    press(win, K.Key_Z, M.ControlModifier)
    press(win, K.Key_Z, M.ControlModifier | M.ShiftModifier)  # redo: D is back
    press(win, K.Key_Backspace)
    assert entered(win) == [(AFTER, 72, 240)] and win.transport.position == AFTER + 240


def test_a_note_typed_over_a_held_one_of_its_pitch_cuts_it_there(stepping):
    from engine.score import Note, add_notes

    win = stepping
    win.document.apply(add_notes(piano(win).id, [Note(72, AFTER, BAR)]))
    win.transport.seek(AFTER + 2 * Q)
    typed(win, "C")
    assert entered(win) == [(AFTER, 72, 2 * Q), (AFTER + 2 * Q, 72, 240)]


def test_triplet_steps_stay_on_the_triplet_grid(stepping):
    win = stepping
    win.set_snap("1/8T")
    typed(win, "CDE")
    assert [s for s, _p, _d in entered(win)] == [AFTER, AFTER + 160, AFTER + 320]
    assert win.transport.position == AFTER + Q


def test_ctrl_arrows_move_the_entry_point_after_the_note_reached(stepping):
    win = stepping
    typed(win, "CDE")
    press(win, K.Key_Left, M.ControlModifier)  # from E5 back to D5
    press(win, K.Key_Left, M.ControlModifier)  # C5
    assert win.transport.position == AFTER + 240  # after the C
    typed(win, "F")
    assert (AFTER + 240, 77, 240) in entered(win)


def test_arrows_move_the_entry_point_and_leave_the_notes(stepping):
    # MuseScore's note input: ← → move the cursor; Ctrl+Shift+← → nudge the notes.
    win = stepping
    typed(win, "CD")
    notes = entered(win)
    stack = win.document.undo_stack
    steps = stack.count()
    press(win, K.Key_Left)
    assert win.transport.position == AFTER + 240 and entered(win) == notes
    press(win, K.Key_Left)
    press(win, K.Key_Right)
    assert win.transport.position == AFTER + 240 and stack.count() == steps
    assert "Entry point: 3.1.240" in win.statusBar().currentMessage()
    typed(win, "E")  # written where the cursor is, beside the D
    assert entered(win) == [(AFTER, 72, 240), (AFTER + 240, 74, 240), (AFTER + 240, 76, 240)]
    assert win.transport.position == AFTER + 480
    press(win, K.Key_Right, M.ControlModifier | M.ShiftModifier)  # the E nudged, one step
    assert (AFTER + 480, 76, 240) in entered(win) and stack.count() == steps + 2
    assert win.transport.position == AFTER + 480  # the entry point stays
    press(win, K.Key_Left, M.ControlModifier | M.ShiftModifier)
    assert (AFTER + 240, 76, 240) in entered(win)
    press(win, K.Key_Period)  # a dotted step: the cursor moves a dotted 1/8
    press(win, K.Key_Right)
    assert win.transport.position == AFTER + 480 + 360
    press(win, K.Key_Left)
    assert win.transport.position == AFTER + 480


def test_the_cursor_stops_at_the_start_and_the_arrows_nudge_again_after(stepping):
    win = stepping
    win.transport.seek(120)
    press(win, K.Key_Left)  # a 1/8 back from a 1/16: the start, not before
    assert win.transport.position == 0
    press(win, K.Key_Left)
    assert win.transport.position == 0 and "at the start" in win.statusBar().currentMessage()
    note = piano(win).notes[1]
    win.selection.set_notes([(piano(win).id, note.id)])
    press(win, K.Key_N)  # out of the mode, the note kept: → nudges it again
    press(win, K.Key_Right)
    assert piano(win).note_by_id(note.id).start == note.start + 240
    assert win.transport.position == 0
    press(win, K.Key_Right, M.ControlModifier | M.ShiftModifier)  # the other nudge key
    assert piano(win).note_by_id(note.id).start == note.start + 480


def test_ctrl_3_makes_the_step_a_triplet_and_back(stepping):
    win = stepping
    triplet = win.actions.step_triplet
    press(win, K.Key_Period)
    press(win, K.Key_3, M.ControlModifier)  # 1/8 → 1/8T; the dot goes, as with a digit
    assert win.snap_box.currentText() == "1/8T" and triplet.isChecked()
    assert win.status_step.text() == "Step entry: 1/8 triplet"
    typed(win, "CDE")  # three triplet eighths fill a quarter, exactly
    assert entered(win) == [(AFTER, 72, 160), (AFTER + 160, 74, 160), (AFTER + 320, 76, 160)]
    assert win.transport.position == AFTER + Q
    press(win, K.Key_Left)  # the cursor steps a triplet too
    assert win.transport.position == AFTER + 320
    press(win, K.Key_3, M.ControlModifier)
    assert win.snap_box.currentText() == "1/8" and not triplet.isChecked()
    assert win.status_step.text().startswith("Step entry: 1/8 · ")
    press(win, K.Key_7)  # a bar has no triplet in the Snap box: said, nothing changes
    press(win, K.Key_3, M.ControlModifier)
    assert win.snap_box.currentText() == "Bar" and not triplet.isChecked()
    assert "no Bar triplet" in win.statusBar().currentMessage()
    press(win, K.Key_5)
    press(win, K.Key_3, M.ControlModifier)
    assert win.snap_box.currentText() == "1/4T"
    press(win, K.Key_4)  # a digit sets a straight length
    assert win.snap_box.currentText() == "1/8" and not triplet.isChecked()


def test_the_new_step_keys_are_in_the_tools_menu_with_their_keys(stepping):
    win = stepping
    tools = next(a.menu() for a in win.menuBar().actions() if a.text() == "&Tools")
    shown = {a.objectName(): a.shortcut().toString() for a in tools.actions()}
    assert (shown["step_cursor_back"], shown["step_cursor_forward"],
            shown["step_triplet"]) == ("Left", "Right", "Ctrl+3")
    assert win.actions.nudge_left.shortcut().toString() == "Ctrl+Shift+Left"  # in the mode
    press(win, K.Key_Escape)
    assert win.actions.nudge_left.shortcut().toString() == "Left"
    assert not win.actions.step_cursor_back.isEnabled()


# -- the QA of a MuseScore user --------------------------------------------------------------


def test_a_typed_flat_is_drawn_exported_and_said_as_typed(stepping):
    # QA: B then − with no key was "A#" on the note and in the MusicXML file; F then # in
    # F major was drawn "Gb".
    from dataclasses import replace

    from engine.io.musicxml import musicxml_bytes
    from engine.score import KeySignature
    from studio.pianoroll.view import note_label

    win = stepping
    song = win.document.song
    assert song.key_at(AFTER) is None
    typed(win, "B")
    press(win, K.Key_Minus)
    bb = next(n for n in piano(win).notes if n.start == AFTER)
    assert note_label(bb.pitch, None, False) == "Bb4"
    assert win.status_step.text().endswith("Bb4")
    xml = musicxml_bytes(win.document.song)[0]
    assert re.search(rb"<step>B</step>\s*<alter>-1</alter>", xml)
    assert not re.search(rb"<step>A</step>\s*<alter>1</alter>", xml)
    doc = win.document
    doc.reset(replace(doc.song, key_signatures=(KeySignature(0, "F"),)), None)
    win.selection.set_tracks([piano(win).id])
    win.transport.seek(AFTER + BAR)
    typed(win, "F")
    press(win, K.Key_NumberSign)
    f_sharp = next(n for n in piano(win).notes if n.start == AFTER + BAR)
    assert note_label(f_sharp.pitch, "F", False) == "F#4"  # near the Bb4 before it
    assert win.status_step.text().endswith("F#4")


def test_backspace_after_ctrl_z_takes_back_the_note_it_brought_back(stepping):
    # QA: N 5 C D E F, Backspace (F goes), Ctrl+Z (F returns), Backspace took E; the
    # label went on saying E, and the next letter's octave came from E.
    win = stepping
    press(win, K.Key_5)
    typed(win, "CDEF")
    assert [p for _s, p, _d in entered(win)] == [72, 74, 76, 77]
    press(win, K.Key_Backspace)
    assert win.status_step.text().endswith("E5")
    press(win, K.Key_Z, M.ControlModifier)
    assert [p for _s, p, _d in entered(win)] == [72, 74, 76, 77]
    assert win.transport.position == AFTER + 4 * Q
    assert win.status_step.text() == "Step entry: 1/4 · F5"
    typed(win, "B")  # a tritone from F5: B5 above (from E5 it would be B4 below)
    assert entered(win)[-1] == (AFTER + 4 * Q, 83, Q)
    press(win, K.Key_Backspace)
    press(win, K.Key_Backspace)  # F, not E
    assert [p for _s, p, _d in entered(win)] == [72, 74, 76]
    assert win.transport.position == AFTER + 3 * Q
    press(win, K.Key_Z, M.ControlModifier)
    press(win, K.Key_Z, M.ControlModifier)  # F back, then B
    press(win, K.Key_Backspace)  # B, the last entered
    assert [p for _s, p, _d in entered(win)] == [72, 74, 76, 77]


def test_backspace_left_of_the_last_note_takes_back_only_what_ends_there(stepping):
    # QA: ← ← then Backspace deleted F after the cursor and sent the playhead forward.
    win = stepping
    typed(win, "CDEF")
    press(win, K.Key_Left)
    press(win, K.Key_Left)  # the entry point between D and E
    assert win.transport.position == AFTER + 480
    press(win, K.Key_Backspace)  # D: the step that ends here
    assert [p for _s, p, _d in entered(win)] == [72, 76, 77]
    assert win.transport.position == AFTER + 240
    press(win, K.Key_Left)  # before the C: nothing ends there
    press(win, K.Key_Backspace)
    assert [p for _s, p, _d in entered(win)] == [72, 76, 77]
    assert win.transport.position == AFTER
    assert "nothing to take back here" in win.statusBar().currentMessage()


def test_a_rest_is_an_undo_step_of_its_own(stepping):
    # QA: a mistyped 0 fixed with Ctrl+Z cost the note before it.
    win = stepping
    stack = win.document.undo_stack
    typed(win, "C")
    press(win, K.Key_0)
    assert win.transport.position == AFTER + 480 and stack.undoText() == "Rest"
    press(win, K.Key_Z, M.ControlModifier)
    assert entered(win) == [(AFTER, 72, 240)] and win.transport.position == AFTER + 240
    assert win.status_step.text().endswith("C5")
    press(win, K.Key_R)
    press(win, K.Key_Backspace)  # Backspace takes a rest back too, itself an undo step
    assert win.transport.position == AFTER + 240 and len(entered(win)) == 1
    press(win, K.Key_Z, M.ControlModifier)
    assert win.transport.position == AFTER + 480
    typed(win, "D")
    assert entered(win)[-1] == (AFTER + 480, 74, 240)


def test_stray_keys_only_say_they_are_not_step_entry_keys(stepping):
    # QA: 8 / 9 said "No takes on screen", J and Q joined and quantized the note just
    # entered, S M L K split, switched to the mask tool, looped and clicked.
    win = stepping
    a = win.actions
    typed(win, "C")
    states = (a.loop.isChecked(), a.metronome.isChecked(), a.tool_select.isChecked())
    notes = piano(win).notes
    count = win.document.undo_stack.count()
    for key in (K.Key_8, K.Key_9, K.Key_J, K.Key_Q, K.Key_S, K.Key_M, K.Key_L, K.Key_K,
                K.Key_H, K.Key_P, K.Key_Z, K.Key_BracketRight):
        win.statusBar().clearMessage()
        press(win, key)
        assert win.statusBar().currentMessage().startswith("Not a step-entry key: Esc")
    press(win, K.Key_Q, M.ShiftModifier)
    assert piano(win).notes == notes and win.document.undo_stack.count() == count
    assert (a.loop.isChecked(), a.metronome.isChecked(), a.tool_select.isChecked()) == states
    assert win.transport.position == AFTER + 240
    # The global keys keep their meanings.
    assert "Space" in [k.toString() for k in a.play.shortcuts()]
    assert "Shift+R" in [k.toString() for k in a.record.shortcuts()]
    assert "Ctrl+S" in [k.toString() for k in a.save.shortcuts()]
    press(win, K.Key_Z, M.ControlModifier)
    assert entered(win) == []
    press(win, K.Key_Escape)  # off: the keys are theirs again
    assert [k.toString() for k in a.join_notes.shortcuts()] == ["J"]
    assert [k.toString() for k in a.metronome.shortcuts()] == ["K"]


def test_step_entry_messages_fit_the_status_bar_at_1400_px(stepping, qtbot):
    # QA: "…letters name pitches, not dr…" at 1400×900: the remedy was cut off.
    from PySide6.QtWidgets import QStatusBar

    from studio.step_entry import SHORT_HELP

    win = stepping
    win.resize(1400, 900)
    qtbot.waitUntil(lambda: win.width() == 1400, timeout=2000)
    win.status_hover.setText("G#4 · 12.3.240")
    win.transport.check_audio()  # "⚠ No audio output — playback off", the longest label
    press(win, K.Key_Period)
    press(win, K.Key_3, M.ControlModifier)  # the longest length: "dotted 1/8 triplet"
    sb = win.statusBar()
    said = []

    # No longer than the message turning step entry on, made to fit at the default size:
    # the QA's fonts are wider than the tests' (the drum message cut there fits here).
    most = sb.fontMetrics().horizontalAdvance(f"Step entry: {SHORT_HELP}")

    def check() -> None:
        shown = QStatusBar.currentMessage(sb)
        said.append(sb.currentMessage())
        assert shown and not shown.endswith("…"), sb.currentMessage()
        assert sb.fontMetrics().horizontalAdvance(said[-1]) <= most, said[-1]

    press(win, K.Key_Backspace)  # nothing entered
    check()
    press(win, K.Key_E, M.ShiftModifier)  # a chord needs a note
    check()
    press(win, K.Key_1)  # no 1/64
    check()
    press(win, K.Key_6)
    press(win, K.Key_3, M.ControlModifier)  # no 1/2 triplet
    check()
    press(win, K.Key_J)
    check()
    typed(win, "C")
    press(win, K.Key_Left)
    press(win, K.Key_Backspace)  # nothing to take back here
    check()
    win.selection.set_tracks([win.document.song.tracks[2].id])  # the drums
    typed(win, "C")
    check()
    assert said[-1].startswith("Step entry: pick a pitched track")


def test_the_entry_cursor_shades_the_next_steps_length(stepping):
    # QA: the cursor was the 1-px playhead line, easily lost at the song's start.
    win = stepping
    entry, canvas = win.step_entry, win.pianoroll.canvas
    win.transport.seek(0)
    win.pianoroll.viewport.set_left(0)
    assert entry.cursor_span() == (0, 240)
    press(win, K.Key_5)
    press(win, K.Key_Period)
    assert entry.cursor_span() == (0, 720)  # a dotted quarter
    vp = win.pianoroll.viewport
    x = round(vp.tick_to_x(360))
    y = 2  # the top row: no note there
    shaded = canvas.grab().toImage().pixelColor(x, y)
    press(win, K.Key_Escape)
    assert entry.cursor_span() is None
    plain = canvas.grab().toImage().pixelColor(x, y)
    assert shaded != plain


def test_a_flat_typed_in_g_major_is_kept_through_save_copy_undo_and_export(stepping,
                                                                           tmp_path):
    # Choir director's QA: a B♭ typed in G major was drawn and exported as the key spells
    # it (A♯). The note keeps its spelling (Note.spelling): in the project, a pasted copy,
    # undo, the roll's label and the score; moved by a semitone it is named by the rule.
    from dataclasses import replace

    from engine.io import load_project, save_project
    from engine.io.musicxml import musicxml_bytes
    from engine.score import KeySignature

    win = stepping
    doc = win.document
    doc.reset(replace(doc.song, key_signatures=(KeySignature(0, "G"),)), None)
    win.selection.set_tracks([piano(win).id])
    win.transport.seek(AFTER)
    typed(win, "B")
    press(win, K.Key_Minus)
    bb = next(n for n in piano(win).notes if n.start == AFTER)
    assert bb.spelling == "Bb" and win.status_step.text().endswith("Bb4")
    assert win.pianoroll.canvas.note_names().name_of_id(bb.id) == "Bb4"
    xml = musicxml_bytes(doc.song)[0]
    assert re.search(rb"<step>B</step>\s*<alter>-1</alter>", xml)
    assert not re.search(rb"<step>A</step>\s*<alter>1</alter>", xml)
    save_project(doc.song, tmp_path / "bb.partita")
    loaded = load_project(tmp_path / "bb.partita").song
    assert loaded.tracks[0].note_by_id(bb.id).spelling == "Bb"
    press(win, K.Key_N)  # step entry off: the editing keys are the usual ones
    win.selection.set_notes([(piano(win).id, bb.id)])
    win.copy()
    win.transport.seek(AFTER + BAR)
    win.paste()
    pasted = next(n for n in piano(win).notes if n.start == AFTER + BAR)
    assert pasted.id != bb.id and pasted.spelling == "Bb"
    win.selection.set_notes([(piano(win).id, bb.id)])
    win.transpose(1)  # a semitone up: B, named by the rule
    assert piano(win).note_by_id(bb.id).spelling is None
    win.transpose(-1)  # back to the black key: the rule's name (G major: A♯)
    assert piano(win).note_by_id(bb.id).spelling is None
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert piano(win).note_by_id(bb.id).spelling == "Bb"


# -- keyboard-only and screen-reader QA ----------------------------------------------------


def test_esc_leaves_with_nothing_selected_so_the_guides_keys_move_the_playhead(stepping):
    """QA: after step entry, Esc left the last note selected, and the guide's next keys
    ("Your first co-composition": Home, Shift+→ to bar 9, Ctrl+B, Alt+Shift+→, Ctrl+Alt+B)
    moved that note 8 bars, trimming one there, and masked the wrong bars."""
    win = stepping
    typed(win, "CDE")
    assert len(win.selection) == 1
    before = {n.id: (n.start, n.pitch, n.duration) for n in piano(win).notes}
    press(win, K.Key_Escape)
    assert not win.step_entry.on and len(win.selection) == 0
    assert win.statusBar().currentMessage() == "Step entry off"
    press(win, K.Key_Home)
    for _ in range(2):  # the guide's Shift+→ ×8 to bar 9; this song's bar 3 is empty
        press(win, K.Key_Right, M.ShiftModifier)
    assert win.transport.position == 2 * BAR  # the playhead moved, not the note
    assert {n.id: (n.start, n.pitch, n.duration) for n in piano(win).notes} == before
    press(win, K.Key_Home)
    press(win, K.Key_Right, M.ShiftModifier)  # bar 2
    press(win, K.Key_B, M.ControlModifier)  # the bar's notes (of the current track)
    bar2 = {(piano(win).id, n.id) for n in piano(win).notes if BAR <= n.start < 2 * BAR}
    assert win.selection.notes == bar2
    press(win, K.Key_Right, M.AltModifier | M.ShiftModifier)  # grown to bar 3's first note
    press(win, K.Key_B, M.ControlModifier | M.AltModifier)
    mask = win.document.mask
    assert not mask.is_empty
    assert mask.span == (BAR, 3 * BAR)  # bars 2–3, where the selection's notes start
    assert {n.id: (n.start, n.pitch, n.duration) for n in piano(win).notes} == before


def test_n_leaves_with_the_note_just_entered_still_selected(stepping):
    win = stepping
    typed(win, "C")
    press(win, K.Key_N)
    assert not win.step_entry.on and len(win.selection) == 1


def test_each_step_is_said_in_the_status_bar_for_a_screen_reader(stepping):
    """QA: a typed note changed only the small "Step entry" label; Backspace left the
    message before it."""
    win = stepping
    say = win.statusBar().currentMessage
    press(win, K.Key_5)
    typed(win, "E")
    assert say() == "E5 1/4 at 3.1"
    press(win, K.Key_G, M.ShiftModifier)
    assert say() == "Added G5 at 3.1"
    press(win, K.Key_4)
    press(win, K.Key_0)
    assert say() == "Rest 1/8 at 3.2"
    typed(win, "F")
    assert say() == "F5 1/8 at 3.2.240"
    press(win, K.Key_Backspace)
    assert say() == "Took back F5: back at 3.2.240"
    press(win, K.Key_Backspace)
    assert say() == "Took back a rest: back at 3.2"
    press(win, K.Key_Backspace)
    assert say() == "Took back E5, G5: back at 3.1"
