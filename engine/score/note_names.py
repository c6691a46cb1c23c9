"""Notes named as their score writes them: a note's own spelling, else by its neighbours,
its chord and its line, else by its key.

A note imported from MusicXML, or typed in step entry with a sharp or flat, keeps the
name it was written with (``Note.spelling``). A black key without one — played, drawn, a
model's — in a song with spelt notes is named, in this order:

1. by the notes around it that have a spelling, in every pitched track
   (:data:`NEIGHBOURHOOD_BEATS` either side of its onset), so a harmony written under a
   melody spells as the melody does: the same pitch class spelt nearby, its spelling (the
   melody's B♭ ⇒ the alto's B♭); else, in a minor key, a raised 6th, 7th or 3rd as the
   sharp of the scale's letter (:func:`~.spelling.minor_raised_spelling`: C♯ in D minor,
   not D♭ against a B♭ and an F); else a spelt note a fifth from one of its two names,
   that name (E♭ next to a B♭, D♯ next to a G♯ or an A♯), the name with more of them;
2. else by its chord: the notes sounding with it in any track that are named already
   (their own spellings, white keys, black keys named before it), the name that keeps
   them stacked in thirds and fifths — the fewer places it spans on the line of fifths
   (C–E♭ with A♭, not G♯; B♭–D with A♭);
3. else by its line: rising a semitone to its track's next note, a sharp (G♯→A); falling
   one, a flat (A♭→G);
4. else, or on a tie, by the key's rule (:func:`~.spelling.pitch_name`).

Without a spelt note in the song (a MIDI file, a new song) every note is named by the
key, as before. On music21's Bach chorales, the lower parts named so with the soprano's
spellings kept, 99.43% of 19,541 black keys are as Bach wrote them (99.29% by rule 1
alone, 99.06% by the key; rules 2-3 also in songs of no spellings: 99.64%; the line
before the chord: 98.08%: benchmarks/bench_spelling.py); Psalm 43 harmonized in F
major had G♯ in C–E♭–G♯ (choir director's QA).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from .song import Note, Song
from .spelling import (
    FLAT_NAMES,
    NOTE_NAMES,
    minor_raised_spelling,
    spelled_name,
    spelling_fifths,
    spelling_of,
    spelling_pitch_class,
)

# How far around a note its neighbours are looked for, in beats (quarters) each side of
# its onset: four bars of 4/4, about a phrase. On music21's 408 Bach chorales, the
# soprano's spellings kept and the lower voices named by this rule alone, 99.29% of their 19,541
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


@dataclass(frozen=True, slots=True)
class _Placed:
    note: Note
    track: int


@dataclass(frozen=True, slots=True)
class _Line:
    starts: list[int]
    notes: list[Note]


@dataclass(frozen=True, slots=True)
class _Index:
    """The song's pitched notes by onset, every track's and each track's own."""

    notes: list[_Placed]
    starts: list[int]
    longest: int
    by_id: dict[int, _Placed]
    tracks: dict[int, _Line]

    @staticmethod
    def of(song: Song) -> _Index:
        placed = sorted((_Placed(n, i) for i, t in enumerate(song.tracks) if not t.is_drum
                         for n in t.notes), key=lambda p: p.note.start)
        tracks = {}
        for i, t in enumerate(song.tracks):
            if not t.is_drum:
                notes = sorted(t.notes, key=lambda n: n.start)
                tracks[i] = _Line([n.start for n in notes], notes)
        return _Index(placed, [p.note.start for p in placed],
                      max((p.note.duration for p in placed), default=0),
                      {p.note.id: p for p in placed}, tracks)


def _black(note: Note) -> bool:
    return NOTE_NAMES[note.pitch % 12] != FLAT_NAMES[note.pitch % 12]


def _by_chord(pitch: int, chord: list[int]) -> str | None:
    """The name of a black key that keeps ``chord`` (line of fifths places) stacked in
    thirds and fifths: the one spanning fewer fifths with it (C–E♭ with A♭: 4, with G♯:
    11), None for none or a tie (C–E with G♯ or A♭: 8 either way)."""
    if not chord:
        return None
    lo, hi = min(chord), max(chord)
    sharp, flat = NOTE_NAMES[pitch % 12], FLAT_NAMES[pitch % 12]
    spans = [max(hi, f) - min(lo, f) for f in (spelling_fifths(sharp), spelling_fifths(flat))]
    if spans[0] == spans[1]:
        return None
    return sharp if spans[0] < spans[1] else flat


def _by_line(pitch: int, next_pitches) -> str | None:
    """A black key rising a semitone to its line's next note is a sharp (G♯→A), falling
    one a flat (A♭→G); None for neither or both."""
    up, down = pitch + 1 in next_pitches, pitch - 1 in next_pitches
    if up == down:
        return None
    return NOTE_NAMES[pitch % 12] if up else FLAT_NAMES[pitch % 12]


