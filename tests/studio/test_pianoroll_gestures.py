"""Piano-roll gestures as a DAW user expects them (a Logic/Ableton/Reaper user's report):
Follow waits for a drag, a fast velocity ramp sets every stem, a click in a selection
keeps that note alone, a copy dropped where it was is no copy, a kit's hits are struck
with a fixed length, a drag held past the view's edge scrolls it, the Brush draws
leftwards, ← → nudge finely with the grid off (and by a tick), the wheel works over the
velocity lane and the Eraser looks like one. All through the real widgets."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from engine.score.snap import snap_by_name
from studio.pianoroll import Tool
from studio.pianoroll.velocity import PAD
from studio.pianoroll.view import SCROLL_PX_MAX, scroll_speed
from studio.transport import Transport

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier
M = Qt.KeyboardModifier
K = Qt.Key


def track(win, name: str):
    return next(t for t in win.document.song.tracks if t.name == name)


@pytest.fixture
def playing(opened, ui, qtbot, monkeypatch):
    """The opened song in view with Follow on, the transport taken for playing (the
    positions are sent by hand: no audio)."""
    monkeypatch.setattr(Transport, "is_playing", property(lambda self: True))
    qtbot.wait(1)  # the window's first view of the song, posted, before ours
    ui.show_all(opened)
    opened.pianoroll.viewport.fit_ticks(0, 1920)  # a bar of the song's two: a page to turn
    assert opened.actions.follow.isChecked()
    return opened


def test_follow_waits_while_a_note_is_dragged(playing, ui):
    """With Follow on, a page turned mid-drag moved the note a page away (dragged up 3
    semitones it landed at 4560, not 960). Following pauses for the drag, then resumes."""
    win = playing
    roll, canvas = win.pianoroll, win.pianoroll.canvas
    vp = roll.viewport
    note = next(n for n in track(win, "Piano").notes if n.start == 960)
    start = ui.point(win, note.start, note.pitch)
    end = ui.point(win, note.start, note.pitch + 3)
    QTest.mousePress(canvas, LEFT, NONE, start)
    QTest.mouseMove(canvas, (start + end) / 2)
    left = vp.left
    win._position_changed(round(vp.right) + 10)  # the playhead runs off the right edge
    assert vp.left == left  # no page turned under the drag
    QTest.mouseMove(canvas, end)
    QTest.mouseRelease(canvas, LEFT, NONE, end)
    moved = track(win, "Piano").note_by_id(note.id)
    assert (moved.start, moved.pitch) == (960, note.pitch + 3)
    win._position_changed(round(vp.right) + 10)  # released: following resumes
    assert vp.left > left


def test_follow_waits_for_a_velocity_stroke_and_a_loop_drag(playing):
    win = playing
    roll = win.pianoroll
    vp = roll.viewport
    left = vp.left
    for widget in (roll.velocity, roll.ruler):
        at = QPoint(40, widget.height() // 2)
        QTest.mousePress(widget, LEFT, NONE, at)
        QTest.mouseMove(widget, at + QPoint(30, 0))
        assert roll.in_gesture()
        win._position_changed(round(vp.right) + 10)
        assert vp.left == left
        QTest.mouseRelease(widget, LEFT, NONE, at + QPoint(30, 0))
        assert not roll.in_gesture()
    win._position_changed(round(vp.right) + 10)
    assert vp.left > left


def test_a_fast_velocity_ramp_sets_every_stem_on_its_line(opened, ui):
    """Six mouse moves across eight quarter notes left stems between the samples at 90
    ([21, 90, 90, 90, 90, 90, 90, 119]); every stem now takes the line's value."""
    win = opened
    ui.show_all(win)
    win.selection.clear_notes()
    roll = win.pianoroll
    lane, vp = roll.velocity, roll.viewport
    notes = track(win, "Piano").notes
    assert len(notes) == 8
    x0, x1 = vp.tick_to_x(notes[0].start) + 1, vp.tick_to_x(notes[-1].start) + 1
    y0, y1 = lane.height() - PAD - 4, PAD + 2
    QTest.mousePress(lane, LEFT, NONE, QPoint(round(x0), y0))
    for i in range(1, 7):
        QTest.mouseMove(lane, QPoint(round(x0 + (x1 - x0) * i / 6), round(y0 + (y1 - y0) * i / 6)))
    QTest.mouseRelease(lane, LEFT, NONE, QPoint(round(x1), y1))
    got = [n.velocity for n in track(win, "Piano").notes]
    assert got == sorted(got) and len(set(got)) == 8, got
    for n, v in zip(track(win, "Piano").notes, got, strict=True):
        x = vp.tick_to_x(n.start) + 1
        on_line = lane._value_at(y0 + (y1 - y0) * (x - x0) / (x1 - x0))
        assert abs(v - on_line) <= 2, (got, n.start)
    assert win.document.undo_stack.count() == 1


