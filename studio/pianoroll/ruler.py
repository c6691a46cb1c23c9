"""The bar/beat ruler above the piano roll: bar numbers, meter, key and tempo, loop range, seek,
the song's section markers in a lane of their own, and its chord symbols in a row below
them: text at their ticks, double-clicked to type one, Delete on a selected one."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QApplication, QWidget

from engine.score import ChordSymbol, TimeMap
from engine.score.chord_symbols import chord_display_names, parse_chord_symbol
from engine.score.spelling import key_label

from .. import theme
from ..markers import (
    TEXT_FLAGS,
    SongMarkers,
    marker_at,
    marker_label_rects,
    marker_position,
    marker_tooltip,
    paint_markers,
    show_tooltip,
)
from .gridlines import grid_lines

if TYPE_CHECKING:
    from .editor import PianoRoll

RULER_H = 30
MARKER_LANE_H = 15  # the markers' lane above the ruler, shown when the song has markers
CHORD_ROW_H = 14  # the chord symbols' row, below the markers' lane, when the song has chords
# Written in the empty chord row that View ▸ Chord Row shows, as a DAW's empty chord track
# says what to do in it.
EMPTY_CHORD_ROW_HINT = ("Chords: double-click to type one (Ctrl+Alt+K at the playhead, "
                        "Ctrl+Shift+K for bars)")
CHORD_GAP = 4.0  # px between a chord symbol and the next one's tick
# Label rectangles are exactly as wide as their text; drawn unclipped so rounding in the
# metrics never cuts off a glyph's last pixel.
LABEL_GAP = 6.0  # px of air between two labels, so neighbouring numbers stay apart
FLAG_COLOUR = "#9fd2ff"
PLAYHEAD_HALF_W = 5.0  # the playhead's flag on the ruler's bottom line, each side of it
# A meter or tempo label starts right of the playhead's flag standing on its change: at
# bar 1, where the playhead rests, the flag covered the "4" of "4/4".
FLAG_TEXT_DX = PLAYHEAD_HALF_W + 2
# The keys a selected chord takes from the window's actions: Delete (Backspace) removes
# it, Enter (F2) edits it, Esc lets it go.
CHORD_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_Return, Qt.Key.Key_Enter,
              Qt.Key.Key_F2, Qt.Key.Key_Escape)


MODIFIER_KEYS = frozenset({Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt,
                           Qt.Key.Key_Meta, Qt.Key.Key_AltGr})


def label_every(bar_px: float, label_px: float, gap: float = LABEL_GAP) -> int:
    """Label every n-th bar so labels ``label_px`` wide fit when bars are ``bar_px`` apart.

    ``n`` is a power of two, as in the arrangement's header, so the numbers shown stay
    regular (1, 3, 5 … or 1, 9, 17 …) while zooming.
    """
    every = 1
    while bar_px * every < label_px + gap and every < 1 << 24:
        every *= 2
    return every


def bar_label_rects(bars: Sequence[tuple[float, int]], width_of: Callable[[str], float],
                    number: Callable[[int], int], top: float = 6.0,
                    height: float = 14.0) -> list[tuple[QRectF, str]]:
    """Where to draw bar numbers for the bar lines ``bars`` ((x, 0-based bar), in x order);
    ``number`` is the song's :meth:`~engine.score.TimeMap.bar_number` (a pickup is bar 0,
    the first full bar 1, as in a score).

    Only every n-th bar gets a number (see :func:`label_every`, from the widest bar on
    screen — a short pickup at the edge halved them all — and the widest number), counted
    from bar 1; a label that would still touch the one before (a short bar after a meter
    change) is dropped — but a pickup's "0" gives way to the "1" after it: the first full
    bar is always named.
    """
    if not bars:
        return []
    numbers = [number(bar) for _, bar in bars]
    texts = [str(n) for n in numbers]
    widths = [width_of(t) for t in texts]
    bar_px = max(((x1 - x0) / (b1 - b0) for (x0, b0), (x1, b1) in pairwise(bars)
                  if b1 > b0), default=float("inf"))
    every = label_every(bar_px, max(widths))
    out: list[tuple[QRectF, str]] = []
    right = float("-inf")
    for (x, _bar), n, text, w in zip(bars, numbers, texts, widths, strict=True):
        if (n - 1) % every:
            continue
        if x + 4 < right + LABEL_GAP:
            if out[-1][1] != "0":
                continue
            out.pop()  # the pickup's "0" crowds the first full bar's "1": it gives way
        rect = QRectF(x + 4, top, w, height)
        out.append((rect, text))
        right = rect.right()
    return out


def flag_label_rects(flags: Sequence[tuple[float, str]], width_of: Callable[[str], float],
                     top: float, height: float = 12.0,
                     dx: float = FLAG_TEXT_DX) -> list[tuple[float, QRectF | None, str]]:
    """Labels of meter/tempo changes ((x, text), in x order): each change's x, and the
    label's rectangle, or None where it would overlap another drawn label (a tempo ramp
    has dozens of changes a few pixels apart; drawing each smears them all), or where it
    would be cut by the view's left edge ("1/4 ♩100" cut to "4 ♩100" read as a meter).
    Meter changes are placed first, then key changes, so a tempo label never hides one."""
    # Meter changes first: a new meter matters more to a reader than a tempo step.
    order = sorted(range(len(flags)), key=lambda i: (
        "/" not in flags[i][1], flags[i][1].startswith("♩"), i))
    placed: list[QRectF] = []
    rects: dict[int, QRectF] = {}
    for i in order:
        x, text = flags[i]
        rect = QRectF(x + dx, top, width_of(text), height)
        apart = all(rect.left() >= r.right() + LABEL_GAP or rect.right() + LABEL_GAP <= r.left()
                    for r in placed)
        if rect.left() >= 0 and apart:
            placed.append(rect)
            rects[i] = rect
    return [(x, rects.get(i), text) for i, (x, text) in enumerate(flags)]


def chord_label_rects(chords: Sequence[tuple[float, str]], width_of: Callable[[str], float],
                      top: float, height: float, right: float
                      ) -> list[tuple[int, QRectF, str]]:
    """Where each chord symbol ``(x of its tick, text)``, in tick order, is written, by
    its index in ``chords``: from
    its tick, as wide as its text but stopping :data:`CHORD_GAP` short of the next one's
    tick (or the ruler's ``right`` edge) — a chord holds until the next, so its text never
    runs over the next; the text that does not fit is for the caller to elide. The one
    the view starts in is written at its left edge. One with no room at all (two chords
    a pixel apart) is left out."""
    out = []
    for i, (x, text) in enumerate(chords):
        end = chords[i + 1][0] if i + 1 < len(chords) else right + CHORD_GAP
        left = max(x + 2, 2.0)  # the chord the view starts in, at its left edge
        room = end - CHORD_GAP - left
        if room >= 4:
            out.append((i, QRectF(left, top, min(width_of(text), room), height), text))
    return out


def repeats_chord(chords: Sequence[ChordSymbol], i: int) -> bool:
    """Whether the chord symbol ``chords[i]`` is the one before it again (F7 | F7, typed
    ``F7 | %``): the same chord, struck anew, that a lead sheet writes only once."""
    if i <= 0:
        return False
    now, before = parse_chord_symbol(chords[i].text), parse_chord_symbol(chords[i - 1].text)
    if now is None or before is None:  # no chord symbol: the same text
        return chords[i].text.strip() == chords[i - 1].text.strip()
    return now == before


def fit_chord_name(names: Sequence[str], room: float,
                   widths: Sequence[Callable[[str], float]]) -> tuple[str, int]:
    """The chord symbol's name to draw in ``room`` px and the font it is drawn in (an
    index into ``widths``, the fonts' text widths, larger first): its ``names`` (as
    :func:`~engine.score.chord_symbols.chord_display_names` gives them, widest first:
    "B♭maj7", "B♭Δ7") in the larger font, then in each smaller one; where none fits, the
    last name in the smallest font, for the caller to cut with "…"."""
    for font, width_of in enumerate(widths):
        for name in names:
            if width_of(name) <= room:
                return name, font
    return names[-1], len(widths) - 1


def beat_of(tm: TimeMap, tick: int) -> int:
    """The tick of the beat ``tick`` is in, as a musician counts it (a chord symbol is
    typed on a beat, whatever the grid)."""
    tick = max(0, tick)
    bar = tm.tick_to_bar(tick)
    start = tm.bar_to_tick(bar)
    return start + max((at for at in tm.pulse_offsets(bar) if at <= tick - start), default=0)


class ChordLabel(NamedTuple):
    """A chord symbol drawn in the ruler's row: its index in the song's chords, where,
    the text shown and whether in the row's smaller font."""

    index: int
    rect: QRectF
    text: str
    small: bool


