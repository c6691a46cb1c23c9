"""Note lengths for generated notes, taken from how the track is played around them.

The token grid writes a note as a run of whole 16th steps, so every generated note lasts
exactly to a grid line: full legato. A player releases a little before the next note —
the demo's bass is 210 ticks in a 240-tick 8th, 690 in a dotted half — and a take that
swaps that for grid-long notes sounds smeared next to the music it sits in.

Like velocity, articulation is not a model token. Each pitched track's new notes take the
*release* of a reference: how many ticks before the grid line they were written to its
notes end (the median; a note held over its line counts as 0: :func:`release`). The
reference is the notes the take replaces (a repaint or regenerate of the track), else the
track's kept notes; a
track with fewer than :data:`MIN_NOTES` of either (a new track) keeps the grid lengths.
A new note is shortened by that release, never below half its grid length. Drums keep
their lengths (a hit's length is not heard), and so do notes whose timing came from the
user (keep rhythm).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import replace

import numpy as np

from engine.score import Note, Song, TimeMap

from . import vocab
from .grid import step_tick
from .groove import Groove, next_line

MIN_NOTES = 4  # fewer reference notes than this say nothing reliable about a release
# A note ending past its nearest 16th line by at most this share of a 16th is held over
# into it (legato); by more, with no note of the part before the next line, it was
# released before that line.
HELD_OVER = 1 / 4


def release(notes: Iterable[Note], ppq: int, groove: Groove | None = None,
            tm: TimeMap | None = None) -> int:
    """Median ticks before the 16th grid line it was written to at which each of
    ``notes`` ends (0 for legato notes, or fewer than :data:`MIN_NOTES` of them). That line
    is the nearest one where the note ends on or before it; a note that ends past its
    nearest line by more than :data:`HELD_OVER` of a 16th, with the part's next onset
    no sooner than the line after, was released before that later line (a walking bass's
    400-tick quarters: 80 before the beat, not 40 past a dotted 8th). Grid lines fall
    where the token grid puts them (``round(s·ppq/4)``: a PPQ not divisible by 4 has
    uneven 16ths); in a swung track (``groove``, with the song's ``tm``) where the encoder
    reads them in its groove (:meth:`Groove.grid_tick`). Zero-length notes (MIDI keeps them)
    say nothing about a release."""
    notes = [n for n in notes if n.duration > 0]
    onsets = sorted({n.start for n in notes})
    gaps = []
    for n in notes:
        if groove and tm is not None:  # the lines as the encoder reads them
            first = groove.grid_tick(n.start, tm, ppq)
            line = max(groove.grid_tick(n.end, tm, ppq), next_line(first, tm, ppq))
            following = next_line(line, tm, ppq)
            place = line + groove.offset_at(line, tm, ppq)
            after = following + groove.offset_at(following, tm, ppq)
        else:
            first = round(n.start * vocab.STEPS_PER_BEAT / ppq)
            last = max(first + 1, round(n.end * vocab.STEPS_PER_BEAT / ppq))
            place, after = step_tick(last, ppq), step_tick(last + 1, ppq)
        if n.end <= place:
            gaps.append(place - n.end)
            continue
        i = bisect.bisect_right(onsets, n.start)
        struck = onsets[i] if i < len(onsets) else None  # the part's next onset
        held = n.end - place <= HELD_OVER * ppq / vocab.STEPS_PER_BEAT
        gaps.append(0 if held or (struck is not None and struck < after) else after - n.end)
    return int(np.median(gaps)) if len(gaps) >= MIN_NOTES else 0


def articulate(
    song: Song,
    result: Mapping[int, Iterable[Note]],
    kept: Mapping[int, Iterable[Note]],
    replaced: Mapping[int, Iterable[Note]] | None = None,
    grooves: Mapping[int, Groove] | None = None,
) -> dict[int, tuple[Note, ...]]:
    """``result`` with each pitched track's new notes shortened by its reference's
    :func:`release` (module docstring). ``kept``/``replaced``: per track, the notes
    outside / inside the mask; ``grooves``: a swung track's groove, where its reference
    notes' lines lie."""
    replaced = replaced or {}
    grooves = grooves or {}
    tm = TimeMap.of(song) if grooves else None
    out: dict[int, tuple[Note, ...]] = {}
    for tid, notes in result.items():
        notes = tuple(notes)
        track = song.track(tid)
        reference = tuple(replaced.get(tid, ()))
        if len(reference) < MIN_NOTES:
            reference = tuple(kept.get(tid, ()))
        gap = 0 if track.is_drum else release(reference, song.ppq, grooves.get(tid), tm)
        if gap:
            notes = tuple(replace(n, duration=max(n.duration - gap, (n.duration + 1) // 2))
                          for n in notes)
        out[tid] = notes
    return out
