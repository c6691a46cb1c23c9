"""A track as timed performance events in samples: what both synths play.

Everything musical about timing happens here, once: ticks become sample frames through
the song's :class:`~engine.score.TimeMap` (so tempo changes are exact), a note's
articulations shorten or accent it (:func:`~engine.score.articulations.sounding`: a
staccato half its written length), the sustain pedal (CC64) lengthens notes, and
program changes, pitch bends and the few controllers a synth understands come out as one
sorted list. The built-in synth reads the bends as a
:class:`BendCurve`: the pitch offset in force at each frame, the bend range (RPN 0) read
as TinySoundFont reads it, so both synths bend a note alike.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from engine.score import Song, TimeMap, Track
from engine.score.articulations import sounding
from engine.score.bend_range import BendRangeReader  # RPN 0, read as the synths read it

SUSTAIN_CC = 64
# Controllers passed through to the SoundFont synth. Volume (7) and pan (10) are not:
# the track's own volume/pan are applied to the stem, so a second copy would double them.
PASS_THROUGH_CC = frozenset({6, 11, 38, 43, 98, 99, 100, 101})


@dataclass(frozen=True, slots=True)
class NoteSpan:
    """One sounding note in sample frames: ``on`` ≤ ``off`` (``off`` after the pedal)."""

    on: int
    off: int
    pitch: int
    velocity: int
    program: int


@dataclass(frozen=True, slots=True)
class ChannelEvent:
    """A non-note event at frame ``frame``: ``kind`` is "program", "bend" or "cc".

    For "program" ``a`` is the GM program; for "bend" ``a`` is the 14-bit wheel value
    (8192 = centre); for "cc" ``a`` is the controller number and ``b`` its value.
    """

    frame: int
    kind: str
    a: int
    b: int = 0


def frames_of(song: Song, sample_rate: int) -> tuple[TimeMap, Callable[[object], np.ndarray]]:
    """The song's time map and a vectorised ticks → sample frames function."""
    tm = TimeMap.of(song)

    def to_frames(ticks) -> np.ndarray:
        return np.rint(tm.ticks_to_seconds(np.asarray(ticks)) * sample_rate).astype(np.int64)

    return tm, to_frames


def program_at(track: Track, tick: int) -> int:
    """The GM program in force at ``tick`` (the track's program, then its changes)."""
    program = track.program
    for pc in sorted(track.program_changes, key=lambda p: p.tick):
        if pc.tick > tick:
            break
        program = pc.program
    return program


def _pedal_intervals(track: Track, until: int | None = None) -> list[tuple[int, int]]:
    """Ticks ``[down, up)`` where the sustain pedal is held.

    A pedal still down at the end is released at ``until`` (the song's end; default the
    track's last note-off), so a file that forgets the pedal-up does not ring forever —
    but its last chord rings to the end of the song, as a GM synth would play it.
    """
    intervals: list[tuple[int, int]] = []
    down: int | None = None
    events = sorted(
        (c for c in track.controls if c.kind == "control_change" and c.number == SUSTAIN_CC),
        key=lambda c: c.tick,
    )
    for c in events:
        if c.value >= 64 and down is None:
            down = c.tick
        elif c.value < 64 and down is not None:
            intervals.append((down, c.tick))
            down = None
    if down is not None:
        intervals.append((down, max(down, track.end if until is None else until)))
    return intervals


def sustained_ends(track: Track, until: int | None = None) -> list[int]:
    """Each note's end tick (in ``track.notes`` order) as it is played: where its
    articulation lets it go (:func:`~engine.score.articulations.sounding`: a staccato
    half way), then after the sustain pedal; a pedal never lifted holds to ``until`` (the
    song's end; default the track's last note-off).

    A note released while the pedal is down rings until the pedal comes up, or until the
    same key is struck again, as on a piano. Drum tracks ignore the pedal.

    Only a pedal that went down *before* the note's end holds it: a pedal lifted on that
    tick releases it, and so does a quantized pedal change (up and down again on the tick
    the note ends), which is how a pianist clears the old chord for the next.
    """
    ends = [n.start + sounding(n)[0] if n.articulations else n.end for n in track.notes]
    intervals = [] if track.is_drum else _pedal_intervals(track, until)
    if not intervals:
        return ends
    downs = [d for d, _ in intervals]
    next_strike: dict[int, int] = {}
    restrike = [1 << 62] * len(track.notes)
    for i in range(len(track.notes) - 1, -1, -1):  # notes are sorted by start
        n = track.notes[i]
        restrike[i] = next_strike.get(n.pitch, 1 << 62)
        next_strike[n.pitch] = n.start
    for i, end in enumerate(ends):
        j = bisect.bisect_left(downs, end) - 1  # the last pedal-down before the end
        if j >= 0 and end < intervals[j][1]:
            ends[i] = max(end, min(intervals[j][1], restrike[i]))
    return ends


class NoteSpans(Sequence[NoteSpan]):
    """A track's audible notes as frame spans, sorted by onset: columns of numbers, each
    :class:`NoteSpan` made as it is reached (playback starts a long track at its first
    notes without making a span of every one first)."""

    def __init__(self, on: np.ndarray, off: np.ndarray, pitch: np.ndarray,
                 velocity: np.ndarray, program: np.ndarray) -> None:
        self.on, self.off, self.pitch, self.velocity, self.program = (
            on, off, pitch, velocity, program)

    def __len__(self) -> int:
        return len(self.on)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return list(self)[i]
        return NoteSpan(int(self.on[i]), int(self.off[i]), int(self.pitch[i]),
                        int(self.velocity[i]), int(self.program[i]))

    def __iter__(self) -> Iterator[NoteSpan]:
        columns = (self.on, self.off, self.pitch, self.velocity, self.program)
        for row in zip(*(c.tolist() for c in columns), strict=True):
            yield NoteSpan(*row)


