"""The velocity lane under the roll: one stem per note; drag across stems to set them, or
drag a selected stem's tip to move every selected note's velocity together."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QLineF, QPointF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QWidget

from engine.score import Note, clamp_velocity

from .. import theme
from ..keys import EscCancelsGesture
from .gridlines import grid_lines
from .tools import velocity_edit

if TYPE_CHECKING:
    from .editor import PianoRoll

LANE_H = 84  # the lane's height under a roll with room for it
LANE_LEAST = 44  # ... and under a short one (a 720p screen), where the notes need the room
LANE_SHARE = 0.16  # of the piano roll's height
PAD = 6
HIT_PX = 5


def lane_height(roll_height: int) -> int:
    """The lane's height under a piano roll ``roll_height`` px tall: a share of it, from
    :data:`LANE_LEAST` to :data:`LANE_H` (84 px of a 300 px roll left the notes less
    than an octave)."""
    return max(LANE_LEAST, min(LANE_H, round(roll_height * LANE_SHARE)))



def paint_lane_ground(p: QPainter, lane: QWidget) -> None:
    """A lane under the roll (velocity, controllers): the panel and the bar lines, at the
    roll's scroll and zoom (``lane.roll``, ``lane.vp``)."""
    p.fillRect(lane.rect(), theme.PANEL)
    lines = grid_lines(lane.roll.document.time_map, lane.vp, lane.roll.snap)
    p.setPen(QPen(theme.GRID_BEAT, 1))
    p.drawLines([QLineF(x, 0, x, lane.height()) for x, _ in lines.bars])

