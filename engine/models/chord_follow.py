"""Generation that follows a song's chord symbols (``Song.chords``): per 16th cell, the
chord in force there narrows and biases what a written pitched part may strike.

:func:`chord_guide` reads the chords once per window; :func:`follow_chords` applies them
to one lane's legal tokens (in place) and gives its pitch-class pull:

- a *bass* part (GM bass, or a track named Bass) strikes the chord's bass note (its root,
  or the slash bass) where a chord symbol starts and it strikes there — leaning hard to
  strike there, and where the chord changes it cannot hold a note of the last one into
  it; on the other beats a chord tone; between the beats passing tones stay free, chord
  tones favoured;
- another *accompaniment* part (piano, guitar, strings, pads...) leans strongly to the
  chord's tones (its tensions included where the symbol writes them), most to those that
  say which chord it is — the 3rd and 7th, an altered tension, a tone outside the key —
  and least to the root and 5th (:func:`comp_tone_pulls`); a chord with no 7th (a plain
  triad) to its root, 3rd and 5th alike, so it is voiced whole; on a beat it may
  not strike a note a minor 2nd (or 9th) from one of them, nor hold a note over a
  change of chord (the note struck for the last one may clash with the new); nowhere
  the chord's 3rd below E3 (:data:`LOW_THIRD_FLOOR`);
- neither sounds a note on into a chord it is no tone of (:func:`hold_only_common_tones`):
  where a kept rhythm ties one over the change (a push on the "and" of 4), it is struck
  on a tone of the chord it is held into, one common to both where there is one;
- a written *melody* part only leans to the chord tones (a tune's appoggiaturas stay),
  and sings (:func:`sing_line`): it strikes no pitch a third time running, moves mostly by
  step, fills in a leap, and holds no note across a change of chord onto a tone a minor
  2nd (or 9th) from one of the new chord's (F♯4 held into C) — its passing and
  neighbour notes off the beat stay free;

Each narrowing is skipped where it would leave a cell no onset it had (a register with
no such note, a kept rhythm): the part writes on as before. Where the chord's tones lie
outside the key the chord wins (:func:`chord_tones_allowed`); where no chord is in force
(before the first, after the last one's bar) nothing changes; under "N.C." the
accompaniment (bass and comping) lays out — rests, a note before it cut there — as a band
stops for a break, while a written melody plays on. Drums and
the kept parts are never touched. A jazz arranger's QA: partita-base's band accompaniment
of a 12-bar F blues put the bass's downbeat on the root in 1–3 of 12 bars, the piano on
B3–E4–G4 against B♭7 (benchmarks/bench_chords.py).

In a song that swings its 8ths the bass walks (:func:`walk_bass`): a quarter note on
every beat, the chord's first beat on its bass note, its 3rd on a chord tone, 2 and 4
passing — a tone of the chord's scale (:func:`chord_scale`), a chromatic note between
the beats either side —, the beat before a chord symbol approaching its bass note by a
step (in pitch, the octave next to it) or from its 5th, the beat before an N.C. on its
own chord; rarely the pitch of the last beat or of the one before it, mostly by step,
rarely a leap past a 5th.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.score import Song, TimeMap
from engine.score.chord_symbols import ChordTones, parse_chord_symbol
from engine.score.instruments import program_name, role_of
from engine.score.lead_sheet import chords_span_end

from . import line_pull, vocab

# Nats added to a bass's onsets of the chord's bass note where the chord changes: a
# strike there (a rest or an empty track's model left the change unmarked).
BASS_STRIKE_PULL = 4.0
# Nats added to chord tones' onsets elsewhere: a bass's off-beat passing tones, an
# accompaniment's (strongly favoured), a written melody's lean.
BASS_TONE_PULL = 1.5
COMP_TONE_PULL = 3.0
MELODY_TONE_PULL = 1.0
# An accompaniment's pull by the tone's role: the tones that say which chord it is — its
# 3rd and 7th (the guide tones), an altered tension the symbol names (G7b9's A♭, F7alt's
# G♭), a tone outside the key (D7's F♯ in B♭) — more than the rest, and the root and
# 5th less (the bass has the root). All alike at COMP_TONE_PULL, partita-base's piano
# sounded both guide tones in 5–8 of 13 blues chords and 12–16 of 54 rhythm-changes
# ones, a chromatic tone in 8–13 of 26 of the latter's (benchmarks/bench_chords.py).
GUIDE_TONE_PULL = 4.0
PLAIN_TONE_PULL = 1.0
# A chord with no 7th (a plain triad, a 6th or add9 chord) has no guide tones but its 3rd:
# weighted as above, a pop verse's piano (G | D | Em | C) struck the 3rd with 37–39 of
# its 45–50 notes, B2 B3 B4 over G. Its root, 3rd and 5th lean alike (:data:`COMP_TONE_PULL`,
# a full triad is what a songwriter's band plays); a tone outside the key or an altered
# one (Bdim's F) still most. benchmarks/bench_chords.py's pop verse, seeds 1-3: the 3rd
# 55-75 % -> 29-35 % of the piano's notes, a complete triad in 0-2 -> 4-7 of 8 chords.
# Pitches below which an accompaniment strikes no chord's 3rd (E3): a 3rd down there
# under the bass is mud (the arranger's low-interval limit); the pop verse's piano put E2
# under the bass's C2. A slash chord's bass note on its 3rd (C/E) is the bass's, not this.
LOW_THIRD_FLOOR = 52
# Semitones above the root of the tones an alteration names: ♭9, ♯9 (beside a major 3rd),
# ♭5/♯11, ♯5/♭13.
_ALTERED = (1, 6, 8)
# Nats taken from an accompaniment's off-beat onsets a minor 2nd from a chord tone.
CLASH_PULL = 2.0

_PITCH_CLASS = np.arange(vocab.N_PITCHES) % 12


@dataclass(frozen=True, slots=True, eq=False)
class ChordGuide:
    """The chords over one window's cells: ``chord`` (T,) the index into ``chords`` of
    the one in force at each cell, -1 for none; ``onset`` (T,) the cells where a symbol
    starts (its first cell: a bar's repeated F7 too); ``change`` (T,) those of them where
    the tones or the bass differ from the cell before's; ``strong`` (T,) the cells on a
    beat; ``tones`` (T, 12) its tones' pitch classes and ``bass`` (T,) its bass pitch
    class (-1 for none); ``tacet`` (T,) the cells under an "N.C.", where the band lays
    out; ``weak`` (T,) the beats after the bar's first and every other one after it
    (beats 2 and 4 of 4/4, a 3/4 bar's 2nd), where a walking bass passes."""

    chords: tuple[ChordTones, ...]
    chord: np.ndarray
    onset: np.ndarray
    change: np.ndarray
    strong: np.ndarray
    tones: np.ndarray
    bass: np.ndarray
    tacet: np.ndarray
    weak: np.ndarray

    @property
    def any(self) -> bool:
        return bool((self.chord >= 0).any())


def _chords_at(song: Song, ticks: np.ndarray
               ) -> tuple[tuple[ChordTones, ...], np.ndarray, np.ndarray] | None:
    """``song``'s readable chord symbols, per tick of ``ticks`` the index of the one in
    force there (-1 for none: before the first, past the last one's bar, under N.C.), and
    whether an N.C. is in force there; None when the song has none."""
    read = [(c.tick, parse_chord_symbol(c.text)) for c in song.chords]
    # An unreadable symbol ("Intro") leaves the chord before it in force.
    read = [(t, c) for t, c in read if c is not None]
    if not read:
        return None
    chords = tuple(c for _, c in read)
    starts = np.array([t for t, _ in read], dtype=np.int64)
    at = np.searchsorted(starts, ticks, side="right") - 1
    at[ticks >= chords_span_end(song)] = -1
    at = np.where(at >= 0, at, -1)
    none = np.array([c.no_chord for c in chords] + [False])
    tacet = none[at]  # (at == -1 reads the sentinel)
    at[tacet] = -1  # N.C.: no chord in force
    return chords, at, tacet


def chords_in_force(song: Song, ticks: Sequence[int]) -> list[ChordTones | None]:
    """Per tick of ``ticks``, the chord symbol in force there as
    :func:`chord_guide` reads it (None where none is, N.C. too)."""
    read = _chords_at(song, np.asarray(ticks, dtype=np.int64)) if song.chords else None
    if read is None:
        return [None] * len(ticks)
    chords, at, _ = read
    return [chords[i] if i >= 0 else None for i in at.tolist()]


def chord_guide(song: Song, step_ticks: np.ndarray) -> ChordGuide | None:
    """The :class:`ChordGuide` of ``song``'s chord symbols over the cells of
    ``step_ticks`` (T + 1 edges), or None when no chord is in force in any of them."""
    ticks = np.asarray(step_ticks[:-1], dtype=np.int64)
    T = len(ticks)
    read = _chords_at(song, ticks)
    if read is None:
        return None
    chords, at, tacet = read
    if not (at >= 0).any() and not tacet.any():
        return None
    tones = np.zeros((T, 12), dtype=bool)
    bass = np.full(T, -1, dtype=np.int64)
    for i, c in enumerate(chords):
        cells = at == i
        if cells.any() and not c.no_chord:
            tones[np.ix_(cells, list(c.tones))] = True
            bass[cells] = c.bass
    prev_tones = np.vstack([np.zeros((1, 12), dtype=bool), tones[:-1]])
    prev_bass = np.r_[-1, bass[:-1]]
    change = (at >= 0) & ((tones != prev_tones).any(1) | (bass != prev_bass))
    onset = (at >= 0) & (at != np.r_[-1, at[:-1]])
    strong, weak = beat_cells(song, ticks)
    return ChordGuide(chords, at, onset, change, strong, tones, bass, tacet, weak)


def beat_cells(song: Song, ticks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T,) bool each, for the cells starting at ``ticks``: those on a beat of the meter
    (its pulses: the dotted quarters of 6/8, the 2+2+3 of 7/8), and the weak ones of them
    (every other pulse from the bar's 2nd: 2 and 4 of 4/4)."""
    tm = TimeMap.of(song)
    strong = np.zeros(len(ticks), dtype=bool)
    weak = np.zeros(len(ticks), dtype=bool)
    for i, tick in enumerate(np.asarray(ticks).tolist()):
        bar = tm.tick_to_bar(tick)
        pulses = tm.pulse_offsets(bar)
        offset = tick - tm.bar_to_tick(bar)
        strong[i] = offset in pulses
        weak[i] = strong[i] and pulses.index(offset) % 2 == 1
    return strong, weak


def semitone_from(classes: np.ndarray) -> np.ndarray:
    """(..., 12) bool: the pitch classes a semitone from one of ``classes``."""
    return np.roll(classes, 1, axis=-1) | np.roll(classes, -1, axis=-1)


def clash_classes(tones: np.ndarray) -> np.ndarray:
    """(..., 12) bool: the pitch classes a minor 2nd (or 9th) from a chord tone that are
    not chord tones themselves (C7: B, C♯, D♯, F, F♯, G♯, A)."""
    return semitone_from(tones) & ~tones


def chord_tones_allowed(lane_allowed: np.ndarray, reach: np.ndarray, editable: np.ndarray,
                        guide: ChordGuide) -> None:
    """Where a chord is in force, its tones are legal onsets wherever the lane's reach
    (``reach`` (128,): its band and register, the key left out) has them and the cell
    takes onsets at all: the chord wins over the key (in place)."""
    cells = editable & (guide.chord >= 0) & lane_allowed[:, vocab.ONSET:vocab.DRUM].any(-1)
    if not cells.any():
        return
    rows = np.flatnonzero(cells)
    add = guide.tones[rows][:, _PITCH_CLASS] & reach[None, :]
    lane_allowed[rows, vocab.ONSET:vocab.ONSET + vocab.N_PITCHES] |= add


def has_seventh(chord: ChordTones) -> bool:
    """Whether ``chord`` has a 7th (a diminished 7th chord's ♭♭7 too): the chords whose
    3rd and 7th are guide tones; a triad, a 6th or an add9 chord has none."""
    if chord.root is None:
        return False
    steps = {(t - chord.root) % 12 for t in chord.tones}
    return bool(steps & {10, 11}) or {3, 6, 9} <= steps


def chord_third(chord: ChordTones) -> int | None:
    """The pitch class of ``chord``'s 3rd (its major 3rd where a ♯9 sits beside it:
    C7#9's E), None for a chord without one (a sus chord, a power chord, N.C.)."""
    if chord.root is None:
        return None
    steps = {(t - chord.root) % 12 for t in chord.tones}
    step = 4 if 4 in steps else 3 if 3 in steps else None
    return None if step is None else (chord.root + step) % 12


def chord_scale(chord: ChordTones) -> frozenset[int]:
    """The pitch classes of ``chord``'s scale, as a jazz player walks or improvises over
    it: its tones (a slash bass too) and, for each degree it leaves out, the one its
    quality implies — mixolydian over a dominant 7th (F7: G, B♭, D), dorian over a minor
    7th, ionian over a major 7th, a 6th chord or a triad, locrian over a half-diminished
    one (Am7b5: B♭, D, F), a ♭13 beside a ♭9 (G7b9: C, E♭), whole-half over a
    diminished 7th; a chord that names all seven (F7alt) is its own scale; empty for none."""
    if chord.root is None:
        return frozenset()
    steps = {(t - chord.root) % 12 for t in chord.tones}
    if chord.bass >= 0:
        steps.add((chord.bass - chord.root) % 12)
    minor = 3 in steps and 4 not in steps
    if minor and {6, 9} <= steps and not steps & {7, 10, 11}:  # diminished 7th
        fill = {2, 5, 8, 11}
    elif len(steps) >= 7:
        fill = set()
    else:
        half_dim = minor and 6 in steps and 7 not in steps
        fill = set()
        if not steps & {1, 2} and not {3, 4} <= steps:  # a ♯9 beside the 3rd is a 2nd
            fill.add(1 if half_dim else 2)
        if 5 not in steps and not {6, 7} <= steps:  # a ♯11 beside the 5th is a 4th
            fill.add(5)
        if not steps & {6, 7, 8}:
            fill.add(7)
        if not steps & {8, 9}:
            fill.add(8 if half_dim or 1 in steps else 9)
        if not steps & {10, 11}:
            fill.add(11 if 4 in steps and not minor else 10)
    return frozenset((chord.root + s) % 12 for s in steps | fill)


def comp_tone_pulls(chord: ChordTones, scale: frozenset[int] | None = None) -> np.ndarray:
    """(12,) nats an accompaniment's onsets gain per pitch class under ``chord``:
    :data:`GUIDE_TONE_PULL` on an altered tension it names, on a tone outside ``scale``
    (the key's, when one applies) and, where it has a 7th, on its 3rd and 7th;
    :data:`PLAIN_TONE_PULL` on a 7th chord's root and perfect 5th; :data:`COMP_TONE_PULL`
    on its other tensions (a 9th, a 13th) and a chord without a 7th's root, 3rd and 5th
    (a triad is voiced whole); none off the chord."""
    out = np.zeros(12, dtype=np.float32)
    if chord.root is None:
        return out
    steps = {(t - chord.root) % 12 for t in chord.tones}
    guides = has_seventh(chord)
    for tone in chord.tones:
        step = (tone - chord.root) % 12
        third = tone == chord_third(chord)  # C7#9's D♯ is a tension
        seventh = step in (10, 11)
        altered = step in _ALTERED or (step == 3 and 4 in steps)
        if altered or (scale is not None and tone not in scale) or (
                guides and (third or seventh)):
            out[tone] = GUIDE_TONE_PULL
        elif step in (0, 7) and guides:
            out[tone] = PLAIN_TONE_PULL
        else:
            out[tone] = COMP_TONE_PULL
    return out


def follow_chords(lane_allowed: np.ndarray, editable: np.ndarray, guide: ChordGuide,
                  role: str, scale: frozenset[int] | None = None) -> np.ndarray:
    """Apply ``guide`` to one lane's allowed tokens (T, V; in place) as a part of
    ``role`` ("bass", "comp" or "melody") plays it, and return its pitch-class pull
    (T, 12) nats; ``scale``: the key's pitch classes, where one applies (a chord's tones
    outside it are the ones an accompaniment leans to most)."""
    T = len(editable)
    pull = np.zeros((T, 12), dtype=np.float32)
    if role != "melody":  # an N.C. break: the accompaniment rests, its notes cut there
        out = np.flatnonzero(editable & guide.tacet)
        lane_allowed[out] = False
        lane_allowed[out, vocab.REST] = True
    inside = editable & (guide.chord >= 0)
    if not inside.any():
        return pull
    onsets = slice(vocab.ONSET, vocab.ONSET + vocab.N_PITCHES)

    def narrow(cell: int, pcs: np.ndarray) -> bool:
        """Keep the cell's onsets of pitch classes ``pcs`` (12,) if any is left."""
        kept = lane_allowed[cell, onsets] & pcs[_PITCH_CLASS]
        if not kept.any():
            return False
        lane_allowed[cell, onsets] = kept
        return True

    tones = guide.tones.astype(np.float32)
    if role == "melody":
        pull[inside] = MELODY_TONE_PULL * tones[inside]
        return pull
    if role == "bass":
        pull[inside] = BASS_TONE_PULL * tones[inside]
        for cell in np.flatnonzero(inside).tolist():
            if guide.onset[cell]:
                root = np.zeros(12, dtype=bool)
                root[guide.bass[cell]] = True
                if narrow(cell, root):
                    pull[cell, guide.bass[cell]] = BASS_STRIKE_PULL
                    if guide.change[cell]:
                        _no_hold_over(lane_allowed, editable, cell)
            elif guide.strong[cell]:
                narrow(cell, guide.tones[cell])
        return pull
    clashes = clash_classes(guide.tones)
    weights = np.stack([comp_tone_pulls(c, scale) for c in guide.chords]
                       + [np.zeros(12, dtype=np.float32)])
    pull[inside] = weights[guide.chord[inside]] - CLASH_PULL * clashes[inside]
    for cell in np.flatnonzero(inside & guide.strong).tolist():
        narrow(cell, ~clashes[cell])
    for cell in np.flatnonzero(inside & guide.change).tolist():
        _no_hold_over(lane_allowed, editable, cell)
    _no_low_thirds(lane_allowed, inside, guide)
    return pull


def _no_low_thirds(lane_allowed: np.ndarray, cells: np.ndarray, guide: ChordGuide) -> None:
    """No onset of the chord's 3rd below :data:`LOW_THIRD_FLOOR` in ``cells`` (in place),
    where the chord's bass is not that 3rd and the cell keeps another onset."""
    thirds = [chord_third(c) for c in guide.chords]
    low = np.arange(vocab.N_PITCHES) < LOW_THIRD_FLOOR
    for cell in np.flatnonzero(cells).tolist():
        third = thirds[guide.chord[cell]]
        if third is None or third == guide.bass[cell]:
            continue
        row = lane_allowed[cell, vocab.ONSET:vocab.ONSET + vocab.N_PITCHES]
        muddy = row & low & (third == _PITCH_CLASS)
        if muddy.any() and (row & ~muddy).any():
            row[muddy] = False


def _no_hold_over(lane_allowed: np.ndarray, editable: np.ndarray, cell: int) -> None:
    """No HOLD at ``cell`` (a chord's change) where the cell before is written too (a
    kept note's tail is the composer's) and the cell keeps another token."""
    if cell == 0 or not editable[cell - 1]:
        return
    if lane_allowed[cell, [vocab.REST, *range(vocab.ONSET, vocab.DRUM)]].any():
        lane_allowed[cell, vocab.HOLD] = False


def hold_only_common_tones(lane_allowed: np.ndarray, editable: np.ndarray,
                           guide: ChordGuide, role: str) -> None:
    """An accompaniment (``role`` "bass" or "comp") sounds no note across a change of
    chord into one it is not a tone of, as a pianist lifts or re-voices there (in place):
    no HOLD at a change the model may strike or rest at, the bass's too where its register
    has no root to strike; where only a hold is left there (a kept rhythm's note tied over
    the bar line, struck off the beat before it), the note it holds is struck on a tone of
    the chords it is held into — one of its own chord's too where one is left."""
    if role not in ("bass", "comp"):
        return
    only_hold = ~lane_allowed[:, [vocab.REST, *range(vocab.ONSET, vocab.DRUM)]].any(-1)
    for cell in np.flatnonzero(editable & guide.change).tolist():
        _no_hold_over(lane_allowed, editable, cell)
        if not (lane_allowed[cell, vocab.HOLD] and only_hold[cell]):
            continue
        # Back over the held cells to the onset; the note must sound in every chord it
        # is held into, this change's and any before it.
        into = guide.tones[cell].copy()
        if guide.bass[cell] >= 0:  # a slash bass is the new chord's too
            into[guide.bass[cell]] = True
        struck = cell - 1
        while struck >= 0 and editable[struck] and only_hold[struck]:
            if guide.change[struck]:
                into &= guide.tones[struck]
            struck -= 1
        if struck < 0 or not editable[struck]:
            continue  # a kept note's tail: the composer's
        onsets = lane_allowed[struck, vocab.ONSET:vocab.ONSET + vocab.N_PITCHES]
        for pcs in (into & guide.tones[struck], into):
            kept = onsets & pcs[_PITCH_CLASS]
            if kept.any():
                lane_allowed[struck, vocab.ONSET:vocab.ONSET + vocab.N_PITCHES] = kept
                break


# Words in a track's name that make it the tune: a "Lead Vocal" on Choir Aahs, a
# "Melody" on the piano. An instrument's own name ("Voice Oohs", "Synth Voice": a pad's)
# says nothing of the part.
_MELODY_WORDS = frozenset({"lead", "vocal", "vocals", "vox", "melody", "voice", "singer",
                           "vocalist", "tune"})


def chord_role(name: str, program: int, is_drum: bool, lyrics: bool = False) -> str | None:
    """How a written track follows the chords: "bass" (a bass instrument, or a part
    named Bass), "melody" (a lead instrument: brass, reeds, pipes, leads...; a part that
    carries ``lyrics``, or whose name says it is the tune: "Vocal", "Lead", "Melody",
    "Voice", "Singer"), "comp" (the other pitched parts); None for drums. A singer-
    songwriter's "Vocal" on Choir Aahs, with its words, was comped: a continued tune
    came back as 25 of 27 notes on the chords' 3rds."""
    if is_drum:
        return None
    role = role_of(program, False)
    if role == "bass" or name.strip().lower() == "bass":
        return "bass"
    if role == "melody" or lyrics or _melody_name(name, program):
        return "melody"
    return "comp"


def _melody_name(name: str, program: int) -> bool:
    """Whether ``name`` says its part is the tune (:data:`_MELODY_WORDS`), and is not
    just its instrument's General MIDI name."""
    folded = " ".join(name.split()).casefold()
    if folded == program_name(program, False).casefold():
        return False
    return bool(_MELODY_WORDS & set(re.findall(r"[^\W\d_]+", folded)))


# A walking bass (:func:`walk_bass`): nats added to its onsets on the beat before a chord
# symbol a half or whole step from its bass note, above or below, or on its 5th; and its
# line's pulls on each beat (the sampler's ``line_pull``, :mod:`.line_pull`), read
# against the beats decided around it: taken from the pitch struck on the beat before or
# after (REPEAT_PULL) and from the one two beats away past another (BOUNCE_PULL: F C F C),
# added to a move by a half or whole step, half that to a 3rd or 4th (STEP_PULL), taken
# from a leap past the 5th (LEAP_PULL), and an approach note and the root it approaches
# pulled within a whole step of each other in pitch (NEAR_PULL: D2 → E♭3 is a minor 9th).
# Under the chords alone partita-base's bass in a swung F blues struck 2-6 notes a bar,
# repeated a pitch on 1-4 of 10-16 consecutive beats and stepped into 1-3 of 9 changes;
# walking, every bar's beats struck, 0 of 47 repeated. With the repeat pull alone it
# stepped into 3-5 of 9 changes in pitch (D2 -> Eb3 is no step), went back to the pitch
# of two beats before on 5-11 of 46 beats, moved by step 23-34 % of the time and leapt
# past a 5th 5-10 times a take; with these pulls 8-9 of 9, 1-2, 45-49 %, 0-3
# (benchmarks/bench_chords.py). A stronger STEP_PULL (2.0) changed none of these: on
# the beats only the chord's tones were legal; letting its non-clashing tensions pass
# there (a 9th) took its chord-tone time from 81-88 % to 69-79 % for 0-4 % more steps.
APPROACH_PULL = 3.0
REPEAT_PULL = 3.0
BOUNCE_PULL = 3.5
STEP_PULL = 1.5
LEAP_PULL = 2.0
NEAR_PULL = 3.0
# On the weak beats (2 and 4 of 4/4) a bassist passes between the chord tones of 1 and
# 3: there the chord's scale (:func:`chord_scale`) is legal too, its tones off the chord
# leaning SCALE_TONE_PULL like its own; any other pitch (a chromatic passing tone) is
# legal but loses CHROMATIC_PULL (not an approach into the next symbol), won back
# (PASSING_PULL, :data:`line_pull.PASSING`) where it lies a half or whole step from
# both the beat before and the beat after, between them; and the line leans to a step
# from its neighbours there by PASSING_STEP_PULL, not STEP_PULL. In the swung F blues
# and rhythm changes, seeds 1-3, steps 34-47 % -> 49-68 % and 50-54 % -> 56-67 %; roots
# 12/12 and 32/32, minor 2nds against the chord on beats 1 and 3 0 -> 0, on any beat
# 4-5 -> 6-9 and 5-14 -> 6-18; chord-tone time 85-88 % -> 69-73 % and 86-92 % ->
# 82-90 %; every chromatic note on 2 or 4 passed or approached (benchmarks/bench_chords.py).
# PASSING_STEP_PULL 3.0 gave 45-68 % and 57-64 %; STEP_PULL 3.0 on every beat no more;
# SCALE_TONE_PULL 0.75 36-64 % in the blues.
SCALE_TONE_PULL = 1.5
CHROMATIC_PULL = 3.0
PASSING_PULL = 3.0
PASSING_STEP_PULL = 4.5
# Semitones from the next chord's bass note of the notes that approach it.
_APPROACH = (-2, -1, 1, 2, 7)


def walk_bass(lane_allowed: np.ndarray, reach_allowed: np.ndarray, editable: np.ndarray,
              guide: ChordGuide, reach: np.ndarray | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """A swung song's bass under the chords walks, as a jazz player's does (in place on
    one lane's allowed tokens (T, V), after :func:`follow_chords`): a quarter note on
    every beat where a chord is in force, held to the next (its chord's first beat on
    its bass note still, the other beats on its tones); on the beat before a chord symbol
    it may also strike a note a half or whole step from that chord's bass note or its
    5th, and leans to them (``reach_allowed``: the lane's allowed tokens before
    :func:`follow_chords` narrowed its beats to the chord tones). On a weak beat (not a
    symbol's first) it may also strike its chord's scale tones (within ``reach``, the
    lane's register (128,), the key left out: the chord wins; by default what
    ``reach_allowed`` has) and any other note ``reach_allowed`` has, a chromatic passing
    tone, which leans away unless it passes by step between the beats either side. The
    beat before an "N.C." break sounds its own chord (nothing to approach). Returns the
    pitch-class pull (T, 12) and, per cell, the sampler's ``line_pull`` (T,
    N_CHANNELS): each beat's pulls against the beats around it (the constants above). A
    cell that cannot strike (a kept note, a register without such a note) is left as it
    was, and so are the cells that would hold it."""
    T = len(editable)
    pull = np.zeros((T, 12), dtype=np.float32)
    line = np.zeros((T, line_pull.N_CHANNELS), dtype=np.float32)
    inside = editable & (guide.chord >= 0)
    # Every beat, an N.C. one too: the beat before a break approaches nothing after it.
    beats = np.flatnonzero(guide.strong | guide.onset)
    onsets = slice(vocab.ONSET, vocab.ONSET + vocab.N_PITCHES)
    scales = np.zeros((len(guide.chords), 12), dtype=bool)
    for k, chord in enumerate(guide.chords):
        scales[k, list(chord_scale(chord))] = True
    approaches = set()
    for i, cell in enumerate(beats.tolist()):
        after = int(beats[i + 1]) if i + 1 < len(beats) else T
        if not inside[cell] or not lane_allowed[cell, onsets].any():
            continue
        near = np.zeros(12, dtype=bool)
        if after < T and guide.onset[after] and not guide.onset[cell] \
                and guide.bass[after] >= 0:
            near[[(guide.bass[after] + s) % 12 for s in _APPROACH]] = True
            widened = reach_allowed[cell, onsets] & (near | guide.tones[cell])[_PITCH_CLASS]
            if (widened & near[_PITCH_CLASS]).any():
                lane_allowed[cell, onsets] = widened
                pull[cell, near] += APPROACH_PULL
                approaches.add(after)
                line[cell, line_pull.INTO_NEXT] = NEAR_PULL
            else:
                near[:] = False
        own = reach_allowed[cell, onsets]
        step = STEP_PULL
        if guide.weak[cell] and not guide.onset[cell] and own.any():
            scale = scales[guide.chord[cell]]
            band = reach if reach is not None else own
            lane_allowed[cell, onsets] |= (band & scale[_PITCH_CLASS]) | own
            pull[cell] += SCALE_TONE_PULL * (scale & ~guide.tones[cell])
            pull[cell] -= CHROMATIC_PULL * ~(scale | near)  # an approach is no stray
            line[cell, line_pull.PASSING] = PASSING_PULL
            step = PASSING_STEP_PULL
        if cell in approaches:
            line[cell, line_pull.FROM_BEFORE] = NEAR_PULL
        lane_allowed[cell, :vocab.ONSET] = False  # struck: no rest, no hold
        line[cell, line_pull.REPEAT] = REPEAT_PULL
        line[cell, line_pull.BOUNCE] = BOUNCE_PULL
        line[cell, line_pull.STEP] = step
        line[cell, line_pull.LEAP] = LEAP_PULL
        for held in range(cell + 1, after):  # held to the next beat
            if not inside[held] or not lane_allowed[held, vocab.HOLD]:
                break
            lane_allowed[held] = False
            lane_allowed[held, vocab.HOLD] = True
    return pull, line


# A written tune's line (:func:`sing_line`; the sampler's ``line_pull``, :mod:`.line_pull`,
# read against the notes sung around each cell): taken from a pitch struck a third time
# running (RUN_PULL), added to a move by step, half that to a 3rd, taken from a leap
# past the 5th and twice that past the octave (MELODIC_PULL), and a leap of a 4th or more
# filled in by a move back (GAP_FILL_PULL). Under the chords alone partita-base's Vocal
# in a pop verse (G | D | Em | C) struck one pitch 3-4 times running 0-3 times a take
# and moved by step 21-36 % of the time in a repainted half-verse; with these, 0 and
# 31-54 % (benchmarks/bench_melody.py, seeds 1-5). RUN_PULL 3 left the runs whose
# middle note was drawn last before the notes either side were read past the cells
# still undecided; 5 with that reading. With no chord symbols (most songs) the line alone:
# the demo's Lead, the pop verse unchorded and a folk tune, repainted and continued, seeds
# 1-20, struck a pitch 3+ times running 162 times in 120 takes without it, 4 with it,
# moved by step 33-44 % → 52-61 % of the time, its rhythm and key as they were
# (bench_melody.py --no-chords --key auto).
RUN_PULL = 5.0
MELODIC_PULL = 1.0
GAP_FILL_PULL = 1.0


def sing_line(editable: np.ndarray, guide: ChordGuide | None
              ) -> tuple[np.ndarray, np.ndarray]:
    """A written one-lane tune's line (``editable`` (T,): its cells), under the chords of
    ``guide`` or none: per cell the sampler's ``line_pull`` (T, N_CHANNELS) — the
    constants above, on every cell it writes — and ``held_clash`` (T, 12): at each change
    of chord, the pitch classes a note sounding on into it may not have
    (:func:`clash_classes` of the new chord: a singer's F♯4 held from D into C, C5 from C
    into Em against its B; none without chords). A note struck there is free: its pull to
    the chord tones says what is heard on the change."""
    T = len(editable)
    line = np.zeros((T, line_pull.N_CHANNELS), dtype=np.float32)
    line[editable, line_pull.RUN] = RUN_PULL
    line[editable, line_pull.MELODIC] = MELODIC_PULL
    line[editable, line_pull.GAP_FILL] = GAP_FILL_PULL
    held = np.zeros((T, 12), dtype=bool)
    if guide is None:
        return line, held
    changes = editable & guide.change
    held[changes] = clash_classes(guide.tones[changes])
    return line, held