def test_a_click_on_a_note_of_a_selection_selects_it_alone(opened, ui):
    """A click (no drag) on one of several selected notes leaves only that one selected,
    as in every DAW; a drag still moves them all."""
    win = opened
    ui.show_all(win)
    piano = track(win, "Piano")
    notes = piano.notes[:3]
    win.selection.set_notes([(piano.id, n.id) for n in notes])
    ui.drag(win, ui.point(win, notes[1].start, notes[1].pitch),
            ui.point(win, notes[1].start + 480, notes[1].pitch))
    assert len(win.selection) == 3  # the drag moved all three, all still selected
    assert [track(win, "Piano").note_by_id(n.id).start for n in notes] == [
        n.start + 480 for n in notes]
    moved = track(win, "Piano").note_by_id(notes[1].id)
    ui.click(win, moved.start, moved.pitch)
    assert win.selection.notes == frozenset({(piano.id, notes[1].id)})
    assert win.document.undo_stack.count() == 1  # the click edited nothing


def test_a_copy_dropped_where_it_was_makes_no_undo_step(opened, ui):
    """A Ctrl-drag that snaps back onto the note made "Copy 1 note" (the copy replacing
    the note under it); like a move, it now does nothing."""
    win = opened
    ui.show_all(win)
    piano = track(win, "Piano")
    note = piano.notes[2]
    win.selection.set_notes([(piano.id, note.id)])
    ctrl = Qt.KeyboardModifier.ControlModifier
    start = ui.point(win, note.start, note.pitch)
    ui.drag(win, start, start + QPoint(5, 0), modifier=ctrl)  # snaps back to its start
    assert win.document.undo_stack.count() == 0
    assert track(win, "Piano").notes == piano.notes
    assert win.selection.notes == frozenset({(piano.id, note.id)})
    ui.drag(win, start, ui.point(win, note.start + 960, note.pitch), modifier=ctrl)
    assert win.actions.undo.text() == "&Undo Copy 1 note"  # a real copy still copies


def test_a_kit_draws_fixed_length_hits(opened, ui):
    """A kit's hits took the Brush's remembered length (a hat 1560 ticks long after a
    piano note was resized); now a hit is one grid step, at most a 16th, whatever was
    drawn or resized on other tracks, and a drag does not stretch it."""
    win = opened
    ui.show_all(win)
    roll = win.pianoroll
    roll.set_tool(Tool.DRAW)
    ui.drag(win, ui.point(win, 2 * 480, 50), ui.point(win, 5 * 480 + 120, 50, dx=0))
    assert roll.note_length == 3 * 480 + 120  # the piano's Brush keeps what it drew
    drums = track(win, "Drums")
    win.selection.set_tracks([drums.id])
    ui.click(win, 480 + 240, 42)  # Closed HH
    ui.drag(win, ui.point(win, 960 + 240, 42), ui.point(win, 3 * 480, 42, dx=0))
    hats = [n for n in track(win, "Drums").notes if n.pitch == 42]
    assert [(n.start, n.duration) for n in hats] == [(720, 120), (1200, 120)]
    assert roll.note_length == 3 * 480 + 120  # the hits changed no length
    for grid, length in (("1/4", 120), ("1/32", 60), ("Off", 120)):
        roll.set_snap(snap_by_name(grid))
        assert roll.draw_length(drums.id) == length, grid
    win.selection.set_tracks([track(win, "Piano").id])
    assert roll.draw_length(track(win, "Piano").id) == roll.note_length