class Ruler(QWidget):
    """Click to move the playhead; drag to set the loop range; double-click toggles looping.

    When the song has markers a lane above the bar numbers shows them as flags; a click
    on one moves the playhead to it, hovering shows its whole text, a double-click edits
    it (on the lane's empty space: adds one there). When it has chord symbols a row below
    that lane writes them at their ticks; hovering one shows it whole, and where; a click
    selects one (Delete removes it, Esc lets it go), a double-click types one, there or on
    the beat under the pointer."""

    seekRequested = Signal(int)
    loopDragged = Signal(int, int)
    loopToggled = Signal()
    markerAddRequested = Signal(int)  # tick: double-click on the lane's empty space
    markerEditRequested = Signal(int)  # tick: double-click on a marker
    # tick (a chord's own, or the beat under the pointer) and the global point under it
    # where its editor opens: a double-click on the chords' row
    chordEditRequested = Signal(int, QPoint)
    chordDeleteRequested = Signal(int)  # tick: Delete on the selected chord

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
        self._markers = SongMarkers()
        self._marker_font = QFont(self.font())
        self._marker_font.setPointSizeF(7.5)
        self._chord_small_font = QFont(self.font())  # a chord name short of room, uncut
        self._chord_small_font.setPointSizeF(6.5)
        # The chord clicked (its tick), while the ruler has the keys: Delete removes it.
        self.selected_chord: int | None = None
        # View ▸ Chord Row: the row shown in a song with no chords yet, to double-click in.
        self.show_empty_chord_row = False

    def lane_height(self) -> int:
        """The markers' lane: as tall as :data:`MARKER_LANE_H` when the song has markers."""
        return MARKER_LANE_H if self.roll.document.song.markers else 0

    def chord_row_height(self) -> int:
        """The chord symbols' row: :data:`CHORD_ROW_H` tall when the song has chords (or
        View ▸ Chord Row shows it empty)."""
        shown = self.show_empty_chord_row or self.roll.document.song.chords
        return CHORD_ROW_H if shown else 0

    def set_show_empty_chord_row(self, on: bool) -> bool:
        """Show the chord row in a song without chords too (View ▸ Chord Row); whether the
        height changed."""
        self.show_empty_chord_row = on
        changed = self.sync_height()
        self.update()
        return changed

    def sync_height(self) -> bool:
        """Make room for the markers' lane and the chords' row, or give them back; whether
        the height changed."""
        h = RULER_H + self.lane_height() + self.chord_row_height()
        if h == self.height():
            return False
        self.setFixedHeight(h)
        return True

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        w, h = self.width(), self.height()
        p.fillRect(self.rect(), theme.PANEL)
        tm = self.roll.document.time_map
        lane = min(self.lane_height(), max(0, h - RULER_H))  # the ruler below it as before
        if lane:  # section markers, in their own lane: no bar number or tempo under them
            p.fillRect(QRectF(0, 0, w, lane), theme.WINDOW)
            p.setFont(self._marker_font)
            markers, shown = self._visible_markers()
            paint_markers(p, self.marker_labels(lane), 1, lane - 1,
                          [markers.locked[i] for i in shown])
        row = min(self.chord_row_height(), max(0, h - RULER_H - lane))
        if row:  # chord symbols, a lead sheet's row over the bars
            p.fillRect(QRectF(0, lane, w, row), theme.WINDOW)
            p.setPen(theme.TEXT)
            chords = self.roll.document.song.chords
            if not chords:
                p.setPen(theme.TEXT_DIM)
                p.setFont(self._chord_small_font)
                p.drawText(QRectF(4, lane, w - 8, row - 1), TEXT_FLAGS, EMPTY_CHORD_ROW_HINT)
            for i, rect, text, small in self.chord_labels():
                if chords[i].tick == self.selected_chord:
                    tint = QColor(theme.ACCENT)
                    tint.setAlpha(90)
                    p.fillRect(rect.adjusted(-2, 0, 2, 0), tint)
                # The chord before struck again (a lead sheet's "%"): dimmed, so the
                # changes read at a glance as a lead sheet writes them once.
                p.setPen(theme.TEXT_DIM if repeats_chord(chords, i) else theme.TEXT)
                p.setFont(self._chord_small_font if small else self._marker_font)
                p.drawText(rect, TEXT_FLAGS, text)
            lane += row
        start, end, on = self.roll.loop
        if end > start:
            x0, x1 = self.vp.tick_to_x(start), self.vp.tick_to_x(end)
            colour = QColor(theme.LOOP_EDGE)
            colour.setAlpha(200 if on else 70)
            p.fillRect(QRectF(x0, lane, x1 - x0, 6), colour)
        lines = grid_lines(tm, self.vp, self.roll.snap)
        flags = self.flag_labels()
        labels = [rect for _x, rect, _text in flags if rect is not None]

        def under_label(x: float) -> QRectF | None:
            return next((r for r in labels if r.left() - 1 <= x <= r.right() + 1), None)

        # Beat ticks stop short of the meter and tempo labels (they ran through "♩104"),
        # bar lines end above them.
        p.setPen(QPen(theme.TEXT_DIM, 1))
        p.drawLines([QLineF(x, h - 5, x, h) for x in lines.beats if under_label(x) is None])
        p.setPen(QPen(theme.GRID_BAR, 1))
        p.drawLines([QLineF(x, lane + 8, x, h if (r := under_label(x)) is None else r.top() - 1)
                     for x, _ in lines.bars])
        p.setFont(self._font)
        p.setPen(theme.TEXT)
        for rect, text in self.bar_labels(lines.bars, top=lane + 6):
            p.drawText(rect, TEXT_FLAGS, text)
        # Meter and tempo changes, as small flags on the bottom line: a tick for each,
        # a label where there is room for it.
        p.setFont(self._small)
        p.setPen(QColor(FLAG_COLOUR))
        for x, rect, text in flags:
            p.drawLine(QLineF(x, h - 4, x, h - 1))
            if rect is not None:
                p.drawText(rect, TEXT_FLAGS, text)
        x = self.vp.tick_to_x(self.roll.playhead)
        if 0 <= x <= w:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(theme.PLAYHEAD)
            p.drawPolygon(QPolygonF([QPointF(x - PLAYHEAD_HALF_W, h - 9),
                                     QPointF(x + PLAYHEAD_HALF_W, h - 9), QPointF(x, h - 1)]))
        p.setPen(theme.BORDER)
        p.drawLine(0, h - 1, w, h - 1)
        p.end()

    def bar_labels(self, bars: Sequence[tuple[float, int]],
                   top: float = 6.0) -> list[tuple[QRectF, str]]:
        """The bar numbers to draw for the bar lines ``bars``, measured in the ruler's font."""
        metrics = QFontMetricsF(self._font, self)
        return bar_label_rects(bars, metrics.horizontalAdvance,
                               self.roll.document.time_map.bar_number, top)

    def _visible_markers(self) -> tuple[SongMarkers, range]:
        markers = self._markers.of(self.roll.document.song)
        return markers, markers.around(self.vp.x_to_tick(0), self.vp.x_to_tick(self.width()))

    def marker_labels(self, lane: float | None = None) -> list[tuple[float, QRectF | None, str]]:
        """The markers on screen (with the one the view starts in): (x, label rectangle
        or None, text shown), in the lane's font."""
        lane = self.lane_height() if lane is None else lane
        markers, shown = self._visible_markers()
        metrics = QFontMetricsF(self._marker_font, self)

        def elide(text: str, room: float) -> str:
            return metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)

        return marker_label_rects(
            [(self.vp.tick_to_x(markers.ticks[i]), markers.texts[i]) for i in shown],
            metrics.horizontalAdvance, elide, 1, lane - 2, right=self.width())

    def _visible_chords(self) -> range:
        """Indices into the song's chords of those on screen, with the one the view
        starts in (it holds there)."""
        ticks = [c.tick for c in self.roll.document.song.chords]
        first = bisect.bisect_right(ticks, self.vp.x_to_tick(0))
        return range(max(0, first - 1), bisect.bisect_right(ticks, self.vp.x_to_tick(self.width())))

    def chord_labels(self) -> list[ChordLabel]:
        """The chord symbols on screen, each drawn as musicians read it (B♭maj7, not
        Bbmaj7: :func:`chord_display_names`) in the room before the next chord's tick —
        its kind in signs (B♭Δ7) where that is short, then a smaller font, and only then
        cut short with "…"."""
        chords = self.roll.document.song.chords
        shown = self._visible_chords()
        fonts = [QFontMetricsF(f, self) for f in (self._marker_font, self._chord_small_font)]
        rooms = chord_label_rects(  # the whole room each has, till the next chord's tick
            [(self.vp.tick_to_x(chords[i].tick), chords[i].text) for i in shown],
            lambda _text: float("inf"), self.lane_height(), self.chord_row_height() - 1,
            self.width())
        out = []
        for i, rect, text in rooms:
            name, font = fit_chord_name(chord_display_names(text), rect.width(),
                                        [m.horizontalAdvance for m in fonts])
            width = fonts[font].horizontalAdvance(name)
            if width > rect.width():
                name = fonts[font].elidedText(name, Qt.TextElideMode.ElideRight,
                                              rect.width() + 1)
            rect.setWidth(min(width, rect.width()))
            out.append(ChordLabel(shown[i], rect, name, font > 0))
        return out

    def _chord_under(self, pos: QPointF) -> int | None:
        """The chord symbol (its index in the song's chords) whose text is under ``pos``."""
        top = self.lane_height()
        if not top <= pos.y() < top + self.chord_row_height():
            return None
        return next((label.index for label in self.chord_labels()
                     if label.rect.left() - 2 <= pos.x() <= label.rect.right() + 1), None)

    def _marker_under(self, pos: QPointF) -> int | None:
        """The marker (its index in the song's sorted markers) under ``pos``, if any."""
        if pos.y() >= self.lane_height():
            return None
        _markers, shown = self._visible_markers()
        hit = marker_at(self.marker_labels(), pos.x())
        return None if hit is None else shown[hit]

    def tooltip_at(self, pos: QPointF) -> str | None:
        """The tooltip at ``pos``: the whole text of the marker or chord symbol there, and
        where it is."""
        chord = self._chord_under(pos)
        if chord is not None:
            c = self.roll.document.song.chords[chord]
            return f"{c.text} — {marker_position(self.roll.document.time_map, c.tick)}"
        hit = self._marker_under(pos)
        return None if hit is None else marker_tooltip(self._markers, hit,
                                                       self.roll.document.time_map)

    def flag_labels(self) -> list[tuple[float, QRectF | None, str]]:
        """The meter, key and tempo changes on screen: (x, label rectangle or None, text)."""
        song = self.roll.document.song
        texts: dict[int, list[str]] = {}
        # A pickup's meter (1/8 before 6/8) is how MIDI writes an anacrusis, not a meter a
        # musician reads: its label hid the running meter's one bar later.
        pickup = self.roll.document.time_map.pickup_shift(0) > 0
        for i, sig in enumerate(song.time_signatures):
            if not (pickup and i == 0):
                texts.setdefault(sig.tick, []).append(sig.text)  # 3+2+2/8
        for key in song.key_signatures:  # "A♭ major": a modulation read off the ruler
            texts.setdefault(key.tick, []).append(key_label(key.key))
        for tempo in song.tempos:
            texts.setdefault(tempo.tick, []).append(f"♩{tempo.bpm:.0f}")
        w = self.width()
        # Changes just left of the view still count: their label can reach into it.
        flags = [(x, "  ".join(texts[tick])) for tick in sorted(texts)
                 if -80 < (x := self.vp.tick_to_x(tick)) < w]
        metrics = QFontMetricsF(self._small, self)
        return flag_label_rects(flags, metrics.horizontalAdvance, self.height() - 13)

    def _tick(self, x: float) -> int:
        return self.roll.snap_tick(self.vp.x_to_tick(x), "round")

    def beat_at(self, x: float) -> int:
        """The tick of the beat under ``x`` (the beat a musician counts that it is in:
        a chord is typed on a beat, whatever the grid)."""
        return beat_of(self.roll.document.time_map, round(self.vp.x_to_tick(x)))

    def chord_editor_point(self, tick: int) -> QPoint:
        """Where the editor of a chord at ``tick`` opens: under the chords' row, at the
        tick (global coordinates)."""
        x = min(max(self.vp.tick_to_x(tick), 0.0), float(self.width() - 40))
        return self.mapToGlobal(QPoint(round(x), self.lane_height() + self.chord_row_height()))

    def select_chord(self, tick: int | None) -> None:
        """Select the chord at ``tick`` (None: none), taking the keys while one is, so
        Delete removes it and not the selected notes."""
        self.selected_chord = tick
        if tick is not None:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.update()

    def _let_chord_go(self) -> None:
        self.select_chord(None)
        self.roll.canvas.setFocus(Qt.FocusReason.OtherFocusReason)

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip and isinstance(e, QHelpEvent):
            show_tooltip(self, e, self.tooltip_at(QPointF(e.pos())))
            return True
        if (e.type() == QEvent.Type.ShortcutOverride and isinstance(e, QKeyEvent)
                and self.selected_chord is not None and e.key() in CHORD_KEYS):
            e.accept()  # these keys are the chord's, not Edit ▸ Delete's (the notes')
            return True
        return super().event(e)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        tick = self.selected_chord
        if tick is not None and e.key() in MODIFIER_KEYS:
            return  # the start of Alt+] (the next chord) or Ctrl+Alt+K: the chord stays
        if tick is None or e.key() not in CHORD_KEYS:  # the piano roll's key, as it was
            self._let_chord_go()
            QApplication.sendEvent(self.roll.canvas, e)
            return
        if e.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self._let_chord_go()
            self.chordDeleteRequested.emit(tick)
        elif e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
            self.chordEditRequested.emit(tick, self.chord_editor_point(tick))
        else:  # Esc
            self._let_chord_go()

    def focusOutEvent(self, e: QFocusEvent) -> None:
        if self.selected_chord is not None and e.reason() != Qt.FocusReason.PopupFocusReason:
            self.select_chord(None)
        super().focusOutEvent(e)

    def mousePressEvent(self, e: QMouseEvent) -> None:
        if e.button() == Qt.MouseButton.LeftButton:
            self._press = (e.position().x(), self._tick(e.position().x()))
            self._dragging = False

    def in_gesture(self) -> bool:
        """The mouse is down on the ruler (a loop drag, or a click not yet released)."""
        return self._press is not None

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
            if self.selected_chord is not None:
                self._let_chord_go()  # a click elsewhere: no chord selected (re-selected below)
            marker = self._marker_under(e.position())
            chord = self._chord_under(e.position())
            if marker is not None:  # a marker's flag: the playhead goes to the marker
                self.seekRequested.emit(self._markers.ticks[marker])
            elif chord is not None:  # a chord symbol: selected, the playhead to its tick
                tick = self.roll.document.song.chords[chord].tick
                self.select_chord(tick)
                self.seekRequested.emit(tick)
            else:  # on the snap grid, as notes and the loop range are (free when Off)
                self.seekRequested.emit(self._tick(e.position().x()))
        self._press = None
        self._dragging = False

    def mouseDoubleClickEvent(self, e: QMouseEvent) -> None:
        if self.lane_height() <= e.position().y() < (self.lane_height()
                                                       + self.chord_row_height()):
            chord = self._chord_under(e.position())  # the chords' row: type one
            tick = (self.beat_at(e.position().x()) if chord is None
                    else self.roll.document.song.chords[chord].tick)
            self.chordEditRequested.emit(tick, self.chord_editor_point(tick))
            return
        if e.position().y() < self.lane_height():  # the markers' lane
            marker = self._marker_under(e.position())
            if marker is not None:
                self.markerEditRequested.emit(self._markers.ticks[marker])
            else:
                self.markerAddRequested.emit(self._tick(e.position().x()))
            return
        self.loopToggled.emit()

    def wheelEvent(self, e) -> None:
        self.roll.wheel(e, e.position().x(), None)
