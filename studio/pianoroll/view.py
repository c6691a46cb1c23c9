"""The note canvas: paints the visible notes and turns mouse gestures into edits.

Drawing is plain QPainter on a QWidget, and only what is on screen is touched: the
visible tick window is found by bisect (:mod:`.noteindex`), rectangles are batched per
colour (one ``drawRects`` call per velocity shade). The rows, grid, loop and notes are
kept in a pixmap while nothing they show changes, so the frames of a drag (and the
playhead's) draw only what moves over it. See docs/studio.md and docs/performance.md
for the figures.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QCursor,
    QFont,
    QFontMetricsF,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine.score import Note, add_notes, remove_notes
from engine.score.instruments import drum_name
from engine.score.note_names import NoteNames
from engine.score.snap import grid_shift
from engine.score.spelling import pitch_name

from .. import theme
from ..keys import EscCancelsGesture
from ..mask.overlay import paint_roll as paint_mask
from ..mask.tool import RollMaskTool
from .articulations import Arc, Mark, mark_layout, slur_arc
from .gridlines import grid_lines
from .lyrics import FERMATA_GLYPH, FERMATA_MIN_ROW, Placed, fermata_box, lyric_layout, printed
from .tools import (
    Drag,
    Tool,
    copy_edit,
    delete_edit,
    move_edit,
    resize_edit,
    resize_start_edit,
)

if TYPE_CHECKING:
    from .editor import PianoRoll

EDGE_PX = 6  # grab a note's right edge within this many pixels to resize it
DRAG_PX = 3  # a press becomes a drag after moving this far
VELOCITY_SHADES = 8
DENSE_NOTES = 1500  # above this many visible notes in a track, paint it as an image
# The rows a kit names (General MIDI 2's drums, 27-87): no pitched ghosts on them.
@functools.cache
def kit_row_mask(kit: int) -> np.ndarray:
    """The keys a kit (a drum track's program) names a drum on: its rows."""
    return np.array([drum_name(p, kit=kit) is not None for p in range(128)])

NOTE_EDGE = QColor(0, 0, 0, 150)  # a note's outline
# A syllable or fermata of the current track is written on the rows in the text's
# colour; another track's being edited with it, dimmer.
LYRIC_INK = theme.TEXT
LYRIC_INK_DIM = QColor(theme.TEXT.red(), theme.TEXT.green(), theme.TEXT.blue(), 110)
MAX_LABELS = 400  # more notes than this wide enough to name: none are named (a blur of text)
# Auto-scroll: a drag held past the view's edge scrolls it every SCROLL_MS, the further past
# the edge the faster (SCROLL_PX_MIN + distance * SCROLL_GAIN pixels a step, SCROLL_PX_MAX
# at most): a few pixels past creep, a flick far past races.
SCROLL_MS = 30
SCROLL_PX_MIN, SCROLL_GAIN, SCROLL_PX_MAX = 3.0, 0.4, 60.0
SCROLLS_X = ("move", "copy", "resize", "resize_start", "draw", "rubber")
SCROLLS_Y = ("move", "copy", "rubber")  # a resize or a Brush stroke keeps its row


def distinct_boxes(x: np.ndarray, y: np.ndarray,
                   w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The columns with one entry per distinct pixel box (zoomed-out duplicates of the same
    box are dropped: drawing them again would change nothing)."""
    if len(x) > 64:
        # One integer per box (np.unique over rows of three was a millisecond a frame):
        # 21 bits each, clipped far off screen where no two boxes are told apart anyway.
        lim = (1 << 20) - 1
        bx = np.clip(np.floor(x), -lim, lim).astype(np.int64) + lim
        by = np.clip(np.floor(y), -lim, lim).astype(np.int64) + lim
        bw = np.clip(np.ceil(w), 0, 2 * lim).astype(np.int64)
        _, first = np.unique((bx << 42) | (by << 21) | bw, return_index=True)
        if len(first) < len(x):
            first.sort()
            x, y, w = x[first], y[first], w[first]
    return x, y, w


def box_rects(x: np.ndarray, y: np.ndarray, w: np.ndarray, h: float) -> list[QRectF]:
    """Rectangles for the given columns, one per distinct pixel box."""
    x, y, w = distinct_boxes(x, y, w)
    return [QRectF(a, b, c, h) for a, b, c in zip(x.tolist(), y.tolist(), w.tolist(),
                                                   strict=True)]


def outlined_rects(p: QPainter, x: np.ndarray, y: np.ndarray, w: np.ndarray, h: float,
                   fill: QColor, outline: QColor, width: float) -> None:
    """The boxes filled with ``fill`` inside an ``outline`` ``width`` pixels wide,
    centred on their edges, as a pen would stroke them: painted as two fills, the
    outline's box and the fill's inside it. Qt strokes each rectangle of a translucent
    pen as a path: 14 rectangle batches a frame took 5 of the 20 ms a scroll step took
    with 5 tracks and 16 bars on screen, two fills a twentieth of that."""
    x, y, w = distinct_boxes(x, y, w)
    half = width / 2
    xs, ys, ws = x.tolist(), y.tolist(), w.tolist()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(outline)
    p.drawRects([QRectF(a - half, b - half, c + width, h + width)
                 for a, b, c in zip(xs, ys, ws, strict=True)])
    p.setBrush(fill)
    p.drawRects([QRectF(a + half, b + half, c - width, h - width)
                 for a, b, c in zip(xs, ys, ws, strict=True) if c > width])


class NoteCanvas(EscCancelsGesture, QWidget):
    """The grid with notes; one per :class:`~studio.pianoroll.editor.PianoRoll`."""

    hovered = Signal(int, int)  # tick, pitch under the mouse

    def __init__(self, roll: PianoRoll) -> None:
        super().__init__(roll)
        self.roll = roll
        self.vp = roll.viewport
        self.drag: Drag | None = None
        self.mask_tool = RollMaskTool(self)
        # Extra layers drawn over the notes (the take preview): fn(painter, canvas).
        self.overlays: list[Callable[[QPainter, NoteCanvas], None]] = []
        # Where an overlay stands for the notes under it (a take's region): fn(canvas) ->
        # (start, end, pitch_lo, pitch_hi) spans whose notes are drawn without their
        # names, which read as the overlay's (an "A4" under the take's G4).
        self.unlabelled: list[Callable[[NoteCanvas], tuple[tuple[int, int, int, int], ...]]] = []
        self._brushes: dict[tuple[str, int], QColor] = {}
        self._names: NoteNames | None = None  # the song's, for the labels (note_names)
        self._luts: dict[tuple[str, int], np.ndarray] = {}
        # The painted rows, grid, loop and notes, with what they showed (see _layer).
        self._layer_pixmap: QPixmap | None = None
        self._layer_key: tuple[tuple, tuple] = ((), ())
        self.layer_paints = 0  # how often the layer was painted afresh (tests, benchmarks)
        self.layer_scrolls = 0  # how often it was moved, a strip painted (tests, benchmarks)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(200, 120)
        self.vp.changed.connect(self.update)
        self.label_font = QFont(self.font())  # the notes' names (a take's too)
        self.label_font.setPointSizeF(7.5)
        self.label_metrics = QFontMetricsF(self.label_font)  # lays out the lyric syllables
        # A fermata is the font's glyph where it has one (else drawn: _paint_fermata).
        self.fermata_font: QFont | None = QFont(self.font())
        if not QFontMetricsF(self.fermata_font).inFontUcs4(ord(FERMATA_GLYPH)):
            self.fermata_font = None
        # Auto-scroll while a drag is held past an edge (see _auto_scroll): the pointer's
        # last place and whether it was off the grid (Alt or Shift held).
        self._scroll_timer = QTimer(self)
        self._scroll_timer.setInterval(SCROLL_MS)
        self._scroll_timer.timeout.connect(self._auto_scroll)
        self._pointer: tuple[float, float, bool] = (0.0, 0.0, False)

    # -- geometry -------------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        self.vp.set_size(self.width(), self.height())
        super().resizeEvent(event)

    def note_rect(self, start: int, duration: int, pitch: int) -> QRectF:
        ppt = self.vp.px_per_tick
        x = (start - self.vp.left) * ppt
        return QRectF(x, self.vp.pitch_to_y(pitch) + 1, max(3.0, duration * ppt), self.vp.key_h - 1)

    def note_at(self, x: float, y: float) -> tuple[int, Note] | None:
        """The topmost note of an active track under ``(x, y)``."""
        song = self.roll.document.song
        tick = self.vp.x_to_tick(x)
        pitch = self.vp.y_to_pitch(y)
        slack = 3.0 / self.vp.px_per_tick  # short notes are drawn at least 3 px wide
        for tid in reversed(self.roll.active_track_ids()):
            track = song.track(tid)
            hits = [n for n in self.roll.index.window(track, tick - slack, tick)
                    if n.pitch == pitch and n.start <= tick <= max(n.end, n.start + slack)]
            if hits:
                return tid, hits[-1]
        return None

    def on_right_edge(self, note: Note, x: float, track_id: int) -> bool:
        if self._is_kit(track_id):
            return False  # a kit's hits are struck, not held: grabbed anywhere, they move
        r = self.note_rect(note.start, note.duration, note.pitch)
        return r.width() >= 2 * EDGE_PX and r.right() - EDGE_PX <= x <= r.right() + 2

    def on_left_edge(self, note: Note, x: float, track_id: int) -> bool:
        if self._is_kit(track_id):
            return False
        r = self.note_rect(note.start, note.duration, note.pitch)
        # Narrower than the right edge's grip: a note is mostly grabbed near its start to
        # move it, so only its first 3 pixels (the cursor shows ↔) move the start.
        return r.width() >= 4 * EDGE_PX and r.left() - 2 <= x <= r.left() + 3

    def _is_kit(self, track_id: int) -> bool:
        return self.roll.document.song.track(track_id).is_drum

    # -- painting -------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.drawPixmap(0, 0, self._layer())
        mask = self.roll.document.mask
        preview = self.mask_tool.preview()
        if not mask.is_empty or preview is not None:
            paint_mask(p, self, mask, preview)
        for overlay in self.overlays:
            overlay(p, self)
        self._paint_drag(p)
        x = self.vp.tick_to_x(self.roll.playhead)
        if 0 <= x <= self.width():
            p.setPen(QPen(theme.PLAYHEAD, 1.5))
            p.drawLine(QLineF(x, 0, x, self.height()))
        theme.paint_focus_ring(p, self)  # where the keys go (Tab, a click elsewhere: gone)
        p.end()

    def _layer(self) -> QPixmap:
        """The rows, grid, loop and notes, painted again only when something they show
        has changed: the view, the song, the selection, the active tracks, the grid, the
        loop or the notes a gesture hides. A drag's frames (and playback's) change none
        of them, and repainting thousands of notes on every mouse move was most of a
        frame; the mask, the take on screen, the drag, the playhead and the focus ring
        are drawn over it each time, as before."""
        roll, vp, d = self.roll, self.vp, self.drag
        dpr = self.devicePixelRatioF()
        hiding = d is not None and d.started and d.kind in ("move", "resize", "resize_start")
        erased = frozenset(d.erased) if d is not None and d.started and d.kind == "erase" else None
        # Compared by value, and by identity (the song, its time map and the selection are
        # immutable, replaced when they change; the dragged notes' columns, once per drag).
        song = roll.document.song
        values = (self.width(), self.height(), dpr, vp.left, vp.top, vp.px_per_beat, vp.ppq,
                  vp.key_h, roll.loop, roll.snap, tuple(roll.active_track_ids()), erased,
                  self._unlabelled(), song.key_at(max(0, int(vp.left))))
        objects = (song, roll.document.time_map, roll.selection.notes,
                   d.columns() if hiding else None)
        kept_values, kept_objects = self._layer_key
        same = (self._layer_pixmap is not None
                and all(a is b for a, b in zip(objects, kept_objects, strict=True)))
        if same and values == kept_values:
            return self._layer_pixmap
        shift = self._scrolled_by(values, kept_values) if same else None
        if shift is not None:
            # Scrolled by whole pixels: what stays on screen moves, only the strip that
            # comes into view is painted (a wheel step in time: a tenth of the width).
            pixmap = self._layer_pixmap
            assert pixmap is not None
            dx, dy = shift
            pixmap.scroll(round(dx * dpr), round(dy * dpr), pixmap.rect())
            w, h = self.width(), self.height()
            strip = (QRectF(0, 0, dx, h) if dx > 0 else QRectF(w + dx, 0, -dx, h) if dx
                     else QRectF(0, 0, w, dy) if dy > 0 else QRectF(0, h + dy, w, -dy))
            self.layer_scrolls += 1
        else:
            pixmap = QPixmap(max(1, round(self.width() * dpr)),
                             max(1, round(self.height() * dpr)))
            pixmap.setDevicePixelRatio(dpr)
            strip = None
            self.layer_paints += 1
        p = QPainter(pixmap)
        if strip is not None:
            p.setClipRect(strip)
        self._paint_rows(p)
        self._paint_grid(p)
        self._paint_loop(p)
        self._paint_notes(p, strip)
        p.end()
        self._layer_pixmap, self._layer_key = pixmap, (values, objects)
        return pixmap

    def _scrolled_by(self, values: tuple, kept: tuple) -> tuple[float, float] | None:
        """How far the kept layer's picture moves, (dx, 0) or (0, dy) in whole device
        pixels, when the view scrolled and nothing else changed; None when it must be
        painted afresh (zoom, an edit, a scroll of a fraction of a pixel, or both ways)."""
        if values[:3] != kept[:3] or values[5:] != kept[5:]:
            return None
        dpr = values[2]
        dx = (kept[3] - values[3]) * self.vp.px_per_tick * dpr
        dy = (kept[4] - values[4]) * dpr
        if dx and dy:
            return None
        moved, room = (dx, values[0]) if dx else (dy, values[1])
        if abs(moved - round(moved)) > 1e-3 or abs(moved) >= room * dpr:
            return None
        return (round(dx) / dpr, 0.0) if dx else (0.0, round(dy) / dpr)

    def _unlabelled(self) -> tuple[tuple[int, int, int, int], ...]:
        return tuple(span for spans in self.unlabelled for span in spans(self))

    def _paint_rows(self, p: QPainter) -> None:
        w = self.width()
        p.fillRect(self.rect(), theme.ROW_WHITE)
        lo, hi = self.vp.visible_pitches()
        kh = self.vp.key_h
        p.setPen(theme.ROW_C_LINE)
        for pitch in range(lo, hi + 1):
            y = self.vp.pitch_to_y(pitch)
            if pitch % 12 in (1, 3, 6, 8, 10):
                p.fillRect(QRectF(0, y, w, kh), theme.ROW_BLACK)
            if pitch % 12 == 0:
                p.drawLine(QLineF(0, y + kh - 0.5, w, y + kh - 0.5))
            elif pitch % 12 == 5:  # E|F boundary: faint, helps reading
                p.fillRect(QRectF(0, y + kh - 1, w, 1), theme.GRID_SUB)
        bottom = self.vp.pitch_to_y(0) + kh
        if bottom < self.height():
            p.fillRect(QRectF(0, bottom, w, self.height() - bottom), theme.WINDOW)

    def _paint_grid(self, p: QPainter) -> None:
        lines = grid_lines(self.roll.document.time_map, self.vp, self.roll.snap)
        h = self.height()
        for xs, colour, width in ((lines.subs, theme.GRID_SUB, 1.0),
                                  (lines.beats, theme.GRID_BEAT, 1.0),
                                  ([x for x, _ in lines.bars], theme.GRID_BAR, 1.5)):
            if xs:
                p.setPen(QPen(colour, width))
                p.drawLines([QLineF(x, 0, x, h) for x in xs])

    def _paint_loop(self, p: QPainter) -> None:
        start, end, on = self.roll.loop
        if end <= start:
            return
        x0, x1 = self.vp.tick_to_x(start), self.vp.tick_to_x(end)
        if x1 < 0 or x0 > self.width():
            return
        colour = QColor(theme.LOOP)
        if not on:
            colour.setAlpha(14)
        p.fillRect(QRectF(x0, 0, x1 - x0, self.height()), colour)

    def _brush(self, colour: str, shade: int) -> QColor:
        key = (colour, shade)
        c = self._brushes.get(key)
        if c is None:
            if shade < 0:
                c = theme.ghost_colour(colour)
            else:
                c = theme.note_colour(colour, (shade + 0.5) * 128 / VELOCITY_SHADES)
            self._brushes[key] = c
        return c

    def _paint_notes(self, p: QPainter, clip: QRectF | None = None) -> None:
        """Visible notes, vectorised: ghost tracks first, then the active ones on top.

        Notes that land on the same pixels (zoomed far out) are drawn once. ``clip``: only
        the notes there are drawn (the painter is clipped to it); which are named is
        still decided by all the notes in view, so the picture is the same.
        """
        song = self.roll.document.song
        vp = self.vp
        t0, t1 = vp.left, vp.right
        key = song.key_at(max(0, t0))  # notes are named as the key in view spells them
        lo, hi = vp.visible_pitches()
        ppt, kh = vp.px_per_tick, vp.key_h
        active = self.roll.active_track_ids()
        selected = self.roll.selection.notes
        hidden = self._hidden_ids()
        order = [t for t in song.tracks if t.id not in active]
        order += [song.track(tid) for tid in active]
        labels: list[tuple[QRectF, str]] = []
        # Lyric syllables and fermatas of the tracks, with whether each is the current
        # track's (the others' are dimmed, an inactive track's too).
        sung: list[tuple[Placed, bool]] = []
        held: list[tuple[tuple[float, float, float, float], bool]] = []
        # Articulations over the notes and the slurs' arcs, drawn as the fermatas are.
        signs: list[tuple[Mark, bool]] = []
        arcs: list[tuple[Arc, bool]] = []
        current = self.roll.current_track_id()
        unlabelled = self._unlabelled()
        # On a kit the rows are its drums: a bass line's ghost there read as a long Kick.
        kit = self.roll.current_kit()
        kit_rows = kit_row_mask(kit) if kit is not None else None
        names = self.note_names()
        for track in order:
            idx = self.roll.index.get(track)
            if not idx.notes:
                continue
            cols = idx.columns()
            span = idx.span(t0, t1)
            start, end = cols["start"][span], cols["end"][span]
            pitch = cols["pitch"][span]
            keep = (end >= t0) & (pitch >= lo) & (pitch <= hi)
            ghost = track.id not in active
            if ghost and kit_rows is not None and not track.is_drum:
                keep &= ~kit_rows[pitch]
            if not keep.any():
                continue
            gone = hidden.get(track.id)
            if gone is not None and not ghost:  # a drag's notes are drawn where they go
                keep &= ~np.isin(cols["id"][span], gone)
            if keep.sum() > DENSE_NOTES:
                self._paint_dense(p, track, start[keep], end[keep], pitch[keep],
                                  cols["velocity"][span][keep], cols["id"][span][keep],
                                  ghost, lo, hi)
                continue
            x = (start[keep] - t0) * ppt
            # Drum hits are short: give them a readable minimum width.
            w = np.maximum((end[keep] - start[keep]) * ppt,
                           7.0 if track.is_drum else (2.0 if ghost else 3.0))
            y = (127 - pitch[keep]) * kh - vp.top + 1
            near = (np.ones(len(x), bool) if clip is None else  # an outline reaches 1 px out
                    (x + w >= clip.left() - 2) & (x <= clip.right() + 2)
                    & (y + kh >= clip.top() - 2) & (y <= clip.bottom() + 2))
            if ghost:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(self._brush(track.colour, -1))
                p.drawRects(box_rects(x[near], y[near], w[near], kh - 1))
                # A sung line behind the tracks being edited (the tune under a
                # Harmonize take) keeps its words, dimmed: the take read against them.
                self._mark(idx, x, y, w, cols["id"][span][keep],
                           self._free(start[keep], pitch[keep], unlabelled), False, sung, held,
                           signs)
                self._slurs(idx, gone, 2.0, False, arcs)
                continue
            vel = cols["velocity"][span][keep]
            ids = cols["id"][span][keep]
            pk = pitch[keep]
            tid = track.id
            chosen = np.zeros(len(ids), bool)
            if selected:
                chosen = np.isin(ids, self.roll.selection.note_ids_of(tid))
            shade = vel * VELOCITY_SHADES // 128
            for level in np.unique(shade[~chosen & near]):
                m = (shade == level) & ~chosen & near
                outlined_rects(p, x[m], y[m], w[m], kh - 1,
                               self._brush(track.colour, int(level)), NOTE_EDGE, 1.0)
            if (chosen & near).any():
                m = chosen & near
                outlined_rects(p, x[m], y[m], w[m], kh - 1,
                               QColor(track.colour).lighter(150), theme.SELECTION, 1.5)
            free = self._free(start[keep], pk, unlabelled)
            self._mark(idx, x, y, w, ids, free, tid == current, sung, held, signs)
            self._slurs(idx, gone, 7.0 if track.is_drum else 3.0, tid == current, arcs)
            if kh >= 12:
                named = (w >= 26) & free
                own = names.spelt and not track.is_drum  # spelt as the score has them
                for i in np.nonzero(named)[0][:400]:
                    labels.append((QRectF(x[i], y[i], w[i], kh - 1),
                                   (own and names.name_of_id(int(ids[i])))
                                   or note_label(int(pk[i]), key, track.is_drum,
                                                 kit=track.program)))
        if labels and len(labels) < MAX_LABELS:
            p.setFont(self.label_font)
            p.setPen(QColor(0, 0, 0, 190))
            for r, text in labels:
                if clip is None or r.intersects(clip):
                    p.drawText(r.adjusted(3, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter, text)
        if sung and len(sung) < MAX_LABELS:
            p.setFont(self.label_font)
            for box, mine in sung:
                r = QRectF(box.x, box.y, box.w + 2, box.h)
                if clip is None or r.intersects(clip):
                    p.setPen(LYRIC_INK if mine else LYRIC_INK_DIM)
                    p.drawText(r, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                               box.text)
        if held and len(held) < MAX_LABELS:
            for (fx, fy, fw, fh), mine in held:
                r = QRectF(fx, fy, fw, fh)
                if clip is None or r.intersects(clip):
                    self._paint_fermata(p, r, LYRIC_INK if mine else LYRIC_INK_DIM)
        if (signs and len(signs) < MAX_LABELS) or (arcs and len(arcs) < MAX_LABELS):
            p.save()
            p.setRenderHint(QPainter.RenderHint.Antialiasing)  # a 6-px wedge reads so
            for sign, mine in signs if len(signs) < MAX_LABELS else ():
                r = QRectF(sign.x, sign.y, sign.w, sign.h)
                if clip is None or r.intersects(clip):
                    self._paint_sign(p, sign, LYRIC_INK if mine else LYRIC_INK_DIM)
            for arc, mine in arcs if len(arcs) < MAX_LABELS else ():
                r = QRectF(*arc.bounds()).adjusted(-1, -1, 1, 1)
                if clip is None or r.intersects(clip):
                    self._paint_slur(p, arc, LYRIC_INK if mine else LYRIC_INK_DIM)
            p.restore()

    @staticmethod
    def _free(at: np.ndarray, pitch: np.ndarray, unlabelled) -> np.ndarray:
        """Which notes (onsets ``at``, ``pitch``) are not under an overlay's notes."""
        free = np.ones(len(at), bool)
        for t_lo, t_hi, p_lo, p_hi in unlabelled:
            free &= ~((at >= t_lo) & (at < t_hi) & (pitch >= p_lo) & (pitch <= p_hi))
        return free

    def _mark(self, idx, x: np.ndarray, y: np.ndarray, w: np.ndarray, ids: np.ndarray,
              free: np.ndarray, mine: bool, sung: list, held: list,
              signs: list | None = None) -> None:
        """Lay out the lyric syllables, fermatas and articulations of one track's visible
        notes (``free``: not under an overlay's) onto ``sung``, ``held`` and ``signs``.
        Looked up only where the track has any (:meth:`~.noteindex.TrackIndex.marked`)."""
        marked, marked_ids = idx.marked()
        kh = self.vp.key_h
        if not len(marked_ids) or kh < FERMATA_MIN_ROW:
            return
        on = np.nonzero(np.isin(ids, marked_ids) & free)[0]
        if len(on) >= MAX_LABELS:  # zoomed far out: a blur of text, none written
            return
        notes: list[tuple[float, float, float, str]] = []
        for i in on.tolist():
            n = marked[int(ids[i])]
            if n.lyric is not None:
                notes.append((float(x[i]), float(y[i]), float(w[i]), printed(n.lyric)))
            top = float(y[i])
            if n.articulations and signs is not None:
                over = mark_layout(float(x[i]), top, float(w[i]), kh, n.articulations)
                signs.extend((m, mine) for m in over)
                top = over[-1].y if over else top  # a fermata goes over them
            if n.fermata and (box := fermata_box(float(x[i]), top, float(w[i]), kh)):
                held.append((box, mine))
        metrics = self.label_metrics
        sung.extend((box, mine) for box in lyric_layout(
            notes, kh, metrics.height(), metrics.horizontalAdvance))

    def _slurs(self, idx, gone: np.ndarray | None, min_w: float, mine: bool,
               arcs: list) -> None:
        """Lay out the arcs of one track's slurs in view onto ``arcs`` (none of a note a
        drag hides: it is drawn where it goes). Looked up only where the track has slur
        marks (:meth:`~.noteindex.TrackIndex.slurs`)."""
        if not len(idx.marked()[1]):
            return
        spans = idx.slurs()
        if not spans:
            return
        vp = self.vp
        t0, t1, ppt, kh = vp.left, vp.right, vp.px_per_tick, vp.key_h
        hidden = set(gone.tolist()) if gone is not None else set()
        for s in spans:  # in the order they start
            if s.first.start > t1:
                break
            if s.last.end < t0 or s.first.id in hidden or s.last.id in hidden:
                continue
            ends = []
            for n in (s.first, s.last):
                x, w = (n.start - t0) * ppt, max(n.duration * ppt, min_w)
                y = (127 - n.pitch) * kh - vp.top + 1
                over = mark_layout(x, y, w, kh, n.articulations)  # the slur goes over them
                ends.append((x, over[-1].y if over else y, w))
            if (arc := slur_arc(ends[0], ends[1], kh)) is not None:
                arcs.append((arc, mine))
            if len(arcs) >= MAX_LABELS:
                return

    @staticmethod
    def _paint_sign(p: QPainter, m: Mark, ink: QColor) -> None:
        """An articulation in its box, drawn (no font has them all): a dot, a wedge, a
        ``>``, a ``^``, a dash, or a dash over a dot."""
        x, y, w, h = m.x, m.y, m.w, m.h
        cx = x + w / 2
        dot = max(1.1, w * 0.16)
        pen = QPen(ink, 1.2)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        if m.mark == "accent":
            p.drawPolyline(QPolygonF([QPointF(x + w * 0.1, y + h * 0.2),
                                      QPointF(x + w * 0.9, y + h * 0.5),
                                      QPointF(x + w * 0.1, y + h * 0.8)]))
        elif m.mark == "strong-accent":
            p.drawPolyline(QPolygonF([QPointF(x + w * 0.15, y + h * 0.9),
                                      QPointF(cx, y + h * 0.1),
                                      QPointF(x + w * 0.85, y + h * 0.9)]))
        elif m.mark in ("tenuto", "detached-legato"):
            dash = y + (h * 0.3 if m.mark == "detached-legato" else h / 2)
            p.drawLine(QLineF(x + w * 0.1, dash, x + w * 0.9, dash))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(ink)
        if m.mark == "staccatissimo":  # a wedge pointing at the note
            p.drawPolygon(QPolygonF([QPointF(cx - w * 0.2, y + h * 0.1),
                                     QPointF(cx + w * 0.2, y + h * 0.1),
                                     QPointF(cx, y + h * 0.9)]))
        elif m.mark in ("staccato", "detached-legato"):
            p.drawEllipse(QPointF(cx, y + h - dot - 0.5), dot, dot)

    @staticmethod
    def _paint_slur(p: QPainter, arc: Arc, ink: QColor) -> None:
        """A slur: a thin curve from end to end, its middle ``arc.bow`` above the higher
        end (a cubic's controls 4/3 as high reach that)."""
        lift = min(arc.y1, arc.y2) - arc.bow * 4 / 3
        dx = arc.x2 - arc.x1
        path = QPainterPath(QPointF(arc.x1, arc.y1))
        path.cubicTo(QPointF(arc.x1 + dx * 0.2, lift), QPointF(arc.x2 - dx * 0.2, lift),
                     QPointF(arc.x2, arc.y2))
        p.setPen(QPen(ink, 1.1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)

    def _paint_fermata(self, p: QPainter, r: QRectF, ink: QColor) -> None:
        """A fermata in ``r``: the font's glyph where it has one, else an arc over a dot."""
        p.setPen(ink)
        if self.fermata_font is not None:
            self.fermata_font.setPixelSize(max(8, round(r.height() * 2.6)))
            p.setFont(self.fermata_font)
            p.drawText(r.adjusted(-4, -r.height(), 4, r.height() * 0.45),  # the glyph sits high
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                       FERMATA_GLYPH)
            return
        p.setPen(QPen(ink, 1.2))
        p.setBrush(Qt.BrushStyle.NoBrush)
        bow = min(r.height() - 1, r.width() * 0.5)  # a flat bow, as engraved
        arc = QRectF(r.left(), r.bottom() - bow, r.width(), 2 * bow)
        p.drawArc(arc, 0, 180 * 16)  # the upper half of an ellipse: the fermata's bow
        p.setBrush(ink)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(QPointF(r.center().x(), r.bottom() - 1.5), 1.6, 1.6)

    def _paint_dense(self, p: QPainter, track, start, end, pitch, vel, ids, ghost: bool,
                     lo: int, hi: int) -> None:
        """Many notes on screen (zoomed far out): paint them as one image.

        Every note becomes the pixel columns it covers in its pitch row; each cell keeps
        the loudest velocity (selected notes win), coloured through a lookup table and
        drawn with one ``drawImage``. Same picture, without thousands of rectangles.
        """
        vp = self.vp
        width = self.width()
        rows = hi - lo + 1
        x0 = np.clip(np.floor((start - vp.left) * vp.px_per_tick), 0, width - 1).astype(np.int64)
        x1 = np.clip(np.ceil((end - vp.left) * vp.px_per_tick), x0 + 1, width).astype(np.int64)
        value = vel.astype(np.uint8)
        if not ghost and len(self.roll.selection):
            mine = np.fromiter((n for t, n in self.roll.selection.notes if t == track.id),
                               np.int64)
            value = np.where(np.isin(ids, mine), value + 128, value).astype(np.uint8)
        lengths = x1 - x0
        cols = np.repeat(x0, lengths) + (np.arange(lengths.sum()) - np.repeat(
            np.cumsum(lengths) - lengths, lengths))
        row_of = np.repeat(hi - pitch, lengths)
        values = np.repeat(value, lengths)
        order = np.argsort(values, kind="stable")  # loudest last: it wins the cell
        grid = np.zeros((rows, width), np.uint8)
        grid[row_of[order], cols[order]] = values[order]
        # Colour the small grid first (one 32-bit RGBA word per cell), then stretch rows.
        lut = self._lut(track.colour, ghost).view(np.uint32).ravel()
        kh = vp.key_h
        image = np.repeat(lut[grid], kh, axis=0)
        image[kh - 1::kh] = 0  # the 1-pixel gap between rows
        qimg = QImage(image.data, width, rows * kh, width * 4, QImage.Format.Format_RGBA8888)
        p.drawImage(QPointF(0, vp.pitch_to_y(hi) + 1), qimg)

    def _lut(self, colour: str, ghost: bool) -> np.ndarray:
        """RGBA for cell values 0 (empty), 1..127 (velocity), 128+ (selected)."""
        key = (colour, -2 if ghost else -3)
        lut = self._luts.get(key)
        if lut is None:
            lut = np.zeros((256, 4), np.uint8)
            sel = QColor(colour).lighter(170)
            for v in range(1, 256):
                if ghost:
                    c = theme.ghost_colour(colour)
                elif v >= 128:
                    c = sel
                else:
                    c = self._brush(colour, v * VELOCITY_SHADES // 128)
                lut[v] = (c.red(), c.green(), c.blue(), c.alpha())
            self._luts[key] = lut
        return lut

    def note_names(self) -> NoteNames:
        """How the song's notes are named (their own spellings, their neighbours'), made
        again when the song changes."""
        song = self.roll.document.song
        if self._names is None or self._names.song is not song:
            self._names = NoteNames(song)
        return self._names

    def _hidden_ids(self) -> dict[int, np.ndarray]:
        """Per track, the ids of the notes the gesture under way takes from their places:
        the ones being moved or resized (drawn where they are going instead) and the ones
        the eraser has crossed."""
        d = self.drag
        if d is None or not d.started:
            return {}
        if d.kind in ("move", "resize", "resize_start"):
            return {tid: cols.id for tid, cols in d.columns().items()}
        if d.kind == "erase":
            by_track: dict[int, list[int]] = {}
            for tid, nid in d.erased:
                by_track.setdefault(tid, []).append(nid)
            return {tid: np.array(ids, np.int64) for tid, ids in by_track.items()}
        return {}

    def _paint_drag(self, p: QPainter) -> None:
        d = self.drag
        if d is None or not d.started:
            return
        song = self.roll.document.song
        if d.kind == "rubber":
            r = QRectF(QPointF(d.x0, d.y0), QPointF(d.x1, d.y1)).normalized()
            p.setPen(QPen(theme.ACCENT, 1))
            p.setBrush(theme.RUBBER_FILL)
            p.drawRect(r)
            return
        if d.kind not in ("move", "copy", "resize", "resize_start", "draw"):
            return
        vp = self.vp
        ppt, kh = vp.px_per_tick, vp.key_h
        for tid, cols in d.columns().items():
            start, duration, pitch = cols.start, cols.duration, cols.pitch
            if d.kind in ("move", "copy"):
                start = start + d.dticks
                pitch = np.clip(pitch + d.dpitch, 0, 127)
            elif d.kind == "resize":
                duration = np.maximum(1, duration + d.dticks)
            elif d.kind == "resize_start":  # as resize_note_starts moves them, vectorised
                end = start + duration
                start = np.maximum(0, np.minimum(start + d.dticks, end - np.minimum(1, duration)))
                duration = end - start
            x = (start - vp.left) * ppt
            w = np.maximum(3.0, duration * ppt)
            y = (127 - pitch) * kh - vp.top + 1
            # Only the ones on screen (the pen reaches a pixel past each edge).
            seen = ((x + w >= -2) & (x <= self.width() + 2)
                    & (y + kh >= -2) & (y <= self.height() + 2))
            if not seen.any():
                continue
            outlined_rects(p, x[seen], y[seen], w[seen], kh - 1,
                           QColor(song.track(tid).colour).lighter(140), theme.SELECTION, 1.5)

    # -- mouse ----------------------------------------------------------------------------------
    def mousePressEvent(self, e: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        pos = e.position()
        x, y = pos.x(), pos.y()
        tick, pitch = self.vp.x_to_tick(x), self.vp.y_to_pitch(y)
        roll = self.roll
        hit = self.note_at(x, y)
        mods = e.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if e.button() == Qt.MouseButton.RightButton:
            if hit:  # right-click deletes, in every tool (as in most piano rolls)
                roll.commit(remove_notes(hit[0], [hit[1]]))
            return
        if e.button() != Qt.MouseButton.LeftButton:
            return
        tool = roll.tool
        if tool is Tool.MASK:
            self.mask_tool.press(e)
            return
        if tool is Tool.ERASE:
            self.drag = Drag("erase", x, y, tick, pitch, started=True)
            if hit:
                self.drag.erased.add((hit[0], hit[1].id))
            self.update()
            return
        if hit:
            tid, note = hit
            key = (tid, note.id)
            toggle = only = None
            if ctrl or shift:
                if ctrl and roll.selection.contains(*key):
                    toggle = key  # a Ctrl-click deselects it; a Ctrl-drag copies the selection
                else:
                    roll.selection.add_notes([key])
            elif not roll.selection.contains(*key):
                roll.selection.set_notes([key])
            elif len(roll.selection) > 1:
                only = key  # a drag moves them all; a click (released unmoved) selects it alone
            roll.preview(pitch, tid)
            kind = ("resize" if self.on_right_edge(note, x, tid)
                    else "resize_start" if self.on_left_edge(note, x, tid)
                    else "copy" if ctrl else "move")
            notes = {k: v for k, v in roll.selected().items()}
            if kind in ("resize", "resize_start"):  # hits keep their length (see _left_hits)
                notes = {k: v for k, v in notes.items() if not self._is_kit(k)}
            self.drag = Drag(kind, x, y, tick, pitch, anchor=note, notes=notes, toggle=toggle,
                             only=only)
            return
        if tool is Tool.DRAW:
            self._start_draw(x, y, tick, pitch, _free(e))
            return
        self.drag = Drag("rubber", x, y, tick, pitch, x1=x, y1=y, extend=ctrl or shift,
                         row0=(y + self.vp.top) / self.vp.key_h)
        if not (ctrl or shift):
            roll.selection.clear_notes()

    def _start_draw(self, x: float, y: float, tick: float, pitch: int,
                    free: bool = False) -> None:
        roll = self.roll
        tid = roll.current_track_id()
        if tid is None:
            return
        start = roll.snap_tick(tick, "floor", free)
        note = Note(pitch, start, roll.draw_length(tid), roll.draw_velocity)
        self.drag = Drag("draw", x, y, tick, pitch, anchor=note, notes={tid: [note]},
                         started=True)
        roll.preview(pitch, tid)
        self.update()

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        pos = e.position()
        x, y = pos.x(), pos.y()
        tick, pitch = self.vp.x_to_tick(x), self.vp.y_to_pitch(y)
        self.hovered.emit(int(max(0, tick)), pitch)
        if self.mask_tool.stroke is not None:
            self.mask_tool.move(e)
            return
        d = self.drag
        if d is None:
            self._update_cursor(x, y)
            return
        if not d.started and (abs(x - d.x0) >= DRAG_PX or abs(y - d.y0) >= DRAG_PX):
            d.started = True
        if not d.started:
            return
        self._pointer = (x, y, _free(e))
        self._drag_to(x, y, _free(e))
        if self._scroll_step(x, y) == (0.0, 0.0):
            self._scroll_timer.stop()
        elif not self._scroll_timer.isActive():
            self._scroll_timer.start()

    def _drag_to(self, x: float, y: float, free: bool) -> None:
        """The started drag follows the pointer at ``(x, y)``, read in song coordinates
        through the view as it is now (scrolled since the press, the press's ticks and
        rows are still where it began)."""
        d = self.drag
        assert d is not None
        roll = self.roll
        tick, pitch = self.vp.x_to_tick(x), self.vp.y_to_pitch(y)
        if d.kind in ("move", "copy") and d.anchor is not None:
            a = d.anchor
            new_start = roll.snap_tick(a.start + (tick - d.tick0), "round", free)
            dpitch = pitch - d.pitch0
            if dpitch != d.dpitch:
                roll.preview(min(127, max(0, a.pitch + dpitch)), next(iter(d.notes), None))
            d.dticks, d.dpitch = new_start - a.start, dpitch
        elif d.kind == "resize" and d.anchor is not None:
            a = d.anchor
            end = roll.snap_tick(a.end + (tick - d.tick0), "round", free)
            d.dticks = max(end, a.start + roll.min_length(free)) - a.end
        elif d.kind == "resize_start" and d.anchor is not None:
            a = d.anchor
            start = roll.snap_tick(a.start + (tick - d.tick0), "round", free)
            d.dticks = max(0, min(start, a.end - roll.min_length(free))) - a.start
        elif d.kind == "draw" and d.anchor is not None and not self._is_kit(next(iter(d.notes))):
            a = d.anchor  # (a kit's hit is struck: a drag does not stretch it)
            start, end = self._stroke(a, d.tick0, tick, free)
            note = Note(a.pitch, start, end - start, a.velocity, id=a.id)
            d.notes = {next(iter(d.notes)): [note]}
        elif d.kind == "rubber":
            # The press's corner stays on its tick and row however far the view scrolls.
            d.x0, d.y0 = self.vp.tick_to_x(d.tick0), d.row0 * self.vp.key_h - self.vp.top
            d.x1, d.y1 = x, y
        elif d.kind == "erase":
            hit = self.note_at(x, y)
            if hit:
                d.erased.add((hit[0], hit[1].id))
        self.update()

    def _stroke(self, a: Note, tick0: float, tick: float, free: bool) -> tuple[int, int]:
        """The Brush's note from its press (``a``, drawn at ``tick0``) to the pointer at
        ``tick``: rightwards it starts at the press's grid line and ends at the pointer's;
        leftwards it starts at the pointer's line and ends where the pressed grid cell
        ends (the exact press point off the grid), as a DAW's pencil draws either way."""
        roll = self.roll
        shortest = roll.min_length(free)
        at = roll.snap_tick(tick, "round", free)
        if at >= a.start:
            return a.start, max(at, a.start + shortest)
        if free or not roll.snap.division:
            end = max(a.start, round(tick0))
        else:
            end = a.start + grid_shift(roll.snap, roll.document.time_map, a.start, 1)
        return min(at, end - shortest), end

    def _scroll_step(self, x: float, y: float) -> tuple[float, float]:
        """The pixels the drag under way scrolls the view a step with the pointer at
        ``(x, y)``: none inside the view, or for a gesture that does not scroll that way."""
        d = self.drag
        if d is None or not d.started or d.kind not in SCROLLS_X:
            return 0.0, 0.0
        return (scroll_speed(x, self.width()),
                scroll_speed(y, self.height()) if d.kind in SCROLLS_Y else 0.0)

    def _auto_scroll(self) -> None:
        """While a drag is held past the view's edge: scroll towards the pointer, faster
        the further past it is, and carry the drag on where the pointer now is in the song
        (a note dragged past the right edge lands under the pointer, in the bars scrolled
        to)."""
        x, y, free = self._pointer
        dx, dy = self._scroll_step(x, y)
        if not dx and not dy:
            self._scroll_timer.stop()
            return
        vp = self.vp
        left, top = vp.left, vp.top
        if dx:
            vp.set_left(vp.left + dx / vp.px_per_tick)
        if dy:
            vp.set_top(vp.top + dy)
        if (vp.left, vp.top) != (left, top):  # at the song's end or the top row: stays
            self._drag_to(x, y, free)

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        if self.mask_tool.stroke is not None and e.button() == Qt.MouseButton.LeftButton:
            self.mask_tool.release(e)
            return
        d, self.drag = self.drag, None
        self._scroll_timer.stop()
        if d is None or e.button() != Qt.MouseButton.LeftButton:
            return
        roll = self.roll
        song = roll.document.song
        if d.kind == "draw" and d.anchor is not None:
            tid, notes = next(iter(d.notes.items()))
            note = notes[0]
            if not self._is_kit(tid):  # a hit's fixed length is no length for the Brush
                roll.use_length(note.duration)
            if roll.commit_notes(add_notes(tid, [note], "Draw note"))[0]:
                roll.selection.set_notes([(tid, note.id)])
        elif d.kind == "erase" and d.erased:
            by_track: dict[int, list[Note]] = {}
            for tid, nid in d.erased:
                n = song.track(tid).note_by_id(nid)
                if n is not None:
                    by_track.setdefault(tid, []).append(n)
            roll.commit(delete_edit(by_track))
        elif d.kind == "rubber":
            if d.started:
                self._select_rect(d)
        elif d.toggle is not None and not d.started:
            roll.selection.toggle_notes([d.toggle])
        elif d.only is not None and not d.started:
            roll.selection.set_notes([d.only])
        elif not d.started or not d.notes:
            pass
        elif d.kind == "move" and (d.dticks or d.dpitch):
            roll.commit_notes(move_edit(d.notes, d.dticks, d.dpitch))
        elif d.kind == "copy" and (d.dticks or d.dpitch):  # dropped where it was: no copy
            edit, keys = copy_edit(d.notes, d.dticks, d.dpitch)
            if roll.commit_notes(edit)[0]:
                roll.selection.set_notes(keys)
        elif d.kind == "resize" and d.dticks:
            anchor = d.anchor
            assert anchor is not None
            shortest = roll.min_length(_free(e))
            if roll.commit_notes(resize_edit(d.notes, d.dticks, shortest))[0]:
                self._left_hits()
            roll.use_length(max(shortest, anchor.duration + d.dticks))
        elif d.kind == "resize_start" and d.dticks and roll.commit_notes(
                resize_start_edit(d.notes, d.dticks, roll.min_length(_free(e))))[0]:
            self._left_hits()
        self.update()

    def _left_hits(self) -> None:
        """Say so when a resize left selected drum hits as they were (as Alt+→ does)."""
        if any(self._is_kit(tid) for tid in self.roll.selected()):
            self.roll.message.emit("Resize: drum tracks left as they are (a kit's hits are "
                                   "struck, not held)")

    def mouseDoubleClickEvent(self, e: QMouseEvent) -> None:
        if e.button() != Qt.MouseButton.LeftButton or self.roll.tool is not Tool.SELECT:
            return
        pos = e.position()
        hit = self.note_at(pos.x(), pos.y())
        if hit:
            self.roll.commit(remove_notes(hit[0], [hit[1]]))
            return
        tid = self.roll.current_track_id()
        if tid is None:
            return
        tick, pitch = self.vp.x_to_tick(pos.x()), self.vp.y_to_pitch(pos.y())
        note = Note(pitch, self.roll.snap_tick(tick, "floor"), self.roll.draw_length(tid),
                    self.roll.draw_velocity)
        if self.roll.commit_notes(add_notes(tid, [note], "Draw note"))[0]:
            self.roll.selection.set_notes([(tid, note.id)])

    def _select_rect(self, d: Drag) -> None:
        x0, x1 = sorted((d.x0, d.x1))
        y0, y1 = sorted((d.y0, d.y1))
        t0, t1 = self.vp.x_to_tick(x0), self.vp.x_to_tick(x1)
        p_hi, p_lo = self.vp.y_to_pitch(y0), self.vp.y_to_pitch(y1)
        song = self.roll.document.song
        keys = []
        for tid in self.roll.active_track_ids():
            for n in self.roll.index.window(song.track(tid), t0, t1):
                if p_lo <= n.pitch <= p_hi and n.start <= t1:
                    keys.append((tid, n.id))
        if d.extend:
            self.roll.selection.add_notes(keys)
        else:
            self.roll.selection.set_notes(keys)

    def _update_cursor(self, x: float, y: float) -> None:
        tool = self.roll.tool
        if tool is Tool.ERASE:
            self.setCursor(eraser_cursor())  # a no-entry sign read as "not allowed"
            return
        if tool is Tool.MASK:
            self.setCursor(Qt.CursorShape.CrossCursor)
            return
        hit = self.note_at(x, y)
        if hit and (self.on_right_edge(hit[1], x, hit[0])
                    or self.on_left_edge(hit[1], x, hit[0])):
            self.setCursor(Qt.CursorShape.SizeHorCursor)
        elif hit:
            self.setCursor(Qt.CursorShape.SizeAllCursor)
        elif tool is Tool.DRAW:
            self.setCursor(Qt.CursorShape.CrossCursor)
        else:
            self.setCursor(Qt.CursorShape.ArrowCursor)

    def leaveEvent(self, event) -> None:
        self.hovered.emit(-1, -1)
        super().leaveEvent(event)

    # -- Esc cancels a gesture in progress (keys.EscCancelsGesture) ---------------------------
    def in_gesture(self) -> bool:
        return self.drag is not None or self.mask_tool.stroke is not None

    def cancel_gesture(self) -> None:
        """Drop the drag or mask stroke under way: nothing changes."""
        self.drag = None
        self._scroll_timer.stop()
        self.mask_tool.stroke = None
        self.update()

    # -- wheel: scroll and zoom -------------------------------------------------------------------
    def wheelEvent(self, e: QWheelEvent) -> None:
        self.roll.wheel(e, e.position().x(), e.position().y())


def note_label(pitch: int, key, drum: bool, kit: int | None = None) -> str:
    """A note's name as drawn on it: the drum a kit's key plays (on the kit ``kit``, a
    drum track's program: the Orchestra kit's timpani), else the pitch as the key spells
    it (in a song with spellings of its own, a note is named by
    :meth:`NoteCanvas.note_names` instead)."""
    return (drum_name(pitch, short=True, kit=kit) if drum else None) or pitch_name(pitch, key)


def scroll_speed(pos: float, size: int) -> float:
    """Pixels to scroll a step for a pointer at ``pos`` along a view ``size`` long: none
    inside it, more the further past either edge (negative: back)."""
    past = -pos if pos < 0 else pos - (size - 1) if pos >= size else 0.0
    if past <= 0:
        return 0.0
    speed = min(SCROLL_PX_MAX, SCROLL_PX_MIN + past * SCROLL_GAIN)
    return -speed if pos < 0 else speed


_ERASER: list[QCursor] = []


def eraser_cursor() -> QCursor:
    """The Eraser's cursor: a small tilted eraser, its rubber end at the hot spot (the
    pointer's tip), drawn once."""
    if not _ERASER:
        pixmap = QPixmap(24, 24)
        pixmap.fill(Qt.GlobalColor.transparent)
        p = QPainter(pixmap)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.translate(12, 12)
        p.rotate(-45)
        p.setPen(QPen(QColor(20, 20, 20), 1.2))
        p.setBrush(QColor(235, 120, 140))  # the sleeve, pink as an eraser's
        p.drawRoundedRect(QRectF(-3, -5, 12, 10), 1.5, 1.5)
        p.setBrush(QColor(245, 245, 245))  # the rubber end that rubs notes out
        p.drawRoundedRect(QRectF(-11, -5, 8, 10), 1.5, 1.5)
        p.end()
        _ERASER.append(QCursor(pixmap, 4, 20))
    return _ERASER[0]


def _free(e: QMouseEvent) -> bool:
    """Alt held: draw, move and resize off the grid (as in most DAWs); Shift too, for the
    Linux desktops that take Alt+drag to move windows (Shift at the press still adds to
    the selection)."""
    return bool(e.modifiers() & (Qt.KeyboardModifier.AltModifier
                                 | Qt.KeyboardModifier.ShiftModifier))