def test_a_kits_hits_are_not_resized_by_their_edges(opened, ui):
    """Dragging a hit's edge moves the hit (a kit's hits have no length to pull); with a
    piano note in the selection, its edge lengthens it alone, and the status bar says
    why the hits stayed."""
    win = opened
    ui.show_all(win)
    roll, vp = win.pianoroll, win.pianoroll.viewport
    roll.viewport.fit_ticks(0, 4 * 480)  # a hit is wide enough to have edges
    piano, drums = track(win, "Piano"), track(win, "Drums")
    win.selection.set_tracks([drums.id, piano.id])
    hit = next(n for n in drums.notes if n.start == 480)  # snare
    y = ui.point(win, hit.start, hit.pitch).y()
    edge = QPoint(round(vp.tick_to_x(hit.end) - 2), y)
    assert roll.canvas.note_rect(hit.start, hit.duration, hit.pitch).width() >= 12
    ui.drag(win, edge, edge + QPoint(round(240 * vp.px_per_tick), 0))
    after = track(win, "Drums").note_by_id(hit.id)
    assert (after.start, after.duration) == (hit.start + 240, hit.duration)
    win.document.undo_stack.undo()
    note = piano.notes[1]
    win.selection.set_notes([(piano.id, note.id), (drums.id, hit.id)])
    y = ui.point(win, note.start, note.pitch).y()
    edge = QPoint(round(vp.tick_to_x(note.end) - 2), y)
    ui.drag(win, edge, QPoint(round(vp.tick_to_x(note.end + 240)), y))
    assert track(win, "Piano").note_by_id(note.id).duration == note.duration + 240
    assert track(win, "Drums").note_by_id(hit.id) == hit
    assert "drum tracks left as they are" in win.statusBar().currentMessage()


def test_pitched_ghosts_stay_off_a_kits_named_rows(opened, ui):
    """In the drum view the bass's C2 (36) showed as a long bar in the Kick row; a kit's
    rows show its own drums only, while the bass still ghosts behind the piano."""
    win = opened
    ui.show_all(win)
    roll = win.pianoroll
    canvas, vp = roll.canvas, roll.viewport
    bass = next(n for n in track(win, "Bass").notes if n.pitch == 36)  # 0-1920: 2 beats in
    y = round(vp.pitch_to_y(36) + vp.key_h / 2)
    under_bass = round(vp.tick_to_x(540))  # between the kicks at 0 and 960
    empty = round(vp.tick_to_x(3060))  # no bass, no kick there
    assert bass.start < 540 < bass.end

    def colour(x: int):
        return canvas.grab().toImage().pixelColor(x, y).name()

    assert colour(under_bass) != colour(empty)  # behind the piano: the bass ghosts
    win.selection.set_tracks([track(win, "Drums").id])
    assert roll.current_track_is_drum()
    assert colour(under_bass) == colour(empty)


def hold_past(canvas, qtbot, start: QPoint, past: QPoint, until: Callable[[], bool],
              modifier=NONE) -> None:
    """Press at ``start``, drag to ``past`` (outside the canvas), hold there, the mouse
    still, until ``until()`` (the view scrolled far enough): a step every SCROLL_MS, so a
    fixed hold scrolled less on a loaded machine whose timer fires late."""
    QTest.mousePress(canvas, LEFT, modifier, start)
    QTest.mouseMove(canvas, (start + past) / 2)
    QTest.mouseMove(canvas, past)
    qtbot.waitUntil(until, timeout=10000)
    QTest.mouseRelease(canvas, LEFT, modifier, past)


