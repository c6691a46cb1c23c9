"""What the piano roll shows while a note is dragged: the note where it is going, not where
it was (checked on the painted canvas, mid-drag, before the release makes the edit); that
the picture of the notes it keeps between frames follows every change; and that the
status bar's position read-out, new at every move, lays nothing out again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def piano(win):
    return win.document.song.tracks[0]


def colour_at(win, tick: float, pitch: int) -> str:
    """The canvas's colour in the middle of ``pitch``'s row at ``tick``."""
    vp = win.pianoroll.viewport
    image = win.pianoroll.canvas.grab().toImage()
    return image.pixelColor(round(vp.tick_to_x(tick)),
                            round(vp.pitch_to_y(pitch) + vp.key_h / 2)).name()


def press_and_move(win, start: QPoint, end: QPoint) -> None:
    canvas = win.pianoroll.canvas
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, 5):
        p = start + (end - start) * i / 4
        QTest.mouseMove(canvas, QPoint(round(p.x()), round(p.y())))


@pytest.mark.parametrize("grab", ["body", "right edge", "left edge"])
def test_a_dragged_note_shows_where_it_is_going_and_not_where_it_was(opened, ui, grab):
    win = opened
    ui.show_all(win)
    vp = win.pianoroll.viewport
    vp.fit_ticks(0, 2 * 480 * 4)  # wide notes: each edge has its grip
    note = piano(win).notes[2]  # E4, beat 3, a quarter long
    y = ui.point(win, note.start, note.pitch).y()
    dragging = QColor(piano(win).colour).lighter(140).name()
    selected = QColor(piano(win).colour).lighter(150).name()
    if grab == "body":
        start = QPoint(round(vp.tick_to_x(note.start + note.duration / 2)), y)
        press_and_move(win, start, start + QPoint(round(960 * vp.px_per_tick), -2 * vp.key_h))
        gone = [(note.start + 240, note.pitch)]
        shown = [(note.start + 960 + 240, note.pitch + 2)]
    elif grab == "right edge":
        start = QPoint(round(vp.tick_to_x(note.end) - 2), y)
        press_and_move(win, start, start + QPoint(round(480 * vp.px_per_tick), 0))
        gone = []
        shown = [(note.start + 240, note.pitch), (note.end + 240, note.pitch)]
    else:
        start = QPoint(round(vp.tick_to_x(note.start) + 1), y)
        press_and_move(win, start, start + QPoint(round(240 * vp.px_per_tick), 0))
        gone = [(note.start + 120, note.pitch)]
        shown = [(note.start + 360, note.pitch)]
    assert win.pianoroll.canvas.drag.started
    assert piano(win).note_by_id(note.id) == note  # nothing is edited before the release
    for tick, pitch in shown:
        assert colour_at(win, tick, pitch) == dragging
    for tick, pitch in gone:
        assert colour_at(win, tick, pitch) not in (dragging, selected)
    QTest.keyClick(win.pianoroll.canvas, Qt.Key.Key_Escape)
    assert colour_at(win, note.start + 240, note.pitch) == selected  # back where it was


def test_dragging_the_whole_selection_draws_each_selected_note_moved(opened, ui):
    win = opened
    ui.show_all(win)
    notes = piano(win).notes
    win.selection.set_notes([(piano(win).id, n.id) for n in notes])
    first = notes[0]
    start = ui.point(win, first.start + 120, first.pitch)
    vp = win.pianoroll.viewport
    press_and_move(win, start, start + QPoint(round(480 * vp.px_per_tick), 0))
    dragging = QColor(piano(win).colour).lighter(140).name()
    assert all(colour_at(win, n.start + 480 + 240, n.pitch) == dragging for n in notes)
    assert colour_at(win, first.start + 240, first.pitch) != dragging  # the first left its place


def test_a_drags_frames_do_not_repaint_the_notes_that_stay(opened, ui):
    win = opened
    ui.show_all(win)
    canvas = win.pianoroll.canvas
    note = piano(win).notes[2]
    start = ui.point(win, note.start + 120, note.pitch)
    canvas.grab()
    before = canvas.layer_paints
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    vp = win.pianoroll.viewport
    for i in range(1, 9):
        QTest.mouseMove(canvas, start + QPoint(round(i * 120 * vp.px_per_tick), 0))
        canvas.grab()
    # Once: the press selected the note, then the drag took it from its place.
    assert canvas.layer_paints - before <= 2
    dragging = QColor(piano(win).colour).lighter(140).name()
    assert colour_at(win, note.start + 8 * 120 + 240, note.pitch) == dragging
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       start + QPoint(round(8 * 120 * vp.px_per_tick), 0))
    assert piano(win).note_by_id(note.id).start == note.start + 960
    assert colour_at(win, note.start + 960 + 240, note.pitch) == \
        QColor(piano(win).colour).lighter(150).name()  # dropped there, still selected
    assert colour_at(win, note.start + 120, note.pitch) != dragging


def test_the_notes_picture_follows_selection_edits_undo_scroll_and_tracks(opened, ui):
    win = opened
    ui.show_all(win)
    track = piano(win)
    note = track.notes[2]
    selected = QColor(track.colour).lighter(150).name()
    plain = colour_at(win, note.start + 240, note.pitch)
    assert plain != selected
    win.selection.set_notes([(track.id, note.id)])
    assert colour_at(win, note.start + 240, note.pitch) == selected
    win.transpose(1)
    assert colour_at(win, note.start + 240, note.pitch + 1) == selected
    assert colour_at(win, note.start + 240, note.pitch) != selected
    win.document.undo_stack.undo()
    assert colour_at(win, note.start + 240, note.pitch) == selected
    win.selection.clear_notes()
    assert colour_at(win, note.start + 240, note.pitch) == plain
    vp = win.pianoroll.viewport
    vp.set_left(480)  # colour_at maps ticks through the scrolled view
    assert colour_at(win, note.start + 240, note.pitch) == plain
    assert colour_at(win, note.start - 240, note.pitch) != plain  # the gap before it
    bass = win.document.song.tracks[1]
    win.selection.set_tracks([bass.id])  # the piano is a ghost now: drawn faint
    assert colour_at(win, note.start + 240, note.pitch) not in (plain, selected)


class LayoutRequests(QObject):
    """Counts the layout requests a widget receives."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def test_the_position_readout_shows_each_text_whole_without_a_relayout(opened):
    win = opened
    roll, label = win.pianoroll, win.status_hover
    drums = win.document.song.tracks[2]
    roll._on_hover(480, 60)
    QApplication.processEvents()
    requests = LayoutRequests(win.statusBar())
    for tick in range(0, 4 * 480, 37):  # a mouse crossing the roll
        roll._on_hover(tick, 60 + tick % 7)
        QApplication.processEvents()
        assert label.width() >= label.sizeHint().width()  # the whole text shows
    assert requests.count == 0
    win.selection.set_tracks([drums.id])
    roll._on_hover(480, 35)  # a long one: "Acoustic Bass Drum (B1)"
    QApplication.processEvents()
    assert "Acoustic Bass Drum" in label.text()
    assert label.width() >= label.sizeHint().width()  # it grew to show it
    roll._on_hover(-1, -1)  # the mouse left the roll: its own size again
    QApplication.processEvents()
    assert label.text() == "" and label.minimumWidth() == 130 and label.maximumWidth() > 10_000


