"""Track headers tell the user what they hear and let a rename be taken back.

Checked Mute / Solo buttons are filled with a readable letter, tracks left out of the
mix are dimmed (header name and arrangement clips), Esc cancels a rename and an empty
name never blanks the header.
"""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtTest import QTest

K = Qt.Key
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def themed(qapp):
    """The studio's real style sheet (the test window is otherwise unthemed)."""
    from studio.theme import STYLE_SHEET

    old = qapp.styleSheet()
    qapp.setStyleSheet(STYLE_SHEET)
    yield
    qapp.setStyleSheet(old)


@pytest.fixture
def active(opened, qtbot):
    """The opened window, active, so that clicking a name field gives it the focus."""
    opened.activateWindow()
    qtbot.waitUntil(opened.isActiveWindow, timeout=2000)
    return opened


def colours(image: QImage, rect: QRect | None = None) -> Counter[str]:
    r = rect or image.rect()
    return Counter(image.pixelColor(x, y).name()
                   for x in range(r.left(), r.right() + 1) for y in range(r.top(), r.bottom() + 1))


def start_rename(qtbot, edit) -> None:
    QTest.mouseDClick(edit, LEFT)  # a single click only selects the track
    qtbot.waitUntil(edit.hasFocus, timeout=2000)
    edit.selectAll()


# -- mute / solo --------------------------------------------------------------------------------
@pytest.mark.parametrize(("button", "fill"), [("mute", "#e5a13b"), ("solo", "#4fc36a")])
def test_a_checked_mute_or_solo_button_is_filled_and_its_letter_readable(
        opened, themed, button, fill):
    b = getattr(opened.tracklist.headers[1], button)
    QTest.mouseClick(b, LEFT)
    assert b.isChecked()
    seen = colours(b.grab().toImage())
    assert seen.most_common(1)[0][0] == fill  # a filled button, not an empty outline
    letter = sum(n for name, n in seen.items() if QColor(name).lightness() < 80)
    assert letter >= 10  # the dark "M" / "S" drawn on the fill


# -- dimming what is not heard ------------------------------------------------------------------
def name_lightness(header) -> int:
    return header.name.palette().color(QPalette.ColorRole.Text).lightness()


def test_soloing_a_track_dims_the_names_of_the_tracks_not_heard(opened, themed):
    piano, bass, drums = opened.tracklist.headers
    bright = name_lightness(piano)
    QTest.mouseClick(piano.solo, LEFT)
    assert [h.name.property("audible") for h in (piano, bass, drums)] == [True, False, False]
    assert name_lightness(piano) == bright
    assert name_lightness(bass) < bright - 60 and name_lightness(drums) < bright - 60
    QTest.mouseClick(piano.solo, LEFT)  # solo off: everything is heard again
    assert [name_lightness(h) for h in (piano, bass, drums)] == [bright] * 3
    QTest.mouseClick(bass.mute, LEFT)  # a muted track is dimmed too
    assert [h.name.property("audible") for h in (piano, bass, drums)] == [True, False, True]
    assert name_lightness(bass) < bright - 60


def test_soloing_a_track_dims_the_other_tracks_clips_in_the_arrangement(opened):
    from studio.tracklist import HEADER_H, ROW_H

    win = opened
    arr = win.arrangement
    tm = win.document.time_map

    def drum_row_lightness() -> float:
        x0, x1 = arr.x_of(0), arr.x_of(tm.bar_to_tick(2))  # the drums play bars 1-2
        y = HEADER_H + 2 * ROW_H - arr.scroll_y
        rect = QRect(round(x0) + 4, y + 6, round(x1 - x0) - 8, ROW_H - 14)
        seen = colours(arr.grab().toImage(), rect)
        return sum(QColor(c).lightness() * n for c, n in seen.items()) / seen.total()

    heard = drum_row_lightness()
    QTest.mouseClick(win.tracklist.headers[0].solo, LEFT)  # solo the piano
    assert drum_row_lightness() < heard - 10