def test_a_note_held_past_the_right_edge_scrolls_the_view_and_lands_under_the_pointer(
        opened, ui, qtbot):
    """Held past the right edge for 0.8 s a dragged note scrolled nothing and landed out
    of sight; now the view scrolls while the pointer stays out there, and the note lands
    where the pointer is in the song (not where its pixels were before the scroll)."""
    win = opened
    ui.show_all(win)
    roll, canvas, vp = win.pianoroll, win.pianoroll.canvas, win.pianoroll.viewport
    vp.fit_ticks(0, 1920)  # one bar on screen, bars to scroll to
    note = track(win, "Piano").notes[1]
    start = ui.point(win, note.start, note.pitch)
    tick0 = vp.x_to_tick(start.x())
    past = QPoint(canvas.width() + 30, start.y())
    hold_past(canvas, qtbot, start, past, lambda: vp.left >= 240)  # timer-driven, no move
    moved = track(win, "Piano").note_by_id(note.id)
    assert moved.start == roll.snap_tick(note.start + vp.x_to_tick(past.x()) - tick0)
    assert moved.pitch == note.pitch
    assert not canvas._scroll_timer.isActive()  # released: the scrolling stops


def test_auto_scroll_grows_with_the_distance_past_either_edge():
    assert scroll_speed(0, 500) == scroll_speed(499, 500) == 0  # inside: none
    assert 0 < scroll_speed(503, 500) < scroll_speed(560, 500) <= SCROLL_PX_MAX
    assert 0 > scroll_speed(-3, 500) > scroll_speed(-60, 500) >= -SCROLL_PX_MAX
    assert scroll_speed(5000, 500) == SCROLL_PX_MAX


def test_a_rubber_band_held_above_the_top_scrolls_up_and_selects_rows_out_of_sight(
        opened, ui, qtbot):
    """The band's pressed corner stays on its tick and row as the view scrolls: the notes
    above the rows that were on screen at the press are selected."""
    win = opened
    ui.show_all(win)
    canvas, vp = win.pianoroll.canvas, win.pianoroll.viewport
    vp.fit_ticks(0, 1920)
    vp.key_h = 14
    vp.center_on_pitches(30, 40)
    piano = track(win, "Piano")
    assert vp.visible_pitches()[1] < 60  # the piano's notes are above the view
    top = vp.top
    start = ui.point(win, 100, 50, dx=0)
    end = QPoint(round(vp.tick_to_x(1000)), -40)
    # Held till the highest of those notes is on screen (the band reaches past the top).
    hold_past(canvas, qtbot, start, end, lambda: vp.visible_pitches()[1] >= 64)
    assert vp.top < top
    assert win.selection.notes == frozenset(
        (piano.id, n.id) for n in piano.notes if n.start <= 960)


def test_a_resize_and_a_brush_stroke_held_past_the_right_edge_scroll_on(opened, ui, qtbot):
    win = opened
    ui.show_all(win)
    roll, canvas, vp = win.pianoroll, win.pianoroll.canvas, win.pianoroll.viewport
    vp.fit_ticks(0, 1920)
    note = track(win, "Piano").notes[1]
    edge = QPoint(round(vp.tick_to_x(note.end) - 2), ui.point(win, note.start, note.pitch).y())
    tick0 = vp.x_to_tick(edge.x())
    past = QPoint(canvas.width() + 20, edge.y())
    hold_past(canvas, qtbot, edge, past, lambda: vp.left > 0)
    resized = track(win, "Piano").note_by_id(note.id)
    assert resized.end == roll.snap_tick(note.end + vp.x_to_tick(past.x()) - tick0)
    vp.set_left(0)
    roll.set_tool(Tool.DRAW)
    start = ui.point(win, 960, 50, dx=0)
    past = QPoint(canvas.width() + 20, start.y())
    hold_past(canvas, qtbot, start, past, lambda: vp.left > 0)
    (drawn,) = [n for n in track(win, "Piano").notes if n.pitch == 50]
    assert (drawn.start, drawn.end) == (960, roll.snap_tick(vp.x_to_tick(past.x())))


