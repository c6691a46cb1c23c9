"""Chord shapes a track keeps: a rhythm guitar's power chords stay power chords.

A power chord is a root and its fifth, doubled at the octave as the hand falls
(E2 B2 E3, or the fourth-shaped B2 E3): at most two pitch classes, a fifth apart. A
track whose chords around the region are such (:data:`FIFTHS_SHARE` of at least
:data:`FIFTHS_MIN_CHORDS`), or a new overdriven or distorted guitar
(:data:`FIFTHS_PROGRAMS`), has its new chords drawn in that shape: QA regenerated a
distorted rhythm part of 8 power chords and got 15 chords, 4 of them power chords, the
rest E2 F♯2 D3 and minor ninths — mud on a distorted guitar. Where those chords have
their root at the bottom (:data:`ROOTED_SHARE` of them; a new guitar's too), so do the
new ones (:data:`ROOTED`): the fourth-shaped chord, the fifth in the bass, was half of
a re-test's regenerated chords under a part written all in root position. Single notes
stay free (a palm-muted pedal on the root is one note a step).

Pure numpy over the lane grid (:mod:`engine.models.vocab`); the sampler applies it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import numpy as np

from engine.models import vocab

FIFTHS_SHARE = 0.8  # of a track's chords in the window, for it to keep their shape
FIFTHS_MIN_CHORDS = 4  # chords a track needs in the window for its shape to be read
ROOTED_SHARE = 0.8  # of its root-and-fifth chords with the root lowest: it keeps that
FIFTHS_PROGRAMS = frozenset({29, 30})  # GM Overdriven and Distortion Guitar: a new part
# Where a new power-chord guitar's notes lie (E2–E4: its roots on the low strings, their
# fifths and octaves above), not its instrument's middle (a new part was written around
# middle C, F♯3–C5).
FIFTHS_REGISTER = (40, 64)

# A lane's shape (:func:`lane_shapes`): none, power chords, power chords root lowest.
FREE, FIFTHS, ROOTED = 0, 1, 2

_PITCHES = np.arange(vocab.N_PITCHES)


def is_fifths_chord(pitches: Collection[int] | np.ndarray) -> bool:
    """Whether ``pitches`` (MIDI numbers struck together) hold at most two pitch
    classes, a fifth (or a fourth) apart."""
    classes = np.unique(np.asarray(list(pitches)) % 12)
    return len(classes) == 1 or (len(classes) == 2
                                 and int(classes[1] - classes[0]) in (5, 7))


def is_rooted(pitches: Collection[int] | np.ndarray) -> bool:
    """Whether a power chord (:func:`is_fifths_chord`) has its root lowest: every other
    note the lowest one's octave or its fifth."""
    p = np.asarray(list(pitches))
    return bool(np.isin((p - p.min()) % 12, (0, 7)).all())


def context_shapes(tokens: np.ndarray, editable: np.ndarray, lane_groups: np.ndarray,
                   drum_lanes: np.ndarray) -> np.ndarray:
    """(L,) per lane: the shape its track's chords in ``tokens`` (the window before the
    replaced notes are cleared: they count) keep — :data:`ROOTED` where
    :data:`FIFTHS_SHARE` of them are power chords and :data:`ROOTED_SHARE` of those of
    two classes have the root lowest, :data:`FIFTHS` where the power chords stand either
    way, :data:`FREE` for other chords — or -1 where it has fewer than
    :data:`FIFTHS_MIN_CHORDS` (unknown: :func:`lane_shapes`), for a lane without
    editable cells, a drum lane or a track of one lane."""
    tokens = np.asarray(tokens)
    editable = np.asarray(editable, dtype=bool)
    groups = np.asarray(lane_groups)
    drums = np.asarray(drum_lanes, dtype=bool)
    struck = (tokens >= vocab.ONSET) & (tokens < vocab.DRUM)
    out = np.full(len(groups), -1, dtype=np.int64)
    for g in dict.fromkeys(groups.tolist()):
        lanes = groups == g
        if lanes.sum() < 2 or not editable[lanes].any() or drums[lanes].all():
            continue
        cells, own = struck[lanes], tokens[lanes]
        chords = [own[cells[:, c], c] - vocab.ONSET for c in np.flatnonzero(cells.sum(0) > 1)]
        if len(chords) < FIFTHS_MIN_CHORDS:
            continue
        power = [c for c in chords if is_fifths_chord(c)]
        if len(power) < FIFTHS_SHARE * len(chords):
            out[lanes] = FREE
            continue
        two = [c for c in power if len(np.unique(c % 12)) == 2]
        rooted = sum(is_rooted(c) for c in two)
        out[lanes] = ROOTED if rooted >= ROOTED_SHARE * len(two) else FIFTHS
    return out


def lane_shapes(shapes: np.ndarray, programs: list[int], lane_groups: np.ndarray
                ) -> np.ndarray:
    """(L,) the shape each lane keeps: ``shapes`` (:func:`context_shapes`) where known,
    else :data:`ROOTED` for a track of several lanes on an overdriven or distorted guitar
    (:data:`FIFTHS_PROGRAMS`; ``programs`` per lane, -1 for a kit's), :data:`FREE` for
    the rest."""
    known = np.asarray(shapes, dtype=np.int64)
    groups = np.asarray(lane_groups)
    out = np.maximum(known, FREE)
    for g in dict.fromkeys(groups.tolist()):
        lanes = groups == g
        new = (known[lanes] < 0).all()
        if new and lanes.sum() > 1 and programs[int(np.flatnonzero(lanes)[0])] in \
                FIFTHS_PROGRAMS:
            out[lanes] = ROOTED
    return out


