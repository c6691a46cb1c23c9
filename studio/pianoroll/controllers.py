"""The controller lane under the roll, in the velocity lane's place when another lane is
chosen: the current track's pitch bend (around a centre line, in semitones of its bend
range), sustain pedal (down / up blocks) or modulation wheel (0–127) as a step line, on
the roll's time scale. Drag to draw on the snap grid; right-drag (or the Eraser) erases
a range; Shift-drag selects one for Delete. Each gesture is one undo step; notes are
never touched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPen, QPolygonF, QWheelEvent
from PySide6.QtWidgets import QWidget

from engine.score import ControlEvent, Edit, Track, track_label
from engine.score.bend_range import bend_ranges
from engine.score.controller_edits import controller_events, draw_controller, erase_controller
from engine.score.controller_state import RESET_VALUES
from engine.score.snap import Snap, grid_ticks, snap_by_name

from .. import theme
from ..keys import ERASE, EscCancelsGesture
from ..number_entry import number_text
from .tools import Tool
from .velocity import LANE_H, paint_lane_ground

if TYPE_CHECKING:
    from .editor import PianoRoll

PAD = 6
# A bend or the wheel is drawn on this grid at least (a Bar of one value is no curve).
FINEST = "1/16"
FREE = "1/32"  # ... and with the grid off


@dataclass(frozen=True)
class LaneKind:
    """What a lane shows: ``name`` is the settings' word, ``key`` the controller."""

    name: str
    title: str  # the selector's and the menu's
    key: tuple[str, int] | None  # None: the velocity lane (notes, not a controller)
    low: int = 0
    high: int = 127
    centre: int = 0  # where the fill starts (the bend's centre line)


VELOCITY = LaneKind("velocity", "Velocity", None)
BEND = LaneKind("bend", "Pitch Bend", ("pitchwheel", 0), -8192, 8191)
PEDAL = LaneKind("pedal", "Sustain Pedal", ("control_change", 64))
MOD = LaneKind("mod", "Mod Wheel", ("control_change", 1))
LANES: tuple[LaneKind, ...] = (VELOCITY, BEND, PEDAL, MOD)


def lane_by_name(name: object) -> LaneKind:
    """The lane a setting names; the velocity lane for anything else."""
    return next((k for k in LANES if k.name == name), VELOCITY)


def semitones_text(value: float) -> str:
    """Semitones as the locale writes them, no more decimals than they need: "2", "1,5"."""
    text = number_text(round(value, 2), 2)
    return text.rstrip("0").rstrip(".,") if any(c in text for c in ".,") else text


def value_text(kind: LaneKind, value: int, bend_range: float) -> str:
    """A value as the lane's read-out says it: "+1.5 st", "Down", "64"."""
    if kind is BEND:
        semitones = value / (8192 if value < 0 else 8191) * bend_range
        return ("+" if semitones > 0 else "−" if semitones < 0 else "") + semitones_text(
            abs(semitones)) + " st"
    if kind is PEDAL:
        return "Down" if value >= 64 else "Up"
    return str(value)


class _Events:
    """One track's events of one controller as arrays (ticks, values), made once per
    controls tuple: a repaint of a file with 2,260 bends looks up its span, not the list."""

    def __init__(self) -> None:
        self._of: tuple[object, object] | None = None
        self.ticks = np.zeros(0, np.int64)
        self.values = np.zeros(0, np.int64)

    def get(self, controls: tuple[ControlEvent, ...], track: Track,
            key: tuple[str, int]) -> tuple[np.ndarray, np.ndarray]:
        if self._of is None or self._of[0] is not controls or self._of[1] != key:
            events = controller_events(track, key)
            self.ticks = np.array([c.tick for c in events], np.int64)
            self.values = np.array([c.value for c in events], np.int64)
            self._of = (controls, key)
        return self.ticks, self.values


def visible_steps(ticks: np.ndarray, values: np.ndarray, before: int, left: float,
                  right: float) -> tuple[np.ndarray, np.ndarray, int]:
    """The events in ``(left, right]`` and the value in force at ``left`` (``before``
    when none is set by then)."""
    i = int(np.searchsorted(ticks, left, side="right"))
    j = int(np.searchsorted(ticks, right, side="right"))
    start = int(values[i - 1]) if i else before
    return ticks[i:j], values[i:j], start