# -- renaming -----------------------------------------------------------------------------------
def test_esc_in_a_track_name_restores_it_and_leaves_the_field_without_an_undo_step(
        active, qtbot):
    win = active
    select_none: list = []
    win.actions.select_none.triggered.connect(lambda *_: select_none.append(1))
    edit = win.tracklist.headers[1].name
    start_rename(qtbot, edit)
    QTest.keyClicks(edit, "Oops")
    QTest.keyClick(edit, K.Key_Escape)
    assert edit.text() == "Bass"
    assert not edit.hasFocus()
    assert select_none == []  # Esc went to the field, not to "Select None"
    assert win.document.song.tracks[1].name == "Bass"
    assert win.document.undo_stack.count() == 0
    QTest.keyClick(win, K.Key_Escape)  # the field is left: Esc is the window's again
    assert select_none == [1]
    assert win.document.undo_stack.count() == 0


@pytest.mark.parametrize("typed", ["", "   "])
def test_an_empty_track_name_puts_the_old_name_back(active, qtbot, typed):
    win = active
    edit = win.tracklist.headers[1].name
    start_rename(qtbot, edit)
    QTest.keyClick(edit, K.Key_Backspace)
    QTest.keyClicks(edit, typed)
    QTest.keyClick(edit, K.Key_Return)
    assert edit.text() == "Bass"
    assert win.document.song.tracks[1].name == "Bass"
    assert win.document.undo_stack.count() == 0


def test_a_rename_shows_the_name_the_song_keeps(active, qtbot):
    win = active
    edit = win.tracklist.headers[1].name
    start_rename(qtbot, edit)
    QTest.keyClicks(edit, "  Upright ")
    QTest.keyClick(edit, K.Key_Return)
    assert win.document.song.tracks[1].name == "Upright"
    assert edit.text() == "Upright"
    assert win.document.undo_stack.count() == 1


def test_the_wheel_over_a_header_scrolls_and_changes_no_instrument_or_fader(opened, qtbot):
    """One notch over each instrument list changed its program (an undo step each):
    the wheel over the headers scrolls the list, as in a DAW."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    win = opened
    before = win.document.song
    undo = win.document.undo_stack.count()
    header = win.tracklist.headers[0]
    for widget in (header.instrument, header.volume, header.pan):
        centre = QPointF(widget.rect().center())
        event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())),
                            QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                            False)
        QApplication.sendEvent(widget, event)
    assert win.document.song == before
    assert win.document.undo_stack.count() == undo


def test_the_rows_a_take_would_add_are_scrolled_into_view(opened, qtbot):
    """Harmonize adding Piano and Bass to a long song: the new rows were below the last
    track, off screen, with no scroll bar to hint at them."""
    from engine.score import Song, Track

    win = opened
    win.set_song(Song(tracks=tuple(Track(f"T{i}", channel=i % 9) for i in range(30))))
    bar = win.tracklist.scroll.verticalScrollBar()
    qtbot.waitUntil(bar.isVisible, timeout=2000)  # rows below: a scroll bar says so
    assert bar.value() == 0
    win.tracklist.set_preview_tracks((Track("Piano"), Track("Bass", program=33)))
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=2000)
    assert bar.value() >= bar.maximum() - 2  # down to the last (new) row


def test_ctrl_down_to_a_track_below_scrolls_its_whole_header_into_view(opened, qtbot):
    """Keyboard QA: Ctrl+↓ to a track near the bottom of the list left its header cut
    off (the list only recoloured the rows)."""
    from engine.score import Song, Track
    from studio.tracklist import ROW_H

    win = opened
    win.set_song(Song(tracks=tuple(Track(f"T{i}", channel=i % 9) for i in range(30))))
    tl = win.tracklist
    bar = tl.scroll.verticalScrollBar()
    qtbot.waitUntil(bar.isVisible, timeout=2000)
    tracks = win.document.song.tracks
    win.selection.set_tracks([tracks[0].id])
    win.pianoroll.canvas.setFocus()
    height = tl.scroll.viewport().height()
    for i in range(1, 30):
        QTest.keyClick(win.pianoroll.canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
        assert win.selection.current_track_id == tracks[i].id
        top = i * ROW_H - bar.value()
        assert top >= 0 and top + ROW_H <= height, (i, top, height)
    QTest.keyClick(win.pianoroll.canvas, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    top = 28 * ROW_H - bar.value()
    assert top >= 0 and top + ROW_H <= height
