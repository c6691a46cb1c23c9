"""Dynamics marks ↔ note velocities, one mapping for MusicXML import and export.

The import plays a mark at MuseScore's level (:data:`DYNAMIC_LEVELS`), the bar's first
beat and its other counted beats a little louder (:func:`accent`); the export writes
a part's velocities back in musical time (:func:`dynamics_of`): a mark where a level
held for about a beat starts, an accent or sfz on a short note louder than it, a hairpin
over a steady ramp — so a score read and written again keeps its p, mf and f, and a
played part gets a mark where it gets louder or softer, not one per note. A part whose
velocities say nothing of dynamics — the import's level for a part without marks, or
one default velocity throughout (:func:`says_no_dynamics`) — gets none, so a score
without marks is written back without any; and the notes before a part's first mark, at
the import's level, get none either (no mf at bar 1 over a part whose first mark is at
bar 27).
"""

from __future__ import annotations

import bisect
import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, fields
from fractions import Fraction

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
# A level is what a part holds for about a counted beat of sounding time or more (each
# onset sounding until the next or its end): several notes held at least this much of a
# beat, or one note longer than a beat (a half note in 4/4, a bar's dotted half in 3/4).
# Anything shorter that stands out is an accent on its note, not a new mark.
HELD = Fraction(3, 4)
# A new level, or an accent, only where the level is this far past the boundary between
# two marks (the velocity halfway between their levels): a played part hovering there
# keeps its mark.
MARGIN = 3
# A steady ramp — at least this many onsets, each past the loudest (softest) before it
# but for one at a time, none more than RAMP_STEP on from the last — is a velocity
# crescendo (diminuendo): a hairpin to the mark it reaches, not a chain of marks.
RAMP_ONSETS, RAMP_STEP = 4, 16
# A short note this much louder than the level in force (two marks: ff's 112 in an mf)
# is sfz, not an accent.
SFZ_JUMP = DYNAMIC_LEVELS["ff"] - DYNAMIC_LEVELS["mf"]


@dataclass(frozen=True, slots=True)
class Dynamics:
    """What a score writes of a part's velocities (:func:`dynamics_of`): ``marks``,
    ``(tick, mark)`` where a level starts; ``accents``, ``(tick, "accent" | "sfz")`` on a
    short note louder than its level; ``hairpins``, ``(start, stop, "crescendo" |
    "diminuendo")`` from a ramp's first note to its last, where ``marks`` has the level
    it reaches."""

    marks: tuple[tuple[int, str], ...] = ()
    accents: tuple[tuple[int, str], ...] = ()
    hairpins: tuple[tuple[int, int, str], ...] = ()


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
    if all(_unmarked(n, tm) for n in notes):
        return True
    return len({n.velocity for n in notes}) == 1 and notes[0].velocity in DEFAULT_VELOCITIES


def _unmarked(note: Note, tm: TimeMap) -> bool:
    """Whether a note plays at the level the MusicXML import gives a note before its
    part's first mark (:data:`DEFAULT_LEVEL` with its beat's :func:`accent`)."""
    return note.velocity == max(1, min(127, DEFAULT_LEVEL + accent(tm, note.start)))


def dynamics_marks(notes: Sequence[Note], tm: TimeMap) -> list[tuple[int, str]]:
    """``(tick, mark)`` where a part's levels start (:func:`dynamics_of`'s marks)."""
    return list(dynamics_of(notes, tm).marks)


_VALUES = [DYNAMIC_LEVELS[m] for m in WRITTEN_MARKS]
_BOUNDS = [(a + b) / 2 for a, b in itertools.pairwise(_VALUES)]


def _mark(level: float, current: int | None) -> int:
    """The mark (index into :data:`WRITTEN_MARKS`) a level says, ``current`` kept unless
    the level is :data:`MARGIN` past one of its boundaries."""
    nearest = bisect.bisect(_BOUNDS, level)
    if current is None or nearest == current:
        return nearest
    if nearest > current:
        return nearest if level - _BOUNDS[current] >= MARGIN else current
    return nearest if _BOUNDS[current - 1] - level >= MARGIN else current


