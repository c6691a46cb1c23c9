"""A swung song's bass under its chord symbols walks: a quarter note on every beat, the
chord's root on its first beat, approaches into the changes a step away in pitch, few
repeated pitches, no bouncing between two, mostly steps and few leaps past a 5th. A
straight song's bass is written as before."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from engine import tasks
from engine.models import constraints, line_pull, vocab
from engine.models.chord_follow import (
    CHROMATIC_PULL,
    SCALE_TONE_PULL,
    chord_guide,
    chord_scale,
    follow_chords,
    walk_bass,
)
from engine.models.groove import Groove, song_grooves, swings
from engine.models.plugin import tiny_random_model
from engine.models.sampler import sample
from engine.plugins.api import CancelToken, GenerateOptions
from engine.score import Mask, Note, Region, Song, Track
from engine.score.chord_symbols import parse_chord_symbol
from engine.score.lead_sheet import with_lead_sheet

from .blues_song import blues_song
from .line_nats import line_nats_at

pytestmark = pytest.mark.usefixtures("one_torch_thread")

PPQ = 480
BAR = 4 * PPQ
BLUES = "F7 | Bb7 | F7 | F7 | Bb7 | Bb7 | F7 | F7 | C7 | Bb7 | F7 | C7"
ROOTS = [5, 10, 5, 5, 10, 10, 5, 5, 0, 10, 5, 0]  # per bar, the chord's root


def harmonize(song: Song, seed: int) -> Song:
    take = tasks.harmonize(song, song.tracks[0].id, accompaniment="band",
                           model=tiny_random_model(0),
                           options=GenerateOptions(seed=seed, steps=4))
    return take.after


def _bass(song: Song) -> list[Note]:
    return list(next(t for t in song.tracks if t.name == "Bass").notes)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_swung_blues_bass_walks_in_quarter_notes(tmp_path: Path, seed: int):
    song = with_lead_sheet(blues_song(tmp_path, band=False), BLUES)
    bass = _bass(harmonize(song, seed))
    struck = {n.start: n for n in bass}
    beats = range(0, 12 * BAR, PPQ)
    # A note on every beat, held to the next one (the last bar's close aside).
    assert all(b in struck for b in beats[:-4]), sorted(set(beats) - set(struck))
    assert all(struck[b].end > b + PPQ // 2 for b in beats[:-4])
    assert not [n for n in bass if n.start % PPQ and n.start < 11 * BAR]
    # The root on each chord's first beat.
    assert all(struck[bar * BAR].pitch % 12 == ROOTS[bar] for bar in range(12))
    # A new pitch on the next beat nearly always.
    pairs = [(struck[b - PPQ].pitch, struck[b].pitch) for b in beats[1:-4]]
    assert sum(a == b for a, b in pairs) <= 2, pairs
    # Into a change, mostly from a half or whole step away in pitch (D2 → E♭3 is a
    # minor 9th, no approach). The model alone: 1-6 of 8, some a 9th or more away.
    changes = [bar for bar in range(1, 12) if ROOTS[bar] != ROOTS[bar - 1]]
    moves = [abs(struck[bar * BAR - PPQ].pitch - struck[bar * BAR].pitch) for bar in changes]
    assert sum(m in (1, 2) for m in moves) >= 0.75 * len(changes), moves
    # No F C F C: rarely back to the pitch of two beats before (the model alone: 4-7).
    line = [struck[b].pitch for b in beats[:-4]]
    assert sum(line[i] == line[i - 2] != line[i - 1] for i in range(2, len(line))) <= 2, line
    # Walks by step more than the model alone (8-11 of 43) and than with chord tones
    # alone on every beat (16-23 of 43, seeds 1-4; with passing tones 23-31), and leaps
    # past a 5th rarely (10-14 of 43).
    steps = [abs(a - b) for a, b in pairs]
    assert sum(m in (1, 2) for m in steps) >= len(steps) / 2, line
    assert sum(m > 7 for m in steps) <= 5, line
    # Beat 3 on a chord tone; a note off the chord's scale on 2 or 4 passes by step
    # between the beats either side or approaches the next.
    chords = [parse_chord_symbol(c) for c in BLUES.split(" | ")]
    for i, beat in enumerate(beats[:-5]):
        chord, pitch = chords[beat // BAR], line[i]
        if beat % BAR == 2 * PPQ:
            assert pitch % 12 in chord.tones, (beat, line)
        if beat % (2 * PPQ) == PPQ and pitch % 12 not in chord_scale(chord):
            lo, hi = sorted((line[i - 1], line[i + 1]))
            passes = lo < pitch < hi and pitch - lo <= 2 and hi - pitch <= 2
            assert passes or abs(line[i + 1] - pitch) in (1, 2), (beat, line)


def _walked(song: Song, bars: int):
    """The chords' guide over ``bars`` bars of a one-lane E1-G3 bass, its legal tokens
    after follow_chords and walk_bass, and walk_bass's pull and line pull."""
    guide = chord_guide(song, np.arange(0, bars * BAR + 1, PPQ // 4))
    assert guide is not None
    T = len(guide.chord)
    allowed = np.zeros((T, vocab.VOCAB_SIZE), dtype=bool)
    allowed[:, [vocab.REST, vocab.HOLD]] = True
    allowed[:, vocab.onset(28) : vocab.onset(56)] = True  # E1-G3
    editable = np.ones(T, dtype=bool)
    reach = allowed.copy()
    follow_chords(allowed, editable, guide, "bass")
    pull, line = walk_bass(allowed, reach, editable, guide)
    return guide, allowed, pull, line


def _classes(allowed: np.ndarray, cell: int) -> set[int]:
    """The pitch classes ``cell`` may strike."""
    return {p % 12 for p in np.flatnonzero(allowed[cell, vocab.onset(0) :
                                                   vocab.onset(vocab.N_PITCHES)])}


def test_the_beat_before_a_break_sounds_its_own_chord():
    # A bassist approaches the chord that follows, not one past an N.C. break.
    song = with_lead_sheet(Song(tracks=(Track(name="Bass", program=32),), ppq=PPQ),
                           "F7 | G7 | N.C. | N.C. | Dm7")
    _, allowed, pull, line = _walked(song, 5)

    def classes(cell: int) -> set[int]:
        return _classes(allowed, cell)

    into_g7, before_break = 3 * 4, 16 + 3 * 4  # beat 4 of bars 1 and 2
    assert classes(into_g7) > {5, 9, 0, 3}  # F7's tones and approaches to G
    assert line[into_g7, line_pull.INTO_NEXT] > 0 and pull[into_g7, 8] > 0  # A♭
    # A passing beat (4): G7's scale leans in, C♯ and E♭ (D's approaches, off G
    # mixolydian) lean away as any stray chromatic note: nothing approaches Dm7.
    assert (pull[before_break, [1, 3]] == -CHROMATIC_PULL).all()
    assert line[before_break, line_pull.INTO_NEXT] == 0
    assert classes(before_break - 4) == {7, 11, 2, 5}  # beat 3: G7's own tones
    assert line[16, line_pull.FROM_BEFORE] > 0  # G7's root near the note before it
    assert not line[64, line_pull.FROM_BEFORE]  # Dm7's after the break: nothing to near


NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


@pytest.mark.parametrize("symbol, scale", [
    ("F7", "F G A Bb C D Eb"),  # mixolydian
    ("Gm7", "G A Bb C D E F"),  # dorian
    ("Bbmaj7", "Bb C D Eb F G A"),  # ionian
    ("Bb6", "Bb C D Eb F G A"),
    ("Am7b5", "A Bb C D Eb F G"),  # locrian
    ("G7b9", "G Ab B C D Eb F"),  # a b13 beside the b9
    ("F7alt", "F F# Ab A B C# Eb"),  # names all seven
    ("Cm7/F", "C D Eb F G A Bb"),
])
def test_a_chords_scale_is_the_one_its_quality_implies(symbol: str, scale: str):
    chord = parse_chord_symbol(symbol)
    assert chord is not None
    assert chord_scale(chord) == {NAMES.index(n) for n in scale.split()}


def test_a_walking_bass_passes_on_beats_2_and_4():
    # F7 for a bar, Bb7 after: 1 on F, 3 on F7's tones, 2 and 4 free to pass, F7's
    # scale leaning in beside its tones, a chromatic note away but for Bb's approaches.
    song = with_lead_sheet(Song(tracks=(Track(name="Bass", program=32),), ppq=PPQ),
                           "F7 | Bb7")
    guide, allowed, pull, line = _walked(song, 2)
    assert np.flatnonzero(guide.weak).tolist() == [4, 12, 20, 28]

    def classes(cell: int) -> set[int]:
        return _classes(allowed, cell)

    assert classes(0) == {5} and classes(8) == {5, 9, 0, 3}
    assert classes(4) == classes(12) == set(range(12))
    assert pull[4, 7] == pull[4, 10] == pull[4, 2] == SCALE_TONE_PULL  # G, B♭, D
    assert pull[4, 6] == pull[4, 11] == -CHROMATIC_PULL  # F♯, B
    assert pull[12, 11] > 0  # B approaches B♭
    assert (line[[4, 12], line_pull.PASSING] > 0).all()
    assert not line[[0, 8], line_pull.PASSING].any()


def test_the_line_pulls_a_passing_tone_between_its_neighbours():
    nats = line_nats_at(_quarters(43, None, 45), 4, line_pull.PASSING)  # G2 ? A2: G♯2
    assert nats[44] == 1.0 and np.delete(nats, 44).sum() == 0
    nats = line_nats_at(_quarters(41, None, 45), 4, line_pull.PASSING)  # F2 ? A2: G2
    assert np.flatnonzero(nats).tolist() == [43]
    nats = line_nats_at(_quarters(45, None, 48), 4, line_pull.PASSING)  # A2 ? C3: B♭2, B2
    assert np.flatnonzero(nats).tolist() == [46, 47]
    assert not line_nats_at(_quarters(43, None, None), 4, line_pull.PASSING).any()  # undecided


def _quarters(*pitches: int | None) -> list[int]:
    """Quarter notes (a pitch, held three 16ths), None for a beat still undecided."""
    out = []
    for p in pitches:
        out += [vocab.MASK if p is None else vocab.onset(p)] + [vocab.HOLD] * 3
    return out


def test_the_line_pulls_an_approach_into_the_octave_of_its_target():
    # D2 decided on the next beat: E♭2 and C♯2 approach it, not E♭3 (a minor 9th).
    nats = line_nats_at(_quarters(48, None, 38), 4, line_pull.INTO_NEXT)
    assert nats[39] == nats[37] == nats[40] == nats[36] == 1.0
    assert nats[51] == nats[49] == 0.0
    # ... and the root is struck a step from the approach note decided before it.
    nats = line_nats_at(_quarters(39, None), 4, line_pull.FROM_BEFORE)
    assert nats[38] == 1.0 and nats[50] == 0.0


def test_the_line_takes_from_bounces_and_leaps_and_leans_to_steps():
    bounce = line_nats_at(_quarters(41, 48, None), 8, line_pull.BOUNCE)  # F2 C3 ?: not F2
    assert bounce[41] == -1.0 and (np.delete(bounce, 41) == 0).all()
    ahead = line_nats_at(_quarters(None, 48, 41), 0, line_pull.BOUNCE)  # ? C3 F2: not F2 either
    assert ahead[41] == -1.0
    unsure = line_nats_at(_quarters(41, None, None), 8, line_pull.BOUNCE)  # F2 (undecided) ?
    assert unsure[41] == -1.0
    leap = line_nats_at(_quarters(48, None), 4, line_pull.LEAP)  # from C3: past G3 or under F2
    assert leap[56] == leap[40] == -1.0 and leap[55] == leap[41] == 0.0
    step = line_nats_at(_quarters(48, None), 4, line_pull.STEP)
    assert step[46] == step[50] == 1.0  # a whole step
    assert step[45] == step[53] == line_pull.SMALL_LEAP_SHARE  # a 3rd, a 4th
    assert step[48] == step[42] == 0.0


def test_the_song_swings_only_with_its_off_beat_8ths_late(tmp_path: Path):
    swung = blues_song(tmp_path, band=False)
    mask = Mask.of(Region({swung.tracks[0].id}, 0, 4 * BAR))
    assert swings(song_grooves(swung, mask), PPQ)
    assert swings({1: Groove((0, 0, 80, 0))}, PPQ)
    assert not swings({1: Groove((20, 20, 20, 20))}, PPQ)  # laid back, not swung
    assert not swings({1: Groove((0, 40, 0, 40))}, PPQ)  # swung 16ths (hip-hop)
    assert not swings({}, PPQ)  # straight music: no groove at all


def straight_blues() -> Song:
    """A straight-8ths tenor line over the blues changes (rock, pop: no swing)."""
    riff = (65, 68, 70, 72, 75, 72, 70, 68)
    notes = tuple(Note(riff[i % 8], b * BAR + i * PPQ // 2, PPQ // 2 - 20, 90)
                  for b in range(12) for i in range(8))
    song = Song(tracks=(Track(name="Tenor Sax", program=66, notes=notes),), ppq=PPQ)
    return with_lead_sheet(song, BLUES)


def test_a_straight_songs_bass_is_written_as_before(monkeypatch):
    song = straight_blues()
    before = [t.notes for t in harmonize(song, 1).tracks]

    def no_walk(*args, **kwargs):
        raise AssertionError("a straight song's bass walked")

    problems = []
    built = constraints.build_problem

    def spy(*args, **kwargs):
        problems.append(built(*args, **kwargs))
        return problems[-1]

    monkeypatch.setattr(constraints, "walk_bass", no_walk)
    monkeypatch.setattr("engine.models.grid_plugin.build_problem", spy)
    after = [t.notes for t in harmonize(song, 1).tracks]
    assert after == before
    assert problems and all(p.line_pull is None for p in problems)


class _LovesE2:
    """A denoiser that favours E2 by 2 nats over any other note wherever it is asked."""

    def __call__(self, x: torch.Tensor, roles: torch.Tensor, beat: torch.Tensor
                 ) -> torch.Tensor:
        out = torch.zeros((*x.shape, vocab.VOCAB_SIZE))
        out[..., vocab.onset(40)] = 2.0
        return out


@pytest.mark.parametrize("nats, most", [(0.0, None), (8.0, 0)])
def test_the_sampler_takes_line_pull_from_the_pitch_struck_on_the_beat_before(nats, most):
    steps = 64
    tokens = np.full((1, steps), vocab.REST, dtype=np.int64)
    editable = np.ones_like(tokens, dtype=bool)
    allowed = np.zeros((1, steps, vocab.VOCAB_SIZE), dtype=bool)
    for pitch in (40, 43, 45):  # E2 G2 A2: a free one beside any two neighbours
        allowed[0, 0::4, vocab.onset(pitch)] = True
    for k in (1, 2, 3):  # quarter notes: each beat held to the next
        allowed[0, k::4, vocab.HOLD] = True
    pull = np.zeros((1, steps, line_pull.N_CHANNELS), dtype=np.float32)
    pull[0, 0::4, line_pull.REPEAT] = nats
    out = sample(_LovesE2(), tokens, editable, np.full(1, 1), np.arange(steps) % 16,
                 allowed, GenerateOptions(seed=4, steps=4), lambda p: None, CancelToken(),
                 line_pull=pull if nats else None)
    struck = out[0, 0::4] - vocab.ONSET
    assert set(struck.tolist()) <= {40, 43, 45}
    repeats = int((struck[1:] == struck[:-1]).sum())
    if most is None:
        assert repeats >= 8  # the model alone: E2 again and again
    else:
        assert repeats <= most, struck


def test_with_keep_rhythm_a_swung_bass_keeps_its_rhythm(tmp_path: Path):
    # Kept rhythm is the user's: the bass's own half notes stay half notes.
    song = with_lead_sheet(blues_song(tmp_path, band=False), BLUES)
    halves = tuple(Note(41 + ROOTS[b] % 12, b * BAR + h * 2 * PPQ, 2 * PPQ - 40, 90)
                   for b in range(4) for h in range(2))
    song = replace(song, tracks=(*song.tracks, Track(name="Bass", program=32, channel=2,
                                                      notes=halves)))
    bass = song.tracks[-1]
    take = tasks.repaint(song, [bass.id], 0, 4, model=tiny_random_model(0),
                         options=GenerateOptions(seed=1, steps=4, keep_rhythm=True))
    new = _bass(take.after)
    assert sorted(n.start for n in new) == sorted(n.start for n in halves)


def _walk_under(kept: list[Track]) -> tuple[np.ndarray, np.ndarray]:
    """A swung F7 | Bb7 bar pair's written Bass walking under the ``kept`` tracks:
    the bass lane's allowed onsets (T, 128) and pitch-class pull (T, 12)."""
    from engine.models.grid import GridSpec, encode

    bass = Track(name="Bass", program=32)
    song = with_lead_sheet(Song(tracks=(bass, *kept), ppq=PPQ, length=2 * BAR), "F7 | Bb7")
    mask = Mask.of(Region(frozenset({bass.id}), 0, 2 * BAR))
    enc = encode(song, GridSpec(), 0, 2 * BAR, lanes={t.id: 1 for t in song.tracks})
    problem = constraints.build_problem(enc, song, mask, {bass.id}, swing=True)
    lane = enc.lane_tracks.index(bass.id)
    onsets = problem.allowed[lane, :, vocab.onset(0) : vocab.onset(vocab.N_PITCHES)]
    assert problem.pitch_pull is not None
    return onsets, problem.pitch_pull[lane]


def test_a_walk_under_a_kept_band_strikes_no_semitone_from_it_on_a_beat():
    # Jazz QA, the Bass repainted under a kept piano and sax: E♭3 on Bb7's beat 4 under
    # the piano's D4 (the sax held E♭5: E♭ was a kept note's class, so no clash) and
    # B♭2 under A4 over F7, 2-5 a take; and the piano's chord pulled the walk back onto
    # the pitch of the beat before (1-4 repeats a take, none where nothing was kept).
    piano = Track(name="Piano", program=0, channel=1, notes=(
        Note(69, 0, BAR), Note(63, 0, BAR),  # A4 and E♭4 over F7
        Note(62, BAR, BAR), Note(68, BAR, BAR)))  # D4 and A♭4 over Bb7
    sax = Track(name="Tenor Sax", program=66, channel=2, notes=(
        Note(70, 0, BAR), Note(75, BAR, BAR)))  # B♭4 over F7, E♭5 held over Bb7
    onsets, pull = _walk_under([piano, sax])

    def classes(cell: int) -> set[int]:
        return {p % 12 for p in np.flatnonzero(onsets[cell])}

    # A semitone from a kept chord tone and off the chord, or from the sax's tone off it:
    # F7 (kept A E♭, B♭): A♭ B♭ D E, and A B; Bb7 (kept D A♭, E♭): C♯ E♭ G A, and D E.
    rubs = {0: {8, 10, 2, 4, 9, 11}, 1: {1, 3, 7, 9, 2, 4}}
    for cell in (4, 12, 20, 28):  # beats 2 and 4: passing, but not a semitone from them
        assert classes(cell) and not classes(cell) & rubs[cell // 16], cell
    assert 3 not in classes(28) and 10 not in classes(4)  # no E♭3 under D4, B♭2 under A4
    # Bb7's 3rd, D, rubs with the sax's E♭ off the chord: not on beat 3 either (2).
    assert 2 not in classes(24) and classes(24) >= {10, 5, 8}
    # Under the chord symbol the walk's pulls are its own: the kept piano's classes gain
    # nothing beside them (constraints.CHORD_PULL).
    _, bare = _walk_under([])
    assert np.array_equal(pull[[0, 8, 16, 24]], bare[[0, 8, 16, 24]])
