"""A range of bars as a song of its own, for exporting a loop range (``partita render
--bars``, the studio's export of the loop range or the selected bars).

:func:`range_song` cuts ``[start, end)`` out of a song so that tick 0 is ``start``, as a
DAW's range export starts playback there: the tempo, meter, programs and controllers in
force at ``start`` are set at tick 0, and a pitched note sounding into the range — held,
or rung on by the sustain pedal — is struck again at tick 0 for the rest of its length
(a DAW's note chase: :mod:`.chase`, as the studio's playback from the playhead does).
Every note is let go at ``end`` at the latest (a DAW's range sends its note-offs there),
so only releases ring past it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from engine.score import ProgramChange, Song, TempoChange, TimeMap, Track, song_bars

from .chase import chased_controls, chased_notes
from .events import program_at
from .progressive import bake_sustain


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
    notes = tuple(replace(n, start=n.start - start) for n in chased_notes(track, start, end))
    changes = tuple(ProgramChange(pc.tick - start, pc.program)
                    for pc in sorted(track.program_changes, key=lambda p: p.tick)
                    if start < pc.tick < end)
    # (The controllers after the range's end stay: they shape its releases as in the song.)
    return replace(track, notes=notes, program=program_at(track, start),
                   program_changes=changes, controls=chased_controls(track, start))


def range_frames(song: Song, sample_rate: int) -> int:
    """The whole sample frames of a :func:`range_song` up to its end: how long its
    ``end="bar"`` and ``"loop"`` files are (rounded as ``bar_line_frames`` rounds a song's
    last bar line: 4 bars of 4/4 at 124 BPM at 48 kHz are 371,612 frames)."""
    seconds = TimeMap.of(song).tick_to_seconds(song.length)
    return int(np.floor(seconds * sample_rate + 1e-6))  # 1e-6: a line on a frame stays


def range_text(song: Song, span: tuple[int, int]) -> str:
    """A range rendered, as ``--bars`` types it (inclusive): ``"bars 5–8"`` (``"bar
    5"``), or from a beat ``"4.3–5.2"`` (bar 4's third beat to the end of bar 5's second;
    ``"1.2"`` one beat); off the beats, the positions as the read-out says them,
    ``"1.2.000–4.3.280"``. The command line's summary and the studio's export (its Range
    menu and *Export finished*) say it alike. QA: ``--bars 4.3-5.2`` said
    "4.3.000–5.3.000", an exclusive end beside "bars 7–10"'s inclusive one; the studio
    named a loop from tick 480 to 7000 "bars 1–4", its files that span exactly."""
    tm = TimeMap.of(song)
    start, end = span
    first, last = tm.tick_to_bar(start), tm.tick_to_bar(end - 1)
    if tm.bar_to_tick(first) == start and tm.bar_to_tick(last + 1) == end:
        a, b = tm.bar_number(first), tm.bar_number(last)
        return f"bars {a}–{b}" if b > a else f"bar {a}"
    on_beat = tm.tick_to_position(start).tick == 0 and (
        tm.tick_to_position(end).tick == 0 or tm.bar_to_tick(last + 1) == end)
    if not on_beat:  # not a range --bars gives: the positions, as the read-out says them
        return f"{tm.format_position(start)}–{tm.format_position(end)}"

    def beat(tick: int) -> str:
        p = tm.tick_to_position(tick)
        return f"{tm.bar_number(p.bar)}.{p.beat + 1}"

    a, b = beat(start), beat(end - 1)
    return a if a == b else f"{a}–{b}"


def past_the_end(song: Song, start: int, end: int) -> str | None:
    """What of the range ``[start, end)`` lies past ``song``'s last bar line, for a
    message: ``"bars 9–10 are past the song's end: silence"`` (a loop range of bars
    7–10 on an 8-bar song is rendered to its end, as a DAW's is); ``None`` when it
    ends within the song."""
    tm = TimeMap.of(song)
    bars = song_bars(song, tm)  # a note-off a few ticks past the last bar line: no bar
    if end <= tm.bar_to_tick(bars):
        return None
    first = tm.bar_number(max(bars, tm.tick_to_bar(start)))
    last = tm.bar_number(tm.tick_to_bar(end - 1))
    if last > first:
        return f"bars {first}–{last} are past the song's end: silence"
    return f"bar {first} is past the song's end: silence"


__all__ = ["past_the_end", "range_frames", "range_song", "range_text"]
