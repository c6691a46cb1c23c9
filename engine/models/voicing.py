"""Chord shapes a track keeps: a rhythm guitar's power chords stay power chords.

A power chord is a root and its fifth, doubled at the octave as the hand falls
(E2 B2 E3, or the fourth-shaped B2 E3): at most two pitch classes, a fifth apart. A
track whose chords around the region are such (:data:`FIFTHS_SHARE` of at least
:data:`FIFTHS_MIN_CHORDS`), or a new overdriven or distorted guitar
(:data:`FIFTHS_PROGRAMS`), has its new chords drawn in that shape: QA regenerated a
distorted rhythm part of 8 power chords and got 15 chords, 4 of them power chords, the
rest E2 F♯2 D3 and minor ninths — mud on a distorted guitar. Single notes stay free (a
palm-muted pedal on the root is one note a step).

Pure numpy over the lane grid (:mod:`engine.models.vocab`); the sampler applies it.
"""

from __future__ import annotations

import numpy as np

from engine.models import vocab

FIFTHS_SHARE = 0.8  # of a track's chords in the window, for it to keep their shape
FIFTHS_MIN_CHORDS = 4  # chords a track needs in the window for its shape to be read
FIFTHS_PROGRAMS = frozenset({29, 30})  # GM Overdriven and Distortion Guitar: a new part

_PITCH_CLASS = np.arange(vocab.N_PITCHES) % 12
_FIFTH = np.array([0, 5, 7])  # a pitch class's own, its fourth below and fifth above


def is_fifths_chord(pitches: np.ndarray) -> bool:
    """Whether ``pitches`` (MIDI numbers struck together) hold at most two pitch
    classes, a fifth (or a fourth) apart."""
    classes = np.unique(np.asarray(pitches) % 12)
    return len(classes) == 1 or (len(classes) == 2
                                 and int(classes[1] - classes[0]) in (5, 7))


def context_fifths(tokens: np.ndarray, editable: np.ndarray, lane_groups: np.ndarray,
                   drum_lanes: np.ndarray) -> np.ndarray:
    """(L,) per lane: 1.0 where its track's chords in ``tokens`` (the window before the
    replaced notes are cleared: they count) are power chords (:data:`FIFTHS_SHARE` of
    them), 0.0 where they are other chords, NaN where it has fewer than
    :data:`FIFTHS_MIN_CHORDS` (unknown: :func:`default_fifths`), for a lane without
    editable cells, a drum lane or a track of one lane."""
    tokens = np.asarray(tokens)
    editable = np.asarray(editable, dtype=bool)
    groups = np.asarray(lane_groups)
    drums = np.asarray(drum_lanes, dtype=bool)
    struck = (tokens >= vocab.ONSET) & (tokens < vocab.DRUM)
    out = np.full(len(groups), np.nan)
    for g in dict.fromkeys(groups.tolist()):
        lanes = groups == g
        if lanes.sum() < 2 or not editable[lanes].any() or drums[lanes].all():
            continue
        cells, own = struck[lanes], tokens[lanes]
        chords = np.flatnonzero(cells.sum(0) > 1)
        if len(chords) < FIFTHS_MIN_CHORDS:
            continue
        shaped = sum(is_fifths_chord(own[cells[:, c], c] - vocab.ONSET) for c in chords)
        out[lanes] = float(shaped / len(chords) >= FIFTHS_SHARE)
    return out


def default_fifths(fifths: np.ndarray, programs: list[int], lane_groups: np.ndarray
                   ) -> np.ndarray:
    """(L,) bool: the lanes that keep the power-chord shape — ``fifths``
    (:func:`context_fifths`) where known, else a track of several lanes on an
    overdriven or distorted guitar (:data:`FIFTHS_PROGRAMS`; ``programs`` per lane, -1
    for a kit's)."""
    known = np.asarray(fifths, dtype=np.float64)
    groups = np.asarray(lane_groups)
    out = np.nan_to_num(known) > 0.5
    for g in dict.fromkeys(groups.tolist()):
        lanes = groups == g
        new = np.isnan(known[lanes]).all()
        if new and lanes.sum() > 1 and programs[int(np.flatnonzero(lanes)[0])] in \
                FIFTHS_PROGRAMS:
            out[lanes] = True
    return out