def test_the_brush_draws_leftwards(opened, ui):
    """Dragged left from the press the Brush drew a 1/16 at the press; the note now runs
    from the pointer's grid line to the end of the pressed cell (off the grid, with Alt:
    from the pointer to the press point)."""
    win = opened
    ui.show_all(win)
    roll = win.pianoroll
    roll.viewport.fit_ticks(0, 1920)
    roll.set_tool(Tool.DRAW)
    roll.set_snap(snap_by_name("1/16"))
    ui.drag(win, ui.point(win, 1100, 50, dx=0), ui.point(win, 500, 50, dx=0))
    (drawn,) = [n for n in track(win, "Piano").notes if n.pitch == 50]
    assert (drawn.start, drawn.end) == (480, 1200)
    canvas, alt = roll.canvas, M.AltModifier
    QTest.mousePress(canvas, LEFT, alt, ui.point(win, 1100, 52, dx=0))
    to = QPointF(ui.point(win, 500, 52, dx=0))  # QTest's moves carry no modifiers
    QApplication.sendEvent(canvas, QMouseEvent(QEvent.Type.MouseMove, to, canvas.mapToGlobal(to),
                                               Qt.MouseButton.NoButton, LEFT, alt))
    QTest.mouseRelease(canvas, LEFT, alt, to.toPoint())
    (free,) = [n for n in track(win, "Piano").notes if n.pitch == 52]
    assert abs(free.start - 500) <= 5 and abs(free.end - 1100) <= 5, free
    ui.drag(win, ui.point(win, 1100, 53, dx=0), ui.point(win, 1530, 53, dx=0))
    (right,) = [n for n in track(win, "Piano").notes if n.pitch == 53]
    assert (right.start, right.end) == (1080, 1560)  # rightwards as before


def test_nudge_finely_with_the_grid_off_and_by_a_tick(focused):
    """With the grid Off ← → moved a 1/16 (a grid's step); they now move a 1/128, and
    Ctrl+Alt+Shift+← → move one tick whatever the grid (Ctrl+Alt+← → step the grid)."""
    win = focused
    roll, canvas = win.pianoroll, win.pianoroll.canvas
    piano = track(win, "Piano")
    note = piano.notes[2]
    win.selection.set_notes([(piano.id, note.id)])
    fine = M.ControlModifier | M.AltModifier | M.ShiftModifier

    def start() -> int:
        return track(win, "Piano").note_by_id(note.id).start

    QTest.keyClick(canvas, K.Key_Right, fine)
    assert start() == note.start + 1
    QTest.keyClick(canvas, K.Key_Left, fine)
    assert start() == note.start
    assert roll.snap.name == "1/16"
    QTest.keyClick(canvas, K.Key_Right)
    assert start() == note.start + 120  # on the grid: a grid step, as before
    win.snap_box.setCurrentText("Off")
    assert roll.snap.name == "Off"
    QTest.keyClick(canvas, K.Key_Right)
    assert start() == note.start + 120 + 15
    QTest.keyClick(canvas, K.Key_Left, fine)
    assert start() == note.start + 120 + 14
    win.selection.clear_notes()
    at = win.transport.position
    QTest.keyClick(canvas, K.Key_Right, fine)  # nothing to nudge: said, the playhead stays
    assert win.transport.position == at
    assert "nudge by a tick" in win.statusBar().currentMessage()
    QTest.keyClick(canvas, K.Key_Right)
    assert win.transport.position == at + 120  # the playhead still steps a 1/16


