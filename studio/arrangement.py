"""The arrangement overview: one row per track, clips where a track plays, per bar.

It shows the whole song fitted to its width (a map, not an editor): click a clip to
select its track and show that bar in the piano roll; the box marks what the piano
roll shows. With the mask tool (``mask_mode``) a drag paints tracks × bars instead.
Static content is cached in a pixmap; only the overlays repaint often. Rebuilding it
after an edit redraws only the edited tracks' miniatures: each track's is a recorded
``QPicture``, kept while the (immutable) track object and the scale stay the same, so a
20,000-note song stays responsive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QPicture,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import QScrollBar, QSizePolicy, QWidget

from engine.score import Note, Song, TimeMap, Track

from . import theme
from .document import Document
from .keys import EscCancelsGesture
from .markers import (
    SongMarkers,
    marker_at,
    marker_label_rects,
    marker_tooltip,
    paint_markers,
    show_tooltip,
)
from .mask.overlay import paint_arrangement as paint_mask
from .mask.tool import ArrangementMaskTool
from .pianoroll.ruler import bar_label_rects
from .selection import Selection
from .tracklist import HEADER_H, ROW_H

MARKER_ROW_H = 12  # the header's top row when the song has markers; bar numbers below


def clips(track: Track, tm: TimeMap) -> list[tuple[int, int]]:
    """Runs of consecutive bars in which the track sounds — a note starts or rings on
    there (a closing chord held over the next bars is in its clip: it was drawn past the
    clip's end) —: ``[(first, last+1)]``.

    The bars are found by one search of the bar lines (asking the time map note by note
    was 30 ms of a 14-track, 6,469-note score's first paint, on the GUI thread)."""
    if not track.notes:
        return []
    n = len(track.notes)
    starts = np.fromiter((note.start for note in track.notes), np.int64, n)
    lasts = np.maximum(starts, np.fromiter((note.end - 1 for note in track.notes), np.int64, n))
    count = tm.tick_to_bar(int(lasts.max())) + 2
    if count > 4 * n + 64:  # a few notes far apart: bar by bar is quicker
        first = np.fromiter((tm.tick_to_bar(int(t)) for t in starts), np.int64, n)
        last = np.fromiter((tm.tick_to_bar(int(t)) for t in lasts), np.int64, n)
        bars = np.unique(np.concatenate([np.arange(a, b + 1) for a, b in zip(
            first.tolist(), last.tolist(), strict=True)]))
    else:
        lines = np.array([tm.bar_to_tick(b) for b in range(count)], np.int64)
        first = np.searchsorted(lines, starts, side="right") - 1
        last = np.searchsorted(lines, lasts, side="right") - 1
        sounding = np.zeros(count + 1, np.int64)  # +1 where a note's bars begin, -1 after
        np.add.at(sounding, first, 1)
        np.add.at(sounding, last + 1, -1)
        bars = np.nonzero(np.cumsum(sounding) > 0)[0]
    breaks = np.nonzero(np.diff(bars) != 1)[0]
    firsts = [int(bars[0]), *(int(b) for b in bars[breaks + 1])]
    lasts = [*(int(b) + 1 for b in bars[breaks]), int(bars[-1]) + 1]
    return list(zip(firsts, lasts, strict=True))


def note_strokes(notes: Sequence[Note], scale: float, pen: QPen, min_px: float) -> QPicture:
    """``notes`` (at least one) as horizontal strokes in row coordinates (y from the row's
    top, the notes' pitch range fitted to the row; x = tick × ``scale``, at least
    ``min_px`` long), recorded once: a track's miniature, or a take's preview, is then
    drawn per paint without a per-note Python loop."""
    lo = min(n.pitch for n in notes)
    span = max(12, max(n.pitch for n in notes) - lo + 1)
    inner = ROW_H - 13
    lines = []
    for n in notes:
        y = 6 + inner * (1 - (n.pitch - lo + 0.5) / span)
        x0 = n.start * scale
        lines.append(QLineF(x0, y, x0 + max(min_px, n.duration * scale), y))
    picture = QPicture()
    p = QPainter(picture)
    p.setPen(pen)
    p.drawLines(lines)
    p.end()
    return picture


class Arrangement(EscCancelsGesture, QWidget):
    """Clips per track per bar, aligned with the track list's rows."""

    barClicked = Signal(int, int)  # track id (or -1), bar

    def __init__(self, document: Document, selection: Selection,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.selection = selection
        self.scroll_y = 0
        self.scroll_bar: QScrollBar | None = None  # the track list's, set by the window
        self.playhead = 0
        self.view_range: tuple[float, float] = (0.0, 0.0)
        self.loop: tuple[int, int, bool] = (0, 0, False)
        self._cache: QPixmap | None = None
        self._cache_key: tuple = ()
        # Per track id: (the track object, its time map, its clips) / (track, key, picture).
        self._clips: dict[int, tuple[Track, TimeMap, list[tuple[int, int]]]] = {}
        self._minis: dict[int, tuple[Track, tuple, QPicture]] = {}
        self._total: tuple[tuple, int] = ((), 1)  # ((revision, end), ticks the width shows)
        self.mask_mode = False
        self.mask_tool = ArrangementMaskTool(self)
        # Extra layers drawn over the clips (the take preview): fn(painter, arrangement).
        self.overlays: list[Callable[[QPainter, Arrangement], None]] = []
        # Ticks those layers reach (a Continue take's bars past the song's end): the
        # width spans them too, or new material is cut off.
        self.extents: list[Callable[[], int]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(HEADER_H + ROW_H)
        # A click takes the focus from a panel's field, so bare-key shortcuts work again
        # (as a click in the piano roll does; docs/studio.md promises both).
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._font = QFont(self.font())
        self._font.setPointSizeF(7.5)
        self._marker_font = QFont(self.font())
        self._marker_font.setPointSizeF(7.0)
        self._markers = SongMarkers()
        self._marker_labels: tuple[tuple, list] = ((), [])
        document.songChanged.connect(self.update)
        document.maskChanged.connect(self.update)
        selection.tracksChanged.connect(self.update)

    # -- layout --------------------------------------------------------------------------------
    def content_end(self) -> int:
        """The last tick shown: the song's end, or what an overlay draws past it."""
        return max([self.document.end, *(extent() for extent in self.extents)])

    def bar_count(self) -> int:
        return self.document.time_map.bar_count(self.content_end()) + 1

    def _ticks_shown(self) -> int:
        """Ticks across the width (the song's bars, or the take's on screen, and one
        more), once per revision and extent: every note's x needs it."""
        key = (self.document.revision, self.content_end())
        if self._total[0] != key:
            total = self.document.time_map.bar_to_tick(self.bar_count())
            self._total = (key, max(1, total))
        return self._total[1]

    @property
    def px_per_tick(self) -> float:
        return self.width() / self._ticks_shown()

    def _x_of(self, tick: float) -> float:
        return tick * self.px_per_tick

    def _tick_of(self, x: float) -> int:
        return max(0, int(x / max(1, self.width()) * self._ticks_shown()))

    def x_of(self, tick: float) -> float:
        """The x of ``tick`` (the whole song fits the width)."""
        return self._x_of(tick)

    def tick_of(self, x: float) -> int:
        return self._tick_of(x)

    def set_scroll(self, y: int) -> None:
        self.scroll_y = y
        self.update()

    def set_playhead(self, tick: int) -> None:
        if tick != self.playhead:
            self.playhead = tick
            self.update()

    def set_view_range(self, start: float, end: float) -> None:
        self.view_range = (start, end)
        self.update()

    def set_loop(self, start: int, end: int, enabled: bool) -> None:
        self.loop = (start, end, enabled)
        self.update()

    # -- painting ------------------------------------------------------------------------------
    def _track_clips(self, song: Song) -> dict[int, list[tuple[int, int]]]:
        """Clips per track, recomputed only for tracks that changed (tracks are immutable:
        an unchanged track is the same object)."""
        tm = self.document.time_map
        out = {}
        for t in song.tracks:
            hit = self._clips.get(t.id)
            if hit is None or hit[0] is not t or hit[1] is not tm:
                hit = (t, tm, clips(t, tm))
            out[t.id] = hit
        self._clips = out
        return {tid: hit[2] for tid, hit in out.items()}

    def _miniature(self, track: Track, heard: bool) -> QPicture:
        """The track's notes as short strokes in row coordinates (y from the row's top),
        recorded once per track object, width and look."""
        scale = self.px_per_tick
        key = (scale, heard, track.colour)
        hit = self._minis.get(track.id)
        if hit is not None and hit[0] is track and hit[1] == key:
            return hit[2]
        colour = QColor(track.colour).lighter(130)
        if not heard:
            colour.setAlpha(90)
        picture = note_strokes(track.notes, scale, QPen(colour, 1.4), min_px=1.0)
        self._minis[track.id] = (track, key, picture)
        return picture

    def _static(self) -> QPixmap:
        key = (self.document.revision, self._ticks_shown(), self.width(), self.height(),
               self.scroll_y, tuple(self.selection.track_ids), self.devicePixelRatioF())
        if self._cache is not None and key == self._cache_key:
            return self._cache
        dpr = self.devicePixelRatioF()
        pm = QPixmap(int(self.width() * dpr), int(self.height() * dpr))
        pm.setDevicePixelRatio(dpr)
        pm.fill(theme.WINDOW)
        p = QPainter(pm)
        self._paint_static(p)
        p.end()
        self._cache, self._cache_key = pm, key
        return pm

    def _paint_static(self, p: QPainter) -> None:
        song = self.document.song
        tm = self.document.time_map
        w = self.width()
        bars = self.bar_count()
        active = set(self.selection.track_ids)
        track_clips = self._track_clips(song)
        heard = set(song.audible_ids())  # the others (muted, or not soloed) are drawn faint
        # Rows.
        for i, track in enumerate(song.tracks):
            y = HEADER_H + i * ROW_H - self.scroll_y
            if y > self.height() or y + ROW_H < HEADER_H:
                continue
            row_colour = QColor("#2a303a") if track.id in active else QColor("#23272d")
            p.fillRect(QRectF(0, y, w, ROW_H - 1), row_colour)
            p.fillRect(QRectF(0, y + ROW_H - 1, w, 1), theme.BORDER)
        # Bar lines.
        bar_px = w / max(1, bars)
        every = 1
        while bar_px * every < 24:
            every *= 2
        p.setPen(QPen(theme.GRID_SUB, 1))
        p.drawLines([QLineF(self._x_of(tm.bar_to_tick(b)), HEADER_H,
                            self._x_of(tm.bar_to_tick(b)), self.height())
                     for b in range(0, bars + 1, max(1, every // 2))])
        # Clips with a miniature of their notes.
        p.setClipRect(QRectF(0, HEADER_H, w, self.height() - HEADER_H))
        for i, track in enumerate(song.tracks):
            y = HEADER_H + i * ROW_H - self.scroll_y
            if y > self.height() or y + ROW_H < HEADER_H:
                continue
            colour = QColor(track.colour)
            fill = QColor(colour)
            fill.setAlpha(70 if track.id in heard else 25)
            for b0, b1 in track_clips.get(track.id, []):
                x0, x1 = self._x_of(tm.bar_to_tick(b0)), self._x_of(tm.bar_to_tick(b1))
                r = QRectF(x0 + 1, y + 3, max(2.0, x1 - x0 - 2), ROW_H - 7)
                p.setPen(QPen(colour.darker(120), 1))
                p.setBrush(fill)
                p.drawRoundedRect(r, 3, 3)
            if track.notes:
                p.drawPicture(0, int(y), self._miniature(track, track.id in heard))
        known = {t.id for t in song.tracks}
        self._minis = {tid: hit for tid, hit in self._minis.items() if tid in known}
        p.setClipping(False)
        # Section markers (a row of their own above the bar numbers), then bar numbers.
        p.fillRect(QRectF(0, 0, w, HEADER_H), theme.PANEL)
        row = 0
        if song.markers:
            row = MARKER_ROW_H
            p.setFont(self._marker_font)
            paint_markers(p, self.marker_labels(), 0, row, self._markers.locked)
        p.setFont(self._font)
        # Every n-th bar counted from bar 1 (the first full bar: a pickup is bar 0).
        # Stepped, not filtered: a note at tick 2**52 makes trillions of bars.
        first = (1 - tm.bar_number(0)) % every
        lines = [(self._x_of(tm.bar_to_tick(b)), b) for b in range(first, bars, every)]
        p.setPen(QPen(theme.GRID_BAR, 1))
        for x, _b in lines:
            p.drawLine(QLineF(x, HEADER_H - 8, x, HEADER_H))
        p.setPen(theme.TEXT_DIM)
        # As the ruler's: a number that would touch the one before (a short bar's "9" and
        # the next one's "10" ran together as "910") is left out; a pickup's "0" gives way.
        metrics = QFontMetricsF(self._font, self)
        for rect, text in bar_label_rects(lines, metrics.horizontalAdvance, tm.bar_number,
                                          top=max(2, row),
                                          height=HEADER_H - 8 if not row else HEADER_H - row):
            p.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        p.setPen(theme.BORDER)
        p.drawLine(0, HEADER_H - 1, w, HEADER_H - 1)

    def marker_labels(self) -> list[tuple[float, QRectF | None, str]]:
        """Every marker (the whole song is on screen): (x, label rectangle or None, text
        shown), in the header's marker row."""
        markers = self._markers.of(self.document.song)
        scale = self.px_per_tick
        key = (self.document.song.markers, scale, self.width())
        if self._marker_labels[0] == key:  # painted, then asked again by every tooltip
            return self._marker_labels[1]
        metrics = QFontMetricsF(self._marker_font, self)

        def elide(text: str, room: float) -> str:
            return metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)

        labels = marker_label_rects(
            [(t * scale, text) for t, text in zip(markers.ticks, markers.texts, strict=True)],
            metrics.horizontalAdvance, elide, 0, MARKER_ROW_H, right=self.width())
        self._marker_labels = (key, labels)
        return labels

    def tooltip_at(self, pos: QPointF) -> str | None:
        """The tooltip at ``pos``: in the header's marker row, the marker's whole text."""
        if not self.document.song.markers or pos.y() >= MARKER_ROW_H:
            return None
        hit = marker_at(self.marker_labels(), pos.x())
        return None if hit is None else marker_tooltip(self._markers, hit,
                                                       self.document.time_map)

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip and isinstance(e, QHelpEvent):
            show_tooltip(self, e, self.tooltip_at(QPointF(e.pos())))
            return True
        return super().event(e)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.drawPixmap(0, 0, self._static())
        h = self.height()
        mask = self.document.mask
        preview = self.mask_tool.preview()
        if not mask.is_empty or preview is not None:
            paint_mask(p, self, mask, preview)
        for overlay in self.overlays:
            overlay(p, self)
        start, end, on = self.loop
        if end > start:
            colour = QColor(theme.LOOP_EDGE)
            colour.setAlpha(160 if on else 60)
            p.fillRect(QRectF(self._x_of(start), 0, self._x_of(end) - self._x_of(start), 4),
                       colour)
        v0, v1 = self.view_range
        if v1 > v0:
            # An outline (a translucent fill costs ms a frame), as four thin fills: Qt
            # strokes a translucent pen's rectangle as a path, 1.5 ms of a scroll step.
            x0, x1 = self._x_of(v0) - 0.5, self._x_of(v1) + 0.5
            y0, y1 = HEADER_H - 0.5, h - 0.5
            edge = QColor(255, 255, 255, 130)
            for r in (QRectF(x0, y0, x1 - x0, 1), QRectF(x0, y1 - 1, x1 - x0, 1),
                      QRectF(x0, y0 + 1, 1, y1 - y0 - 2), QRectF(x1 - 1, y0 + 1, 1, y1 - y0 - 2)):
                p.fillRect(r, edge)
        x = self._x_of(self.playhead)
        p.setPen(QPen(theme.PLAYHEAD, 1.5))
        p.drawLine(QLineF(x, 0, x, h))
        theme.paint_focus_ring(p, self)
        p.end()

    # -- mouse ---------------------------------------------------------------------------------
    def mousePressEvent(self, e: QMouseEvent) -> None:
        if self.mask_mode and e.button() == Qt.MouseButton.LeftButton:
            self.mask_tool.press(e)
            return
        self._navigate(e)

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        if self.mask_tool.stroke is not None:
            self.mask_tool.move(e)
        elif e.buttons() & Qt.MouseButton.LeftButton:
            self._navigate(e, select=False)

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        if self.mask_tool.stroke is not None and e.button() == Qt.MouseButton.LeftButton:
            self.mask_tool.release(e)

    def in_gesture(self) -> bool:  # Esc cancels a mask stroke (keys.EscCancelsGesture)
        return self.mask_tool.stroke is not None

    def cancel_gesture(self) -> None:
        self.mask_tool.cancel()

    def _navigate(self, e: QMouseEvent, select: bool = True) -> None:
        pos = e.position()
        bar = self.document.time_map.tick_to_bar(self._tick_of(pos.x()))
        row = int((pos.y() - HEADER_H + self.scroll_y) // ROW_H)
        tracks = self.document.song.tracks
        tid = tracks[row].id if select and pos.y() >= HEADER_H and 0 <= row < len(tracks) else -1
        self.barClicked.emit(tid, bar)

    def wheelEvent(self, e: QWheelEvent) -> None:
        # Rows scroll with the track list: hand the wheel to its scroll bar.
        if self.scroll_bar is not None:
            self.scroll_bar.setValue(self.scroll_bar.value() - e.angleDelta().y() // 120 * ROW_H)
        e.accept()
