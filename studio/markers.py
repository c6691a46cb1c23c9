"""A song's section markers as the ruler and the arrangement show them: looked up by
bisection (only those on screen are drawn), labelled as flags with elided names, hit-tested
for clicks and tooltips."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence

from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from engine.score import Song, TimeMap, clock_text

from . import theme

TEXT_FLAGS = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextDontClip
MARKER_COLOUR = "#f08c6c"  # section markers: a coral flag, apart from tempo/meter's blue
# A marker locked to its time (a film's hit point): a gold flag on a dashed pole, apart
# from the coral ones that move with their bars.
LOCKED_MARKER_COLOUR = "#e5c07b"
MARKER_MIN_PX = 14.0  # narrower than this ("V…" hardly fits) a marker shows only its flag


class SongMarkers:
    """A song's markers in tick order, one entry per tick (markers sharing a tick are
    joined: "Verse 2 / Key change"), for looking up the few on screen by bisection: a
    song with thousands of markers paints only the visible ones. Rebuilt only when the
    song's markers change (they are an immutable tuple). ``locked`` holds the time
    (seconds) of an entry locked to its time (one of its markers is), else None."""

    def __init__(self) -> None:
        self._of: tuple = ()
        self.ticks: list[int] = []
        self.texts: list[str] = []
        self.locked: list[float | None] = []

    def of(self, song: Song) -> SongMarkers:
        if song.markers is not self._of:
            joined: dict[int, list[str]] = {}
            locked: dict[int, float | None] = {}
            for m in sorted(song.markers, key=lambda m: m.tick):
                joined.setdefault(m.tick, []).append(m.text.strip() or "(marker)")
                if locked.get(m.tick) is None:
                    locked[m.tick] = m.seconds
            self._of = song.markers
            self.ticks = list(joined)
            self.texts = [" / ".join(t) for t in joined.values()]
            self.locked = [locked[t] for t in self.ticks]
        return self

    def __len__(self) -> int:
        return len(self.ticks)

    def around(self, t0: float, t1: float) -> range:
        """Indices of the markers from ``t0`` to ``t1``, with the one before (its label
        is pinned at the left edge: the section the view starts in) and the one after
        (it ends the last one's label)."""
        lo = max(0, bisect_right(self.ticks, t0) - 1)
        hi = min(len(self.ticks), bisect_left(self.ticks, t1) + 1)
        return range(lo, max(lo, hi))


def marker_label_rects(markers: Sequence[tuple[float, str]], width_of: Callable[[str], float],
                       elide: Callable[[str, float], str], top: float, height: float,
                       right: float = float("inf"),
                       ) -> list[tuple[float, QRectF | None, str]]:
    """Where to draw the labels of markers ((x, text), in x order): each marker's x, its
    label's rectangle (None where not even "V…" fits: the flag alone, the text in its
    tooltip) and the text shown, elided to end before the next marker's flag. A marker
    left of the view (x < 0) has its label pinned at the left edge, as a DAW shows the
    section the view starts in; ``right`` ends the last label (the view's edge)."""
    out: list[tuple[float, QRectF | None, str]] = []
    for i, (x, text) in enumerate(markers):
        left = max(x, 0.0) + 4
        end = markers[i + 1][0] - 3 if i + 1 < len(markers) else right
        room = end - left
        if room < MARKER_MIN_PX:  # measured only when it may fit: markers can be dense
            out.append((x, None, text))
            continue
        shown = text if width_of(text) <= room else elide(text, room)
        if not shown:
            out.append((x, None, text))
            continue
        out.append((x, QRectF(left, top, width_of(shown), height), shown))
    return out


def paint_markers(p: QPainter, labels: Sequence[tuple[float, QRectF | None, str]],
                  top: float, bottom: float, locked: Sequence[object] = ()) -> None:
    """Markers as flags: a pole at each marker's x from ``top`` to ``bottom``, its label
    on a tinted tab beside it; one whose ``locked`` entry (parallel to ``labels``) is set
    is locked to its time: gold, on a dashed pole."""
    last_px = None
    for i, (x, rect, text) in enumerate(labels):
        if rect is None and round(x) == last_px:
            continue  # a bare flag on the pixel of the one before (a zoomed-out map)
        last_px = round(x)
        is_locked = i < len(locked) and locked[i] is not None
        colour = QColor(LOCKED_MARKER_COLOUR if is_locked else MARKER_COLOUR)
        if rect is not None:
            tab = QColor(colour)
            tab.setAlpha(55)
            p.fillRect(QRectF(max(x, 0.0), top, rect.right() + 3 - max(x, 0.0),
                              bottom - top), tab)
        pen = QPen(colour, 2)
        if is_locked:
            pen.setStyle(Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawLine(QLineF(x + 1, top, x + 1, bottom))
        if rect is not None:
            p.setPen(theme.TEXT)
            p.drawText(rect, TEXT_FLAGS | Qt.AlignmentFlag.AlignVCenter, text)


def marker_position(tm: TimeMap, tick: int) -> str:
    """Where a marker is: "bar 13" on a bar line, else "17.2.000" (numbered as the
    ruler: a pickup is bar 0)."""
    p = tm.tick_to_position(tick)
    if p.beat == 0 and p.tick == 0:
        return f"bar {tm.bar_number(p.bar)}"
    return tm.format_position(tick)


def marker_time(tm: TimeMap, tick: int, seconds: float | None = None) -> str:
    """A marker's time as the read-out shows it ("0:12.480"): its locked time, else its
    tick's."""
    return clock_text(tm.tick_to_seconds(tick) if seconds is None else seconds)


def marker_tooltip(markers: SongMarkers, index: int, tm: TimeMap) -> str:
    """A marker's whole text, where it is and its time ("Chorus — bar 13, 0:24.000",
    "Hit — 17.2.000, 0:34.250, locked to its time")."""
    tick, seconds = markers.ticks[index], markers.locked[index]
    lock = "" if seconds is None else ", locked to its time"
    return (f"{markers.texts[index]} — {marker_position(tm, tick)}, "
            f"{marker_time(tm, tick, seconds)}{lock}")


def show_tooltip(widget: QWidget, e: QHelpEvent, text: str | None) -> None:
    """Show ``text`` for the help event ``e`` (none: hide the tooltip)."""
    if text is None:
        QToolTip.hideText()
        e.ignore()
    else:
        QToolTip.showText(e.globalPos(), text, widget)


def marker_at(labels: Sequence[tuple[float, QRectF | None, str]], x: float) -> int | None:
    """The index in ``labels`` of the marker whose flag or label is at ``x`` (the
    rightmost when several are)."""
    for i in range(len(labels) - 1, -1, -1):
        mx, rect, _text = labels[i]
        if abs(x - mx - 1) <= 3 or (rect is not None and mx - 1 <= x <= rect.right() + 3):
            return i
    return None