def _heard(velocity: float, lilt: int, current: int | None = None) -> list[tuple[float, int]]:
    """``(distance, mark)`` for each way a note could be heard: as played (a hand-set or
    played level has no lilt) and less its beat's lilt (the import's), each read by
    :func:`_mark` from ``current``; nearest its mark's level first, a tie to the reading
    less the lilt."""
    ways = [velocity - lilt, velocity] if lilt else [velocity]
    marks = [_mark(v, current) for v in ways]
    return sorted(((abs(v - _VALUES[m]), m) for v, m in zip(ways, marks, strict=True)),
                  key=lambda heard: heard[0])


def _readings(velocity: float, lilt: int, current: int | None = None) -> list[int]:
    """The marks a note could mean, nearest first (:func:`_heard`): the lilt the import
    adds is an allowance, not an exact amount — a flat 45 on a downbeat is p as played,
    not pp less 6."""
    return list(dict.fromkeys(mark for _, mark in _heard(velocity, lilt, current)))


def _keeps(velocity: float, lilt: int, mark: int) -> bool:
    """Whether a note goes on at a run's ``mark``: one of its nearest readings is it (a
    real pp on a lilted downbeat, nearer pp less the lilt than p as played, ends a p)."""
    heard = _heard(velocity, lilt, mark)
    return any(m == mark for d, m in heard if d == heard[0][0])


def dynamics_of(notes: Sequence[Note], tm: TimeMap) -> Dynamics:
    """A part's dynamics, in musical time rather than note counts. Each onset is heard at
    its notes' median velocity, as played or less the beat's :func:`accent` the import
    adds (:func:`_readings`: the lilt is an allowance, not an exact amount). A level held
    for about a beat of sounding time (:data:`HELD`: a long note, or several) gets its
    mark where it starts — the first at the part's first note not at the level the
    import gives notes before a part's first mark (:data:`DEFAULT_LEVEL` with its beat's
    lilt: those say nothing, and read back as they are), then one where the level moves
    :data:`MARGIN` past a boundary; a run starts at the nearest reading of its
    first note that holds a level, else at the one the following notes keep longest. A
    short note louder than the level around it, less its beat's lilt, is an accent (sfz
    :data:`SFZ_JUMP` louder), so a lilt is never one; a steady ramp (:func:`_ramps`) is a
    hairpin from its first note's nearest reading to its last's. A softer short note says
    nothing (no mark says it). So a score's marks read back as they were, a part at one
    level has one mark, and no mark stands over notes it does not match. A part whose
    velocities say no dynamics (:func:`says_no_dynamics`) has none."""
    if not notes or says_no_dynamics(notes, tm):
        return Dynamics()
    # The onsets before the first one off the import's level for notes without a mark
    # (a score's first mark at bar 27) say nothing: no mark over them, and they read back
    # as they are.
    first = min(n.start for n in notes if not _unmarked(n, tm))
    onsets: dict[int, list[Note]] = {}
    for n in notes:
        if n.start < first:
            continue
        onsets.setdefault(n.start, []).append(n)
    ticks = sorted(onsets)
    played = [statistics.median(n.velocity for n in onsets[t]) for t in ticks]
    lilts = [accent(tm, t) for t in ticks]
    levels = [v - lilt for v, lilt in zip(played, lilts, strict=True)]  # less the lilt
    # how long each onset sounds: to the next, or to its longest note's end before that
    sounds = [min(max(n.duration for n in onsets[t]), nxt - t)
              for t, nxt in zip(ticks, [*ticks[1:], math.inf], strict=True)]
    ramps = {i: (j, d) for i, j, d in _ramps(levels)}
    marks: list[tuple[int, str]] = []
    accents: list[tuple[int, str]] = []
    hairpins: list[tuple[int, int, str]] = []
    current: int | None = None
    since = 0  # the onset after the last mark's: where a new level may reach back to
    pending: list[int] = []  # short notes before the first level: judged against it

    def level(at: int, mark: int) -> None:
        nonlocal current, since
        if current is None:
            marks.append((ticks[0], WRITTEN_MARKS[mark]))
            current = mark
            for k in pending:
                stand_out(k, _mark(levels[k], None))
        elif mark != current:
            # from the first onset nearer the new mark, less its lilt (one the run
            # before kept within the old mark's margin)
            while at > since and bisect.bisect(_BOUNDS, levels[at - 1]) == mark:
                at -= 1
            marks.append((ticks[at], WRITTEN_MARKS[mark]))
            current = mark
        since = at + 1

    def stand_out(k: int, mark: int) -> None:
        if current is not None and mark > current:
            sfz = levels[k] - _VALUES[current] >= SFZ_JUMP
            accents.append((ticks[k], "sfz" if sfz else "accent"))

    def run_end(i: int, mark: int) -> int:
        """The onset after the run from ``i`` that stays at ``mark``."""
        j = i + 1
        while j < len(ticks) and j not in ramps and _keeps(played[j], lilts[j], mark):
            j += 1
        return j

    def holds(i: int, j: int) -> bool:
        """Whether onsets ``i`` to ``j`` (not included) sound long enough for a level."""
        sig = tm.signature_at(ticks[i])
        beat = Fraction(tm.bar_length_for(sig), len(sig.pulse_starts))
        held = sum(sounds[i:j])
        return held > beat if j - i == 1 else held >= HELD * beat

    i = 0
    while i < len(ticks):
        if i in ramps:
            j, direction = ramps[i]
            level(i, _readings(played[i], lilts[i], current)[0])
            reached = _readings(played[j], lilts[j])[0]
            if reached != current:
                hairpins.append((ticks[i], ticks[j], direction))
                level(j, reached)
                i = j + 1
                continue
        # a run: the onsets from i that stay at one mark (its margin tolerated), read
        # the nearest way that holds a level (of two as near, the longer), else the
        # way the following notes keep longest
        heard = [(d, m, run_end(i, m)) for d, m in _heard(played[i], lilts[i], current)]
        levelled = [h for h in heard if holds(i, h[2])]
        if levelled:
            nearest = [h for h in levelled if h[0] == levelled[0][0]]
            _, mark, j = max(nearest, key=lambda h: h[2])
            level(i, mark)
        else:
            _, mark, j = max(heard, key=lambda h: h[2])
            if mark != current:
                for k in range(i, j):
                    if current is None:
                        pending.append(k)
                    else:  # judged less its beat's lilt: a lilt is no accent
                        stand_out(k, _mark(levels[k], current))
        i = j
    if current is None:  # nothing held a beat: the part's level is its median
        level(0, _mark(statistics.median(levels), None))
    return Dynamics(tuple(marks), tuple(sorted(accents)), tuple(hairpins))


