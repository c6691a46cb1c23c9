"""The mask tool (M): drag to paint where the model may write; Shift or Alt drag erases.

On the piano roll a drag along one row paints whole beats (or bars, with the Bar snap)
of the active track(s) at every pitch; a drag across several rows paints only that
pitch band. On the arrangement a drag paints tracks × bars. Each gesture is one undo
step ("Paint mask" / "Erase mask") on the document's stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QMouseEvent

from engine.score import Region, TimeMap
from engine.score.mask_geometry import erase, paint

from ..tracklist import HEADER_H, ROW_H

if TYPE_CHECKING:
    from ..arrangement import Arrangement
    from ..pianoroll.view import NoteCanvas


def _erasing(e: QMouseEvent) -> bool:
    mods = e.modifiers()
    return bool(mods & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier))


def snap_span(tm: TimeMap, a: float, b: float, bars: bool) -> tuple[int, int]:
    """Ticks ``[start, end)`` covering ``a..b`` rounded out to whole beats (or bars); a
    beat never runs past its bar line (an eighth-note pickup is a bar shorter than a beat)."""
    lo, hi = sorted((max(0.0, a), max(0.0, b)))

    def floor(t: float) -> int:
        bar = tm.tick_to_bar(int(t))
        start = tm.bar_to_tick(bar)
        if bars:
            return start
        beat = tm.beat_length_for(tm.signature_at(start))
        origin = start - tm.pickup_shift(bar)  # a pickup's beats: those of its full bar
        return max(start, origin + int((t - origin) // beat) * beat)

    def ceil(t: float) -> int:
        f = floor(t)
        if f >= t:
            return f
        bar_end = tm.bar_to_tick(tm.tick_to_bar(f) + 1)
        if bars:
            return bar_end
        return min(bar_end, f + tm.beat_length_for(tm.signature_at(f)))

    start = floor(lo)
    end = ceil(hi)
    if end <= start:  # a click: one beat (bar)
        end = ceil(start + 1)
    return start, end


@dataclass
class _Stroke:
    x0: float
    y0: float
    x1: float
    y1: float
    erasing: bool


class RollMaskTool:
    """Mask painting on the piano roll canvas."""

    def __init__(self, canvas: NoteCanvas) -> None:
        self.canvas = canvas
        self.stroke: _Stroke | None = None

    def region(self) -> Region | None:
        s = self.stroke
        if s is None:
            return None
        roll = self.canvas.roll
        vp = self.canvas.vp
        tids = roll.active_track_ids()
        if not tids:
            return None
        bars = roll.snap.division == -1
        start, end = snap_span(roll.document.time_map, vp.x_to_tick(s.x0), vp.x_to_tick(s.x1),
                               bars)
        p0, p1 = vp.y_to_pitch(s.y0), vp.y_to_pitch(s.y1)
        # A band only for a drag that goes a row's height up or down: a hand's few pixels
        # of drift across a row line painted a two-note band nobody meant.
        along_a_row = p0 == p1 or abs(s.y1 - s.y0) < max(vp.key_h, 6)
        lo, hi = (0, 127) if along_a_row else (min(p0, p1), max(p0, p1))
        return Region(frozenset(tids), start, end, lo, hi)

    def preview(self) -> tuple[QRectF, bool] | None:
        r = self.region()
        if r is None or self.stroke is None:
            return None
        vp = self.canvas.vp
        y0 = vp.pitch_to_y(r.pitch_hi) if r.pitch_hi < 127 else -2
        y1 = vp.pitch_to_y(r.pitch_lo) + vp.key_h if r.pitch_lo > 0 else self.canvas.height() + 2
        return (QRectF(QPointF(vp.tick_to_x(r.start), y0), QPointF(vp.tick_to_x(r.end), y1)),
                self.stroke.erasing)

    def press(self, e: QMouseEvent) -> None:
        pos = e.position()
        self.stroke = _Stroke(pos.x(), pos.y(), pos.x(), pos.y(), _erasing(e))
        self.canvas.update()

    def move(self, e: QMouseEvent) -> None:
        if self.stroke is not None:
            pos = e.position()
            self.stroke.x1, self.stroke.y1 = pos.x(), pos.y()
            self.canvas.update()

    def release(self, e: QMouseEvent) -> None:
        region = self.region()
        erasing = self.stroke.erasing if self.stroke else False
        self.stroke = None
        self.canvas.update()
        if region is not None:
            _commit(self.canvas.roll.document, region, erasing)


class ArrangementMaskTool:
    """Mask painting on the arrangement: tracks × whole bars. The stroke's y is kept in
    content coordinates (rows from the top of the list), and dragging past the top or
    bottom edge scrolls the rows, as a DAW's rubber band does: painting 16 tracks of a
    song that shows 5 meant dragging blind, far below the widget."""

    AUTOSCROLL_MS = 40

    def __init__(self, arrangement: Arrangement) -> None:
        self.arr = arrangement
        self.stroke: _Stroke | None = None
        self._pointer_y = 0.0
        self._timer = QTimer(arrangement)
        self._timer.setInterval(self.AUTOSCROLL_MS)
        self._timer.timeout.connect(self._autoscroll)

    def _row(self, content_y: float) -> int:
        n = len(self.arr.document.song.tracks)
        return max(0, min(n - 1, int((content_y - HEADER_H) // ROW_H)))

    def _content_y(self, y: float) -> float:
        return max(y, HEADER_H) + self.arr.scroll_y

    def region(self) -> Region | None:
        s = self.stroke
        tracks = self.arr.document.song.tracks
        if s is None or not tracks:
            return None
        r0, r1 = sorted((self._row(s.y0), self._row(s.y1)))
        ids = frozenset(t.id for t in tracks[r0:r1 + 1])
        start, end = snap_span(self.arr.document.time_map, self.arr.tick_of(s.x0),
                               self.arr.tick_of(s.x1), bars=True)
        return Region(ids, start, end)

    def preview(self) -> tuple[QRectF, bool] | None:
        s = self.stroke
        r = self.region()
        if s is None or r is None:
            return None
        r0, r1 = sorted((self._row(s.y0), self._row(s.y1)))
        y0 = HEADER_H + r0 * ROW_H - self.arr.scroll_y
        y1 = HEADER_H + (r1 + 1) * ROW_H - self.arr.scroll_y
        return QRectF(QPointF(self.arr.x_of(r.start), y0 + 1),
                      QPointF(self.arr.x_of(r.end), y1 - 2)), s.erasing

    def press(self, e: QMouseEvent) -> None:
        pos = e.position()
        y = self._content_y(pos.y())
        self.stroke = _Stroke(pos.x(), y, pos.x(), y, _erasing(e))
        self._pointer_y = pos.y()
        self.arr.update()

    def move(self, e: QMouseEvent) -> None:
        if self.stroke is not None:
            pos = e.position()
            self.stroke.x1 = pos.x()
            self._pointer_y = pos.y()
            self._autoscroll()
            if self._overshoot() and not self._timer.isActive():
                self._timer.start()  # goes on while the pointer rests past the edge

    def _overshoot(self) -> float:
        """Pixels the pointer is above the rows (negative) or below them (positive)."""
        y = self._pointer_y
        if y < HEADER_H:
            return y - HEADER_H
        return max(0.0, y - self.arr.height())

    def _autoscroll(self) -> None:
        if self.stroke is None:
            self._timer.stop()
            return
        over = self._overshoot()
        bar = self.arr.scroll_bar
        if over and bar is not None:
            step = int(max(-ROW_H, min(ROW_H, over / 2))) or (1 if over > 0 else -1)
            bar.setValue(bar.value() + step)  # scrolls the track list and these rows
        elif not over:
            self._timer.stop()
        edge = min(max(self._pointer_y, HEADER_H), self.arr.height())
        self.stroke.y1 = self._content_y(edge)
        self.arr.update()

    def cancel(self) -> None:
        """Drop the stroke under way (Esc): nothing painted."""
        self._timer.stop()
        self.stroke = None
        self.arr.update()

    def release(self, e: QMouseEvent) -> None:
        self._timer.stop()
        region = self.region()
        erasing = self.stroke.erasing if self.stroke else False
        self.stroke = None
        self.arr.update()
        if region is not None:
            _commit(self.arr.document, region, erasing)
            selection = self.arr.selection
            if not erasing and not set(selection.track_ids) & region.track_ids:
                # Painting another track's bars selects it, so the piano roll shows the
                # notes the takes will replace (not only their faint ghosts).
                order = [t.id for t in self.arr.document.song.tracks]
                selection.set_tracks([min(region.track_ids, key=order.index)])


def _commit(document, region: Region, erasing: bool) -> None:
    mask = document.mask
    new = erase(mask, region) if erasing else paint(mask, region)
    if not document.set_mask(new, "Erase mask" if erasing else "Paint mask"):
        # A stroke inside the mask (a reopened song's) looked like it did nothing.
        document.message.emit(
            "Nothing to erase there" if erasing else
            "That area is in the mask already — Esc Esc clears the mask to paint a new one")
