"""Notes named as their score writes them: a note's own spelling, else by its neighbours,
else by its key.

A note imported from MusicXML, or typed in step entry with a sharp or flat, keeps the
name it was written with (``Note.spelling``). A note without one — played, drawn, a
model's — is named by the notes around it that have one, in every pitched track
(:data:`NEIGHBOURHOOD_BEATS` either side of its onset), so a harmony written under a
melody spells as the melody does:

1. the same pitch class spelt nearby: its spelling (the melody's B♭ ⇒ the alto's B♭);
2. else a spelt note a fifth from one of its two names: that name (E♭ next to a B♭, D♯
   next to a G♯ or an A♯), the name with more such neighbours;
3. else, or on a tie, the key's rule (:func:`~.spelling.pitch_name`).

Without a spelt note in the song (a MIDI file, a new song) every note is named by the
key, as before.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from .song import Note, Song
from .spelling import (
    FLAT_NAMES,
    NOTE_NAMES,
    spelled_name,
    spelling_fifths,
    spelling_of,
    spelling_pitch_class,
)

# How far around a note its neighbours are looked for, in beats (quarters) each side of
# its onset: four bars of 4/4, about a phrase. On music21's 408 Bach chorales, the
# soprano's spellings kept and the lower voices named by this rule, 99.29% of their 19,541
# black keys are as Bach wrote them (99.06% by the key alone; 99.25% within 2 beats,
# 99.26% within 8, 99.30% within 32: benchmarks/bench_spelling.py); 8 beats left two of
# Psalm 43's bass B♭s (a 4/2 tune: 8 beats is a bar) A♯.
NEIGHBOURHOOD_BEATS = 16


@dataclass(frozen=True, slots=True)
class _Spelt:
    start: int
    pitch_class: int
    spelling: str
    fifths: int


class NoteNames:
    """Names the notes of ``song`` (its state when made: make another after an edit),
    looking ``reach_beats`` quarters either side of a note for its neighbours."""

    def __init__(self, song: Song, reach_beats: float = NEIGHBOURHOOD_BEATS) -> None:
        self.song = song
        spelt = sorted((_Spelt(n.start, spelling_pitch_class(n.spelling), n.spelling,
                               spelling_fifths(n.spelling))
                        for t in song.tracks if not t.is_drum
                        for n in t.notes if n.spelling is not None),
                       key=lambda s: s.start)
        self._spelt = spelt
        self._starts = [s.start for s in spelt]
        self._reach = round(reach_beats * song.ppq)
        self._by_id: dict[int, Note] | None = None

    @property
    def spelt(self) -> bool:
        """Whether any note of the song has a spelling of its own (else every note is
        named by its key, :func:`~.spelling.pitch_name`)."""
        return bool(self._spelt)

    def spelling(self, note: Note) -> str:
        """``note``'s name without its octave (``"Bb"``): its own, else :meth:`spelling_at`."""
        return note.spelling or self.spelling_at(note.pitch, note.start)

    def name(self, note: Note) -> str:
        """``note``'s name with its octave (``"Bb4"``, ``"Cb4"`` for MIDI 59 spelt so)."""
        return spelled_name(note.pitch, self.spelling(note))

    def spelling_at(self, pitch: int, tick: int) -> str:
        """The name of a note of ``pitch`` starting at ``tick`` that has none of its own (a
        new one: a take's, a model's), without its octave, by the rule above."""
        key = self.song.key_at(tick)
        pc = pitch % 12
        if NOTE_NAMES[pc] == FLAT_NAMES[pc] or not self._spelt:  # a white key: natural
            return spelling_of(pitch, key)
        around = self._around(tick)
        same = [s for s in around if s.pitch_class == pc]
        if same:  # the nearest (the earlier of two as near)
            return min(same, key=lambda s: (abs(s.start - tick), s.start)).spelling
        sharp, flat = NOTE_NAMES[pc], FLAT_NAMES[pc]
        votes = [sum(abs(s.fifths - spelling_fifths(name)) == 1 for s in around)
                 for name in (sharp, flat)]
        if votes[0] != votes[1]:
            return sharp if votes[0] > votes[1] else flat
        return spelling_of(pitch, key)

    def name_at(self, pitch: int, tick: int) -> str:
        """:meth:`spelling_at` with the octave (``"Bb4"``)."""
        return spelled_name(pitch, self.spelling_at(pitch, tick))

    def name_of_id(self, note_id: int) -> str | None:
        """The name of the note with id ``note_id`` (a piano roll's label), None for none."""
        if self._by_id is None:
            self._by_id = {n.id: n for t in self.song.tracks for n in t.notes}
        note = self._by_id.get(note_id)
        return None if note is None else self.name(note)

    def _around(self, tick: int) -> list[_Spelt]:
        lo = bisect.bisect_left(self._starts, tick - self._reach)
        hi = bisect.bisect_right(self._starts, tick + self._reach)
        return self._spelt[lo:hi]
