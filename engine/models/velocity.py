"""Velocities for generated notes, taken from the dynamics around them.

Velocity is not a model token. A generated note gets the *level* of its track near the
region (the median velocity of the track's kept notes within a few bars; else of the
whole track; else of the other tracks nearby; else a role default), *accents* by metric
weight (down-beat > beat > off-beat, scaled by the context's spread) and a small
deterministic jitter drawn from the seed, so two notes rarely share one velocity and the
same seed gives the same take.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from engine.score import Note, Song, TimeMap

from . import vocab

CONTEXT_BARS = 4  # how far around the region the track's own dynamics are read
DEFAULT_LEVEL = 84  # mezzo-forte-ish, when there is nothing to read
DEFAULT_SPREAD = 8.0


def context_dynamics(velocities: Sequence[int]) -> tuple[float, float]:
    """(level, spread) of a set of velocities: their median and half their inter-quartile
    range, the spread kept within 3..20 so accents stay audible but tasteful."""
    if len(velocities) == 0:
        return float(DEFAULT_LEVEL), DEFAULT_SPREAD
    v = np.asarray(velocities, dtype=np.float64)
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    return float(med), float(np.clip((q3 - q1) / 2, 3.0, 20.0))


def metric_weight(song: Song, tick: int, tm: TimeMap | None = None) -> float:
    """+1 on the bar's first beat, +0.4 on other beats, 0 on 8ths, -0.5 on 16ths."""
    tm = tm or TimeMap.of(song)
    pos = tm.tick_to_position(tick)
    if pos.tick == 0:
        return 1.0 if pos.beat == 0 else 0.4
    eighth = song.ppq // 2 or 1
    in_bar = tick - tm.bar_to_tick(pos.bar)
    return 0.0 if in_bar % eighth == 0 else -0.5


def assign_velocities(
    song: Song,
    new_notes: Mapping[int, Sequence[Note]],
    keep: Mapping[int, Sequence[Note]],
    span: tuple[int, int],
    seed: int | None,
) -> dict[int, tuple[Note, ...]]:
    """``new_notes`` with velocities fitted to their context.

    ``keep``: per track, the notes that stay (outside the mask), whose velocities define
    the context; ``span``: the region's (start, end) ticks.
    """
    tm = TimeMap.of(song)
    lo = tm.bar_to_tick(max(0, tm.tick_to_bar(span[0]) - CONTEXT_BARS))
    hi = tm.bar_to_tick(tm.tick_to_bar(max(span[0], span[1] - 1)) + 1 + CONTEXT_BARS)
    near_all = [n.velocity for notes in keep.values() for n in notes if lo <= n.start < hi]
    rng = np.random.default_rng(None if seed is None else [int(seed) & (2**63 - 1), 1])
    out: dict[int, tuple[Note, ...]] = {}
    for track_id in sorted(new_notes):
        notes = sorted(new_notes[track_id], key=Note.key)
        own = keep.get(track_id, ())
        near = [n.velocity for n in own if lo <= n.start < hi]
        source = near or [n.velocity for n in own] or near_all
        level, spread = context_dynamics(source)
        jitter = rng.uniform(-1.0, 1.0, size=len(notes)) * max(2.0, 0.35 * spread)
        vmin = max(1, min(source, default=1) - 10)
        vmax = min(127, max(source, default=127) + 10)
        is_drum = song.track(track_id).is_drum
        placed = []
        for note, j in zip(notes, jitter, strict=True):
            accent = 0.6 * spread * metric_weight(song, note.start, tm)
            if is_drum:
                accent += drum_accent(note.pitch)
            v = round(float(level + accent + j))
            placed.append(replace(note, velocity=min(max(v, vmin), vmax)))
        out[track_id] = tuple(placed)
    return out


def drum_accent(pitch: int) -> float:
    """Kicks and snares sit a little above hats and cymbals in a kit's balance."""
    klass = vocab.drum_class_of_note(pitch)
    return {0: 4.0, 1: 3.0, 2: -4.0}.get(klass, 0.0)
