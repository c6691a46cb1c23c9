"""What a model may write where: editable cells and legal tokens for one masked grid.

:func:`build_problem` turns an encoded window and a mask into the sampler's inputs:

- *editable* cells: the lanes of the masked tracks, at steps inside a region of their
  track, minus the cells of notes that stay (outside the mask, e.g. a note that started
  before the region and still sounds, or one outside the region's pitch range);
- the cells of the notes being replaced are cleared to ``REST`` (also past the mask's
  end, so a replaced note cannot leak out as context);
- *allowed* tokens per cell: drum lanes take ``REST`` or a hit of a class the track's kit
  strikes in the region's band and the user's pitch range (:func:`drum_classes_in`), pitched lanes
  ``REST``, ``HOLD`` or an onset inside the region's pitch range, the track's register
  (its own range :data:`OWN_RANGE_MARGIN` wider each side when it has notes, never past
  its instrument's range; else the instrument's range,
  :func:`engine.score.instruments.instrument_range`, or
  :data:`~engine.score.instruments.VOICE_PART_RANGES` for a part named Soprano, Alto,
  Tenor or Bass: a choir's singable ranges, a voice under a kept melody lying below
  C4 at most a tone lower, :func:`melody_margin`) — or, when
  the user gives a *pitch range* (``GenerateOptions.pitch_range``), that range instead of
  the register, within what the part plays (:func:`playable`) — and, with a key, its
  scale; ``HOLD`` is illegal on the first editable cell after a kept one, so a generated
  note can never lengthen a note outside the mask; with *keep rhythm* each cell keeps the
  kind (rest / hold / onset) it had in the notes being replaced; a written voice part
  (a one-lane track named Soprano, Alto, Tenor or Bass) rests where the music that stays
  is silent for a beat to two bars (:func:`choir_breaths`), comes in again with the music
  after it and holds one chord under a long note the breath follows
  (:func:`phrase_edges`), and never rests where a note that stays sounds
  (:func:`choir_sings`: no 16th rest in mid-phrase);
- a *logit bias* per lane: a soft pull toward the track's register
  (:func:`register_pull`: the range most of its notes lie in, or for an empty track the
  lower middle of its instrument's range), where its register bounds the onsets.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from engine.score import Mask, Note, Song, TimeMap, Track
from engine.score.chords import Chord, recognise_chord, sounding_weights
from engine.score.drums import DrumKit
from engine.score.instruments import (
    SUB_BASS_REGISTER,
    VOICE_MARGIN,
    VOICE_PART_RANGES,
    instrument_range,
    part_range,
    playable_range,
    role_of,
    sub_bass_part,
    voice_part_of,
    voice_part_range,
)
from engine.score.keys import KEYS, key_fit
from engine.score.lyrics import carries_lyrics
from engine.score.spelling import key_on, scale_pitch_classes, tonic_of

from . import vocab
from .chord_follow import (
    beat_cells,
    chord_guide,
    chord_role,
    chord_tones_allowed,
    clash_classes,
    follow_chords,
    hold_only_common_tones,
    semitone_from,
    sing_line,
    walk_bass,
)
from .grid import SOLO_PROGRAMS, EncodedSong, step_in_bar
from .kick_lock import kick_pull, locks_to_kick
from .line_pull import N_CHANNELS
from .rule_drums import ORCHESTRA_KIT, TIMPANI_PROGRAM
from .voicing import FIFTHS_PROGRAMS, FIFTHS_REGISTER

# A track with at least this many notes is written in its own register, this many
# semitones wider each side (a regenerated bass line stays a bass line: with 5 the small
# model's pull to the middle register put a regenerated demo bass an octave up, at the cap).
OWN_RANGE_NOTES = 8
OWN_RANGE_MARGIN = 2
# Nats taken from an onset's logit per semitone it lies outside the range most of a
# track's notes lie in (:data:`OWN_SPAN` percentiles of its pitches): the soft edge of its
# register, inside the hard margin. Within that range, :data:`MIDDLE_PULL` per semitone
# outside its middle half (interquartile range): a lean toward where it mostly plays.
# Pulled by 0.5 toward the middle half alone, rewritten parts kept a third of their range
# (a QA's harmonized alto sax 32 -> 9 semitones, 90 % of its new notes in that middle half
# against 62 % of its own); with no lean inside the wide range they overshot (40-51 % in
# it, more notes at the part's extremes): benchmarks/bench_shape.py.
REGISTER_PULL = 0.5
MIDDLE_PULL = 0.15
OWN_SPAN = (5.0, 95.0)
# And this many more per semitone past its lowest and highest notes: the range widened,
# a part's edges stay its edges (a 9-semitone piano right hand got 5 % of its new notes
# past them with the two pulls above alone; 1 % with the middle-half pull).
EDGE_PULL = 2.0
_PITCH_CLASS = np.arange(vocab.N_PITCHES) % 12

# Nats taken from a drum class a kit with notes never plays (bench_drum_kit.py): a DAW
# rack has no pad for it, and its stock note would sound nothing or the wrong sample.
KIT_PULL = 2.0
# The drum classes an Orchestra kit leans away from (:func:`kit_pull`): closed and open
# hi-hat, low and high tom.
ORCHESTRA_AVOIDS = tuple(k for k, (name, _, _) in enumerate(vocab.DRUM_CLASSES)
                         if name in ("closed hat", "open hat", "low tom", "high tom"))
# A timpani part (GM 47) is written on its drums' tunings: the tonic and dominant in
# D2-A3 (:func:`timpani_drums`).
TIMPANI_RANGE = (38, 57)
# An empty track's middle register: this part of its instrument's range (0 = lowest,
# 1 = highest). Parts sit in the lower middle of what an instrument can play; without the
# pull the small general model wrote every instrument near middle C, so a tuba or a bass
# composed from nothing sat at the top of its range (medians at 0.8–0.9 of it) and a
# piccolo at the bottom.
TESSITURA = (0.2, 0.55)


@dataclass(frozen=True, slots=True)
class Cadence:
    """The close of a harmonized melody: from ``tick`` (the melody's last note) every
    written pitched part strikes a note of the tonic chord with the melody and holds it to
    the end, the bass (if one is written) on the ``tonic`` itself, and one voice on the
    ``third`` unless the melody has it (a chord of roots and fifths is no close: QA found
    bare fifths in 2 of 33 takes); the other voices then take the root or the fifth (a
    doubled third, QA: 10 of 39 takes; Bach: 0 of 12). One-lane parts below a kept
    ``melody`` stay at or under its last note (QA: an alto's E4 over a tune ending on
    middle C)."""

    tick: int
    tonic: int
    chord: frozenset[int]  # pitch classes: the tonic triad (in minor, either third)
    bass: int | None  # track id
    voices: frozenset[int]  # the other written pitched tracks
    third: frozenset[int] = frozenset()  # its pitch classes; empty: the melody holds it
    lead: int | None = None  # a written melody: it lands on the tonic (a piece's close)
    kits: frozenset[int] = frozenset()  # written drum tracks: one hit, then silence
    melody: tuple[int, int] | None = None  # a kept melody: its track id and last pitch
    # The melody's note before its last where it steps 2–1 or 7–1 on a beat: the tick
    # the chord before the close strikes, a dominant under it (an authentic cadence).
    approach: int | None = None
    # The low lines that close on the tonic (the bass among them) at a piece's close
    # where no part is a bass (:func:`_low_lines`), under every other one-line part.
    roots: frozenset[int] = frozenset()


def final_cadence(song: Song, mask: Mask, key: str | None,
                  named: bool = False) -> Cadence | None:
    """The :class:`Cadence` a harmonization needs when it writes through the end of the
    piece: one unmasked pitched track (the melody) whose last note starts inside the mask
    and ends the key's tonic — of ``key`` or of its relative major/minor, which a melody
    alone cannot tell apart — or, for a key the user ``named``, any note of its tonic
    triad; the bass is the one written track named Bass or playing a bass instrument (none
    when there is not exactly one). A melody ending on the key's 2nd degree or leading tone
    gets a half close on the dominant chord (:func:`_half_close`). None otherwise (no clear
    key, another last note): the model then decides alone. QA found a plain G-major hymn
    ending on vi or IV in 6 of 8 chorale takes, and an 8-bar D-major tune harmonized with
    Piano and Bass ending on D in the bass in 1 of 8 takes, on a D chord in the piano in 1
    of 8."""
    if mask.is_empty:
        return None
    written = mask.track_ids
    parts = [t for t in song.tracks if t.id in written and not t.is_drum]
    melody = _kept_melody(song, mask)
    if not parts or melody is None:
        return None
    bass_id = _written_bass(parts)
    last = max(melody.notes, key=lambda n: (n.start, n.pitch))
    lo, hi = mask.span
    if not lo <= last.start < hi or hi < last.end:
        return None
    closing = closing_key(melody.notes, last, key, named)
    closes = _closes_on(closing, last.pitch % 12, named) if closing is not None else None
    if not closes:
        half = _half_close(key, last, parts, bass_id) if key is not None else None
        return replace(half, melody=(melody.id, last.pitch)) if half else None
    tonic, minor, triad = closes
    chord = triad | ({(tonic + 4) % 12} if minor else set())  # a minor chorale may end major
    third = frozenset({(tonic + 4) % 12} | ({(tonic + 3) % 12} if minor else set()))
    if minor and last.pitch % 12 != (tonic + 3) % 12 and all(
            voice_part_range(t.name, t.program, t.is_drum) is not None for t in parts):
        # Voice parts end a minor tune on the major chord, as Bach's chorales do (123 of
        # the 140 minor ones in JSB train and valid; 2 end with no third): a choir
        # director's QA found 0 of 3 minor hymns closing with a Picardy third.
        chord = frozenset({tonic, (tonic + 4) % 12, (tonic + 7) % 12})
        third = frozenset({(tonic + 4) % 12})
    elif minor:
        # One third, not both in two voices (a blues read as F minor closed on A and A♭
        # together: a jazz arranger's QA): the one the song's last chord symbol on the
        # tonic has (F7: A), else the melody's own where it ends on one, else minor's.
        one = _closing_third(song, tonic, last.pitch % 12)
        chord = frozenset({tonic, one, (tonic + 7) % 12})
        third = frozenset({one})
    return Cadence(last.start, tonic, frozenset(chord), bass_id,
                   frozenset(t.id for t in parts) - {bass_id},
                   frozenset() if last.pitch % 12 in third else third,
                   melody=(melody.id, last.pitch),
                   approach=_approach(song, melody.notes, last, tonic, lo))


def _closing_third(song: Song, tonic: int, last_pc: int) -> int:
    """The third of a minor-key close that is not sung by a choir: the third of the last
    chord symbol rooted on the ``tonic`` (a major one: the major third), else the
    melody's last note where it is a third, else the minor third."""
    from engine.score.chord_symbols import parse_chord_symbol

    for symbol in reversed(song.chords):
        tones = parse_chord_symbol(symbol.text)
        if tones is not None and tones.root == tonic:  # (tones: pitch classes)
            for third in ((tonic + 4) % 12, (tonic + 3) % 12):
                if third in tones.tones:
                    return third
    if last_pc in ((tonic + 3) % 12, (tonic + 4) % 12):
        return last_pc
    return (tonic + 3) % 12


def _approach(song: Song, notes: Sequence[Note], last: Note, tonic: int, lo: int
              ) -> int | None:
    """The start of the melody's note before ``last`` when it is the 2nd degree or the
    leading tone stepping to the tonic, struck on a beat inside the mask (from ``lo``)
    and at least an eighth long: the chord there is the dominant, so the close is an
    authentic cadence. A choir director's QA: a hymn's A–G–F ending closed IV–I or
    ii–I in every take, its bass moving in octaves with the tune into the last chord.
    None otherwise (the model decides)."""
    before = [n for n in notes if n.start < last.start]
    if not before:
        return None
    pen = max(before, key=lambda n: (n.start, n.pitch))
    steps = pen.pitch % 12 in ((tonic + 2) % 12, (tonic + 11) % 12)
    if not steps or abs(last.pitch - pen.pitch) > 2 or pen.start < lo \
            or pen.end < last.start - song.ppq // 4 or pen.duration < song.ppq // 2:
        return None
    tm = TimeMap.of(song)
    on_beat = (pen.start - tm.bar_to_tick(tm.tick_to_bar(pen.start))) % song.ppq == 0
    return pen.start if on_beat else None


def _half_close(key: str, last: Note, parts: Sequence[Track],
                bass_id: int | None) -> Cadence | None:
    """A melody ending on the key's 2nd degree or its leading tone ends on the dominant
    chord (a half close), the bass on the dominant: the model alone put a B under C–E–F
    below a C-major tune's final D (a producer's QA). None for any other last note (the
    5th can close on I or V: the model decides)."""
    tonic, _ = tonic_of(key)
    pc = last.pitch % 12
    if pc not in ((tonic + 2) % 12, (tonic + 11) % 12):
        return None
    dominant = (tonic + 7) % 12
    leading = (tonic + 11) % 12  # major in minor keys too: a half close's V is major
    chord = frozenset({dominant, leading, (tonic + 2) % 12})
    return Cadence(last.start, dominant, chord, bass_id,
                   frozenset(t.id for t in parts) - {bass_id},
                   frozenset() if pc == leading else frozenset({leading}))


@dataclass(frozen=True, slots=True)
class Opening:
    """The first chord of a harmonized chorale: at ``tick`` (the melody's first note) each
    written voice part strikes a note of ``chord`` with it, the bass its ``root``, the
    highest other voice the ``third`` unless the melody has it (``melody_third``), the
    others the root or the fifth (a doubled third is no opening either)."""

    tick: int
    root: int
    chord: frozenset[int]  # pitch classes
    third: int
    melody_third: bool = False
    below: int = 127  # the highest pitch a voice may open on: under a soprano's first note


def opening_chord(song: Song, mask: Mask, key: str | None,
                  named: bool = False) -> Opening | None:
    """The :class:`Opening` of a harmonization that writes from the melody's first note:
    one unmasked pitched track (the melody) whose first note starts inside the mask. On a
    note of the tonic triad (the tune's 1st, 3rd or 5th degree) it opens on I, on the 2nd
    degree or the leading tone on V; on another degree the model decides. The key is
    ``key`` — or, unless the user ``named`` it, its relative when the melody ends on the
    relative's tonic (as :func:`final_cadence` reads it) — else the one the melody's ending
    names (:func:`ending_key`), which also wins when the mask writes through the melody's
    end and ``key`` does not close it: the piece opens in the key it closes in
    (:func:`closing_key`, which :func:`final_cadence` reads too). Bach's
    basses open on the tonic in 20 of 24 of the first 12 valid chorales (two seeds each,
    the same count); chorale-jsb alone put 7 of 24 there (a B♭ under a B-minor tune's
    first note), and 19 of 24 while a soprano with a few F♯s ending on A read as G major
    (benchmarks/bench_chorale.py: 22 of 24 since). None without a key or a first note in
    the mask."""
    if mask.is_empty:
        return None
    melody = _kept_melody(song, mask)
    if melody is None:
        return None
    notes = melody.notes
    first = min(notes, key=lambda n: (n.start, -n.pitch))
    last = max(notes, key=lambda n: (n.start, n.pitch))
    lo, hi = mask.span
    if not lo <= first.start < hi:
        return None
    if key is None or (last.start < hi and last.end <= hi):
        # A piece written through its end opens in the key it closes in, as
        # final_cadence reads it (a soprano whose rare F♯s read as G major, ending on A,
        # opens in A minor); the key around when its ending names none.
        key = closing_key(notes, last, key, named) or key
    if key is None:
        return None
    tonic, minor = _ending_tonic(key, last.pitch % 12, named)
    pc = first.pitch % 12
    triad = frozenset({tonic, (tonic + (3 if minor else 4)) % 12, (tonic + 7) % 12})
    third = (tonic + (3 if minor else 4)) % 12
    # Under a soprano (a top voice, named so or not a lower voice part) the voices open
    # below her first note: held to a chord tone each, an alto opened a third above her
    # in 2 of 24 chorales (a choir director's QA).
    below = first.pitch if voice_part_of(melody.name) in (None, "soprano") else 127
    if pc in triad:
        return Opening(first.start, tonic, triad, third, pc == third, below)
    dominant, leading = (tonic + 7) % 12, (tonic + 11) % 12
    if pc in ((tonic + 2) % 12, leading):  # V is major in minor keys too
        return Opening(first.start, dominant, frozenset({dominant, leading, (tonic + 2) % 12}),
                       leading, pc == leading, below)
    return None


def _open(lane_allowed: np.ndarray, cell_ticks: np.ndarray, editable: np.ndarray,
          opening: Opening, role: str = "") -> None:
    """Apply ``opening`` to one voice's allowed tokens (in place): at the melody's first
    note it strikes a chord tone (``role`` "bass": the root; "third": the third), at or
    below ``opening.below`` where its range has one. Left as it was where that cell is
    not written or its range has no such note."""
    at = np.flatnonzero(editable & (cell_ticks == opening.tick))
    if not at.size:
        return
    pcs = ({opening.root} if role == "bass" else {opening.third} if role == "third"
           else opening.chord - {opening.third})
    chord = np.zeros(lane_allowed.shape[1], dtype=bool)
    pitches = np.arange(vocab.N_PITCHES)
    chord[vocab.ONSET : vocab.ONSET + vocab.N_PITCHES] = np.isin(pitches % 12, list(pcs))
    under = chord.copy()
    under[vocab.ONSET : vocab.ONSET + vocab.N_PITCHES] &= pitches <= opening.below
    # Another tone of the chord under her before the voice's own over her: a crossed
    # first chord is heard before any doubling is.
    any_under = np.zeros_like(chord)
    any_under[vocab.ONSET : vocab.ONSET + vocab.N_PITCHES] = (
        np.isin(pitches % 12, list(opening.chord)) & (pitches <= opening.below))
    if role == "bass":
        any_under[:] = False
    for tones in (under, any_under, chord):  # below the soprano if the voice's range allows
        strike = lane_allowed[at[0]] & tones
        if strike.any():
            lane_allowed[at[0]] = strike
            return


# The drum classes a kit may end a piece with.
_KICK, _CRASH = vocab.drum_class_of_note(36), vocab.drum_class_of_note(49)
# The fewest bars a piece written whole must have for its last bar to close it ("auto"
# ending): a one- or two-bar sketch is material to go on from, not a piece.
CLOSE_MIN_BARS = 4


def piece_close(song: Song, mask: Mask, key: str | None, *, always: bool = False
                ) -> Cadence | None:
    """The :class:`Cadence` that ends a piece the mask writes to its end: on the last
    bar's downbeat every written pitched part strikes the tonic chord of ``key`` and holds
    it to the end — the bass (the one written track named Bass or playing a bass; else
    the low one-line parts, under the others: :func:`_low_lines`) the root, the written
    melody (the first written track of the melody role) the tonic, one
    one-lane part the third — and a written kit strikes once and stops.

    By default (``always`` False) only a piece written whole closes: no pitched notes
    outside the mask (a new piece, every part rewritten) and at least
    :data:`CLOSE_MIN_BARS` bars before its end (QA: 4 of 24 composed 8-bar pieces ended
    their melody on the tonic, 2 their bass, most on an offbeat a 16th or an eighth
    before the end). With ``always`` (the user asked for an ending) also a continuation:
    the mask writes every pitched track that plays in the last bar, and one bar before it.
    A kit written alone (a groove composed by itself) closes too, with its one hit. None
    for pitched parts without a key, or when the mask does not reach the song's end."""
    if mask.is_empty:
        return None
    written = mask.track_ids
    parts = [t for t in song.tracks if t.id in written and not t.is_drum]
    kits = frozenset(t.id for t in song.tracks if t.id in written and t.is_drum)
    lo, hi = mask.span
    if (parts and key is None) or not (parts or kits) or hi < song.end:
        return None  # pitched parts close in a key; a kit alone needs none
    pitched = {t.id for t in song.tracks if not t.is_drum}
    kept = [n for t, notes in mask.notes_outside(song).items() if t in pitched for n in notes]
    tm = TimeMap.of(song)
    last_bar = tm.tick_to_bar(hi - 1)
    tick = tm.bar_to_tick(last_bar)
    if always:
        if tick <= lo or any(n.end > tick for n in kept):
            return None
    elif kept or last_bar - tm.tick_to_bar(lo) < CLOSE_MIN_BARS - 1:
        return None
    if not parts:  # a groove alone: one last hit on the downbeat
        return Cadence(tick, 0, frozenset(), None, frozenset(), kits=kits)
    tonic, minor = tonic_of(key)
    third = (tonic + (3 if minor else 4)) % 12
    bass_id = _written_bass(parts)
    lead = next((t.id for t in parts if t.id != bass_id
                 and role_of(t.program, t.is_drum) == "melody"), None)
    roots: frozenset[int] = frozenset()
    if bass_id is None:  # no bass among them: the low lines close on the root
        low = _low_lines(parts, lead)
        bass_id, roots = (low[0], frozenset(low)) if low else (None, roots)
    voices = frozenset(t.id for t in parts) - {bass_id, lead} - roots
    return Cadence(tick, tonic, frozenset({tonic, third, (tonic + 7) % 12}), bass_id, voices,
                   frozenset({third}), lead, kits, roots=roots)


# The GM families of an orchestra's sections (strings, brass, reeds, pipes), whose
# lowest member plays the bass line.
_SECTIONS = frozenset({5, 7, 8, 9})


def _written_bass(parts: Sequence[Track]) -> int | None:
    """The written part that takes the root in a close: the one track named Bass, else the
    one playing a bass instrument, else, among parts of one orchestral section
    (:data:`_SECTIONS`: harmonize's Violin II, Viola and Cello, named after their
    instruments), the one lowest by its instrument's range; None when there is not
    exactly one."""
    bass = [t for t in parts if t.name.strip().lower() == "bass"] or [
        t for t in parts if role_of(t.program, t.is_drum) == "bass"]
    families = {t.program // 8 for t in parts if not t.is_drum}
    if not bass and len(parts) > 1 and len(families) == 1 and families <= _SECTIONS and not any(
            t.is_drum for t in parts):
        lows = sorted(parts, key=lambda t: instrument_range(t.program)[0])
        if instrument_range(lows[0].program)[0] < instrument_range(lows[1].program)[0]:
            bass = lows[:1]
    return bass[0].id if len(bass) == 1 else None


# A one-line part whose instrument reaches down to within this many semitones of the
# lowest one's may sound lowest at a close: it takes the root too.
LOW_LINE_SPAN = 12


def _low_lines(parts: Sequence[Track], lead: int | None) -> list[int]:
    """The written parts a piece's close gives the root where none is its bass
    (:func:`_written_bass`), lowest first: the one-line parts (a solo string, a wind, a
    brass, a bass; not a keyboard's or a section's chords, nor the ``lead``) whose
    instrument reaches down to within :data:`LOW_LINE_SPAN` of the lowest one's (cello
    and bassoon, not viola), of two alike the later first (Bassoon 2 under Bassoon 1):
    whichever sounds lowest closes on the tonic. A composer's QA: composed with winds
    and strings and no bass, the lowest part closed on the tonic's 5th (a second
    inversion: A under D major) in 5 of 8 pieces. Empty when there is no such part."""
    lines = [(i, t) for i, t in enumerate(parts) if t.id != lead and (
        t.program in SOLO_PROGRAMS or role_of(t.program, t.is_drum) in ("bass", "melody"))]
    lines.sort(key=lambda it: (*instrument_range(it[1].program), -it[0]))
    if not lines:
        return []
    floor = instrument_range(lines[0][1].program)[0]
    return [t.id for _, t in lines if instrument_range(t.program)[0] <= floor + LOW_LINE_SPAN]


def _kept_melody(song: Song, mask: Mask) -> Track | None:
    """The one pitched track with notes the mask does not write (a harmonization's
    melody), or None when there is not exactly one."""
    melodies = [t for t in song.tracks
                if t.id not in mask.track_ids and t.notes and not t.is_drum]
    return melodies[0] if len(melodies) == 1 else None


def _ending_tonic(key: str, last_pc: int, named: bool) -> tuple[int, bool]:
    """``(tonic, minor)`` of ``key`` as a melody ending on ``last_pc`` reads it: its
    relative's when the tune ends on that tonic (C major's notes ending on A: A minor),
    unless the user ``named`` the key."""
    tonic, minor = tonic_of(key)
    relative = (tonic + (3 if minor else -3)) % 12
    if not named and last_pc == relative:
        tonic, minor = relative, not minor
    return tonic, minor


def _closes_on(key: str, last_pc: int, named: bool
               ) -> tuple[int, bool, set[int]] | None:
    """``(tonic, minor, triad)`` of the close a melody ending on ``last_pc`` makes in
    ``key`` — its tonic, or its relative's (which a melody cannot tell apart), or for a
    key the user named any note of its tonic triad — else None."""
    tonic, minor = _ending_tonic(key, last_pc, named)
    triad = {tonic, (tonic + (3 if minor else 4)) % 12, (tonic + 7) % 12}
    if last_pc != tonic and not (named and last_pc in triad):
        return None
    return tonic, minor, triad


def closing_key(notes: Sequence[Note], last: Note, key: str | None,
                named: bool = False) -> str | None:
    """The key a piece written through its melody's ``last`` note closes in, as both
    :func:`final_cadence` and :func:`opening_chord` read it: ``key`` when that note
    closes it (:func:`_closes_on`: its tonic, or its relative's; any note of its tonic
    triad for a key the user ``named``), else — unless the user named it — the key the
    melody's own ending names (:func:`ending_key`: no clear key around, or one the tune
    does not end in, as G major's notes with an F♯ ending on A, in A minor). None when
    neither."""
    if key is not None and _closes_on(key, last.pitch % 12, named) is not None:
        return key
    return None if named else ending_key(notes, last)


ENDING_FIT = 0.85  # share of a melody's notes a key on its last note must hold
ENDING_SLACK = 0.05  # ... and no other key may hold more than this share more


def ending_key(notes: Sequence[Note], last: Note) -> str | None:
    """The major (else minor) key on a melody's last note, when the music around names no
    key clearly and the melody's notes fit it about as well as any key: a C-major chorale
    tune with three B♭s ends in C, a pentatonic hymn on G in G. None for a tune that ends
    elsewhere (a G-major tune on its third, B) or fits no key (modal, wandering)."""
    pcs = [n.pitch % 12 for n in notes]
    fits = [(key_fit(k, pcs), k) for k in (key_on(last.pitch, False), key_on(last.pitch, True))]
    fit, key = max(fits, key=lambda f: f[0])  # a tie: major, the first
    best = max(key_fit(k, pcs) for k in KEYS)
    return key if fit >= ENDING_FIT and fit >= best - ENDING_SLACK else None


@dataclass(frozen=True, slots=True, eq=False)
class Problem:
    """Sampler inputs for one encoded window."""

    tokens: np.ndarray  # (L, T) int64, replaced notes cleared
    editable: np.ndarray  # (L, T) bool
    allowed: np.ndarray  # (L, T, V) bool
    logit_bias: np.ndarray | None = None  # (L, V) float32 nats, the sampler's logit_bias
    pitch_pull: np.ndarray | None = None  # (L, T, 12) float32 nats, the sampler's pitch_pull
    line_pull: np.ndarray | None = None  # (L, T, 10) float32 nats, the sampler's line_pull
    held_clash: np.ndarray | None = None  # (L, T, 12) bool, the sampler's held_clash


def build_problem(
    encoded: EncodedSong,
    song: Song,
    mask: Mask,
    write: Collection[int],
    *,
    key: str | None = None,
    keep_rhythm: bool = False,
    pitch_range: tuple[int, int] | None = None,
    cadence: Cadence | None = None,
    opening: Opening | None = None,
    chords: bool = True,
    swing: bool = False,
) -> Problem:
    """Editable cells, cleared tokens and legal tokens for writing tracks ``write``.

    ``pitch_range`` (``(lo, hi)``, inclusive; the user's explicit range) bounds the onsets
    of pitched lanes and replaces the track's automatic register (so 55–64 on a bass
    playing 34–45 writes in 55–64, not nothing), within what the part can play
    (:func:`playable`: C0–C8 on a violin is G3–C8). The mask region's pitch band still
    applies: where band and range do not meet, the band with the register does, or the
    band alone (a note outside the band is not in the mask); without a range, a band the
    part's register does not reach gets no new note (a bass is never written at A5 for a
    lead's band).
    A key whose scale leaves no pitch in what is left is ignored there (the range wins
    over the key), as it is without a range. On drum lanes a class may be struck where
    one of the notes its track's kit strikes for it (:meth:`EncodedSong.kit`) lies in the
    band and in ``pitch_range`` (drum notes are pitches to a DAW: 35-46 is kick to toms).
    With ``chords`` (``GenerateOptions.follow_chords``) the written pitched parts follow
    the song's chord symbols where one is in force (:mod:`engine.models.chord_follow`:
    its tones legal beside the key's, a bass on the chord's bass note where it changes);
    where the music swings its 8ths (``swing``: :func:`engine.models.groove.swings`) a written
    one-lane bass walks there (:func:`~engine.models.chord_follow.walk_bass`), unless
    ``keep_rhythm``; a written one-lane tune sings
    (:func:`~engine.models.chord_follow.sing_line`), keep rhythm or not, and with no
    chords to follow too (its line alone: nothing held into a change of chord).
    """
    tokens = encoded.tokens.copy()
    L, T = tokens.shape
    V = vocab.VOCAB_SIZE
    editable = np.zeros((L, T), dtype=bool)
    allowed = np.ones((L, T, V), dtype=bool)
    logit_bias = np.zeros((L, V), dtype=np.float32)
    cell_ticks = encoded.step_ticks[:-1]
    inside = mask.notes_inside(song)
    scale = scale_pitch_classes(key) if key else None
    pitch_ok = np.array([scale is None or p % 12 in scale for p in range(vocab.N_PITCHES)])
    p = np.arange(vocab.N_PITCHES)
    user = None
    if pitch_range is not None:
        lo, hi = sorted(int(x) for x in pitch_range)
        user = (p >= lo) & (p <= hi)

    lanes_of = {t: encoded.lane_tracks.count(t) for t in encoded.lane_tracks}
    timpani = {t for t in write if not song.track(t).is_drum
               and song.track(t).program == TIMPANI_PROGRAM}
    timpani_ok = timpani_drums(key) if timpani else None
    melody = _kept_melody(song, mask)  # the tune a written choir's ranges make room under
    # A bass under chords that stay strikes the chord's root on the bar's first beat (a
    # chord tone where the chord is not clear).
    bass_parts = {t for t in write if lanes_of.get(t) == 1 and not song.track(t).is_drum
                  and role_of(song.track(t).program, False) == "bass"}
    guide = chord_guide(song, encoded.step_ticks) if chords else None
    downbeats = (np.flatnonzero(step_in_bar(encoded.beat_pos) == 0) if bass_parts
                 else np.zeros(0, int))
    if guide is not None:  # where a chord symbol is in force, it names the root
        downbeats = downbeats[(guide.chord[downbeats] < 0) & ~guide.tacet[downbeats]]
    chord_pcs = (_sounding_classes(song, write, cell_ticks[downbeats]) if bass_parts
                 else [])
    chords = (downbeat_chords(song, write, cell_ticks[downbeats]) if bass_parts else [])
    # ... and leans to the tones they sound between downbeats too.
    # Onsets a semitone from a note that stays sounding lose out (beats: struck not at all).
    clash = kept_clashes(song, mask, encoded.step_ticks,
                         guide.tones if guide is not None else None)
    strong = None if not clash.any() else (  # the guide has read the beats already
        guide.strong if guide is not None else beat_cells(song, cell_ticks)[0])
    # A written 808 leans to the kicks of the kits that stay (or were written before it).
    lockers = {t for t in write if locks_to_kick(song.track(t))}
    kicks = kick_pull(song, encoded.step_ticks, write) if lockers else None
    if kicks is not None and not kicks.any():
        kicks = None
    pull = (np.zeros((L, T, 12), dtype=np.float32)
            if bass_parts or guide or strong is not None or kicks is not None else None)
    walks = guide is not None and swing and not keep_rhythm
    # A tune's line pulls whether or not the song has chords (a melody lane sings).
    line = np.zeros((L, T, N_CHANNELS), dtype=np.float32)
    held = np.zeros((L, T, 12), dtype=bool) if guide is not None else None
    if pull is not None:
        sounding = kept_classes(song, write, encoded.step_ticks)
        chordal = sounding.sum(axis=1) >= BASS_CHORD_MIN
        for lane, tid in enumerate(encoded.lane_tracks):
            if tid in bass_parts:
                pull[lane, chordal] = CHORD_PULL * sounding[chordal]
    # The cadence's third: the highest written voice with one lane that has it under the
    # melody (a piano's chord lanes sort their own notes out; an alto is the usual home
    # of the final third, the tenor's when the alto's only one is above the tune's end).
    ceilings = _ceilings(song, write, lanes_of, cadence) if cadence is not None else {}
    floors: dict[int, int] = {}
    if cadence is not None and cadence.roots:  # the low lines' root under the others
        for t in cadence.roots & set(write):
            ceilings[t] = _root_ceiling(song, cadence, write, lanes_of, melody)
    third = None
    if cadence is not None and cadence.third:
        singers = sorted((t for t in lanes_of if t in cadence.voices and t in write
                          and lanes_of[t] == 1), key=lambda t: -_part_middle(song.track(t)))
        third = next((t for t in singers if _reaches(song, t, cadence.third,
                                                      ceilings.get(t), melody)), None)
        if third is not None:  # the voices below it close under its third, those above over
            lo, hi = _reaches(song, third, cadence.third, ceilings.get(third), melody)
            below = False
            bass = [cadence.bass] if lanes_of.get(cadence.bass) == 1 else []
            for t in [*singers, *bass]:
                if t == third:
                    below = True
                elif below:
                    ceilings[t] = min(ceilings.get(t, hi), hi)
                else:
                    floors[t] = lo
    # With the third pinned to a voice (or held by the melody), the others take the
    # root or the fifth: a doubled third is no close.
    spare_third = cadence is not None and (third is not None or not cadence.third)
    voices = {t for t in write if lanes_of.get(t) == 1 and voice_part_range(
        song.track(t).name, song.track(t).program, song.track(t).is_drum) is not None}
    kept_around = kept_music(song, mask, cell_ticks) if voices else None
    breaths = (choir_breaths(song, kept_around, encoded.step_ticks)
               if kept_around is not None else None)
    edges = (phrase_edges(song, kept_around, breaths, _kept_melody(song, mask))
             if kept_around is not None
             and breaths is not None else None)
    # ... and sing on where it sings (with keep rhythm, the user's rests stay).
    sings = (choir_sings(kept_around) if kept_around is not None and not keep_rhythm
             else None)
    # ... and move no faster than the tune's beat allows.
    strikes = (beat_figuration(song, cell_ticks) if voices and not keep_rhythm else None)
    # A chorale opens on I (or V): the bass among the voices takes the root, the highest
    # other voice the third unless the melody has it, the rest the root or the fifth.
    opening_bass = _written_bass([song.track(t) for t in voices]) if opening else None
    opening_third = _opening_third_voice(song, voices, opening_bass, opening, melody) if (
        opening is not None and not opening.melody_third) else None
    for lane, track_id in enumerate(encoded.lane_tracks):
        if track_id not in write:
            continue
        ids = encoded.note_ids[lane]
        removed = np.isin(ids, [n.id for n in inside.get(track_id, ())]) & (ids != 0)
        rhythm = np.where(removed, tokens[lane], vocab.REST)
        tokens[lane, removed] = vocab.REST
        kept = (ids != 0) & ~removed
        span = track_register(song, track_id, melody)
        register = (p >= span[0]) & (p <= span[1])
        if user is None and not encoded.drum_lanes[lane]:
            logit_bias[lane, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES] = register_pull(
                song, track_id)
        elif encoded.drum_lanes[lane]:
            logit_bias[lane, vocab.DRUM : vocab.DRUM + vocab.N_DRUM_CLASSES] = kit_pull(
                song.track(track_id), encoded.kit(track_id))
        # The first of these that meets a region's band bounds it; if none does, the track
        # writes no new onset there (a Bass painted with the Lead's G5–C6 band wrote A5),
        # unless the user named a range: then the band alone.
        # A named range within what the part plays: --range C0-C8 wrote a violin's B♭2
        # and a tuba's G5 (engine.tasks refuses one that misses the part, naming it).
        bounds = (register,) if user is None else (user & playable(song.track(track_id)),
                                                   register)
        lane_allowed = np.zeros((T, V), dtype=bool)
        reach = np.zeros(vocab.N_PITCHES, dtype=bool)  # its onsets, the key left out
        for region in mask.regions:
            if track_id not in region.track_ids:
                continue
            cells = (cell_ticks >= region.start) & (cell_ticks < region.end) & ~kept
            editable[lane] |= cells
            in_range = np.zeros(V, dtype=bool)
            if encoded.drum_lanes[lane]:
                bands = [(region.pitch_lo, region.pitch_hi)]
                if pitch_range is not None:  # drum notes are pitches to a DAW's rack
                    bands.append((lo, hi))
                in_range[vocab.DRUM : vocab.DRUM + vocab.N_DRUM_CLASSES] = drum_classes_in(
                    encoded.kit(track_id), bands)
            else:
                ok = (p >= region.pitch_lo) & (p <= region.pitch_hi)
                for bound in bounds:
                    if (ok & bound).any():
                        ok &= bound
                        break
                else:
                    if user is None:  # nothing: the band is out of the part's reach
                        ok &= register  # (a range the user named lets the band stand)
                if (timpani_ok is not None and track_id in timpani
                        and (ok & timpani_ok).any()):
                    ok &= timpani_ok  # the drums' tunings, where the range leaves one
                reach |= ok
                in_range[vocab.ONSET : vocab.ONSET + vocab.N_PITCHES] = ok & pitch_ok
                if not (ok & pitch_ok).any():  # the scale leaves nothing in range: ignore it
                    in_range[vocab.ONSET : vocab.ONSET + vocab.N_PITCHES] = ok
                in_range[vocab.HOLD] = True
            lane_allowed[cells] |= in_range
        lane_allowed[:, vocab.REST] = True
        # No HOLD where the cell before is not generated: it would lengthen a kept note.
        starts = editable[lane] & ~np.concatenate([[False], editable[lane, :-1]])
        lane_allowed[starts, vocab.HOLD] = False
        if keep_rhythm:
            lane_allowed = _keep_rhythm(lane_allowed, rhythm)
        track = song.track(track_id)
        follows = chord_role(track.name, track.program, track.is_drum,
                             carries_lyrics(track.notes))
        if guide is not None and pull is not None and follows is not None:
            chord_tones_allowed(lane_allowed, reach, editable[lane], guide)
            walking = walks and follows == "bass" and lanes_of[track_id] == 1
            before = lane_allowed.copy() if walking else lane_allowed
            if walking:  # the chord symbol names the harmony, the walk its own line:
                # CHORD_PULL to the kept piano's classes outweighed REPEAT_PULL (the
                # walk struck its last beat's pitch again 1-4 times a take, QA).
                pull[lane, guide.chord >= 0] = 0.0
            pull[lane] += follow_chords(lane_allowed, editable[lane], guide, follows,
                                        scale)
            hold_only_common_tones(lane_allowed, editable[lane], guide, follows)
            if walking:
                steps, line[lane] = walk_bass(lane_allowed, before, editable[lane], guide,
                                               reach)
                pull[lane] += steps
        if follows == "melody" and lanes_of[track_id] == 1:  # chords or none
            line[lane], rubs = sing_line(editable[lane], guide)
            if held is not None:
                held[lane] = rubs
        if track_id in bass_parts:
            _downbeat_chord_tones(lane_allowed, editable[lane], downbeats, chord_pcs, chords,
                                  strike=strikes_downbeats(song, track_id))
        if cadence is not None:
            _close(lane_allowed, track_id, cell_ticks, editable[lane], cadence,
                   takes_third=track_id == third, spare_third=spare_third,
                   ceiling=ceilings.get(track_id), floor=floors.get(track_id))
        if opening is not None and track_id in voices:
            role = ("bass" if track_id == opening_bass else
                    "third" if track_id == opening_third else "")
            _open(lane_allowed, cell_ticks, editable[lane], opening, role)
        if breaths is not None and edges is not None and track_id in voices:
            lane_allowed[breaths] = False
            lane_allowed[breaths, vocab.REST] = True
            _phrase(lane_allowed, edges)
        if sings is not None and track_id in voices:  # no rest where a note may sound
            lane_allowed[sings & lane_allowed[:, vocab.HOLD :].any(-1), vocab.REST] = False
        if strikes is not None and track_id in voices:
            off = ~strikes & lane_allowed[:, vocab.HOLD]  # (where a hold may sound on)
            lane_allowed[off, vocab.ONSET : vocab.DRUM] = False
        if strong is not None and pull is not None and not encoded.drum_lanes[lane]:
            pull[lane] += _no_kept_clash(lane_allowed, editable[lane], clash, strong)
        if kicks is not None and pull is not None and track_id in lockers:
            pull[lane] += kicks[:, None]  # every pitch alike: where it strikes, not what
        # No HOLD after a cell that can only rest (a breath): drawn before that rest, it
        # would hold nothing, and the voice came in a 16th late.
        rests_only = lane_allowed[:, vocab.REST] & ~lane_allowed[:, vocab.HOLD :].any(-1)
        lane_allowed[1:, vocab.HOLD] &= ~(rests_only[:-1] & editable[lane, :-1])
        cells = editable[lane]
        allowed[lane, cells] = lane_allowed[cells]
    return Problem(tokens, editable, allowed, logit_bias if logit_bias.any() else None,
                   pull if pull is not None and pull.any() else None,
                   line if line.any() else None,
                   held if held is not None and held.any() else None)


def playable(track: Track) -> np.ndarray:
    """(128,) bool: the pitches ``track``'s part can play
    (:func:`~engine.score.instruments.playable_range`), which bound a range the user names."""
    lo, hi = playable_range(track.name, track.program, track.is_drum,
                            (n.pitch for n in track.notes))
    p = np.arange(vocab.N_PITCHES)
    return (p >= lo) & (p <= hi)


def drum_classes_in(kit: DrumKit, bands: Sequence[tuple[int, int]]) -> np.ndarray:
    """Per drum class: does one of the notes ``kit`` strikes for it lie in every band?"""
    return np.array([any(all(a <= n <= b for a, b in bands) for n in kit.notes(k))
                     for k in range(vocab.N_DRUM_CLASSES)])


def kit_pull(track: Track, kit: DrumKit) -> np.ndarray:
    """(N_DRUM_CLASSES,) logit bias: minus :data:`KIT_PULL` nats for each class a kit of
    :data:`OWN_RANGE_NOTES` hits or more never plays — the QA loop's maracas hats came
    back as closed hats (42), a pad its rack does not have. A sparse sketch keeps every
    class open, as an empty track does, except on an Orchestra kit: there the hi-hats and
    toms it does not play lose as much (its 41-53 are timpani; an orchestra's
    percussion plays no drum-kit groove: 118 closed hats in 16 composed bars, QA)."""
    pull = np.zeros(vocab.N_DRUM_CLASSES, dtype=np.float32)
    if len(track.notes) >= OWN_RANGE_NOTES:
        pull[:] = [0.0 if own else -KIT_PULL for own in kit.own]
    if track.program == ORCHESTRA_KIT:
        for k in ORCHESTRA_AVOIDS:
            pull[k] = 0.0 if kit.own[k] else -KIT_PULL
    return pull


def timpani_drums(key: str | None) -> np.ndarray:
    """(128,) bool: the pitches a written timpani part may strike — the tonic and the
    dominant of ``key`` within :data:`TIMPANI_RANGE` (at most four drums' tunings), or
    the whole range without a key. Left free, the model wrote timpani melodies over nine
    pitches (F2-G3, QA)."""
    p = np.arange(vocab.N_PITCHES)
    ok = (p >= TIMPANI_RANGE[0]) & (p <= TIMPANI_RANGE[1])
    if key is None:
        return ok
    tonic = tonic_of(key)[0] % 12
    return ok & np.isin(p % 12, [tonic, (tonic + 7) % 12])


def track_register(song: Song, track_id: int, melody: Track | None = None) -> tuple[int, int]:
    """The pitches a track may be written in: a track with notes keeps to its own range,
    :data:`OWN_RANGE_MARGIN` wider each side but not past its instrument's range; an
    empty or nearly empty one gets its instrument's range. Either way, widened to the
    notes it has (a file's part is what it plays, whatever its program says). A voice
    part under a kept ``melody`` that lies below a soprano's range goes below its own
    range by as much, at most :data:`~engine.score.instruments.VOICE_MARGIN` (an alto
    under a tune dipping to A3 needs room under it): :func:`melody_margin`."""
    track = song.track(track_id)
    lo, hi = part_range(track.name, track.program, track.is_drum)
    pitches = [n.pitch for n in track.notes]
    if len(pitches) >= OWN_RANGE_NOTES:
        lo = max(min(pitches) - OWN_RANGE_MARGIN, lo)
        hi = min(max(pitches) + OWN_RANGE_MARGIN, hi)
    lo -= melody_margin(track, melody)
    return min([lo, *pitches]), max([hi, *pitches])


def melody_margin(track: Track, melody: Track | None) -> int:
    """Semitones a written voice part (Alto, Tenor or Bass, as a choir sings them) may go
    below its range under ``melody`` (a kept tune, the soprano): as far as the melody's
    lowest note lies below a soprano's range, at most
    :data:`~engine.score.instruments.VOICE_MARGIN`; 0 for any other part or melody."""
    if melody is None or melody.id == track.id or not melody.notes or melody.is_drum:
        return 0
    if voice_part_of(track.name) in (None, "soprano") or voice_part_range(
            track.name, track.program, track.is_drum) is None:
        return 0
    below = VOICE_PART_RANGES["soprano"][0] - min(n.pitch for n in melody.notes)
    return min(max(below, 0), VOICE_MARGIN)


def register_pull(song: Song, track_id: int) -> np.ndarray:
    """(128,) logit bias per onset pitch: minus :data:`REGISTER_PULL` nats per semitone
    outside the register the track is written in (the small model drifts to middle C).
    For a track with notes, the range most of them lie in (:data:`OWN_SPAN` percentiles
    of its pitches: the part keeps the range it uses), with a lean of
    :data:`MIDDLE_PULL` per semitone toward its middle half inside it and
    :data:`EDGE_PULL` more past its lowest and highest notes; for an empty one,
    the :data:`TESSITURA` part of its instrument's range (a new distorted guitar's power
    chords: :data:`~engine.models.voicing.FIFTHS_REGISTER`; an 808's sub:
    :data:`~engine.score.instruments.SUB_BASS_REGISTER`), widened to any notes it has. A
    part named Soprano, Alto, Tenor or Bass is not pulled: its sung range is already
    narrow."""
    track = song.track(track_id)
    pitches = [n.pitch for n in track.notes]
    p = np.arange(vocab.N_PITCHES)
    if len(pitches) >= OWN_RANGE_NOTES:
        lo, q1, q3, hi = np.percentile(pitches, [OWN_SPAN[0], 25, 75, OWN_SPAN[1]])
        wide = np.maximum(np.maximum(lo - p, p - hi), 0.0)
        middle = np.clip(q1 - p, 0.0, q1 - lo) + np.clip(p - q3, 0.0, hi - q3)
        past = np.maximum(np.maximum(min(pitches) - p, p - max(pitches)), 0)
        return (-REGISTER_PULL * wide - MIDDLE_PULL * middle - EDGE_PULL * past
                ).astype(np.float32)
    lo, hi = instrument_range(track.program, track.is_drum)
    if (lo, hi) == (0, 127) or voice_part_range(track.name, track.program,
                                                track.is_drum) is not None:
        return np.zeros(vocab.N_PITCHES, dtype=np.float32)
    low, high = (FIFTHS_REGISTER if track.program in FIFTHS_PROGRAMS and not track.is_drum
                 else SUB_BASS_REGISTER if sub_bass_part(track.name, track.program,
                                                         track.is_drum)
                 else (lo + TESSITURA[0] * (hi - lo), lo + TESSITURA[1] * (hi - lo)))
    q1 = min([low, *pitches])
    q3 = max([high, *pitches])
    outside = np.maximum(np.maximum(q1 - p, p - q3), 0.0)
    return (-REGISTER_PULL * outside).astype(np.float32)


BREATH_MAX_BARS = 2  # the longest silence of the kept parts the written voices share


def choir_breaths(song: Song, kept: KeptMusic, step_ticks: np.ndarray) -> np.ndarray:
    """(T,) bool: the cells where a written voice part rests with the choir — every track
    that stays there (not masked at that tick) is silent, at least one track stays, and the
    silence lasts from a beat (a quarter note) to :data:`BREATH_MAX_BARS` bars (longer, it
    is a passage the written voices may sing alone). Voices of a homophonic chorale breathe
    together: under a melody with a rest between its phrases the chorale model sang stray
    alto, tenor and bass notes into the gap (JSB's encoding has no rests for it to learn
    from). A kept part that still sings there (a bass under a resting soprano) leaves the
    others free; so does a region with nothing kept beside it (composing, continuing)."""
    T = len(kept.sounding)
    tm = TimeMap.of(song)
    silent = kept.stays & ~kept.sounding
    out = np.zeros(T, dtype=bool)
    i = 0
    while i < T:
        if not silent[i]:
            i += 1
            continue
        j = i
        while j < T and silent[j]:
            j += 1
        bar = tm.tick_to_bar(int(step_ticks[i]))
        longest = tm.bar_to_tick(bar + BREATH_MAX_BARS) - tm.bar_to_tick(bar)
        if song.ppq <= step_ticks[j] - step_ticks[i] <= longest:
            out[i:j] = True
        i = j
    return out


def beat_figuration(song: Song, cell_ticks: np.ndarray) -> np.ndarray:
    """(T,) bool: the cells a written voice part may strike a note in — every cell,
    but in a bar whose beat is a half note or longer (4/2, 3/2, 2/2: a hymn book's
    notation; a 2/4 or 4/4 bar of a song mostly in such meters too) only on its quarter
    notes, the quarter passing notes of such a hymn
    as Bach's eighths are in 4/4. A choir director's QA: chorale-jsb, a model of
    quarter-beat chorales, put 16ths in the lower voices of 4/2 tunes (Essen's *Psalm
    43*: 92 of 265 notes), where the same melody in 4/4 got one."""
    ticks = np.asarray(cell_ticks)
    tm = TimeMap.of(song)
    # A hymn in half-note beats that writes a bar in 2/4 or 4/4 (a pickup, a short
    # line's end) keeps its beat there: a re-test's 2/2 tune had its one 2/4 bar, the
    # cadence, sung in 8ths (1 onset off the quarters in 3 of 4 takes).
    half_beat = prevailing_denominator(song) <= 2
    out = np.ones(len(ticks), dtype=bool)
    for i, tick in enumerate(ticks.tolist()):
        sig, offset = tm.metric_position(int(tick))
        if sig.denominator <= 2 or (half_beat and sig.denominator == 4):
            out[i] = offset % song.ppq == 0
    return out


def prevailing_denominator(song: Song) -> int:
    """The beat unit (a meter's denominator) the song spends the most time in."""
    sigs = song.time_signatures or ()
    if not sigs:
        return 4
    ends = [s.tick for s in sigs[1:]] + [max(song.end, sigs[-1].tick)]
    time: dict[int, int] = {}
    for sig, end in zip(sigs, ends, strict=True):
        time[sig.denominator] = time.get(sig.denominator, 0) + max(0, end - sig.tick)
    return max(time, key=lambda d: (time[d], -d))


def choir_sings(kept: KeptMusic) -> np.ndarray:
    """(T,) bool: the cells where a written voice part sings on — a pitched note that
    stays sounds there — and so may not rest. JSB's voices rest only where the music
    breathes (:func:`choir_breaths`); a mid-phrase 16th rest is a choppy line and an odd
    score. QA counted 10 such rests in six harmonizations of a 16-bar hymn tune, each a
    16th before a beat (the parallels rule of the time let a voice rest out of a
    forbidden hold, :func:`~engine.models.voice_leading.parallel_motion`), and sixteenths
    left hanging after a breath (the model alone)."""
    return kept.sounding


@dataclass(frozen=True, slots=True)
class KeptMusic:
    """The music that stays around the cells being written (read once per problem for the
    voice-part rules): ``stays``, the cells where some track is not masked; ``sounding``,
    those where a pitched note that stays sounds (from its start to its end); ``notes``,
    those notes with their first cell and the cell after their end."""

    stays: np.ndarray
    sounding: np.ndarray
    notes: tuple[tuple[Note, int, int], ...]


def kept_music(song: Song, mask: Mask, cell_ticks: np.ndarray) -> KeptMusic:
    """The :class:`KeptMusic` of ``song`` around ``mask`` on ``cell_ticks``."""
    T = len(cell_ticks)
    stays = np.zeros(T, dtype=bool)
    sounding = np.zeros(T, dtype=bool)
    notes = []
    kept = mask.notes_outside(song)
    for track in song.tracks:
        masked = np.zeros(T, dtype=bool)
        for region in mask.regions:
            if track.id in region.track_ids:
                masked |= (cell_ticks >= region.start) & (cell_ticks < region.end)
        stays |= ~masked
        if track.is_drum:
            continue
        for note in kept.get(track.id, ()):  # the cells from its start to its end
            a, b = (int(x) for x in np.searchsorted(cell_ticks, (note.start, note.end)))
            sounding[a:b] = True
            notes.append((note, a, b))
    return KeptMusic(stays, sounding, tuple(notes))


FERMATA_BEATS = 2  # a kept note this long (or longer) that a breath follows: a held close
# A melody note this long closes a phrase with no breath after it too: three quarters, or
# two of the meter's beats where they are longer (a whole note in 2/2 or 3/2, where a
# dotted half is a beat and a half and may pass in mid-phrase).
CLOSE_BEATS = 3


@dataclass(frozen=True, slots=True)
class PhraseEdges:
    """Around the choir's breaths (:func:`choir_breaths`), per cell: ``entries``, where the
    music comes in again (a phrase's pickup: the written voices strike with it); ``sung``,
    the rest of that first note, and ``closes``, where a long last note before a breath
    starts (they sound there: strike or go on, no rest); ``held``, the rest of that long
    note (they hold the chord: one chord under a fermata); ``releases``, the cell just
    after a fermata's close, where they let go with the melody (strike or rest, no
    hold)."""

    entries: np.ndarray
    sung: np.ndarray
    closes: np.ndarray
    held: np.ndarray
    releases: np.ndarray


def phrase_edges(song: Song, kept: KeptMusic, breaths: np.ndarray,
                 melody: Track | None = None) -> PhraseEdges:
    """Where the written voice parts of a chorale come in after a breath and hold before it
    (:class:`PhraseEdges`), from the kept parts' notes. A church musician's QA: with the
    voices resting at a hymn tune's breaths, 0 of 18 pickups after a breath were sung by
    all four voices (they stayed silent or came in late), and under the long notes that
    end phrases they changed harmony in 13 of 27. A note of the ``melody`` (the kept tune
    being harmonized) of :data:`CLOSE_BEATS` or more closes its phrase with no breath
    after it too (a hymn's dotted half before the next phrase's pickup: an organist's QA
    heard the voices move on in quarters under it, 34 onsets in 6 takes, where one chord
    is held); another kept part's long note (an organ's pedal) leaves the voices free.
    A note of the melody with a fermata (``Note.fermata``, from a score) closes its phrase
    whatever its length, and any kept note with one closes before a breath: a choir
    director's QA heard 2–4 new lower-voice notes under a fermata followed at once by the
    next phrase's pickup, in 5 of 5 takes."""
    T = len(breaths)
    entries, sung, closes, held, releases = (np.zeros(T, dtype=bool) for _ in range(5))
    begins = breaths & ~np.r_[False, breaths[:-1]]  # a breath's first cell
    after = ~breaths & np.r_[False, breaths[:-1]]  # the cell after a breath
    # Within a 16th of it: a dotted half played detached (1,430 ticks of 1,440) is one.
    slack = song.ppq // 4
    long = FERMATA_BEATS * song.ppq - slack
    tm = TimeMap.of(song)
    tune = {n.id for n in melody.notes} if melody is not None else set()

    def closes_alone(note: Note) -> bool:
        beat = tm.beat_length_for(tm.signature_at(note.start))
        return note.id in tune and (note.fermata or note.duration > max(
            CLOSE_BEATS * song.ppq, 2 * beat) - slack)

    for note, a, b in kept.notes:
        if a < T and after[a]:  # struck with, and sung for its length (a pickup
            entries[a] = True  # struck as a 16th and left was no pickup sung)
            sung[a + 1 : b] = True
        breath = b < T and begins[b] and (note.duration > long or note.fermata)
        if a < b and (breath or closes_alone(note)):
            closes[a] = True
            held[a + 1 : b] = True
            # Under a fermata the voices let go with her: bwv269's bass held a G3 on
            # through the soprano's fermata and the next phrase's pickup (a choir
            # director's QA). (A long note without one: a JSB chorale's voices may tie
            # over; letting go there too cost bench_chorale.py a parallel.)
            if note.fermata:
                releases[b : b + 1] = True
    return PhraseEdges(entries, sung, closes, held, releases)


def _phrase(allowed: np.ndarray, edges: PhraseEdges) -> None:
    """A written voice part's tokens at its phrase edges (:func:`phrase_edges`): strike at
    an entry, sound at a close's start, hold through it; each only where it leaves the
    cell a token (the cadence and the opening may have narrowed it already)."""
    def keep(cells: np.ndarray, ok: np.ndarray) -> None:
        rows = np.flatnonzero(cells)
        narrowed = allowed[rows] & ok
        fine = narrowed.any(axis=1)
        allowed[rows[fine]] = narrowed[fine]

    V = allowed.shape[1]
    sound = np.ones(V, dtype=bool)
    sound[vocab.REST] = False
    strike = sound.copy()
    strike[vocab.HOLD] = False
    hold = np.zeros(V, dtype=bool)
    hold[vocab.HOLD] = True
    keep(edges.entries, strike)
    keep(edges.sung | edges.closes, sound)
    keep(edges.held, hold)
    keep(edges.releases & ~edges.held, ~hold)


BASS_CHORD_MIN = 2  # pitch classes the other parts must sound for a bar to have a chord
# Nats a written bass's onsets gain on the pitch classes the parts that stay sound there
# (two or more: a chord, not a lone melody note). Regenerated basses of the real files
# and the demo sounded such a tone on 32 % of their notes (their own parts: 68 %); at
# 1, 2 and 3 nats 45, 59 and 69 % (benchmarks/bench_texture.py's reading).
CHORD_PULL = 3.0
STRIKE_SHARE = 0.75  # share of its bars a bass strikes on the downbeat to be held to it


def kept_classes(song: Song, write: Collection[int], step_ticks: np.ndarray) -> np.ndarray:
    """(T, 12) bool: per cell (``step_ticks``: T + 1 edges), the pitch classes the pitched
    tracks not being written sound there, each note from its cell to its end's."""
    return _classes_of((t.notes for t in song.tracks
                        if t.id not in write and not t.is_drum), step_ticks)


def _classes_of(parts: Iterable[Sequence[Note]], step_ticks: np.ndarray) -> np.ndarray:
    """(T, 12) bool: per cell, the pitch classes ``parts`` (each a track's notes, in onset
    order) sound there, each note from its cell to its end's."""
    T = len(step_ticks) - 1
    out = np.zeros((max(T, 0), 12), dtype=bool)
    if T <= 0:
        return out
    lo, hi = int(step_ticks[0]), int(step_ticks[-1])
    for notes in parts:
        for n in notes:
            if n.end <= lo or n.start >= hi:
                continue
            a, b = np.searchsorted(step_ticks, (n.start, n.end), side="right") - 1
            out[max(0, a) : min(T, max(b, a + 1)), n.pitch % 12] = True
    return out


# Nats taken from a written part's onset off the beat a minor 2nd, major 7th or minor 9th
# (a pitch class a semitone away) from a note that stays sounding in its cell: a passing
# tone stays possible. On a beat, and on an onset its kept rhythm holds for a beat or
# more, such an onset is not struck at all where the cell has another (_no_kept_clash).
# QA: woodwinds repainted over Haydn's strings (op. 74 no. 1, bars 1-32) struck 20-32 %
# of their notes so (Haydn's own Violin 2 against the other strings: 1 %);
# benchmarks/bench_clash.py.
KEPT_CLASH_PULL = 2.0
LONG_NOTE_CELLS = 4  # a note struck and held this many 16th cells: a beat of 4/4


def kept_clashes(song: Song, mask: Mask, step_ticks: np.ndarray,
                 tones: np.ndarray | None = None) -> np.ndarray:
    """(T, 12) bool: per cell, the pitch classes a semitone from a note that stays (every
    pitched note outside ``mask``, a written track's own ones too) sounding there, and
    not sounded by one (:func:`~engine.models.chord_follow.clash_classes`).

    Where ``tones`` (T, 12: the chord symbol in force's, :class:`ChordGuide`) names a
    chord, it says which notes belong instead: a new chord tone by a kept chord tone
    rubs by design (Cmaj7's B under a kept C), any other semitone does — a chord tone by
    a kept note off the chord (the piano's D4 under a sax's held E♭5 over B♭7), and a
    note off the chord by any kept note, even one doubling another kept note (a walking
    bass's E♭3 under the piano's D4 where the sax held E♭: 2-5 such a take, QA)."""
    outside = mask.notes_outside(song)
    kept = _classes_of((outside.get(t.id, ()) for t in song.tracks if not t.is_drum),
                       step_ticks)
    clash = clash_classes(kept)
    if tones is None:
        return clash
    chorded = tones.any(axis=1)
    by_tone = semitone_from(kept & tones) & ~tones
    by_other = semitone_from(kept & ~tones)
    clash[chorded] = (by_tone | by_other)[chorded]
    return clash


def _no_kept_clash(lane_allowed: np.ndarray, editable: np.ndarray, clash: np.ndarray,
                   strong: np.ndarray) -> np.ndarray:
    """Keep one pitched lane's onsets off the notes that stay (in place): in the
    ``strong`` cells (on a beat) and where the lane can only hold for
    :data:`LONG_NOTE_CELLS` cells after an onset (a kept rhythm's long note), no onset of
    a ``clash`` class (T, 12), where the cell keeps another onset it had. Returns the
    pitch-class pull (T, 12) of the other cells: minus :data:`KEPT_CLASH_PULL`."""
    T = len(editable)
    pull = np.zeros((T, 12), dtype=np.float32)
    cells = editable & clash.any(axis=1)
    if not cells.any():
        return pull
    only_hold = lane_allowed[:, vocab.HOLD] & ~lane_allowed[
        :, [vocab.REST, *range(vocab.ONSET, vocab.DRUM)]].any(-1)
    held = np.zeros(T + 1, dtype=int)  # cells the lane can only hold from each on
    for i in range(T - 1, -1, -1):
        held[i] = held[i + 1] + 1 if only_hold[i] else 0
    long = held[1:] >= LONG_NOTE_CELLS - 1
    firm = cells & (strong | long)
    for cell in np.flatnonzero(firm).tolist():
        row = lane_allowed[cell, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES]
        bad = row & clash[cell][_PITCH_CLASS]
        if bad.any() and (row & ~bad).any():
            row[bad] = False
    soft = cells & ~firm
    pull[soft] = -KEPT_CLASH_PULL * clash[soft]
    return pull


def _sounding_classes(song: Song, write: Collection[int], ticks: np.ndarray
                      ) -> list[set[int]]:
    """Per tick, the pitch classes the pitched tracks not being written sound there."""
    context = [t for t in song.tracks if t.id not in write and not t.is_drum and t.notes]
    out = []
    for tick in ticks.tolist():
        pcs = set()
        for t in context:
            window = t.onset_range(max(0, tick - 16 * song.ppq), tick + 1)
            pcs |= {n.pitch % 12 for n in t.notes[window.start:window.stop]
                    if n.start <= tick < n.end}
        out.append(pcs)
    return out


def downbeat_chords(song: Song, write: Collection[int], ticks: np.ndarray
                    ) -> list[Chord | None]:
    """Per downbeat tick, the chord the pitched tracks not being written sound in its
    first beat (the beat a musician counts: a dotted quarter in 6/8), each pitch class
    weighted by how long it sounds there (:func:`engine.score.chords.recognise_chord`):
    a passing note of the melody weighs less than the chord held under it, and comping
    struck on the beat's off-beat 8th counts (openmsx-3's blues keyboard). None where no
    chord is clear, or where no two classes sound together (:func:`sounds_together`: a
    melody alone only implies a chord, and a band harmonization's bass under it stays
    free there)."""
    context = [t for t in song.tracks if t.id not in write and not t.is_drum and t.notes]
    tm = TimeMap.of(song)
    out = []
    for tick in ticks.tolist():
        bar = tm.tick_to_bar(tick)
        beats = [o for o in tm.pulse_offsets(bar) if o > tick - tm.bar_to_tick(bar)]
        end = tm.bar_to_tick(bar) + beats[0] if beats else tm.bar_to_tick(bar + 1)
        notes: list[Note] = []
        for t in context:  # a note sounding here began at most 4 bars (of 4/4) before
            found = t.onset_range(max(0, tick - 16 * song.ppq), end)
            notes += t.notes[found.start : found.stop]
        chord = recognise_chord(sounding_weights(notes, tick, end))
        out.append(chord if chord is not None and sounds_together(notes, tick, end, song.ppq)
                   else None)
    return out


def sounds_together(notes: Sequence[Note], start: int, end: int, ppq: int) -> bool:
    """Whether :data:`BASS_CHORD_MIN` pitch classes or more of ``notes`` sound at once
    somewhere in ``[start, end)``: the parts play a chord there, not a melody's arpeggio
    (a note's last 32nd of a beat aside, so a legato overlap is no chord)."""
    trim = ppq // 8
    for t in [start, *(n.start for n in notes if start < n.start < end)]:
        if len({n.pitch % 12 for n in notes if n.start <= t < n.end - trim}) >= BASS_CHORD_MIN:
            return True
    return False


def strikes_downbeats(song: Song, track_id: int) -> bool:
    """Whether a part strikes a note on the first beat of at least :data:`STRIKE_SHARE`
    of the bars it plays in (within an 8th of a 16th of the bar line; two bars at least)."""
    notes = song.track(track_id).notes
    tm = TimeMap.of(song)
    near = max(1, song.ppq // 32)
    bars = {tm.tick_to_bar(n.start) for n in notes}
    struck = set()
    for n in notes:
        bar = tm.tick_to_bar(n.start + near)
        if abs(n.start - tm.bar_to_tick(bar)) <= near:
            struck.add(bar)
    return len(bars) >= 2 and len(struck & bars) >= STRIKE_SHARE * len(bars)


def _downbeat_chord_tones(lane_allowed: np.ndarray, editable: np.ndarray,
                          downbeats: np.ndarray, chord_pcs: list[set[int]],
                          chords: Sequence[Chord | None] | None = None,
                          strike: bool = False) -> None:
    """A bass lane's onsets on each bar's first step strike the root of the chord the
    parts that stay play in the bar's first beat (``chords``: :func:`downbeat_chords`);
    where none is clear but they sound two pitch classes or more on the downbeat, one of
    those (in place). A songwriter's QA
    found the regenerated bass on the chord's root on 3–23 % of downbeats (songs: 94–100
    %), a tritone away at times; with chord tones alone, a producer's on 0–1 of 6–8. A
    rest or a held note stays allowed, unless ``strike`` (a part that strikes its
    downbeats: :func:`strikes_downbeats`) and the chord is clear: then the root is struck
    (held to the root alone, the model rested where it had struck another note: 43 of
    64 downbeats struck, the part's own 64). A chord the bass's allowed notes cannot meet
    leaves the cell as it was."""
    pitch_class = np.arange(vocab.N_PITCHES) % 12
    chords = chords if chords is not None else [None] * len(chord_pcs)
    for cell, pcs, chord in zip(downbeats.tolist(), chord_pcs, chords, strict=True):
        if not editable[cell]:
            continue
        onsets = lane_allowed[cell, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES]
        for allowed in ([{chord.root}] if chord is not None else []) + (
                [pcs] if len(pcs) >= BASS_CHORD_MIN else []):
            kept = onsets & np.isin(pitch_class, list(allowed))
            if kept.any():
                lane_allowed[cell, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES] = kept
                if strike and chord is not None and allowed == {chord.root}:
                    lane_allowed[cell, [vocab.REST, vocab.HOLD]] = False
                break


def _close(lane_allowed: np.ndarray, track_id: int, cell_ticks: np.ndarray,
           editable: np.ndarray, cadence: Cadence, takes_third: bool = False,
           spare_third: bool = False, ceiling: int | None = None,
           floor: int | None = None) -> None:
    """Apply ``cadence`` to one lane's allowed tokens (in place): the lane strikes a note
    of the tonic chord (the bass: the tonic; ``takes_third``: the third; with
    ``spare_third`` the other voices the root or the fifth), at or under ``ceiling`` and
    at or over ``floor`` where given, with the melody's last note and holds it to the
    end. Where that leaves the first cell nothing (a register without such a note), the
    lane is left as it was (a floor or ceiling it cannot keep to is dropped first)."""
    after = editable & (cell_ticks >= cadence.tick)
    if not after.any():
        return
    if cadence.approach is not None and track_id in cadence.voices | {cadence.bass}:
        _approach_dominant(lane_allowed, cell_ticks, editable, cadence,
                           bass=track_id == cadence.bass)
    first = int(np.flatnonzero(after)[0])
    later = after.copy()
    later[first] = False
    if track_id in cadence.kits:  # a last hit of kick or crash (or none), then silence
        hits = np.zeros(lane_allowed.shape[1], dtype=bool)
        hits[[vocab.REST, vocab.drum(_KICK), vocab.drum(_CRASH)]] = True
        lane_allowed[first] &= hits
        lane_allowed[later] = False
        lane_allowed[later, vocab.REST] = True
        return
    roots = {cadence.bass, cadence.lead} | cadence.roots
    if track_id not in roots and track_id not in cadence.voices:
        return
    pcs = ({cadence.tonic} if track_id in roots
           else cadence.third if takes_third
           else cadence.chord - _thirds(cadence) if spare_third else cadence.chord)
    chord = np.zeros(lane_allowed.shape[1], dtype=bool)
    chord[vocab.ONSET : vocab.ONSET + vocab.N_PITCHES] = np.isin(
        np.arange(vocab.N_PITCHES) % 12, list(pcs))
    strike = lane_allowed[first] & chord
    if ceiling is not None and (strike[: vocab.ONSET + ceiling + 1]).any():
        strike[vocab.ONSET + ceiling + 1 :] = False
    if floor is not None and (strike[vocab.ONSET + floor :]).any():
        strike[: vocab.ONSET + floor] = False
    if not strike.any():
        return
    lane_allowed[first] = strike
    lane_allowed[later] = False
    lane_allowed[later, vocab.HOLD] = True


def _approach_dominant(lane_allowed: np.ndarray, cell_ticks: np.ndarray,
                       editable: np.ndarray, cadence: Cadence, bass: bool) -> None:
    """Where the melody's note before the close begins (``cadence.approach``) the
    ``bass`` strikes the dominant, another voice a note of the dominant seventh chord
    (its leading tone major in minor keys too; a sounding note held on is left alone),
    and every voice moves within that chord until the close, where its range and the cell
    allow (in place)."""
    at = np.flatnonzero(editable & (cell_ticks == cadence.approach))
    if not at.size:
        return
    tonic = cadence.tonic
    pcs = [(tonic + 7) % 12] if bass else [(tonic + i) % 12 for i in (7, 11, 2, 5)]
    dominant = np.zeros(lane_allowed.shape[1], dtype=bool)
    dominant[vocab.ONSET : vocab.ONSET + vocab.N_PITCHES] = np.isin(
        np.arange(vocab.N_PITCHES) % 12, pcs)
    if not bass:
        dominant[vocab.HOLD] = True
    strike = lane_allowed[at[0]] & dominant
    if strike.any():
        lane_allowed[at[0]] = strike
    # Until the close the voices move within the dominant seventh (a re-test's general
    # model struck V under the 2, then IV a 16th later, and closed IV–I).
    seventh = np.isin(np.arange(vocab.N_PITCHES) % 12,
                      [(tonic + i) % 12 for i in (7, 11, 2, 5)])
    during = np.flatnonzero(editable & (cell_ticks > cadence.approach)
                            & (cell_ticks < cadence.tick))
    for cell in during:
        moves = lane_allowed[cell].copy()
        moves[vocab.ONSET : vocab.ONSET + vocab.N_PITCHES] &= seventh
        if moves.any():
            lane_allowed[cell] = moves


def _thirds(cadence: Cadence) -> set[int]:
    """The pitch classes of the cadence chord's third (in minor, either)."""
    return cadence.chord & {(cadence.tonic + 3) % 12, (cadence.tonic + 4) % 12}


def _opening_third_voice(song: Song, voices: Collection[int], bass: int | None,
                         opening: Opening, melody: Track | None) -> int | None:
    """The voice that takes the opening chord's third: the highest one other than the
    bass whose range has the third at or below the soprano's first note, else the highest
    (hymn34's alto, G3–D5, has no F under a soprano's D4: given the third, it opened on
    F4 over her; the tenor's F3 keeps them in order)."""
    others = sorted((t for t in voices if t != bass),
                    key=lambda t: -_part_middle(song.track(t)))
    for track_id in others:
        lo, hi = track_register(song, track_id, melody)
        if any(p % 12 == opening.third for p in range(lo, min(hi, opening.below) + 1)):
            return track_id
    return others[0] if others else None


def _part_middle(track: Track) -> float:
    """The middle of a track's part range: where it ranks among the voices."""
    lo, hi = part_range(track.name, track.program, track.is_drum)
    return (lo + hi) / 2


def _ceilings(song: Song, write: Collection[int], lanes_of: dict[int, int],
              cadence: Cadence) -> dict[int, int]:
    """The highest pitch each written one-lane part may strike in ``cadence``: the kept
    melody's last note, for the parts below it — those whose part starts under the
    melody's middle (an alto under any tune; a Soprano-named part over a tenor's), and
    for named voice parts on both sides, those ranked below it (S, A, T, B)."""
    if cadence.melody is None:
        return {}
    melody_id, top = cadence.melody
    melody = song.track(melody_id)
    middle = float(np.median([n.pitch for n in melody.notes]))
    sung = voice_part_range(melody.name, melody.program, melody.is_drum)
    out = {}
    for t in write:
        track = song.track(t)
        if lanes_of.get(t) != 1 or track.is_drum:
            continue
        if sung is not None and voice_part_range(track.name, track.program) is not None:
            below = _part_middle(track) < _part_middle(melody)
        else:
            below = part_range(track.name, track.program)[0] < middle
        if below:
            out[t] = top
    return out


def _root_ceiling(song: Song, cadence: Cadence, write: Collection[int],
                  lanes_of: dict[int, int], melody: Track | None) -> int:
    """The highest pitch the low lines (``cadence.roots``) may close on: the lowest
    note of the closing chord any other written one-line part's register has, so the
    root sounds lowest (a bassoon and a cello on D4 left a viola's A3 under them). 127
    where no other part has one."""
    lows = [reach[0] for t in write if t not in cadence.roots and lanes_of.get(t) == 1
            and not song.track(t).is_drum
            and (reach := _reaches(song, t, cadence.chord, None, melody)) is not None]
    return min(lows, default=127)


def _reaches(song: Song, track_id: int, pcs: Collection[int], ceiling: int | None,
             melody: Track | None = None) -> tuple[int, int] | None:
    """The lowest and highest pitch of ``pcs`` a track's register (under ``melody``) has
    at or under ``ceiling``, or None."""
    lo, hi = track_register(song, track_id, melody)
    hi = hi if ceiling is None else min(hi, ceiling)
    found = [p for p in range(lo, hi + 1) if p % 12 in pcs]
    return (found[0], found[-1]) if found else None


def _keep_rhythm(lane_allowed: np.ndarray, rhythm: np.ndarray) -> np.ndarray:
    """Restrict each cell to the kind of token the replaced notes had there."""
    kinds = np.zeros_like(lane_allowed)
    onset = rhythm >= vocab.ONSET
    kinds[onset, vocab.ONSET :] = True
    kinds[rhythm == vocab.HOLD, vocab.HOLD] = True
    kinds[(rhythm == vocab.REST) | (rhythm == vocab.MASK), vocab.REST] = True
    both = lane_allowed & kinds
    # A cell whose old kind is not legal here (e.g. a hold after a kept note) is left free.
    return np.where(both.any(-1, keepdims=True), both, lane_allowed)
