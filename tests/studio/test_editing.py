"""Editing through the real widgets: draw, select, move, resize, delete, undo/redo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from studio.pianoroll import Tool


def piano(win):
    return win.document.song.tracks[0]


def test_open_midi_shows_tracks_and_title(opened, ui):
    song = opened.document.song
    assert [t.name for t in song.tracks] == ["Piano", "Bass", "Drums"]
    assert [h.track_id for h in opened.tracklist.headers] == [t.id for t in song.tracks]
    assert opened.windowTitle() == "Test song — song.mid — Partita"
    assert opened.pianoroll.active_track_ids() == [song.tracks[0].id]


def test_draw_a_note_with_the_brush_then_undo_redo(opened, ui):
    win = opened
    ui.show_all(win)
    win.pianoroll.set_tool(Tool.DRAW)
    before = len(piano(win).notes)
    ui.click(win, 4 * 480 + 30, 55)  # bar 2, slightly after the downbeat: snaps to it
    notes = piano(win).notes
    assert len(notes) == before + 1
    new = [n for n in notes if n.pitch == 55]
    assert [(n.start, n.duration) for n in new] == [(4 * 480, 120)]  # 1/16 snap
    assert win.windowTitle() == "Test song — song.mid* — Partita"
    assert win.actions.undo.text() == "&Undo Draw note"
    win.document.undo_stack.undo()
    assert len(piano(win).notes) == before
    assert win.windowTitle() == "Test song — song.mid — Partita"
    win.document.undo_stack.redo()
    assert len(piano(win).notes) == before + 1


def test_drag_with_brush_sets_length(opened, ui):
    win = opened
    ui.show_all(win)
    win.pianoroll.set_tool(Tool.DRAW)
    ui.drag(win, ui.point(win, 2 * 480, 50), ui.point(win, 3 * 480, 50, dx=0))
    (n,) = [n for n in piano(win).notes if n.pitch == 50]
    assert (n.start, n.duration) == (960, 480)


def test_move_a_note_by_dragging_it(opened, ui):
    win = opened
    ui.show_all(win)
    note = piano(win).notes[1]  # D4 at beat 2
    ui.drag(win, ui.point(win, note.start, note.pitch),
            ui.point(win, note.start + 480, note.pitch + 2))
    moved = piano(win).note_by_id(note.id)
    assert (moved.start, moved.pitch) == (note.start + 480, note.pitch + 2)
    assert win.document.undo_stack.count() == 1
    win.document.undo_stack.undo()
    assert piano(win).note_by_id(note.id) == note


def test_resize_a_note_by_its_right_edge(opened, ui):
    win = opened
    ui.show_all(win)
    note = piano(win).notes[0]
    vp = win.pianoroll.viewport
    edge = QPoint(round(vp.tick_to_x(note.end) - 2), ui.point(win, note.start, note.pitch).y())
    ui.drag(win, edge, QPoint(round(vp.tick_to_x(note.end + 240)), edge.y()))
    assert piano(win).note_by_id(note.id).duration == note.duration + 240


def test_click_shift_click_and_rubber_band_select(opened, ui):
    win = opened
    ui.show_all(win)
    notes = piano(win).notes
    sel = win.selection
    ui.click(win, notes[0].start, notes[0].pitch)
    assert sel.notes == {(piano(win).id, notes[0].id)}
    ui.click(win, notes[2].start, notes[2].pitch, Qt.KeyboardModifier.ShiftModifier)
    assert len(sel) == 2
    ui.click(win, notes[2].start, notes[2].pitch, Qt.KeyboardModifier.ControlModifier)
    assert len(sel) == 1
    # Rubber band from empty space above the run of notes, over the first four of them.
    ui.drag(win, ui.point(win, 10, 70), ui.point(win, 4 * 480 - 80, 59))
    assert {nid for _, nid in sel.notes} == {n.id for n in notes[:4]}


def test_ctrl_drag_copies_the_whole_selection(opened, ui):
    # A Ctrl-press on a selected note used to deselect it at once, so the drag copied
    # only the other notes (or none); a Ctrl-click without a drag still deselects.
    win = opened
    ui.show_all(win)
    notes = piano(win).notes
    ui.drag(win, ui.point(win, 10, 70), ui.point(win, 4 * 480 - 80, 59))
    chosen = notes[:4]
    assert {nid for _, nid in win.selection.notes} == {n.id for n in chosen}
    grab = chosen[1]
    ui.drag(win, ui.point(win, grab.start, grab.pitch),
            ui.point(win, grab.start + 1920, grab.pitch), Qt.KeyboardModifier.ControlModifier)
    after = piano(win).notes
    assert len(after) == len(notes) + 4
    assert all(piano(win).note_by_id(n.id) == n for n in notes)  # the originals stay
    copies = {(n.start, n.pitch) for n in after} - {(n.start, n.pitch) for n in notes}
    assert copies == {(n.start + 1920, n.pitch) for n in chosen}
    assert len(win.selection) == 4  # the copies are selected
    ui.click(win, grab.start + 1920, grab.pitch, Qt.KeyboardModifier.ControlModifier)
    assert len(win.selection) == 3


def test_eraser_and_right_click_delete(opened, ui):
    win = opened
    ui.show_all(win)
    notes = piano(win).notes
    win.pianoroll.set_tool(Tool.ERASE)
    ui.click(win, notes[0].start, notes[0].pitch)
    assert len(piano(win).notes) == len(notes) - 1
    QTest.mouseClick(win.pianoroll.canvas, Qt.MouseButton.RightButton,
                     Qt.KeyboardModifier.NoModifier, ui.point(win, notes[1].start, notes[1].pitch))
    assert len(piano(win).notes) == len(notes) - 2


def test_ghost_tracks_are_not_editable(opened, ui):
    win = opened
    ui.show_all(win)
    bass = win.document.song.tracks[1]
    ui.click(win, bass.notes[0].start, bass.notes[0].pitch)
    assert len(win.selection) == 0  # bass is ghosted while the piano is active
    win.selection.set_tracks([bass.id])
    ui.click(win, bass.notes[0].start, bass.notes[0].pitch)
    assert win.selection.notes == {(bass.id, bass.notes[0].id)}


def test_velocity_lane_drag_sets_velocity(opened, ui):
    win = opened
    ui.show_all(win)
    lane = win.pianoroll.velocity
    note = piano(win).notes[3]
    x = round(win.pianoroll.viewport.tick_to_x(note.start) + 1)
    QTest.mousePress(lane, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(x, 8))
    QTest.mouseRelease(lane, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       QPoint(x, 8))
    assert piano(win).note_by_id(note.id).velocity > 115
    assert win.actions.undo.text() == "&Undo Set velocity of 1 note"


def test_dragging_a_selected_stems_tip_moves_every_selected_velocity_together(opened, ui):
    win = opened
    ui.show_all(win)
    lane = win.pianoroll.velocity
    from studio.pianoroll.tools import velocity_edit

    first = piano(win).notes[:3]
    win.document.apply(velocity_edit({piano(win).id: list(zip(first, (60, 90, 100),
                                                                strict=True))}))
    notes = piano(win).notes[:3]
    win.selection.set_notes((piano(win).id, n.id) for n in notes)
    x = round(win.pianoroll.viewport.tick_to_x(notes[1].start) + 1)
    tip = QPoint(x, round(lane._y_of(notes[1].velocity)))
    up = round(20 / 127 * (lane.height() - 12))  # about 20 velocity steps
    QTest.mousePress(lane, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, tip)
    QTest.mouseMove(lane, tip - QPoint(0, up))
    assert lane._readout is not None and lane._readout[2].startswith("+")
    QTest.mouseRelease(lane, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       tip - QPoint(0, up))
    after = [piano(win).note_by_id(n.id).velocity for n in notes]
    moved = {a - n.velocity for a, n in zip(after, notes, strict=True)}
    assert len(moved) == 1 and 15 <= moved.pop() <= 25  # relative: all moved alike
    assert win.actions.undo.text() == "&Undo Set velocity of 3 notes"
    # Esc before releasing: nothing changes, the selection stays.
    steps = win.document.undo_stack.count()
    QTest.mousePress(lane, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, tip)
    QTest.mouseMove(lane, tip - QPoint(0, up))
    QTest.keyClick(lane, Qt.Key.Key_Escape)
    QTest.mouseRelease(lane, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       tip - QPoint(0, up))
    assert win.document.undo_stack.count() == steps and len(win.selection) == 3


def test_velocities_set_past_midis_range_stay_sounding_and_only_changes_count():
    from engine.score import Note, Song, Track
    from studio.pianoroll.tools import velocity_edit

    loud, soft = Note(60, 0, 480, 127), Note(62, 0, 480, 60)
    track = Track("Piano", notes=(loud, soft))
    edit = velocity_edit({track.id: [(loud, 200), (soft, 0)]})  # a drag past either end
    assert [n.velocity for n in edit.apply(Song(tracks=(track,))).tracks[0].notes] == [127, 1]
    assert edit.label == "Set velocity of 1 note"  # the loud one was already at the top


def test_ctrl_drag_copies_before_bar_1_stop_at_the_start_as_a_move_does(opened, ui):
    # Ctrl-dragging the notes at ticks 0 and 480 a beat left raised ValueError (a note at
    # -480); a plain move was clamped (found by a monkey test).
    win = opened
    ui.show_all(win)
    notes = piano(win).notes
    win.selection.set_notes((piano(win).id, n.id) for n in notes[:2])
    grab = notes[1]
    ui.drag(win, ui.point(win, grab.start, grab.pitch),
            ui.point(win, grab.start - 480, grab.pitch), Qt.KeyboardModifier.ControlModifier)
    after = piano(win).notes
    # The copies, clamped onto the notes they copy, take their places (a doubled note
    # plays twice): one note each, as before.
    assert [n.key() for n in after] == [n.key() for n in notes]
    assert {n.id for n in after[:2]}.isdisjoint(n.id for n in notes[:2])
    assert win.document.undo_stack.count() == 1


def test_a_drum_kit_names_its_keys(opened, ui):
    """On a kit the keyboard, the status bar and the notes say which drum a key plays."""
    win = opened
    ui.show_all(win)
    roll = win.pianoroll
    piano_image = roll.keyboard.grab().toImage()
    drums = win.document.song.tracks[2]
    win.selection.set_tracks([drums.id])
    assert roll.current_track_is_drum()
    # The kit's rows are drawn as named rows, not piano keys.
    assert roll.keyboard.grab().toImage() != piano_image
    roll._on_hover(480, 38)
    assert win.status_hover.text().endswith("Acoustic Snare (D2)")
    win.selection.set_tracks([piano(win).id])
    roll._on_hover(480, 38)
    assert win.status_hover.text().endswith("D2")
    assert "Snare" not in win.status_hover.text()
    # GM2's Orchestra kit plays timpani where the standard kit has its toms (QA: an
    # orchestral percussion track's rows said "Lo Fl Tom").
    from engine.score.track_edits import instrument_edit, kit_value
    from studio.pianoroll.view import note_label

    standard_rows = roll.keyboard.grab().toImage()
    win.document.apply(instrument_edit(win.document.song, drums.id, kit_value(48)))
    win.selection.set_tracks([drums.id])
    assert roll.current_kit() == 48
    roll._on_hover(480, 41)
    assert win.status_hover.text().endswith("Timpani F2 (F2)")
    assert roll.keyboard.grab().toImage() != standard_rows
    assert note_label(41, None, True, kit=48) == "Timp F2"
    assert note_label(41, None, True) == "Lo Fl Tom"


def alt_drag(win, start: QPoint, end: QPoint, *, escape: bool = False,
             held=Qt.KeyboardModifier.AltModifier) -> None:
    """A drag with Alt (or ``held``) held throughout (QTest's mouseMove carries no
    modifiers)."""
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    canvas = win.pianoroll.canvas
    alt, left = held, Qt.MouseButton.LeftButton

    def send(kind, at, buttons):
        pos = QPointF(at)
        event = QMouseEvent(kind, pos, canvas.mapToGlobal(pos), left if kind != QEvent.Type.
                            MouseMove else Qt.MouseButton.NoButton, buttons, alt)
        QApplication.sendEvent(canvas, event)

    send(QEvent.Type.MouseButtonPress, start, left)
    for i in range(1, 5):
        send(QEvent.Type.MouseMove, start + (end - start) * i / 4, left)
    if escape:
        QTest.keyClick(canvas, Qt.Key.Key_Escape)
    send(QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)


def test_alt_moves_and_draws_off_the_grid(opened, ui):
    win = opened
    ui.show_all(win)
    roll = win.pianoroll
    note = piano(win).notes[1]
    vp = roll.viewport
    grab = ui.point(win, note.start, note.pitch)
    alt_drag(win, grab, QPoint(grab.x() + round(37 * vp.px_per_tick), grab.y()))
    moved = piano(win).note_by_id(note.id).start - note.start
    assert moved % 120 and abs(moved - 37) <= 2 / vp.px_per_tick  # off the 1/16 grid
    roll.set_tool(Tool.DRAW)
    at = 4 * 480 + 53
    start = QPoint(round(vp.tick_to_x(at)), ui.point(win, at, 50).y())
    alt_drag(win, start, QPoint(round(vp.tick_to_x(at + 200)), start.y()))
    (new,) = [n for n in piano(win).notes if n.pitch == 50]
    assert new.start % 120 and new.duration % 120  # neither snapped
    # Shift does the same (desktops that move windows on Alt+drag).
    note = piano(win).notes[3]
    grab = ui.point(win, note.start, note.pitch)
    alt_drag(win, grab, QPoint(grab.x() + round(37 * vp.px_per_tick), grab.y()),
             held=Qt.KeyboardModifier.ShiftModifier)
    assert (piano(win).note_by_id(note.id).start - note.start) % 120


def test_escape_cancels_a_drag_in_progress(opened, ui):
    win = opened
    ui.show_all(win)
    note = piano(win).notes[1]
    grab = ui.point(win, note.start, note.pitch)
    win.selection.set_notes([(piano(win).id, note.id)])
    alt_drag(win, grab, grab + QPoint(200, -40), escape=True)
    assert piano(win).note_by_id(note.id) == note
    assert win.document.undo_stack.count() == 0
    assert len(win.selection) == 1  # Esc cancelled the drag, not the selection


def test_the_brush_keeps_its_last_length_when_the_grid_changes(opened, ui):
    from engine.score.snap import snap_by_name

    win = opened
    ui.show_all(win)
    roll = win.pianoroll
    roll.set_tool(Tool.DRAW)
    ui.drag(win, ui.point(win, 2 * 480, 50), ui.point(win, 4 * 480, 50, dx=0))
    roll.set_snap(snap_by_name("Off"))
    roll.set_snap(snap_by_name("1/16"))
    ui.click(win, 8 * 480, 52)
    (n,) = [n for n in piano(win).notes if n.pitch == 52]
    assert n.duration == 960  # the half note just drawn, not a sixteenth
    assert win.status_tool.text() == "Tool: Brush (B)"


@pytest.mark.parametrize(("grid", "step"), [("1/32", 60), ("1/16T", 80)])
def test_a_finer_grid_gives_the_brush_its_length(opened, ui, grid, step):
    """Producer QA: at 1/32 the Brush kept the 1/16 just drawn, so clicking along a hat
    row every 1/32 selected the note just drawn at every second click: 4 of 8 hats."""
    from engine.score.snap import snap_by_name

    win = opened
    ui.show_all(win)
    roll = win.pianoroll
    roll.viewport.zoom_x(4, 0)  # a 1/32 cell many pixels wide
    roll.set_tool(Tool.DRAW)
    ui.click(win, 0, 54)  # a 1/16 note: the Brush's last used length
    roll.set_snap(snap_by_name(grid))
    for i in range(8):
        ui.click(win, 480 + i * step, 52)
    hats = sorted((n for n in piano(win).notes if n.pitch == 52), key=lambda n: n.start)
    assert [n.start for n in hats] == [480 + i * step for i in range(8)]
    assert {n.duration for n in hats} == {step}
    roll.set_snap(snap_by_name("1/16"))  # a coarser grid keeps the length last drawn
    ui.click(win, 2 * 480, 50)
    assert [n.duration for n in piano(win).notes if n.pitch == 50] == [step]


def test_drag_a_notes_left_edge_to_move_its_start_and_keep_its_end(opened, ui):
    win = opened
    ui.show_all(win)
    note = piano(win).notes[2]  # a quarter note on beat 3
    vp = win.pianoroll.viewport
    y = ui.point(win, note.start, note.pitch).y()
    edge = QPoint(round(vp.tick_to_x(note.start) + 2), y)
    ui.drag(win, edge, QPoint(round(vp.tick_to_x(note.start - 240)), y))
    resized = piano(win).note_by_id(note.id)
    assert (resized.start, resized.end) == (note.start - 240, note.end)
    assert win.actions.undo.text() == "&Undo Resize 1 note"
    # Past the end: the note keeps one grid step.
    ui.drag(win, QPoint(round(vp.tick_to_x(resized.start) + 2), y),
            QPoint(round(vp.tick_to_x(note.end + 480)), y))
    assert (piano(win).note_by_id(note.id).start, piano(win).note_by_id(note.id).end) == (
        note.end - 120, note.end)


def test_a_note_moved_or_resized_onto_one_of_its_pitch_trims_that_one(opened, ui):
    """QA: an E4 dragged onto another (0–4 and 2–5 beats) left two overlapping notes that
    MIDI players cut short. The moved note wins: the one held from before ends where it
    starts, one it covers the start of goes, in the same undo step."""
    from engine.score import Note, add_notes

    win = opened
    ui.show_all(win)
    tid = piano(win).id
    held, later = Note(52, 0, 4 * 480, 80), Note(52, 6 * 480, 3 * 480, 80)
    win.document.apply(add_notes(tid, [held, later]))
    steps = win.document.undo_stack.count()

    def e3() -> list[tuple[int, int]]:
        return sorted((n.start, n.end) for n in piano(win).notes if n.pitch == 52)

    ui.drag(win, ui.point(win, later.start, 52), ui.point(win, 2 * 480, 52))
    assert e3() == [(0, 960), (960, 2400)]
    assert win.document.undo_stack.count() == steps + 1
    assert "1 note of the same pitch underneath trimmed" in win.statusBar().currentMessage()
    win.document.undo_stack.undo()
    assert e3() == [(0, 1920), (2880, 4320)]
    # Lengthened over the later note's start: that note goes.
    vp = win.pianoroll.viewport
    edge = QPoint(round(vp.tick_to_x(held.end) - 2), ui.point(win, 0, 52).y())
    ui.drag(win, edge, QPoint(round(vp.tick_to_x(7 * 480)), edge.y()))
    assert e3() == [(0, 3360)]
    win.document.undo_stack.undo()
    assert e3() == [(0, 1920), (2880, 4320)]
    # Transposed onto it (↑ from D♯3): the same rule, one undo step.
    below = Note(51, 2 * 480, 480, 80)
    win.document.apply(add_notes(tid, [below]))
    win.selection.set_notes([(tid, below.id)])
    win.pianoroll.canvas.setFocus()
    QTest.keyClick(win.pianoroll.canvas, Qt.Key.Key_Up)
    assert e3() == [(0, 960), (960, 1440), (2880, 4320)]
    win.document.undo_stack.undo()
    assert e3() == [(0, 1920), (2880, 4320)]
