"""Note lengths for generated notes, taken from how the track is played around them.

The token grid writes a note as a run of whole 16th steps, so every generated note lasts
exactly to a grid line: full legato. A player releases a little before the next note —
the demo's bass is 210 ticks in a 240-tick 8th, 690 in a dotted half — and a take that
swaps that for grid-long notes sounds smeared next to the music it sits in.

Like velocity, articulation is not a model token. Each pitched track's new notes take the
*release* of a reference: how many ticks before the nearest grid line its notes end (the
median; a note that reaches past its grid line counts as 0). The reference is the notes
the take replaces (a repaint or regenerate of the track), else the track's kept notes; a
track with fewer than :data:`MIN_NOTES` of either (a new track) keeps the grid lengths.
A new note is shortened by that release, never below half its grid length. Drums keep
their lengths (a hit's length is not heard), and so do notes whose timing came from the
user (keep rhythm).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

import numpy as np

from engine.score import Note, Song

from . import vocab
from .grid import step_tick

MIN_NOTES = 4  # fewer reference notes than this say nothing reliable about a release


def release(notes: Iterable[Note], ppq: int) -> int:
    """Median ticks before the nearest 16th grid line at which ``notes`` end (0 for legato
    notes, or fewer than :data:`MIN_NOTES` of them). Grid lines fall where the token grid
    puts them (``round(s·ppq/4)``: a PPQ not divisible by 4 has uneven 16ths); zero-length
    notes (MIDI keeps them) say nothing about a release."""
    gaps = []
    for n in notes:
        if n.duration <= 0:
            continue
        first = round(n.start * vocab.STEPS_PER_BEAT / ppq)
        last = max(first + 1, round(n.end * vocab.STEPS_PER_BEAT / ppq))
        gaps.append(max(0, step_tick(last, ppq) - n.end))
    return int(np.median(gaps)) if len(gaps) >= MIN_NOTES else 0


def articulate(
    song: Song,
    result: Mapping[int, Iterable[Note]],
    kept: Mapping[int, Iterable[Note]],
    replaced: Mapping[int, Iterable[Note]] | None = None,
) -> dict[int, tuple[Note, ...]]:
    """``result`` with each pitched track's new notes shortened by its reference's
    :func:`release` (module docstring). ``kept``/``replaced``: per track, the notes
    outside / inside the mask."""
    replaced = replaced or {}
    out: dict[int, tuple[Note, ...]] = {}
    for tid, notes in result.items():
        notes = tuple(notes)
        track = song.track(tid)
        reference = tuple(replaced.get(tid, ()))
        if len(reference) < MIN_NOTES:
            reference = tuple(kept.get(tid, ()))
        gap = 0 if track.is_drum else release(reference, song.ppq)
        if gap:
            notes = tuple(replace(n, duration=max(n.duration - gap, (n.duration + 1) // 2))
                          for n in notes)
        out[tid] = notes
    return out
