"""Chords as a player strikes them: together on one tick, or strummed or rolled.

A guitarist's open chord is not six notes on one tick: the strings sound one after
another, 10–40 ticks apart at 480 PPQ, low to high or back. Read tick by tick, a
strummed E chord is six one-note "chords" (a QA's strummed acoustic was regenerated as
three-note chords, its other strings gone) and its later strings look like triplets or
micro-timing. :func:`struck_together` groups a track's notes into the chords it plays;
the lane planning (:func:`engine.models.grid.chord_size`) and the off-grid report
(:mod:`engine.score.grid_fit`) read chords through it.
"""

from __future__ import annotations

from collections.abc import Iterable

from .song import Note

STEPS_PER_BEAT = 4  # 16ths in a quarter note
# A strum's next string starts at most a 32nd after the one before it, and the whole
# strum within an 8th of its first string (six strings 30 ticks apart at 480 PPQ span
# 150): closer than any written rhythm the grid holds, wider than a strummer's 40 ticks.
STRUM_GAP = 1 / 2  # of a 16th
STRUM_SPAN = 2  # 16ths
STRUM_NOTES = 3  # the fewest notes a strum or roll has


def struck_together(notes: Iterable[Note], ppq: int) -> list[tuple[Note, ...]]:
    """``notes`` grouped into the chords they are struck in, in time order (each lowest
    first, by start): the notes starting on one tick, and a strum or roll — notes starting
    at most :data:`STRUM_GAP` of a 16th after the one before, within :data:`STRUM_SPAN`
    16ths of the first, while every earlier note of the chord still sounds (a fast run's
    notes end before the next starts: each its own)."""
    sixteenth = ppq / STEPS_PER_BEAT
    gap, span = STRUM_GAP * sixteenth, STRUM_SPAN * sixteenth
    out: list[list[Note]] = []
    for n in sorted(notes, key=lambda n: (n.start, n.pitch, n.id)):
        chord = out[-1] if out else None
        if chord is not None and (
                n.start == chord[-1].start
                or (n.start - chord[-1].start <= gap and n.start - chord[0].start < span
                    and all(c.end > n.start for c in chord))):
            chord.append(n)
        else:
            out.append([n])
    return [tuple(c) for c in out]


def strummed(chord: tuple[Note, ...]) -> bool:
    """Whether a chord of :func:`struck_together` is strummed or rolled: its notes start
    on more than one tick, and there are :data:`STRUM_NOTES` or more (two notes a few
    ticks apart are a melody's timing, a flam, as often as a chord)."""
    return len(chord) >= STRUM_NOTES and len({n.start for n in chord}) > 1


__all__ = ["STRUM_GAP", "STRUM_NOTES", "STRUM_SPAN", "struck_together", "strummed"]