def test_zoomed_far_out_a_dragged_note_leaves_its_place_too(opened, ui, monkeypatch):
    """Over DENSE_NOTES notes of a track on screen the roll paints them as one image; a
    dragged note was still drawn at its old place there (QA: 12,188 notes, zoomed out)."""
    from studio.pianoroll import view

    monkeypatch.setattr(view, "DENSE_NOTES", 0)  # the image path for this small song
    win = opened
    ui.show_all(win)
    vp = win.pianoroll.viewport
    vp.fit_ticks(0, 2 * 480 * 4)
    note = piano(win).notes[2]
    win.selection.set_notes([(piano(win).id, note.id)])
    win.pianoroll.canvas.update()
    there = colour_at(win, note.start + 240, note.pitch)
    start = QPoint(round(vp.tick_to_x(note.start + note.duration / 2)),
                   ui.point(win, note.start, note.pitch).y())
    press_and_move(win, start, start + QPoint(round(960 * vp.px_per_tick), -2 * vp.key_h))
    assert win.pianoroll.canvas.drag.started
    dragging = QColor(piano(win).colour).lighter(140).name()
    assert colour_at(win, note.start + 960 + 240, note.pitch + 2) == dragging
    assert colour_at(win, note.start + 240, note.pitch) != there
    QTest.keyClick(win.pianoroll.canvas, Qt.Key.Key_Escape)
    assert colour_at(win, note.start + 240, note.pitch) == there
