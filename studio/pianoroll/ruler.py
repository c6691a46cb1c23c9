"""The bar/beat ruler above the piano roll: bar numbers, meter and tempo, loop range, seek."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from .. import theme
from .gridlines import grid_lines

if TYPE_CHECKING:
    from .editor import PianoRoll

RULER_H = 30


class Ruler(QWidget):
    """Click to move the playhead; drag to set the loop range; double-click toggles looping."""

    seekRequested = Signal(int)
    loopDragged = Signal(int, int)
    loopToggled = Signal()

    def __init__(self, roll: PianoRoll) -> None:
        super().__init__(roll)
        self.roll = roll
        self.vp = roll.viewport
        self.setFixedHeight(RULER_H)
        self.vp.changed.connect(self.update)
        self._press: tuple[float, int] | None = None
        self._dragging = False
        self._font = QFont(self.font())
        self._font.setPointSizeF(8.0)
        self._small = QFont(self.font())
        self._small.setPointSizeF(7.0)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        w, h = self.width(), self.height()
        p.fillRect(self.rect(), theme.PANEL)
        tm = self.roll.document.time_map
        song = self.roll.document.song
        start, end, on = self.roll.loop
        if end > start:
            x0, x1 = self.vp.tick_to_x(start), self.vp.tick_to_x(end)
            colour = QColor(theme.LOOP_EDGE)
            colour.setAlpha(200 if on else 70)
            p.fillRect(QRectF(x0, 0, x1 - x0, 6), colour)
        lines = grid_lines(tm, self.vp, self.roll.snap)
        p.setPen(QPen(theme.TEXT_DIM, 1))
        p.drawLines([QLineF(x, h - 5, x, h) for x in lines.beats])
        p.setFont(self._font)
        for x, bar in lines.bars:
            p.setPen(QPen(theme.GRID_BAR, 1))
            p.drawLine(QLineF(x, 8, x, h))
            p.setPen(theme.TEXT)
            p.drawText(QRectF(x + 4, 6, 60, 14), Qt.AlignmentFlag.AlignLeft, str(bar + 1))
        # Meter and tempo changes, as small flags on the bottom line.
        p.setFont(self._small)
        flags: dict[int, list[str]] = {}
        for sig in song.time_signatures:
            flags.setdefault(sig.tick, []).append(f"{sig.numerator}/{sig.denominator}")
        for tempo in song.tempos:
            flags.setdefault(tempo.tick, []).append(f"♩{tempo.bpm:.0f}")
        p.setPen(QColor("#9fd2ff"))
        for tick, texts in flags.items():
            x = self.vp.tick_to_x(tick)
            if -80 < x < w:
                p.drawText(QRectF(x + 4, h - 13, 90, 12), Qt.AlignmentFlag.AlignLeft,
                           "  ".join(texts))
        x = self.vp.tick_to_x(self.roll.playhead)
        if 0 <= x <= w:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(theme.PLAYHEAD)
            p.drawPolygon(QPolygonF([QPointF(x - 5, h - 9), QPointF(x + 5, h - 9),
                                     QPointF(x, h - 1)]))
        p.setPen(theme.BORDER)
        p.drawLine(0, h - 1, w, h - 1)
        p.end()

    def _tick(self, x: float) -> int:
        return self.roll.snap_tick(self.vp.x_to_tick(x), "round")

    def mousePressEvent(self, e: QMouseEvent) -> None:
        if e.button() == Qt.MouseButton.LeftButton:
            self._press = (e.position().x(), self._tick(e.position().x()))
            self._dragging = False

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        if self._press is None:
            return
        x0, t0 = self._press
        if abs(e.position().x() - x0) > 3:
            self._dragging = True
        if self._dragging:
            t1 = self._tick(e.position().x())
            if t1 != t0:
                self.loopDragged.emit(min(t0, t1), max(t0, t1))

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        if self._press is not None and not self._dragging:
            self.seekRequested.emit(max(0, round(self.vp.x_to_tick(e.position().x()))))
        self._press = None
        self._dragging = False

    def mouseDoubleClickEvent(self, e: QMouseEvent) -> None:
        self.loopToggled.emit()

    def wheelEvent(self, e) -> None:
        self.roll.wheel(e, e.position().x(), None)