def shape_pitches(struck: Collection[int], rooted: bool) -> np.ndarray:
    """(128,) bool: the pitches a note may join ``struck`` (the pitches its track strikes
    in its column) with and keep the chord a power chord (``rooted``: root lowest), never
    a unison; every pitch where nothing is struck, and every one but the unisons where
    the chord is none already."""
    ok = np.ones(vocab.N_PITCHES, dtype=bool)
    if not struck:
        return ok
    pitches = np.fromiter(struck, dtype=np.int64)
    ok[pitches] = False
    if not is_fifths_chord(pitches):
        return ok
    classes = set((pitches % 12).tolist())
    pc = _PITCHES % 12
    if not rooted or not is_rooted(pitches):  # (its root under it yet to come: either way)
        if len(classes) == 1:
            (c,) = classes
            return ok & np.isin(pc, [c, (c + 7) % 12, (c + 5) % 12])
        return ok & np.isin(pc, list(classes))
    low = int(pitches.min())
    above = (low < _PITCHES) & np.isin((_PITCHES - low) % 12, (0, 7))
    # A new lowest note: the root of every class struck (their octave or its fifth).
    below = (low > _PITCHES) & np.array(
        [classes <= {c, (c + 7) % 12} for c in range(12)])[pc]
    return ok & (above | below)


def off_shape(padded: np.ndarray, lane: np.ndarray, col: np.ndarray, groups: np.ndarray,
              shapes: np.ndarray) -> np.ndarray:
    """(m, V) onset tokens that would take each cell's column out of its lane's shape
    (``shapes``: :func:`lane_shapes`), given the onsets other lanes of its track strike
    there (``padded``: the window with one cell each side, as the sampler reads it).
    Nothing for a cell of a :data:`FREE` lane or a column no sibling strikes."""
    cell = padded[:, 1:-1]
    pitch = np.where((cell >= vocab.ONSET) & (cell < vocab.DRUM), cell - vocab.ONSET, -1)
    out = np.zeros((len(lane), vocab.VOCAB_SIZE), dtype=bool)
    shaped = shapes > FREE
    for i in np.flatnonzero(shaped[lane]):
        siblings = shaped & (groups == groups[lane[i]])
        siblings[lane[i]] = False
        struck = pitch[siblings, col[i]]
        struck = struck[struck >= 0]
        if struck.size:
            ok = shape_pitches(struck.tolist(), shapes[lane[i]] == ROOTED)
            out[i, vocab.ONSET : vocab.DRUM] = ~ok
    return out


def keep_shape(draw: np.ndarray, lane: np.ndarray, col: np.ndarray, grid: np.ndarray,
               groups: np.ndarray, shapes: np.ndarray, weights: np.ndarray,
               redraw: Callable[[np.ndarray], np.ndarray],
               fallback: np.ndarray | None = None) -> np.ndarray:
    """``draw`` (cells committed together, in decreasing confidence) with each onset of a
    shaped lane (``shapes``) that leaves its column's chord out of shape — against the
    onsets already in ``grid`` and the more confident draws — drawn again among the
    shape's notes (``redraw``: (n, V) weights → tokens) by ``weights``, else by
    ``fallback`` (weights of the tokens the cell's constraints allow at all); where
    neither holds another note of the shape (a narrow register), another note by
    ``weights``, never a unison; kept as drawn where there is none."""
    shaped = shapes > FREE
    mine = shaped[lane] & (draw >= vocab.ONSET) & (draw < vocab.DRUM)
    if not mine.any():
        return draw
    draw = draw.copy()
    onset = (grid >= vocab.ONSET) & (grid < vocab.DRUM)
    seen: dict[tuple[int, int], set[int]] = {}
    for i in np.flatnonzero(mine):
        key = (int(groups[lane[i]]), int(col[i]))
        if key not in seen:
            lanes = np.flatnonzero(shaped & (groups == key[0]) & onset[:, key[1]])
            seen[key] = {int(t) - vocab.ONSET for t in grid[lanes, key[1]]}
        pitches = seen[key]
        ok = shape_pitches(pitches, shapes[lane[i]] == ROOTED)
        if not ok[int(draw[i]) - vocab.ONSET]:
            # Another note of the shape, never a rest: the shape moves a pitch, not the
            # rhythm (kept rhythm's notes, the density's count). None in reach (a narrow
            # register, its doublings taken): the note stays as drawn.
            # Failing both, any other note, never a unison: the lane's note would be cut.
            other = np.ones(vocab.N_PITCHES, dtype=bool)
            other[list(pitches)] = False
            for source, fits in ((weights, ok), (fallback, ok), (weights, other),
                                 (fallback, other)):
                if source is None:
                    continue
                w = np.zeros(vocab.VOCAB_SIZE)
                w[vocab.ONSET : vocab.DRUM] = source[i, vocab.ONSET : vocab.DRUM] * fits
                if w.sum() > 0:
                    draw[i] = redraw(w[None])[0]
                    break
        if vocab.ONSET <= draw[i] < vocab.DRUM:
            pitches.add(int(draw[i]) - vocab.ONSET)
    return draw