def wheel(widget, modifiers, up: bool = True) -> None:
    """One wheel notch over ``widget``'s middle."""
    centre = QPointF(widget.rect().center())
    QApplication.sendEvent(widget, QWheelEvent(
        centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
        QPoint(0, 120 if up else -120), Qt.MouseButton.NoButton, modifiers,
        Qt.ScrollPhase.NoScrollPhase, False))


def test_the_wheel_over_the_velocity_lane_scrolls_and_zooms_time(opened, ui):
    """The lane took the wheel and did nothing; it does what it does over the notes."""
    win = opened
    ui.show_all(win)
    vp, lane = win.pianoroll.viewport, win.pianoroll.velocity
    vp.fit_ticks(0, 1920)
    wheel(lane, M.ShiftModifier, up=False)  # Shift: later in time
    assert vp.left > 0
    zoom = vp.px_per_beat
    wheel(lane, M.ControlModifier)  # Ctrl: zoom time in
    assert vp.px_per_beat > zoom
    top = vp.top
    wheel(lane, NONE)  # plain: the pitches, as over the roll
    assert vp.top < top


def test_the_eraser_cursor_is_an_eraser_not_a_no_entry_sign(opened):
    win = opened
    roll, canvas = win.pianoroll, win.pianoroll.canvas
    roll.set_tool(Tool.ERASE)
    QTest.mouseMove(canvas, QPoint(60, 60))
    cursor = canvas.cursor()
    assert cursor.shape() == Qt.CursorShape.BitmapCursor
    assert not cursor.pixmap().isNull()
    roll.set_tool(Tool.DRAW)
    QTest.mouseMove(canvas, QPoint(61, 61))
    assert canvas.cursor().shape() == Qt.CursorShape.CrossCursor


def test_plus_and_minus_zoom_around_the_playhead_else_the_selection(opened, ui):
    """QA: the playhead and the notes at bar 1, + twice showed bars 4-14 (zoomed around
    the view's centre). As a DAW: around the playhead when it is on screen, else the
    selected notes' centre, else the view's centre; Ctrl+wheel still zooms at the pointer."""
    win = opened
    ui.show_all(win)
    roll, vp, q = win.pianoroll, win.pianoroll.viewport, 480
    from engine.score import Note, add_notes

    win.document.apply(add_notes(track(win, "Bass").id, [Note(40, 31 * 4 * q, 4 * q)]))
    vp.fit_ticks(0, 16 * 4 * q)  # 16 bars on screen, the playhead at bar 1
    roll.set_playhead(0)
    roll.zoom_in()
    roll.zoom_in()
    assert vp.left == 0  # bar 1, where the work is, still on screen
    roll.set_playhead(8 * 4 * q)  # bar 9, mid-screen: it stays where it was drawn
    x = vp.tick_to_x(roll.playhead)
    roll.zoom_in()
    assert vp.tick_to_x(roll.playhead) == pytest.approx(x, abs=1)
    roll.zoom_out()
    assert vp.tick_to_x(roll.playhead) == pytest.approx(x, abs=1)
    # The playhead off screen: the selected notes' centre stays put.
    vp.fit_ticks(0, 2 * 4 * q)
    roll.set_playhead(100 * 4 * q)
    piano = track(win, "Piano")
    win.selection.set_notes((piano.id, n.id) for n in piano.notes[2:4])  # beats 3-4
    centre = vp.tick_to_x(3 * q)
    roll.zoom_in()
    assert vp.tick_to_x(3 * q) == pytest.approx(centre, abs=1)
    # Nothing to anchor on: the view's centre, as before.
    win.selection.set_notes(())
    middle = vp.x_to_tick(vp.width / 2)
    roll.zoom_in()
    assert vp.x_to_tick(vp.width / 2) == pytest.approx(middle, abs=q / 8)