def column_steps(xs: np.ndarray, values: np.ndarray, start: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Events at pixel columns ``xs`` (ascending) reduced to one step a column: its x,
    the value before it, the lowest and highest it reaches there and the value it leaves;
    so a line drawn through thousands of bends costs the lane's width at most."""
    if not len(xs):
        empty = np.zeros(0, np.int64)
        return empty, empty, empty, empty, empty
    cut = np.flatnonzero(np.diff(xs)) + 1
    firsts = np.concatenate([[0], cut])
    lasts = np.concatenate([cut - 1, [len(xs) - 1]])
    leaves = values[lasts]
    return (xs[firsts], np.concatenate([[start], leaves[:-1]]),
            np.minimum.reduceat(values, firsts), np.maximum.reduceat(values, firsts), leaves)


class ControllerLane(EscCancelsGesture, QWidget):
    """The current track's events of :attr:`kind`'s controller, drawn and edited."""

    def __init__(self, roll: PianoRoll) -> None:
        super().__init__(roll)
        self.roll = roll
        self.vp = roll.viewport
        self.kind = BEND
        self.setFixedHeight(LANE_H)  # then lane_height(), as the roll is laid out
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # for Esc and Delete
        self.setMouseTracking(False)
        self.vp.changed.connect(self.update)
        self._events = _Events()
        self._ranges: tuple[object, list[tuple[int, float]]] = (None, [])
        # A stroke: the grid points drawn (tick → value) and the last mouse sample.
        self._points: dict[int, int] | None = None
        self._last: tuple[float, int] | None = None  # (tick, value)
        self._preview: Edit | None = None  # what the stroke would commit
        self._preview_track: Track | None = None  # ... and the track it makes, painted
        # A range being erased (right-drag, the Eraser) or selected (Shift-drag): ticks.
        self._range: tuple[int, int] | None = None
        self._range_mode = ""  # "erase" or "select" while dragging
        self._anchor = 0  # the tick the range drag started at
        self.selected_range: tuple[int, int] | None = None  # kept for Delete
        self._readout: tuple[float, float, str] | None = None

    # -- the model -----------------------------------------------------------------------------
    def _track_id(self) -> int:
        tid = self.roll.current_track_id()
        assert tid is not None
        return tid

    def track(self) -> Track | None:
        tid = self.roll.current_track_id()
        return None if tid is None else self.roll.document.song.track(tid)

    def set_kind(self, kind: LaneKind) -> None:
        self.cancel_gesture()
        self.selected_range = None
        self.kind = kind
        self.update()

    def bend_range(self) -> float:
        """The current track's bend range (semitones) at the view's left edge."""
        track = self.track()
        if track is None:
            return 2.0
        if self._ranges[0] is not track.controls:  # read once per change, not per paint
            self._ranges = (track.controls, bend_ranges(track))
        ranges = self._ranges[1]
        return next((r for t, r in reversed(ranges) if t <= self.vp.left), ranges[0][1])

    def _reset(self) -> int:
        assert self.kind.key is not None
        return RESET_VALUES.get(self.kind.key, 0)

    def update_playhead(self, old: int, new: int) -> None:
        """Repaint the strips under the playhead's old and new places, not the lane."""
        for tick in (old, new):
            x = self.vp.tick_to_x(tick)
            if -4 <= x <= self.width() + 4:
                self.update(int(x) - 3, 0, 7, self.height())

    # -- geometry ------------------------------------------------------------------------------
    def _y_of(self, value: float) -> float:
        span = self.height() - 2 * PAD
        share = (value - self.kind.low) / (self.kind.high - self.kind.low)
        return self.height() - PAD - share * span

    def _value_at(self, y: float) -> int:
        k = self.kind
        span = max(1, self.height() - 2 * PAD)
        share = (self.height() - PAD - y) / span
        if k is PEDAL:  # a switch: the upper half is down
            return 127 if share >= 0.5 else 0
        value = round(k.low + share * (k.high - k.low))
        if k is BEND and abs(value) < (k.high - k.low) / span * 2:
            value = 0  # within two pixels of the centre line: centred, as a wheel springs back
        return max(k.low, min(k.high, value))

    def _tick_at(self, x: float) -> float:
        return max(0.0, self.vp.x_to_tick(x))

    # -- painting ------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        w, h = self.width(), self.height()
        paint_lane_ground(p, self)
        track = self.track()
        kind = self.kind
        colour = QColor(track.colour) if track is not None else theme.ACCENT
        self._paint_scale(p, w)
        for band, fill in ((self.selected_range, QColor(255, 255, 255, 28)),
                           (self._range, QColor(224, 108, 117, 60) if self._range_mode == "erase"
                            else QColor(255, 255, 255, 28))):
            if band is not None:
                x0, x1 = self.vp.tick_to_x(band[0]), self.vp.tick_to_x(band[1])
                p.fillRect(QRectF(x0, 0, max(1.0, x1 - x0), h), fill)
        if track is not None and kind.key is not None:
            if self._preview_track is not None:  # the stroke as it will be committed
                track = self._preview_track
            ticks, values = self._events.get(track.controls, track, kind.key)
            seen, vals, start = visible_steps(ticks, values, self._reset(), self.vp.left,
                                              self.vp.right)
            if kind is PEDAL:
                self._paint_pedal(p, seen, vals, start, colour)
            else:
                self._paint_steps(p, seen, vals, start, colour)
            if not len(ticks) and self._preview is None:
                p.setPen(theme.TEXT_DIM)
                p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                           f"No {kind.title.lower()} on this track: drag to draw")
        x = self.vp.tick_to_x(self.roll.playhead)
        if 0 <= x <= w:
            p.setPen(QPen(theme.PLAYHEAD, 1.5))
            p.drawLine(QLineF(x, 0, x, h))
        if self._readout is not None:
            rx, ry, text = self._readout
            p.setPen(theme.SELECTION)
            p.drawText(QPointF(min(rx + 8, w - 60), max(12.0, min(ry, h - 4.0))), text)
        p.setPen(theme.BORDER)
        p.drawLine(0, 0, w, 0)
        p.end()

    def _paint_scale(self, p: QPainter, w: int) -> None:
        """The reference lines, and for a bend its labels in semitones."""
        kind = self.kind
        p.setPen(QPen(theme.GRID_SUB, 1, Qt.PenStyle.DashLine))
        if kind is BEND:
            p.setPen(QPen(theme.GRID_BEAT, 1))
            p.drawLine(QLineF(0, self._y_of(0), w, self._y_of(0)))
            p.setPen(QPen(theme.GRID_SUB, 1, Qt.PenStyle.DashLine))
            for v in (-4096, 4096):
                p.drawLine(QLineF(0, self._y_of(v), w, self._y_of(v)))
            semitones = semitones_text(self.bend_range())
            p.setPen(theme.TEXT_DIM)
            font = p.font()
            font.setPixelSize(9)
            p.setFont(font)
            p.drawText(QPointF(3, PAD + 8), f"+{semitones} st")
            p.drawText(QPointF(3, self._y_of(0) - 2), "0")
            p.drawText(QPointF(3, self.height() - PAD - 1), f"−{semitones} st")
        elif kind is MOD:
            for v in (32, 64, 96):
                p.drawLine(QLineF(0, self._y_of(v), w, self._y_of(v)))

    def _paint_steps(self, p: QPainter, seen: np.ndarray, vals: np.ndarray, start: int,
                     colour: QColor) -> None:
        w = self.width()
        xs = np.clip(np.floor((seen - self.vp.left) * self.vp.px_per_tick), 0, w).astype(np.int64)
        cx, before, low, high, leaves = column_steps(xs, vals, start)
        y = self._y_of
        points = [QPointF(0, y(start))]
        for x, b, lo, hi, out in zip(cx.tolist(), before.tolist(), low.tolist(), high.tolist(),
                                     leaves.tolist(), strict=True):
            points += [QPointF(x, y(b)), QPointF(x, y(lo)), QPointF(x, y(hi)),
                       QPointF(x, y(out))]
        end = int(leaves[-1]) if len(leaves) else start
        points.append(QPointF(w, y(end)))
        base = y(self.kind.centre)
        fill = QColor(colour)
        fill.setAlpha(55)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(fill)
        p.drawPolygon(QPolygonF([*points, QPointF(w, base), QPointF(0, base)]))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(colour.lighter(120), 1.5))
        p.drawPolyline(QPolygonF(points))

    def _paint_pedal(self, p: QPainter, seen: np.ndarray, vals: np.ndarray, start: int,
                     colour: QColor) -> None:
        """A block where the pedal is down (64 and over, as the synths hold notes)."""
        left, right = self.vp.left, self.vp.right
        ticks = np.concatenate([[left], seen, [right]])
        down = np.concatenate([[start], vals]) >= 64
        fill = QColor(colour)
        fill.setAlpha(150)
        top, bottom = PAD + 2.0, self.height() - PAD
        rects = []
        for i in np.flatnonzero(down).tolist():
            x0, x1 = self.vp.tick_to_x(ticks[i]), self.vp.tick_to_x(ticks[i + 1])
            if x1 > x0:
                rects.append(QRectF(x0, top, max(1.0, x1 - x0), bottom - top))
        p.setPen(QPen(colour.lighter(130), 1))
        p.setBrush(fill)
        p.drawRects(rects)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(theme.GRID_BEAT, 1))
        p.drawLine(QLineF(0, bottom, self.width(), bottom))

    # -- gestures ------------------------------------------------------------------------------
    def in_gesture(self) -> bool:  # Esc cancels a drag (keys.EscCancelsGesture)
        return self._points is not None or self._range is not None

    def cancel_gesture(self) -> None:
        self._points = self._last = self._preview = self._range = self._readout = None
        self._preview_track = None
        self._range_mode = ""
        self.update()

    def _snap(self) -> Snap:
        """The grid a stroke is drawn on: the roll's, a 1/16 at the coarsest for a bend
        or the wheel, a 1/32 with the grid off."""
        snap, ppq = self.roll.snap, self.roll.document.song.ppq
        if snap.division == 0:
            return snap_by_name(FREE)
        if self.kind is not PEDAL and (snap.division < 0
                                       or snap.ticks(ppq) > snap_by_name(FINEST).ticks(ppq)):
            return snap_by_name(FINEST)
        return snap

    def _grid(self, lo: float, hi: float) -> list[int]:
        """The grid lines from ``lo`` to ``hi``, each bar's as the roll snaps to them."""
        tm, snap = self.roll.document.time_map, self._snap()
        out: list[int] = []
        bar = tm.tick_to_bar(max(0, int(lo)))
        while (start := tm.bar_to_tick(bar)) <= hi:
            end = tm.bar_to_tick(bar + 1)
            lines = [start] if snap.division < 0 else grid_ticks(snap, tm, start, end)
            out += [t for t in lines if lo <= t <= hi]
            bar += 1
        return out

    def _line_after(self, tick: int) -> int:
        after = self._grid(tick + 1, tick + 8 * self.roll.document.song.ppq)
        return after[0] if after else tick + self.roll.document.song.ppq // 4

    def mousePressEvent(self, e: QMouseEvent) -> None:
        if self.kind.key is None or self.track() is None:
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)  # for Esc and Delete
        x, y = e.position().x(), e.position().y()
        shift = bool(e.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if e.button() == Qt.MouseButton.RightButton or (
                e.button() == Qt.MouseButton.LeftButton
                and (self.roll.tool is Tool.ERASE or shift)):
            self.selected_range = None
            self._range_mode = "select" if e.button() == Qt.MouseButton.LeftButton and shift \
                else "erase"
            tick = self.roll.snap_tick(self._tick_at(x))
            self._range = (tick, tick)
            self._anchor = tick
            self.update()
        elif e.button() == Qt.MouseButton.LeftButton:
            self.selected_range = None
            self._points = {}
            self._last = None
            self._stroke_to(x, y)

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        x, y = e.position().x(), e.position().y()
        if self._points is not None:
            self._stroke_to(x, y)
        elif self._range is not None:
            tick = self.roll.snap_tick(self._tick_at(x))
            self._range = (min(self._anchor, tick), max(self._anchor, tick))
            self.update()

    def _stroke_to(self, x: float, y: float) -> None:
        """Set the grid points from the previous mouse sample to this one on the line
        joining them (a fast stroke's samples are far apart), and preview the result."""
        assert self._points is not None
        tick, value = self._tick_at(x), self._value_at(y)
        t0, v0 = self._last if self._last is not None else (tick, value)
        lines = self._grid(min(t0, tick), max(t0, tick))
        if not lines:  # a click, or a move within one grid step: its nearest line
            lines = [self._nearest(tick)]
        for t in lines:
            share = 0.0 if tick == t0 else (t - t0) / (tick - t0)
            v = round(v0 + (value - v0) * min(1.0, max(0.0, share)))
            if self.kind is PEDAL:
                v = 127 if v >= 64 else 0
            self._points[t] = v
        self._last = (tick, value)
        edit = self._preview = self._edit()
        self._preview_track = (None if edit is None else
                               edit.apply(self.roll.document.song).track(self._track_id()))
        self._readout = (x, y, value_text(self.kind, value, self.bend_range()))
        self.update()

    def _nearest(self, tick: float) -> int:
        reach = 2 * self.roll.document.song.ppq
        near = self._grid(tick - reach, tick + reach)
        return min(near, key=lambda t: abs(t - tick)) if near else round(tick)

    def _edit(self) -> Edit | None:
        track = self.track()
        if not self._points or track is None or self.kind.key is None:
            return None
        points = sorted(self._points.items())
        return draw_controller(self.roll.document.song, track.id, self.kind.key, points,
                               self._line_after(points[-1][0]), f"Draw {self.kind.title}")

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        if self._points is not None:
            edit = self._edit()
            self.cancel_gesture()
            if edit is not None and self.roll.commit(edit):
                self.roll.message.emit(f"{edit.label} on {self._track_name()}")
        elif self._range is not None:
            lo, hi = self._range
            mode = self._range_mode
            self.cancel_gesture()
            if hi > lo:
                if mode == "select":
                    self.selected_range = (lo, hi)
                else:
                    self.erase(lo, hi)
        self.update()

    def erase(self, lo: int, hi: int) -> bool:
        """Erase the current track's events of this lane in ``[lo, hi)``: one undo step."""
        track = self.track()
        if track is None or self.kind.key is None:
            return False
        edit = erase_controller(self.roll.document.song, track.id, self.kind.key, lo, hi,
                                f"Erase {self.kind.title}")
        if edit is None:
            self.roll.message.emit(f"No {self.kind.title.lower()} there to erase")
            return False
        ok = self.roll.commit(edit)
        if ok:
            self.roll.message.emit(f"{edit.label} on {self._track_name()}")
        return ok

    def _track_name(self) -> str:
        return track_label(self.roll.document.song, self._track_id())

    # -- keys ------------------------------------------------------------------------------------
    def event(self, e: QEvent) -> bool:
        # Delete and Esc act on a selected range, before the window's Delete (the notes)
        # and Esc (Select None) see them: this lane never touches the notes.
        if (e.type() == QEvent.Type.ShortcutOverride and isinstance(e, QKeyEvent)
                and self.selected_range is not None
                and (e.key() in ERASE or e.key() == Qt.Key.Key_Escape)):
            e.accept()
            return True
        return super().event(e)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if self.selected_range is not None and not self.in_gesture():
            if e.key() in ERASE:
                lo, hi = self.selected_range
                self.selected_range = None
                self.erase(lo, hi)
                self.update()
                e.accept()
                return
            if e.key() == Qt.Key.Key_Escape:
                self.selected_range = None
                self.update()
                e.accept()
                return
        super().keyPressEvent(e)

    def wheelEvent(self, e: QWheelEvent) -> None:
        """The wheel does what it does over the notes (Shift scrolls, Ctrl zooms time)."""
        self.roll.wheel(e, e.position().x(), None)
