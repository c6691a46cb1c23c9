"""Where the piano roll writes a note's lyric syllable and its fermata.

A sung line's notes carry their first verse (``Note.lyric``) and fermatas
(``Note.fermata``); the roll writes the syllable just under its note, as a score prints
it under the note head (``Hal-`` where its word goes on), and a fermata over the note.
The layout is plain geometry, kept apart from the painting so a test can check which
syllables are written without reading pixels: a syllable is left out where the zoom
leaves no room for it — the note narrower than the text, the rows too low to read it
under, or the track's previous syllable still in the way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine.score import Lyric
from engine.score.lyrics import midi_lyric_text

LYRIC_MIN_ROW = 10  # rows lower than this (px) have no room to write a syllable under
FERMATA_MIN_ROW = 6  # nor a fermata over
LYRIC_GAP = 3.0  # px kept clear between two syllables of a track
FERMATA_GLYPH = "\U0001D110"  # MUSICAL SYMBOL FERMATA, where the roll's font has it


def printed(lyric: Lyric) -> str:
    """The syllable as a score prints it: ``Hal-`` where its word goes on."""
    return midi_lyric_text(lyric)  # a karaoke file's text is the printed one


@dataclass(frozen=True, slots=True)
class Placed:
    """A text placed on the canvas: its box (x, y, width, height) and what it says."""

    x: float
    y: float
    w: float
    h: float
    text: str


def lyric_layout(notes: Sequence[tuple[float, float, float, str]], row_h: float,
                 text_h: float, width_of: Callable[[str], float]) -> list[Placed]:
    """The syllables of one track's notes that fit, each under its note.

    ``notes``: ``(x, y, width, text)`` of each visible note with a syllable, ``y`` its
    box's top; ``row_h`` the roll's row height, ``text_h`` a line of the font's height,
    ``width_of`` a text's width in it. A syllable starts at its note's left edge under
    its row; none are written when the rows are lower than :data:`LYRIC_MIN_ROW`, and a
    note narrower than its text, or whose syllable would run into the one before it
    (a chord's lower notes, voices crossing in one track), has none."""
    if row_h < LYRIC_MIN_ROW:
        return []
    placed: list[Placed] = []
    edge = float("-inf")  # the right end of the last syllable written
    for x, y, w, text in sorted(notes, key=lambda n: (n[0], n[1])):
        tw = width_of(text)
        if tw + 2 > w or x < edge + LYRIC_GAP:
            continue
        placed.append(Placed(x + 1, y + row_h - 1, tw, text_h, text))
        edge = x + 1 + tw
    return placed


def fermata_box(x: float, y: float, w: float, row_h: float) -> tuple[float, float, float,
                                                                         float] | None:
    """The box (x, y, width, height) a fermata over the note at ``x, y`` (its box's top)
    and ``w`` wide is drawn in: centred over the note's start, in the row above; None
    where the rows are too low to show one."""
    if row_h < FERMATA_MIN_ROW:
        return None
    size = min(16.0, max(8.0, row_h * 1.2))
    centre = x + min(w, 2 * size) / 2  # over the note's head, not the middle of a long one
    return (centre - size / 2, y - row_h * 0.8 - 1, size, row_h * 0.8)