_DEPTH = 8  # how many chords back a held black key is decided to name the one struck under it


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
        self._index_made: _Index | None = None  # every pitched note, made when first asked
        self._decided: dict[int, str] = {}  # note id → the name the rule gave it

    @property
    def spelt(self) -> bool:
        """Whether any note of the song has a spelling of its own (else every note is
        named by its key, :func:`~.spelling.pitch_name`)."""
        return bool(self._spelt)

    def spelling(self, note: Note) -> str:
        """``note``'s name without its octave (``"Bb"``): its own, else for a note of the
        song the rule above (its chord, its line, its neighbours, its key), else
        :meth:`spelling_at`."""
        if note.spelling:
            return note.spelling
        if not _black(note) or not self._spelt:  # natural; a song of no spellings: the key
            return spelling_of(note.pitch, self.song.key_at(note.start))
        index = self._index()
        placed = index.by_id.get(note.id)
        if placed is None or placed.note.pitch != note.pitch or placed.note.start != note.start:
            return self.spelling_at(note.pitch, note.start)  # not the song's (an edit's)
        return self._decide(placed, 0)

    def name(self, note: Note) -> str:
        """``note``'s name with its octave (``"Bb4"``, ``"Cb4"`` for MIDI 59 spelt so)."""
        return spelled_name(note.pitch, self.spelling(note))

    def spelling_at(self, pitch: int, tick: int) -> str:
        """The name of a note of ``pitch`` starting at ``tick`` that has none of its own and
        is not the song's (a take's on screen), without its octave, by the rule above
        less its line (it has none in the song)."""
        pc = pitch % 12
        if NOTE_NAMES[pc] == FLAT_NAMES[pc] or not self._spelt:  # natural; by the key
            return spelling_of(pitch, self.song.key_at(tick))
        return (self._by_neighbours(pitch, tick) or _by_chord(pitch, self._chord_at(tick, None, 0))
                or spelling_of(pitch, self.song.key_at(tick)))

    def _decide(self, placed: _Placed, depth: int) -> str:
        """The name of ``placed`` (a black key of the song without a spelling of its own),
        deciding with it the other such notes struck at its onset: first those their
        neighbours name, then those their chords name (each named one helping to name the
        next), then the rest by their lines, else their key."""
        decided = self._decided.get(placed.note.id)
        if decided is not None:
            return decided
        tick = placed.note.start
        index = self._index()
        lo, hi = bisect.bisect_left(index.starts, tick), bisect.bisect_right(index.starts, tick)
        struck = [p for p in index.notes[lo:hi] if p.note.spelling is None and _black(p.note)]
        for p in struck:  # the spellings written nearby first
            choice = self._by_neighbours(p.note.pitch, tick)
            if choice is not None:
                self._decided[p.note.id] = choice
        sounding = self._chord_at(tick, struck, depth)
        pending = [p for p in struck if p.note.id not in self._decided]
        while pending:  # the chord first: each note named by it helps name the others
            named = []
            for p in pending:
                others = sounding + [spelling_fifths(self._decided[q.note.id])
                                     for q in struck if q.note.id in self._decided]
                choice = _by_chord(p.note.pitch, others)
                if choice is not None:
                    self._decided[p.note.id] = choice
                    named.append(p)
            if not named:
                break
            pending = [p for p in pending if p not in named]
        key = self.song.key_at(tick)
        for p in pending:
            self._decided[p.note.id] = (_by_line(p.note.pitch, self._next(p))
                                        or spelling_of(p.note.pitch, key))
        return self._decided[placed.note.id]

    def _by_neighbours(self, pitch: int, tick: int) -> str | None:
        """Rules 1 and 2: the spelt notes nearby (none: None)."""
        pc = pitch % 12
        around = self._around(tick)
        same = [s for s in around if s.pitch_class == pc]
        if same:  # the nearest (the earlier of two as near)
            return min(same, key=lambda s: (abs(s.start - tick), s.start)).spelling
        raised = minor_raised_spelling(pitch, self.song.key_at(tick))
        if raised is not None:  # a minor key's raised 6th, 7th or 3rd: its sharp
            return raised
        sharp, flat = NOTE_NAMES[pc], FLAT_NAMES[pc]
        votes = [sum(abs(s.fifths - spelling_fifths(name)) == 1 for s in around)
                 for name in (sharp, flat)]
        if votes[0] != votes[1]:
            return sharp if votes[0] > votes[1] else flat
        return None

    def _chord_at(self, tick: int, struck: list[_Placed] | None, depth: int) -> list[int]:
        """The line of fifths places of the notes sounding at ``tick`` that are named
        already: their own spellings, white keys (natural), and black keys struck earlier
        (decided first, up to :data:`_DEPTH` chords back); not those of ``struck``."""
        index = self._index()
        hi = bisect.bisect_right(index.starts, tick)
        lo = bisect.bisect_left(index.starts, tick - index.longest)
        skip = {p.note.id for p in struck or ()}
        fifths = []
        for p in index.notes[lo:hi]:
            n = p.note
            if n.id in skip or not (n.start <= tick < n.end or n.start == tick):
                continue
            if n.spelling is not None:
                fifths.append(spelling_fifths(n.spelling))
            elif not _black(n):
                fifths.append(spelling_fifths(NOTE_NAMES[n.pitch % 12]))
            elif n.start < tick and depth < _DEPTH:
                fifths.append(spelling_fifths(self._decide(p, depth + 1)))
        return fifths

    def _next(self, placed: _Placed) -> list[int]:
        """The pitches of the next notes of ``placed``'s track (struck together after it)."""
        line = self._index().tracks[placed.track]
        i = bisect.bisect_right(line.starts, placed.note.start)
        if i == len(line.starts):
            return []
        at = line.starts[i]
        return [n.pitch for n in line.notes[i:bisect.bisect_right(line.starts, at)]]

    def _index(self) -> _Index:
        if self._index_made is None:
            self._index_made = _Index.of(self.song)
        return self._index_made

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
