"""How the piano roll paints notes and grid lines, checked on the painted canvas: a note
has a dark outline around its shaded inside, a selected note the selection's outline;
the grid lines (kept per bar between paints) follow a new meter and a new snap."""

from __future__ import annotations

from PySide6.QtGui import QColor

from engine.score import Song, TimeMap, TimeSignature
from engine.score.snap import snap_by_name
from studio import theme


def pixel(win, x: float, y: float) -> QColor:
    return win.pianoroll.canvas.grab().toImage().pixelColor(round(x), round(y))


def dark(c: QColor) -> bool:
    return c.lightness() < 90


def test_a_note_is_outlined_and_a_selected_note_in_the_selection_colour(opened, ui):
    win = opened
    ui.show_all(win)
    roll, vp = win.pianoroll, win.pianoroll.viewport
    vp.fit_ticks(0, 2 * 1920)
    vp.key_h = 16
    track = win.document.song.tracks[0]
    win.selection.set_tracks([track.id])
    note = track.notes[2]
    vp.center_on_pitches(note.pitch, note.pitch)
    win.selection.clear_notes()
    roll.canvas.repaint()
    x0, x1 = vp.tick_to_x(note.start), vp.tick_to_x(note.end)
    y0 = vp.pitch_to_y(note.pitch) + 1  # the box's top (a row's last pixel is the gap)
    y1 = y0 + vp.key_h - 1
    middle = (y0 + y1) / 2
    inside = pixel(win, (x0 + x1) / 2, middle)
    assert not dark(inside) and inside.alpha() == 255
    assert dark(pixel(win, x0, middle)) and dark(pixel(win, (x0 + x1) / 2, y0))
    win.selection.set_notes([(track.id, note.id)])
    roll.canvas.repaint()
    assert pixel(win, x0, middle).name() == QColor(theme.SELECTION).name()
    assert pixel(win, (x0 + x1) / 2, middle).name() == \
        QColor(track.colour).lighter(150).name()


def test_grid_lines_follow_a_new_meter_and_a_new_snap(qapp):
    from studio.pianoroll.gridlines import grid_lines
    from studio.pianoroll.viewport import Viewport

    vp = Viewport(480)
    vp.width, vp.left, vp.px_per_beat = 2000, 0.0, 96.0

    def beats(song: Song, snap: str) -> tuple[list[int], list[int]]:
        lines = grid_lines(TimeMap.of(song), vp, snap_by_name(snap))
        return ([round(x / vp.px_per_tick) for x in lines.beats][:3],
                [round(x / vp.px_per_tick) for x in lines.subs][:3])

    four = Song(ppq=480, length=8 * 1920)
    three = Song(ppq=480, time_signatures=(TimeSignature(0, 3, 4),), length=8 * 1440)
    assert beats(four, "1/8") == ([480, 960, 1440], [240, 720, 1200])
    assert beats(three, "1/8") == ([480, 960, 1920], [240, 720, 1200])  # bar 2 at 1440
    assert beats(three, "1/16")[1] == [120, 240, 360]


def wheel(win, down: int, shift: bool) -> None:
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent

    canvas = win.pianoroll.canvas
    canvas.wheelEvent(QWheelEvent(
        QPointF(100, 100), QPointF(100, 100), QPoint(0, 0), QPoint(0, down),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase, False))


def test_a_wheel_step_moves_the_picture_and_shows_what_a_fresh_paint_shows(opened, ui):
    win = opened
    ui.show_all(win)
    roll, vp = win.pianoroll, win.pianoroll.viewport
    canvas = roll.canvas
    vp.fit_ticks(0, 1920)  # one bar: the notes are wide and named
    vp.key_h = 16
    song = win.document.song
    win.selection.set_tracks([t.id for t in song.tracks])
    track = song.tracks[0]
    win.selection.set_notes([(track.id, track.notes[3].id)])
    vp.center_on_pitches(track.notes[2].pitch, track.notes[2].pitch)
    canvas.repaint()
    for down, shift in [(-120, True), (-120, True), (120, True), (-120, False),
                        (120, False), (-240, True)]:
        scrolls, paints = canvas.layer_scrolls, canvas.layer_paints
        wheel(win, down, shift)
        canvas.repaint()
        assert (canvas.layer_scrolls, canvas.layer_paints) == (scrolls + 1, paints)
        moved = canvas.grab().toImage()
        canvas._layer_pixmap = None  # painted afresh
        canvas.repaint()
        assert canvas.grab().toImage() == moved, (down, shift)


def test_a_zoom_or_a_fraction_of_a_pixel_paints_afresh(opened, ui):
    win = opened
    ui.show_all(win)
    vp, canvas = win.pianoroll.viewport, win.pianoroll.canvas
    canvas.repaint()
    paints = canvas.layer_paints
    vp.set_left(vp.left + 0.3 / vp.px_per_tick)
    canvas.repaint()
    vp.zoom_x(1.5, 100)
    canvas.repaint()
    assert canvas.layer_paints == paints + 2