def allowed_classes(struck: np.ndarray) -> np.ndarray:
    """(m, 12) bool: the pitch classes a note may join ``struck`` (m, 12: the classes
    already struck in its column by its track) in and keep the chord a power chord; every
    class where nothing is struck, or where the chord is no power chord already."""
    struck = np.asarray(struck, dtype=bool)
    n = struck.sum(-1)
    around = np.zeros_like(struck)
    for shift in _FIFTH:
        around |= np.roll(struck, shift, axis=-1)
    two = n == 2
    fifth = two & (struck & np.roll(struck, 7, axis=-1)).any(-1)
    out = np.where((n == 1)[:, None], around, np.ones_like(struck))
    out[fifth] = struck[fifth]
    return out


def off_shape(padded: np.ndarray, lane: np.ndarray, col: np.ndarray, groups: np.ndarray,
              shaped: np.ndarray) -> np.ndarray:
    """(m, V) onset tokens that would take each cell's column out of the power-chord
    shape, given the onsets other lanes of its track strike there (``padded``: the
    window with one cell each side, as the sampler reads it). Nothing for a cell of a
    lane not ``shaped``."""
    cell = padded[:, 1:-1]
    pitch = np.where((cell >= vocab.ONSET) & (cell < vocab.DRUM), cell - vocab.ONSET, -1)
    classes = np.zeros((len(lane), 12), dtype=bool)
    mine = shaped[lane]
    for other in np.flatnonzero(shaped):
        p = pitch[other, col]
        r = np.flatnonzero(mine & (groups[lane] == groups[other]) & (lane != other)
                           & (p >= 0))
        classes[r, p[r] % 12] = True
    out = np.zeros((len(lane), vocab.VOCAB_SIZE), dtype=bool)
    out[:, vocab.ONSET : vocab.DRUM] = ~allowed_classes(classes)[:, _PITCH_CLASS]
    return out


def keep_shape(draw: np.ndarray, lane: np.ndarray, col: np.ndarray, grid: np.ndarray,
               groups: np.ndarray, shaped: np.ndarray, weights: np.ndarray,
               redraw) -> np.ndarray:
    """``draw`` (cells committed together, in decreasing confidence) with each onset of a
    ``shaped`` lane that leaves its column's chord out of shape — against the onsets
    already in ``grid`` and the more confident draws — drawn again among the shape's
    classes (``redraw``: (n, V) weights → tokens); kept as drawn where the cell's legal
    onsets hold no other note of the shape."""
    mine = shaped[lane] & (draw >= vocab.ONSET) & (draw < vocab.DRUM)
    if not mine.any():
        return draw
    draw = draw.copy()
    onset = (grid >= vocab.ONSET) & (grid < vocab.DRUM)
    seen: dict[tuple[int, int], tuple[np.ndarray, set[int]]] = {}
    for i in np.flatnonzero(mine):
        key = (int(groups[lane[i]]), int(col[i]))
        if key not in seen:
            lanes = np.flatnonzero(shaped & (groups == key[0]) & onset[:, key[1]])
            pitches = {int(t) - vocab.ONSET for t in grid[lanes, key[1]]}
            classes = np.zeros(12, dtype=bool)
            classes[[p % 12 for p in pitches]] = True
            seen[key] = classes, pitches
        classes, pitches = seen[key]
        ok = allowed_classes(classes[None])[0]
        pitch = int(draw[i]) - vocab.ONSET
        if not ok[pitch % 12] or pitch in pitches:
            # Another note of the shape, never a rest: the shape moves a pitch, not the
            # rhythm (kept rhythm's notes, the density's count). None in reach (a narrow
            # register, its doublings taken): the note stays as drawn.
            w = np.zeros(vocab.VOCAB_SIZE)
            w[vocab.ONSET : vocab.DRUM] = weights[i, vocab.ONSET : vocab.DRUM] * ok[_PITCH_CLASS]
            w[[vocab.ONSET + p for p in pitches]] = 0.0  # a doubling, not a unison
            if w.sum() > 0:
                draw[i] = redraw(w[None])[0]
        if vocab.ONSET <= draw[i] < vocab.DRUM:
            pitches.add(int(draw[i]) - vocab.ONSET)
            classes[(int(draw[i]) - vocab.ONSET) % 12] = True
    return draw
