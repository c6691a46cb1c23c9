"""The piano roll's ruler: readable bar numbers and tempo flags at any zoom, seeking on the grid.

Overlap is judged on what the ruler really paints: its painter is swapped for one that
records each text with the extent its font gives it.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter
from PySide6.QtTest import QTest

from engine.io import save_song
from engine.score import Note, Song, TempoChange, Track
from engine.score.snap import snap_by_name
from studio.pianoroll import ruler as ruler_module

Q = 480
BAR = 4 * Q


class Painted:
    """Texts (with the rectangle their glyphs cover) and lines the ruler drew."""

    def __init__(self) -> None:
        self.texts: list[tuple[QRectF, str]] = []
        self.lines: list[QColor] = []  # pen colour of each single drawLine

    def paint(self, ruler) -> Painted:
        """Paint ``ruler`` once, keeping only what this paint drew."""
        self.texts.clear()
        self.lines.clear()
        ruler.grab()
        return self

    def bars(self) -> list[QRectF]:
        return sorted((r for r, t in self.texts if t.isdigit()), key=QRectF.left)

    def flags(self) -> list[QRectF]:
        return sorted((r for r, t in self.texts if "♩" in t), key=QRectF.left)


@pytest.fixture
def painted(monkeypatch) -> Painted:
    out = Painted()

    class Recorder(QPainter):
        def drawText(self, *args) -> None:  # the ruler's form: (rect, flags, text)
            rect, text = args[0], args[-1]
            metrics = QFontMetricsF(self.font())
            out.texts.append((QRectF(rect.left(), rect.top(),
                                     metrics.horizontalAdvance(text), metrics.height()), text))
            super().drawText(*args)

        def drawLine(self, *args) -> None:
            out.lines.append(QColor(self.pen().color()))
            super().drawLine(*args)

    monkeypatch.setattr(ruler_module, "QPainter", Recorder)
    return out


def assert_apart(rects: list[QRectF]) -> None:
    for a, b in pairwise(rects):
        assert a.right() <= b.left(), f"labels overlap: {a} and {b}"


def open_song(window, tmp_path: Path, song: Song):
    path = tmp_path / "ruler.mid"
    save_song(song, path)
    assert window.open_path(path)
    return window.pianoroll


def test_bar_numbers_are_thinned_when_zoomed_out(window, tmp_path, painted):
    # 300 bars, viewed from bar 101 at the widest zoom: three-digit numbers 16 px apart.
    notes = (Note(60, 0, Q, 90), Note(60, 300 * BAR, Q, 90))
    roll = open_song(window, tmp_path, Song(tracks=(Track(notes=notes),), ppq=Q))
    vp = roll.viewport
    vp.zoom_x(1e-3)
    vp.set_left(100 * BAR)
    painted.paint(roll.ruler)
    bars = painted.bars()
    assert len(bars) > 10
    assert_apart(bars)
    numbers = sorted(int(t) for _, t in painted.texts if t.isdigit())
    steps = {b - a for a, b in pairwise(numbers)}
    assert len(steps) == 1 and steps.pop() > 1  # every n-th bar, regularly


def test_bar_numbers_all_shown_when_there_is_room(opened, painted):
    roll = opened.pianoroll
    roll.viewport.fit_ticks(0, 4 * BAR)
    painted.paint(roll.ruler)
    assert [t for _, t in painted.texts if t.isdigit()][:4] == ["1", "2", "3", "4"]


def test_tempo_ramp_labels_do_not_overlap(window, tmp_path, painted):
    # A ramp: 48 tempo changes a 1/32 note apart, as in a MIDI accelerando.
    ramp = tuple(TempoChange(BAR + i * Q // 8, 600_000 - i * 5_000) for i in range(48))
    song = Song(tracks=(Track(notes=(Note(60, 0, 8 * BAR, 90),)),), ppq=Q,
                tempos=(TempoChange(0, 600_000), *ramp))
    roll = open_song(window, tmp_path, song)
    roll.viewport.fit_ticks(0, 4 * BAR)
    painted.paint(roll.ruler)
    flags = painted.flags()
    assert 2 < len(flags) < len(song.tempos)
    assert_apart(flags)
    # Every change is still marked on the ruler, labelled or not.
    marks = [c for c in painted.lines if c == QColor(ruler_module.FLAG_COLOUR)]
    assert len(marks) == len(song.tempos)


def click_ruler(win, tick: int) -> int:
    """Click the ruler at ``tick``; the tick the click's pixel stands for."""
    ruler, vp = win.pianoroll.ruler, win.pianoroll.viewport
    x = round(vp.tick_to_x(tick))
    QTest.mouseClick(ruler, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(x, ruler.height() // 2))
    return round(vp.x_to_tick(x))


def test_ruler_click_puts_the_playhead_on_the_grid(opened):
    roll = opened.pianoroll
    roll.set_snap(snap_by_name("1/16"))
    roll.viewport.fit_ticks(0, BAR)  # a bar across the view: a pixel is about a tick
    clicked = click_ruler(opened, 2 * Q + 13)  # just after beat 3
    assert clicked != 2 * Q
    assert roll.playhead == opened.transport.position == 2 * Q


def test_ruler_click_is_free_with_snap_off(opened):
    roll = opened.pianoroll
    roll.set_snap(snap_by_name("Off"))
    roll.viewport.fit_ticks(0, BAR)
    clicked = click_ruler(opened, 2 * Q + 13)
    assert clicked % (Q // 4)
    assert roll.playhead == opened.transport.position == clicked


def test_a_meter_change_keeps_its_label_beside_a_tempo_change():
    from studio.pianoroll.ruler import flag_label_rects

    flags = [(100.0, "♩83"), (110.0, "3/4"), (400.0, "♩90")]
    out = flag_label_rects(flags, lambda text: 8.0 * len(text), top=0)
    labelled = [text for _x, rect, text in out if rect is not None]
    assert labelled == ["3/4", "♩90"]  # the tempo 10 px before the meter gives way


def test_a_change_left_of_the_view_is_not_labelled_cut_short():
    from studio.pianoroll.ruler import flag_label_rects

    flags = [(-40.0, "1/4  ♩100"), (0.0, "4/4")]
    out = flag_label_rects(flags, lambda text: 8.0 * len(text), top=0)
    assert [text for _x, rect, text in out if rect is not None] == ["4/4"]