class VelocityLane(EscCancelsGesture, QWidget):
    """Stems for the active tracks' notes; selected notes only, when there is a selection."""

    def __init__(self, roll: PianoRoll) -> None:
        super().__init__(roll)
        self.roll = roll
        self.vp = roll.viewport
        self.setFixedHeight(LANE_H)  # then lane_height(), as the roll is laid out
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Esc reaches a drag
        self.vp.changed.connect(self.update)
        self.changes: dict[tuple[int, int], tuple[Note, int]] | None = None
        # A relative drag (a selected stem's tip grabbed): the notes and the press's y.
        self._relative: tuple[list[tuple[int, Note]], float] | None = None
        self._readout: tuple[float, float, str] | None = None  # x, y, text while dragging
        self._last: tuple[float, float] | None = None  # the stroke's previous mouse sample
        self._colours: dict[tuple[str, int], QColor] = {}

    def _colour(self, colour: str, shade: int) -> QColor:
        key = (colour, shade)
        c = self._colours.get(key)
        if c is None:
            c = self._colours[key] = theme.note_colour(colour, (shade + 0.5) * 16)
        return c

    def _value_at(self, y: float) -> int:
        span = self.height() - 2 * PAD
        return clamp_velocity(round((self.height() - PAD - y) / span * 127))

    def _y_of(self, velocity: int) -> float:
        return self.height() - PAD - velocity / 127 * (self.height() - 2 * PAD)

    def _visible(self) -> list[tuple[int, Note]]:
        song = self.roll.document.song
        vp = self.vp
        out = []
        for tid in self.roll.active_track_ids():
            out += [(tid, n) for n in self.roll.index.window(song.track(tid), vp.left, vp.right)
                    if n.start >= vp.left - 1]
        return out

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        w, h = self.width(), self.height()
        paint_lane_ground(p, self)
        p.setPen(QPen(theme.GRID_SUB, 1, Qt.PenStyle.DashLine))
        for v in (32, 64, 96):
            p.drawLine(QLineF(0, self._y_of(v), w, self._y_of(v)))
        song = self.roll.document.song
        selection = self.roll.selection
        only_selected = len(selection) > 0
        ppt, left = self.vp.px_per_tick, self.vp.left
        bottom = h - PAD
        scale = (h - 2 * PAD) / 127
        # One stem per pixel column and track (the loudest note there), batched by shade:
        # cost stays bounded by the lane's width however many notes are on screen.
        batches: dict[tuple[str, int, bool], list[QLineF]] = {}
        changes = self.changes
        width = max(1, self.width())
        for tid in self.roll.active_track_ids():
            track = song.track(tid)
            idx = self.roll.index.get(track)
            if not idx.notes:
                continue
            cols = idx.columns()
            span = idx.span(left, self.vp.right)
            start = cols["start"][span]
            keep = start >= left - 1
            xs = np.floor((start[keep] - left) * ppt).astype(np.int64)
            vel = cols["velocity"][span][keep].copy()
            ids = cols["id"][span][keep]
            if changes:
                for (ctid, nid), (_, v) in changes.items():
                    if ctid == tid:
                        vel[ids == nid] = v
            chosen = np.zeros(len(ids), bool)
            if only_selected:
                chosen = np.isin(ids, selection.note_ids_of(tid))
            inside = (xs >= 0) & (xs < width)
            for flag in (False, True):
                m = inside & (chosen == flag)
                if not m.any():
                    continue
                order = np.argsort(vel[m], kind="stable")  # loudest last: it wins the column
                column = np.zeros(width, np.int64)
                column[xs[m][order]] = vel[m][order]
                where = np.nonzero(column)[0]
                values = column[where]
                shades = values * 8 // 128
                for level in np.unique(shades).tolist():
                    sel = shades == level
                    batches.setdefault((track.colour, level, flag), []).extend(
                        zip((where[sel] + 1).tolist(), (bottom - values[sel] * scale).tolist(),
                            strict=True))
        for (colour, shade, chosen), stems in batches.items():
            lines = [QLineF(x, bottom, x, y) for x, y in stems]
            c = QColor(self._colour(colour, shade))
            if only_selected and not chosen:
                c.setAlpha(60)
            if chosen:
                c = c.lighter(140)
            p.setPen(QPen(c, 2))
            p.drawLines(lines)
            p.setPen(QPen(theme.SELECTION if chosen else c, 4, Qt.PenStyle.SolidLine,
                          Qt.PenCapStyle.SquareCap))
            p.drawPoints([QPointF(x, y) for x, y in stems])
        if self._readout is not None:  # the value being set, beside the pointer
            x, y, text = self._readout
            p.setPen(theme.SELECTION)
            p.drawText(QPointF(min(x + 8, w - 40), max(12.0, min(y, h - 4.0))), text)
        p.setPen(theme.BORDER)
        p.drawLine(0, 0, w, 0)
        p.end()

    # -- drawing velocities ----------------------------------------------------------------------
    def in_gesture(self) -> bool:  # Esc cancels a drag (keys.EscCancelsGesture)
        return self.changes is not None

    def cancel_gesture(self) -> None:
        self.changes = None  # the release then commits nothing
        self._relative = self._readout = self._last = None
        self.update()

    def mousePressEvent(self, e: QMouseEvent) -> None:
        if e.button() != Qt.MouseButton.LeftButton:
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)  # for Esc
        self.changes = {}
        self._last = None
        x, y = e.position().x(), e.position().y()
        grabbed = self._selected_tip_at(x, y)
        if grabbed:
            self._relative = (grabbed, y)
            self._drag_relative(y)
        else:
            self._paint_at(x, y)

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        if self.changes is None:
            return
        if self._relative is not None:
            self._drag_relative(e.position().y())
        else:
            self._paint_at(e.position().x(), e.position().y())

    def _selected_tip_at(self, x: float, y: float) -> list[tuple[int, Note]]:
        """The selected notes, when (x, y) is on the tip of one of their stems."""
        selection = self.roll.selection
        if not len(selection):
            return []
        ppt, left = self.vp.px_per_tick, self.vp.left
        chosen = [(tid, n) for tid, n in self._visible() if selection.contains(tid, n.id)]
        on_tip = any(abs((n.start - left) * ppt - x) <= HIT_PX
                     and abs(self._y_of(n.velocity) - y) <= HIT_PX + 2 for _, n in chosen)
        if not on_tip:
            return []
        # Every selected note of the active tracks moves, on screen or not.
        return [(tid, n) for tid, notes in self.roll.selected().items() for n in notes]

    def _drag_relative(self, y: float) -> None:
        assert self.changes is not None and self._relative is not None
        notes, y0 = self._relative
        delta = round((y0 - y) / max(1, self.height() - 2 * PAD) * 127)
        for tid, n in notes:
            self.changes[(tid, n.id)] = (n, clamp_velocity(n.velocity + delta))
        self._readout = (self._x_of(notes), y, f"{delta:+d}")
        self.update()

    def _x_of(self, notes: list[tuple[int, Note]]) -> float:
        first = min(n.start for _, n in notes)
        return (first - self.vp.left) * self.vp.px_per_tick

    def _paint_at(self, x: float, y: float) -> None:
        """Set the stems under the pointer to its height, and every stem between the
        previous mouse sample and this one to the height of the line joining them: a fast
        stroke's samples are far apart (6 moves over 8 quarter notes left 6 stems as they
        were), and a ramp drawn across stems is a ramp, as in a DAW's line tool."""
        assert self.changes is not None
        value = self._value_at(y)
        x0, y0 = self._last if self._last is not None else (x, y)
        low, high = min(x0, x), max(x0, x)
        selection = self.roll.selection
        only_selected = len(selection) > 0
        ppt, left = self.vp.px_per_tick, self.vp.left
        for tid, n in self._visible():
            if only_selected and not selection.contains(tid, n.id):
                continue
            stem = (n.start - left) * ppt
            if abs(stem - x) <= HIT_PX:
                self.changes[(tid, n.id)] = (n, value)
            elif low <= stem <= high:
                self.changes[(tid, n.id)] = (n, self._value_at(
                    y0 + (y - y0) * (stem - x0) / (x - x0)))
        self._last = (x, y)
        self._readout = (x, y, str(value))
        self.update()

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        changes, self.changes = self.changes, None
        self._relative = self._readout = self._last = None
        if changes:
            per_track: dict[int, list[tuple[Note, int]]] = {}
            for (tid, _), pair in changes.items():
                per_track.setdefault(tid, []).append(pair)
            if any(n.velocity != v for n, v in changes.values()):
                self.roll.commit(velocity_edit(per_track))
        self.update()

    def wheelEvent(self, e: QWheelEvent) -> None:
        """The wheel does over the lane what it does over the notes above it (Shift scrolls
        time, Ctrl zooms it about the pointer): the lane took the wheel and did nothing."""
        self.roll.wheel(e, e.position().x(), None)