def note_spans(song: Song, track: Track, sample_rate: int) -> NoteSpans:
    """The track's audible notes (velocity > 0) as frame spans, sorted by onset, each as
    it is played (its articulation's length and velocity, the pedal's)."""
    ends = sustained_ends(track, song.end)
    rows = [(n.start, end, n.pitch, sounding(n)[1] if n.articulations else n.velocity)
            for n, end in zip(track.notes, ends, strict=True) if n.velocity > 0]
    columns = np.array(rows, np.int64).reshape(-1, 4).T
    starts, ends_, pitch, velocity = columns
    _, to_frames = frames_of(song, sample_rate)
    on = to_frames(starts)
    off = np.maximum(to_frames(ends_), on)
    changes = sorted(track.program_changes, key=lambda p: p.tick)
    program = np.full(len(starts), track.program, np.int64)
    if changes:
        i = np.searchsorted([p.tick for p in changes], starts, side="right") - 1
        given = np.array([p.program for p in changes], np.int64)
        program = np.where(i >= 0, given[np.maximum(i, 0)], program)
    return NoteSpans(on, off, pitch, velocity, program)


def channel_events(song: Song, track: Track, sample_rate: int) -> list[ChannelEvent]:
    """Program changes, pitch bends and pass-through controllers, sorted by frame."""
    _, to_frames = frames_of(song, sample_rate)
    out: list[ChannelEvent] = []
    if track.program_changes and not track.is_drum:
        frames = to_frames([p.tick for p in track.program_changes])
        out += [
            ChannelEvent(int(f), "program", p.program)
            for f, p in zip(frames, track.program_changes, strict=True)
        ]
    controls = [
        c for c in track.controls
        if c.kind == "pitchwheel"
        or (c.kind == "control_change" and c.number in PASS_THROUGH_CC)
    ]
    if controls:
        frames = to_frames([c.tick for c in controls])
        for f, c in zip(frames, controls, strict=True):
            if c.kind == "pitchwheel":
                # Stored as mido does (-8192..8191); the synth wants 0..16383.
                out.append(ChannelEvent(int(f), "bend", min(max(int(c.value) + 8192, 0), 16383)))
            else:
                out.append(ChannelEvent(int(f), "cc", c.number, min(max(int(c.value), 0), 127)))
    out.sort(key=lambda e: e.frame)
    return out


def song_frames(song: Song, sample_rate: int) -> int:
    """Frames from time 0 to the song's end (last note-off after the pedal, or its length)."""
    end = song.end
    for t in song.tracks:
        if t.notes:
            end = max(end, max(sustained_ends(t, song.end)))
    _, to_frames = frames_of(song, sample_rate)
    return int(to_frames([end])[0])


@dataclass(frozen=True)
class BendCurve:
    """A track's pitch bend as a step function of sample frames: from ``frames[i]`` up
    to ``frames[i + 1]`` the channel's notes sound at ``ratios[i]`` times their frequency
    (``frames[0]`` is 0: unbent before the first bend)."""

    frames: np.ndarray  # int64, ascending
    ratios: np.ndarray  # float64, one per step

    def over(self, start: int, stop: int) -> np.ndarray | None:
        """The frequency ratio at each frame ``start`` .. ``stop``; ``None`` where the bend
        is centred throughout (a note the bends leave alone is played as it always was)."""
        first = int(np.searchsorted(self.frames, start, side="right")) - 1
        last = int(np.searchsorted(self.frames, stop, side="left"))
        ratios = self.ratios[first:last]
        if not (ratios != 1.0).any():
            return None
        bounds = np.clip(self.frames[first:last], start, stop)
        return np.repeat(ratios, np.diff(np.append(bounds, stop)))


def bend_semitones(wheel: int, bend_range: float) -> float:
    """The pitch offset of the 14-bit ``wheel`` (8192 = centre) at ``bend_range``
    semitones, as TinySoundFont computes it (its full-scale wheel reaches the range)."""
    if wheel == 8192:
        return 0.0
    return wheel / 16383 * 2 * bend_range - bend_range


def bend_curve(song: Song, track: Track, sample_rate: int) -> BendCurve | None:
    """The track's pitch bend over time (:class:`BendCurve`); ``None`` when it never
    leaves the centre (or the track is drums: a kit is not bent).

    The bend range is the channel's RPN 0, which TinySoundFont follows the same way: a
    data entry (CC6 semitones, CC38 cents) sets it while RPN 0 is chosen by CC101/100,
    a range change moving a bend already in force; 2 semitones until one does.
    """
    if track.is_drum or not any(c.kind == "pitchwheel" and c.value
                                for c in track.controls):
        return None
    rpn_0, wheel = BendRangeReader(), 8192
    steps: dict[int, float] = {0: 0.0}  # frame → semitones from there (the last set wins)
    for e in channel_events(song, track, sample_rate):
        if e.kind == "bend":
            wheel = e.a
        elif e.kind != "cc" or not rpn_0.feed(e.a, e.b):
            continue
        steps[e.frame] = bend_semitones(wheel, rpn_0.semitones)
    frames = np.fromiter(steps, np.int64, len(steps))
    semitones = np.fromiter(steps.values(), np.float64, len(steps))
    keep = np.append(True, np.diff(semitones) != 0)  # (a step to the same pitch is none)
    return BendCurve(frames[keep], np.exp2(semitones[keep] / 12))
