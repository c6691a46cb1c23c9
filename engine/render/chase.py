"""The chase: what a DAW sends when it starts a song from the middle (Cubase's "chase
events", Reaper's "chase MIDI note-ons"), so that what sounds there sounds at once.

A pitched note sounding at the start — held, or rung on by the sustain pedal once that is
written into the notes (``progressive.bake_sustain``) — is struck again there for the rest
of its length: a pad held from bar 1 is heard from bar 5 on, not silent until its next
note. Drum hits are not (a hit is its onset: a crash before the start is not after it).
The controllers in force are set at the start, the parameter ones (the pitch-bend range)
whole and in order.

Both the render of a range of bars (:func:`~.ranges.range_song`) and playback from the
playhead (:class:`~.progressive.ProgressiveRender`, the studio's Play, loop, audition and
recording) chase with these.
"""

from __future__ import annotations

from dataclasses import replace

from engine.score import ControlEvent, Note, Track

# The controllers that make up a registered or non-registered parameter (data entry 6/38,
# increment 96/97, NRPN 99/98, RPN 101/100): their order matters (101, 100, then 6 sets the
# pitch-bend range), so every one before the start is kept, in order, not the last.
PARAMETER_CCS = frozenset({6, 38, 96, 97, 98, 99, 100, 101})


def chased_notes(track: Track, start: int, end: int | None = None) -> tuple[Note, ...]:
    """The notes of ``track`` heard from tick ``start`` (to ``end``), at the song's ticks,
    in onset order: those with onsets in ``[start, end)``, and each pitched note sounding
    into ``start`` struck again there for the rest of its length (first, at ``start``).
    With an ``end`` every note is let go there at the latest (a DAW's range sends its
    note-offs at its end)."""
    notes = []
    for n in track.notes:  # (in onset order: the chased ones first, all at start)
        if end is not None and n.start >= end:
            break
        stop = n.end if end is None else min(n.end, end)
        if n.start >= start:
            notes.append(n if stop == n.end else replace(n, duration=stop - n.start))
        elif n.end > start and not track.is_drum:
            notes.append(replace(n, start=start, duration=stop - start))
    notes.sort(key=lambda n: n.start)  # (stable: the chased ones stay before those at start)
    return tuple(notes)


def chased_controls(track: Track, start: int) -> tuple[ControlEvent, ...]:
    """The track's controllers from ``start`` on, moved back by it, after the state in
    force at ``start`` set at tick 0: each controller's and the pitch wheel's last value
    before it, every parameter controller (:data:`PARAMETER_CCS`) in order."""
    state: dict[object, tuple[int, ControlEvent]] = {}  # in force at start, by order
    later = []
    for i, c in enumerate(sorted(track.controls, key=lambda c: c.tick)):
        if c.tick > start:
            later.append(replace(c, tick=c.tick - start))
        elif c.kind == "control_change" and c.number in PARAMETER_CCS:
            state[i] = (i, c)  # every one
        else:
            state[(c.kind, c.number)] = (i, c)  # the last one
    kept = (c for _, c in sorted(state.values(), key=lambda ic: ic[0]))
    return tuple(replace(c, tick=0) for c in kept) + tuple(later)


__all__ = ["PARAMETER_CCS", "chased_controls", "chased_notes"]