def _ramps(levels: Sequence[float]) -> list[tuple[int, int, str]]:
    """``(first, last, "crescendo" | "diminuendo")`` onset indices of each steady ramp of
    levels: :data:`RAMP_ONSETS` or more, each louder (softer) than every one before it
    but for one at a time no more than :data:`MARGIN` back, each step at most
    :data:`RAMP_STEP`, reaching another mark than it starts at. A level held for a few
    notes (two not past the loudest in a row) ends one: terraced marks are no ramp."""
    ramps = []
    i = 0
    while i < len(levels) - 1:
        found = None
        for sign, kind in ((1, "crescendo"), (-1, "diminuendo")):
            top, last, lagging = sign * levels[i], i, 0
            for k in range(i + 1, len(levels)):
                step = sign * (levels[k] - levels[k - 1])
                if step > RAMP_STEP or sign * levels[k] < top - MARGIN:
                    break
                if sign * levels[k] > top:
                    top, last, lagging = sign * levels[k], k, 0
                else:
                    lagging += 1
                    if lagging > 1:
                        break
            # it starts at its last onset still at the level it started from (one played
            # at one velocity wavers by the beat's accent once that is taken off)
            first = max(k for k in range(i, last + 1)
                        if abs(levels[k] - levels[i]) <= DOWNBEAT_ACCENT)
            if (last - first + 1 >= RAMP_ONSETS and bisect.bisect(_BOUNDS, levels[last])
                    != bisect.bisect(_BOUNDS, levels[first])):
                found = (first, last, kind)
                break
        if found:
            ramps.append(found)
            i = found[1] + 1
        else:
            i += 1
    return ramps
