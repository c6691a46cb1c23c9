"""Where the piano roll draws a note's articulations and the slurs over notes.

As a score prints them over the note head (``Note.articulations``: a staccato dot, a
staccatissimo wedge, an accent's ``>``, a strong accent's ``^``, a tenuto's dash, a
detached legato's dash over a dot), small, stacked upwards from the note's top edge over
its start, the length mark nearest the note and the accent above it (a fermata goes
over them both), and each slur (``Note.slurs``) as a thin arc from above its first
note's start to above its last's. The layout is plain geometry, kept apart from the
painting (:mod:`.view`) so a test can check what is drawn where without reading pixels;
as with the lyrics (:mod:`.lyrics`), none is drawn where the zoom leaves no room.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MARK_MIN_ROW = 6  # rows lower than this (px) have no room for a mark over a note
SLUR_MIN_PX = 10  # a slur narrower than this on screen is not drawn (zoomed far out)
SLUR_MAX_BOW = 28.0  # px: a long slur's arc rises no higher
# Nearest the note first, as a score stacks them: the length mark, then the accent.
NEAR_FIRST = ("staccato", "staccatissimo", "tenuto", "detached-legato", "accent",
              "strong-accent")


@dataclass(frozen=True, slots=True)
class Mark:
    """An articulation's box on the canvas (x, y, width, height) and its name."""

    x: float
    y: float
    w: float
    h: float
    mark: str


def mark_size(row_h: float) -> float:
    """A mark's box side at row height ``row_h``: small, as a score's beside its head."""
    return min(9.0, max(5.0, row_h * 0.7))


def mark_layout(x: float, y: float, w: float, row_h: float,
                marks: Iterable[str]) -> list[Mark]:
    """The boxes of a note's ``marks`` (the note's box at ``x, y``, its top, and ``w``
    wide): centred over its start, one over the other upwards from its top edge in
    :data:`NEAR_FIRST`'s order; none where the rows are lower than
    :data:`MARK_MIN_ROW`."""
    if row_h < MARK_MIN_ROW:
        return []
    size = mark_size(row_h)
    centre = x + min(w, 2 * size) / 2  # over the note's head, as the fermata is
    bottom = y - 1
    out = []
    for mark in sorted(marks, key=NEAR_FIRST.index):
        # A dash over a dot needs the height of two marks' worth of room, a little less.
        h = size * 1.4 if mark == "detached-legato" else size
        out.append(Mark(centre - size / 2, bottom - h, size, h, mark))
        bottom -= h + 1
    return out


@dataclass(frozen=True, slots=True)
class Arc:
    """A slur's arc: from ``(x1, y1)`` to ``(x2, y2)``, rising ``bow`` px above the
    higher end."""

    x1: float
    y1: float
    x2: float
    y2: float
    bow: float

    def bounds(self) -> tuple[float, float, float, float]:
        """The box (x, y, width, height) the arc is drawn in."""
        top = min(self.y1, self.y2) - self.bow
        return self.x1, top, self.x2 - self.x1, max(self.y1, self.y2) - top


def slur_arc(first: tuple[float, float, float], last: tuple[float, float, float],
             row_h: float) -> Arc | None:
    """The arc of a slur from the note ``first`` to ``last`` (each ``(x, y, w)``, ``y``
    its box's top): from above one's start to above the other's, as far over each as
    its marks are centred; None where the rows are lower than :data:`MARK_MIN_ROW` or
    the slur is narrower than :data:`SLUR_MIN_PX` on screen."""
    if row_h < MARK_MIN_ROW:
        return None
    size = mark_size(row_h)
    x1 = first[0] + min(first[2], 2 * size) / 2
    x2 = last[0] + min(last[2], 2 * size) / 2
    if x2 - x1 < SLUR_MIN_PX:
        return None
    bow = min(SLUR_MAX_BOW, max(4.0, (x2 - x1) * 0.12))
    return Arc(x1, first[1] - 2, x2, last[1] - 2, bow)
