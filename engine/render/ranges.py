"""A range of bars as a song of its own, for exporting a loop range (``partita render
--bars``, the studio's export of the loop range or the selected bars).

:func:`range_song` cuts ``[start, end)`` out of a song so that tick 0 is ``start``, as a
DAW's range export starts playback there: the tempo, meter, programs and controllers in
force at ``start`` are set at tick 0, and a pitched note sounding into the range — held,
or rung on by the sustain pedal — is struck again at tick 0 for the rest of its length
(a DAW's note chase). Every note is let go at ``end`` at the latest (a DAW's range sends
its note-offs there), so only releases ring past it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from engine.score import ControlEvent, ProgramChange, Song, TempoChange, TimeMap, Track

from .events import program_at
from .progressive import bake_sustain

# The controllers that make up a registered or non-registered parameter (data entry 6/38,
# increment 96/97, NRPN 99/98, RPN 101/100): their order matters (101, 100, then 6 sets the
# pitch-bend range), so every one before the range's start is kept, in order, not the last.
_PARAMETER_CCS = frozenset({6, 38, 96, 97, 98, 99, 100, 101})


def range_song(song: Song, start: int, end: int) -> Song:
    """``song`` from tick ``start`` to ``end``, moved so ``start`` is tick 0 and ending
    at ``end`` (its :attr:`~engine.score.Song.length`, ``end - start``).

    The sustain pedal is written into the notes' lengths first (as playback does:
    ``progressive.bake_sustain``), so a chord the pedal holds into the range is chased
    like a held one and nothing the pedal holds rings past ``end``. Drum hits from before
    ``start`` are not struck again (a hit is its onset: a crash before the range is not
    in it). Markers and key signatures are left out: they do not sound.
    """
    if not 0 <= start < end:
        raise ValueError(f"a range runs forward from tick 0 or later: {start}..{end}")
    baked = bake_sustain(song)
    # The tempo in force, as stored (a round trip through BPM could step past MIDI's
    # largest tempo, which the song model refuses).
    us = next(t.us_per_beat for t in reversed(baked.tempos) if t.tick <= start)
    tempos = (TempoChange(0, us), *(TempoChange(t.tick - start, t.us_per_beat)
                                    for t in baked.tempos if start < t.tick < end))
    sig = TimeMap.of(baked).signature_at(start)
    sigs = (replace(sig, tick=0), *(replace(s, tick=s.tick - start)
                                     for s in baked.time_signatures if start < s.tick < end))
    tracks = tuple(_range_track(t, start, end) for t in baked.tracks)
    return replace(baked, tracks=tracks, tempos=tempos, time_signatures=sigs,
                   key_signatures=(), markers=(), length=end - start)


def _range_track(track: Track, start: int, end: int) -> Track:
    notes = []
    for n in track.notes:  # (in onset order: the chased ones first, all at 0)
        if n.start >= end:
            break
        if n.start >= start:
            notes.append(replace(n, start=n.start - start, duration=min(n.end, end) - n.start))
        elif n.end > start and not track.is_drum:
            notes.append(replace(n, start=0, duration=min(n.end, end) - start))
    notes.sort(key=lambda n: n.start)
    changes = tuple(ProgramChange(pc.tick - start, pc.program)
                    for pc in sorted(track.program_changes, key=lambda p: p.tick)
                    if start < pc.tick < end)
    return replace(track, notes=tuple(notes), program=program_at(track, start),
                   program_changes=changes, controls=_chased_controls(track, start))


def _chased_controls(track: Track, start: int) -> tuple[ControlEvent, ...]:
    """The track's controllers from ``start`` on, moved back by it, after the state in
    force at ``start`` set at tick 0: each controller's and the pitch wheel's last value
    before it, every parameter controller (:data:`_PARAMETER_CCS`) in order. Those after
    the range's end stay: they shape its releases as in the song."""
    state: dict[object, tuple[int, ControlEvent]] = {}  # in force at start, by order
    later = []
    for i, c in enumerate(sorted(track.controls, key=lambda c: c.tick)):
        if c.tick > start:
            later.append(replace(c, tick=c.tick - start))
        elif c.kind == "control_change" and c.number in _PARAMETER_CCS:
            state[i] = (i, c)  # every one
        else:
            state[(c.kind, c.number)] = (i, c)  # the last one
    kept = (c for _, c in sorted(state.values(), key=lambda ic: ic[0]))
    return tuple(replace(c, tick=0) for c in kept) + tuple(later)


def range_frames(song: Song, sample_rate: int) -> int:
    """The whole sample frames of a :func:`range_song` up to its end: how long its
    ``end="bar"`` and ``"loop"`` files are (rounded as ``bar_line_frames`` rounds a song's
    last bar line: 4 bars of 4/4 at 124 BPM at 48 kHz are 371,612 frames)."""
    seconds = TimeMap.of(song).tick_to_seconds(song.length)
    return int(np.floor(seconds * sample_rate + 1e-6))  # 1e-6: a line on a frame stays


__all__ = ["range_frames", "range_song"]
