"""Dynamics marks ↔ note velocities, one mapping for MusicXML import and export.

The import plays a mark at MuseScore's level (:data:`DYNAMIC_LEVELS`), the bar's first
beat and its other counted beats a little louder (:func:`accent`); the export writes
marks back where a part's level changes clearly (:func:`dynamics_marks`), so a score read
and written again keeps its p, mf and f, and a played part gets a mark where it gets
louder or softer, not one per note. A part whose velocities say nothing of dynamics —
the import's level for a part without marks, or one default velocity throughout
(:func:`says_no_dynamics`) — gets none, so a score without marks is written back
without any.
"""

from __future__ import annotations

import bisect
import itertools
import statistics
from collections.abc import Sequence
from dataclasses import fields

from engine.score import Note, TimeMap

DEFAULT_LEVEL = 80  # mf, where a part has no dynamics (yet)
# The velocity of each dynamics mark, as MuseScore plays them.
DYNAMIC_LEVELS = {"pppp": 8, "ppp": 16, "pp": 33, "p": 49, "mp": 64, "mf": 80, "f": 96,
                  "ff": 112, "fff": 126, "ffff": 127, "fp": 49}
# A note on the bar's first beat is this much louder than the level, one on another beat
# a musician counts (TimeSignature.pulses) half as much: the lilt a player gives a bar.
DOWNBEAT_ACCENT, BEAT_ACCENT = 6, 3
# The marks the export writes, softest first (pppp and ffff are too rare to guess).
WRITTEN_MARKS = ("ppp", "pp", "p", "mp", "mf", "f", "ff", "fff")
# The velocities a note gets where nobody chose one: a new note's (Note's default: a
# piano-roll click, step entry, a script) and mf's (a model's take, the import's level).
DEFAULT_VELOCITIES = frozenset({next(f.default for f in fields(Note) if f.name == "velocity"),
                                DEFAULT_LEVEL})
# A part's level is judged over this many onsets around each (a running median): a
# change lasting fewer than half of them (one loud chord) is an accent, not a new mark.
LEVEL_WINDOW = 5
# A new mark only where the level is this far past the boundary between two marks (the
# velocity halfway between their levels): a played part hovering there keeps its mark.
MARGIN = 3


def accent(tm: TimeMap, tick: int) -> int:
    """:data:`DOWNBEAT_ACCENT` on a bar's first beat, :data:`BEAT_ACCENT` on its other
    counted beats (6/8's second dotted beat, not its eighths), else 0; a pickup's notes
    are the end of the bar they lead into, not a downbeat."""
    sig, at = tm.metric_position(tick)
    if at == 0:
        return DOWNBEAT_ACCENT
    unit = tm.beat_length_for(sig)
    return BEAT_ACCENT if at % unit == 0 and at // unit in sig.pulse_starts else 0


def says_no_dynamics(notes: Sequence[Note], tm: TimeMap) -> bool:
    """Whether a part's velocities carry no dynamics: every note at the level the
    MusicXML import gives a part without marks (:data:`DEFAULT_LEVEL` with its beat's
    :func:`accent`), or every note at one of :data:`DEFAULT_VELOCITIES`. A score whose
    parts had no marks reads back so, and a mark written for it (an mf on every staff,
    the drums' too) would be one the source never had. A part at another single level
    (a score's p throughout) says one, and keeps it."""
    if all(n.velocity == max(1, min(127, DEFAULT_LEVEL + accent(tm, n.start)))
           for n in notes):
        return True
    return len({n.velocity for n in notes}) == 1 and notes[0].velocity in DEFAULT_VELOCITIES


def dynamics_marks(notes: Sequence[Note], tm: TimeMap) -> list[tuple[int, str]]:
    """``(tick, mark)`` for a part's notes: a mark at its first note, then one where its
    level moves clearly to another mark's — each onset's level is its notes' median
    velocity less the beat's :func:`accent`, as the import added it, judged by a running
    median over :data:`LEVEL_WINDOW` onsets and held until it is :data:`MARGIN` past a
    boundary. So a score's marks read back as they were, at the notes they stood over,
    and a part at one level has one mark, at its start; a part whose velocities say no
    dynamics (:func:`says_no_dynamics`) has none."""
    if says_no_dynamics(notes, tm):
        return []
    onsets: dict[int, list[int]] = {}
    for n in notes:
        onsets.setdefault(n.start, []).append(n.velocity - accent(tm, n.start))
    ticks = sorted(onsets)
    raw = [statistics.median(onsets[t]) for t in ticks]
    half = LEVEL_WINDOW // 2
    levels = [statistics.median(raw[max(0, i - half):i + half + 1]) for i in range(len(raw))]
    values = [DYNAMIC_LEVELS[m] for m in WRITTEN_MARKS]
    bounds = [(a + b) / 2 for a, b in itertools.pairwise(values)]
    marks: list[tuple[int, str]] = []
    current = None
    for tick, level in zip(ticks, levels, strict=True):
        nearest = bisect.bisect(bounds, level)
        clearly = current is None or (
            level - bounds[current] >= MARGIN if nearest > current
            else bounds[current - 1] - level >= MARGIN if nearest < current else False)
        if not clearly:
            continue
        current = nearest
        marks.append((tick, WRITTEN_MARKS[current]))
    return marks
