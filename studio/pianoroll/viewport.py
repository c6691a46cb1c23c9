"""Zoom and scroll shared by every piano-roll part (canvas, ruler, keyboard, velocity lane)."""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, Signal

PITCHES = 128
MIN_PX_PER_BEAT, MAX_PX_PER_BEAT = 4.0, 800.0
MIN_KEY_H, MAX_KEY_H = 5, 40
QT_INT_MAX = 2**31 - 1  # Qt's int (scroll bars, int signals); a bigger Python int overflows
MAX_TICKS = QT_INT_MAX // 2  # the furthest tick the view scrolls to (a damaged file can say 2**52)
EMPTY_SONG_BARS = 8  # what an empty song shows, and what its quick masks span


def qt_int(value: float) -> int:
    """``value`` as an int a Qt API accepts: clamped to Qt's int range, NaN as 0."""
    if value != value:  # NaN
        return 0
    return int(max(-QT_INT_MAX, min(QT_INT_MAX, value)))


def clamped(value: object, low: float, high: float, default: float) -> float:
    """A number from a file within [low, high]; ``default`` when it is not a finite number."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return default
    if not math.isfinite(number):
        return default
    return min(high, max(low, number))


class Viewport(QObject):
    """Maps ticks to x and pitches to y for a canvas of a given size.

    ``left`` is the tick at the canvas's left edge; ``top`` the pixel offset of the
    canvas's top edge below pitch 127's row.
    """

    changed = Signal()

    def __init__(self, ppq: int = 480, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ppq = ppq
        self.px_per_beat = 48.0
        self.key_h = 14
        self.left = 0.0
        self.top = 0.0
        self.width = 800
        self.height = 400
        self.song_ticks = ppq * 4 * EMPTY_SONG_BARS

    # -- mapping -------------------------------------------------------------------------------
    @property
    def px_per_tick(self) -> float:
        return self.px_per_beat / self.ppq

    def tick_to_x(self, tick: float) -> float:
        return (tick - self.left) * self.px_per_tick

    def x_to_tick(self, x: float) -> float:
        return self.left + x / self.px_per_tick

    def pitch_to_y(self, pitch: int) -> float:
        """Top of ``pitch``'s row."""
        return (127 - pitch) * self.key_h - self.top

    def y_to_pitch(self, y: float) -> int:
        return max(0, min(127, 127 - math.floor((y + self.top) / self.key_h)))

    @property
    def right(self) -> float:
        return self.x_to_tick(self.width)

    def visible_pitches(self) -> tuple[int, int]:
        """(lowest, highest) pitch with a row on screen."""
        return self.y_to_pitch(self.height), self.y_to_pitch(0)

    # -- limits --------------------------------------------------------------------------------
    @property
    def content_height(self) -> int:
        return PITCHES * self.key_h

    def max_left(self) -> float:
        # Room for the song plus four bars of 4/4 to draw into.
        return max(0.0, self.song_ticks + 16 * self.ppq - self.width / self.px_per_tick)

    def max_top(self) -> float:
        return max(0.0, self.content_height - self.height)

    # -- changes -------------------------------------------------------------------------------
    def set_ppq(self, ppq: int) -> None:
        if ppq != self.ppq:
            self.left = self.left * ppq / self.ppq
            self.ppq = ppq
            self.changed.emit()

    def set_song_ticks(self, ticks: int) -> None:
        ticks = min(max(ticks, self.ppq * 4), MAX_TICKS)
        if ticks != self.song_ticks:
            self.song_ticks = ticks
            self.changed.emit()

    def set_size(self, width: int, height: int) -> None:
        self.width, self.height = max(1, width), max(1, height)
        self.top = min(self.top, self.max_top())
        self.changed.emit()

    def set_left(self, tick: float) -> None:
        left = min(max(0.0, tick), self.max_left())
        if left != self.left:
            self.left = left
            self.changed.emit()

    def set_top(self, px: float) -> None:
        top = min(max(0.0, px), self.max_top())
        if top != self.top:
            self.top = top
            self.changed.emit()

    def zoom_x(self, factor: float, anchor_x: float | None = None) -> None:
        """Zoom time by ``factor`` keeping the tick under ``anchor_x`` in place."""
        ax = self.width / 2 if anchor_x is None else anchor_x
        anchor_tick = self.x_to_tick(ax)
        self.px_per_beat = min(MAX_PX_PER_BEAT, max(MIN_PX_PER_BEAT, self.px_per_beat * factor))
        self.left = min(max(0.0, anchor_tick - ax / self.px_per_tick), self.max_left())
        self.changed.emit()

    def zoom_y(self, factor: float, anchor_y: float | None = None) -> None:
        """Zoom pitch rows by ``factor`` keeping the pitch under ``anchor_y`` in place."""
        ay = self.height / 2 if anchor_y is None else anchor_y
        rows_above = (ay + self.top) / self.key_h
        key_h = round(min(MAX_KEY_H, max(MIN_KEY_H, self.key_h * factor)))
        if key_h == self.key_h:
            key_h = min(MAX_KEY_H, max(MIN_KEY_H, self.key_h + (1 if factor > 1 else -1)))
        self.key_h = key_h
        self.top = min(max(0.0, rows_above * key_h - ay), self.max_top())
        self.changed.emit()

    def restore(self, px_per_beat: object, key_h: object, left: object, top: object) -> None:
        """Zoom and scroll as a saved project says, each value clamped to the limits
        (a damaged or hand-edited file must not give a zero or an absurd zoom)."""
        self.px_per_beat = clamped(px_per_beat, MIN_PX_PER_BEAT, MAX_PX_PER_BEAT, 48.0)
        self.key_h = round(clamped(key_h, MIN_KEY_H, MAX_KEY_H, 14))
        self.left = clamped(left, 0.0, self.max_left(), 0.0)
        self.top = clamped(top, 0.0, self.max_top(), 0.0)
        self.changed.emit()

    def center_on_pitches(self, low: int, high: int) -> None:
        mid = (127 - (low + high) / 2 + 0.5) * self.key_h
        self.set_top(mid - self.height / 2)

    def fit_pitches(self, low: int, high: int, least: int = 12) -> None:
        """Rows tall enough for ``low``–``high`` (``least`` rows at least: one note fills no
        screen) with a row to spare each side, within the row limits, and centred there."""
        rows = max(high - low + 1, least) + 2
        self.key_h = int(min(MAX_KEY_H, max(MIN_KEY_H, self.height // rows)))
        self.center_on_pitches(low, high)
        self.changed.emit()

    def fit_ticks(self, start: int, end: int) -> None:
        """Zoom and scroll so ``[start, end)`` fills the width."""
        span = max(end - start, self.ppq)
        self.px_per_beat = min(MAX_PX_PER_BEAT,
                               max(MIN_PX_PER_BEAT, self.width / span * self.ppq))
        self.left = min(max(0.0, float(start)), self.max_left())
        self.changed.emit()
