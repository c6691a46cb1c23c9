"""The song ↔ token-grid codec: exact round trips, off-grid reporting, lanes and positions."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest

from engine.models import vocab
from engine.models.chorale import (
    chorale_to_song,
    chorale_to_tokens,
    song_to_chorale,
    tokens_to_chorale,
)
from engine.models.grid import (
    CHORD_LANES,
    COMPOUND_OFFSET,
    GUITAR_STRINGS,
    GridSpec,
    _polyphony,
    chord_size,
    decode,
    encode,
    resolve_overlaps,
    step_in_bar,
    step_tick,
)
from engine.models.voices import match_voices
from engine.score import Note, Song, TimeSignature, Track
from tests.conftest import JSB, needs_jsb

Q = 120  # a 16th at 480 PPQ


def keys(notes) -> list[tuple[int, int, int, int]]:
    return sorted(n.key() for n in notes)


def random_on_grid_song(rng: np.random.Generator, ppq: int = 480) -> Song:
    """Tracks whose notes all lie on the 16th grid, within each role's lane budget."""
    step = ppq // 4
    tracks = []
    for program, is_drum, voices in ((0, False, 4), (33, False, 1), (73, False, 1),
                                     (48, False, 3), (0, True, 3)):
        notes = []
        if is_drum:
            for t in range(64):
                classes = rng.choice(vocab.N_DRUM_CLASSES, size=rng.integers(0, 4), replace=False)
                notes += [Note(vocab.drum_note_of_class(int(k)), t * step, step,
                               int(rng.integers(30, 127))) for k in classes]
        else:
            for _ in range(voices):  # each voice is monophonic: polyphony ≤ voices
                t = int(rng.integers(0, 4))
                while t < 64:
                    d = int(rng.integers(1, 9))
                    notes.append(Note(int(rng.integers(30, 90)), t * step, d * step,
                                      int(rng.integers(1, 128))))
                    t += d + int(rng.integers(0, 3))
        tracks.append(Track(name=f"t{program}{is_drum}", program=program, is_drum=is_drum,
                            channel=9 if is_drum else 0, notes=tuple(notes)))
    return Song(tracks=tuple(tracks), ppq=ppq)


@pytest.mark.parametrize("ppq", [480, 96, 100])
def test_random_on_grid_songs_round_trip_exactly(ppq):
    rng = np.random.default_rng(ppq)
    for _ in range(8):
        song = random_on_grid_song(rng, ppq)
        enc = encode(song)
        assert not enc.off_grid
        assert enc.n_lanes <= GridSpec().max_lanes
        decoded = decode(enc, enc.tokens)
        for track in song.tracks:
            assert keys(decoded[track.id]) == keys(track.notes), track.name


@needs_jsb
def test_jsb_chorales_map_one_to_one_onto_lane_tokens():
    data = json.loads(JSB.read_text())
    chorales = data["train"] + data["valid"]
    for c in chorales:
        tokens = chorale_to_tokens(c)
        assert tokens.shape == (4, len(c))
        assert tokens_to_chorale(tokens) == c
    for c in chorales[::5]:  # the song path too, on a sample (it is slower)
        song = chorale_to_song(c)
        enc = encode(song)
        assert np.array_equal(enc.tokens, chorale_to_tokens(c))
        assert not enc.off_grid
        decoded = decode(enc, enc.tokens)
        assert all(decoded[t.id] == t.notes for t in song.tracks)
        assert song_to_chorale(song, len(c)) == c


def test_chorale_tokens_hold_rest_and_onsets():
    steps = [[60, -1, 55, 48], [60, -1, 55, 48], [62, 59, -1, 48], [-1, 59, 55, 50]]
    t = chorale_to_tokens(steps)
    assert t[0].tolist() == [vocab.onset(60), vocab.HOLD, vocab.onset(62), vocab.REST]
    assert t[1].tolist() == [vocab.REST, vocab.REST, vocab.onset(59), vocab.HOLD]
    assert t[2].tolist() == [vocab.onset(55), vocab.HOLD, vocab.REST, vocab.onset(55)]
    # A hold after a rest (possible in model output) reads as silence.
    assert tokens_to_chorale(np.array([[vocab.HOLD, vocab.onset(60)]] * 4)) == [[-1] * 4,
                                                                                [60] * 4]
    with pytest.raises(ValueError):
        chorale_to_tokens([[200, 60, 60, 60]])


def test_off_grid_notes_are_reported_and_never_silently_dropped():
    piano = Track(name="Melody", program=73, notes=(
        Note(60, 0, 4 * Q),  # on the grid
        Note(62, 160, 160),  # 8th-note triplet
        Note(64, 4 * Q + 7, Q),  # micro-timing
        Note(65, 8 * Q, 0),  # zero length
        Note(67, 8 * Q, 2 * Q),  # a second voice: beyond the melody's one lane
        Note(69, 8 * Q, 2 * Q),  # on the grid (the higher voice keeps the lane)
    ))
    song = Song(tracks=(piano,))
    enc = encode(song)
    off = keys(enc.off_grid[piano.id])
    assert off == keys([piano.notes[i] for i in (1, 2, 3, 4)])
    decoded = decode(enc, enc.tokens)[piano.id]
    assert keys(decoded) == keys([piano.notes[0], piano.notes[5]])
    # Snapped as context: the off-grid notes that fit a lane now show in the grid too.
    snapped = encode(song, snap_off_grid=True)
    assert keys(snapped.off_grid[piano.id]) == off
    assert (snapped.tokens != vocab.REST).sum() > (enc.tokens != vocab.REST).sum()


def test_ppq_not_divisible_by_four_maps_steps_to_nearest_ticks():
    ppq = 90  # a 16th is 22.5 ticks: steps at 0, 23, 45, 68, 90, ...
    assert [step_tick(i, ppq) for i in range(5)] == [0, 23, 45, 68, 90]
    on = [Note(60, 0, 23), Note(62, 23, 45), Note(64, 68, 22)]
    off = [Note(65, 22, 10), Note(67, 90, 20)]  # 22 is no step; 90 + 20 = 110 is no step
    track = Track(notes=(*on, *off))
    enc = encode(Song(tracks=(track,), ppq=ppq))
    assert keys(decode(enc, enc.tokens)[track.id]) == keys(on)
    assert keys(enc.off_grid[track.id]) == keys(off)


def test_drum_hits_go_to_lanes_by_class_order():
    hat, snare, kick, crash = 42, 38, 36, 49
    extra_crash = Note(crash, 2 * Q, Q)  # a 4th class at one step: no lane left
    other_kick = Note(35, 4 * Q, Q)  # GM acoustic kick: same class, another note → not exact
    drums = Track(name="Drums", is_drum=True, channel=9, notes=(
        Note(hat, 0, Q), Note(snare, 0, Q), Note(kick, 0, Q),  # 3 classes at once
        Note(kick, 2 * Q, Q), Note(hat, 2 * Q, Q), extra_crash, Note(snare, 2 * Q, Q),
        other_kick,
    ))
    song = Song(tracks=(drums,), length=8 * Q)
    enc = encode(song)
    assert enc.n_lanes == 3 and enc.drum_lanes.all()
    col = enc.tokens[:, 0].tolist()
    assert col == [vocab.drum(0), vocab.drum(1), vocab.drum(2)]  # kick, snare, hat
    assert enc.tokens[:, 2].tolist() == [vocab.drum(0), vocab.drum(1), vocab.drum(2)]
    assert keys(enc.off_grid[drums.id]) == keys([extra_crash, other_kick])
    assert vocab.HOLD not in enc.tokens  # drum hits never hold
    snapped = encode(song, snap_off_grid=True)
    assert snapped.tokens[0, 4] == vocab.drum(0)


def test_a_drum_class_is_written_back_as_the_note_the_tracks_kit_uses():
    # The QA's loop: Hand Clap 39 on the backbeat, Maracas 70 as the hat, Kick 36.
    notes = []
    for beat in range(8):
        notes += [Note(36 if beat % 2 == 0 else 39, 4 * beat * Q, Q), Note(70, 4 * beat * Q, Q)]
    drums = Track(name="Drums", is_drum=True, channel=9, notes=tuple(notes))
    song = Song(tracks=(drums,), length=32 * Q)
    enc = encode(song)
    assert drums.id not in enc.off_grid  # the clap and the maracas are the kit's: exact
    assert keys(decode(enc, enc.tokens)[drums.id]) == keys(notes)
    assert enc.tokens[1, 0] == vocab.drum(2)  # the maracas keep time: its closed hat
    # New hits of the classes it plays use its notes; a class it lacks, the stock note.
    grid = np.full(enc.tokens.shape, vocab.REST, dtype=np.int64)
    grid[0, 2], grid[1, 2], grid[0, 6] = vocab.drum(1), vocab.drum(2), vocab.drum(6)
    assert [(n.pitch, n.start) for n in decode(enc, grid)[drums.id]] == [
        (39, 2 * Q), (70, 2 * Q), (49, 6 * Q)]


def test_a_layered_drum_hit_is_one_token_and_decodes_to_every_layer():
    # openmsx-6: Kick 2 (35) and Kick (36) struck together on every kick.
    notes = [Note(p, 4 * b * Q, Q, 100) for b in range(4) for p in (35, 36)]
    loud_apart = [Note(35, 16 * Q, Q, 100), Note(36, 16 * Q, Q, 60)]  # not one sound
    drums = Track(name="Drums", is_drum=True, channel=9, notes=(*notes, *loud_apart))
    enc = encode(Song(tracks=(drums,), length=20 * Q))
    assert enc.n_lanes == 1 and enc.tokens[0, 0] == vocab.drum(0)
    assert keys(enc.off_grid[drums.id]) == keys(loud_apart)
    assert keys(decode(enc, enc.tokens)[drums.id]) == keys(notes)
    grid = np.full(enc.tokens.shape, vocab.REST, dtype=np.int64)
    grid[0, 2] = vocab.drum(0)
    assert sorted(n.pitch for n in decode(enc, grid)[drums.id]) == [35, 36]


def test_voice_assignment_is_deterministic_and_keeps_voices_continuous():
    chord = [Note(p, 0, 4 * Q) for p in (72, 64, 48)]
    later = [Note(50, 4 * Q, 4 * Q), Note(74, 8 * Q, 4 * Q)]
    piano = Track(name="Piano", notes=(*chord, *later))
    enc = encode(Song(tracks=(piano,)), lanes={piano.id: 3})
    assert [int(enc.tokens[lane, 0]) for lane in range(3)] == [vocab.onset(p) for p in (72, 64,
                                                                                         48)]
    assert enc.tokens[2, 4] == vocab.onset(50)  # the low note stays in the low lane
    assert enc.tokens[0, 8] == vocab.onset(74)  # the high one in the high lane
    # Same music with other ids and another note order: same grid.
    again = Track(name="Piano", notes=tuple(replace(n, id=n.id + 10_000) for n in
                                            reversed(piano.notes)))
    enc2 = encode(Song(tracks=(again,)), lanes={again.id: 3})
    assert np.array_equal(enc.tokens, enc2.tokens)
    assert match_voices([70, 50], [(0, 72), (1, None), (2, 48)]) == [0, 2]


def test_too_many_voices_keep_the_outer_ones():
    piano = Track(name="Piano", notes=tuple(Note(p, 0, Q) for p in (84, 76, 72, 67, 60, 36)))
    enc = encode(Song(tracks=(piano,)))
    kept = sorted(vocab.pitch_of(int(t)) for t in enc.tokens[:, 0])
    assert kept == [36, 72, 76, 84]  # the top three and the bass
    assert sorted(n.pitch for n in enc.off_grid[piano.id]) == [60, 67]


def test_beat_pos_follows_meter_changes():
    song = Song(tracks=(Track(notes=(Note(60, 0, 1920 + 1440),)),),
                time_signatures=(TimeSignature(0, 4, 4), TimeSignature(1920, 3, 4)))
    enc = encode(song)
    assert enc.beat_pos.tolist() == list(range(16)) + list(range(12))
    big = Song(tracks=song.tracks, time_signatures=(TimeSignature(0, 11, 4),), length=5280)
    assert encode(big).beat_pos.max() == 31  # capped


def test_compound_bars_have_their_own_positions():
    """A 6/8 bar is 12 steps like a 3/4 bar; the model must still tell them apart."""
    song = Song(tracks=(Track(notes=(Note(60, 0, 1440 + 1440 + 1920),)),),
                time_signatures=(TimeSignature(0, 3, 4), TimeSignature(1440, 6, 8),
                                 TimeSignature(2880, 4, 4)))
    pos = encode(song).beat_pos
    assert pos.tolist() == (list(range(12)) + [COMPOUND_OFFSET + i for i in range(12)]
                            + list(range(16)))
    assert step_in_bar(pos).tolist() == list(range(12)) * 2 + list(range(16))


def test_a_chosen_grouping_leaves_the_models_positions_as_the_notated_meter():
    """The network reads 16th positions in the bar; a grouping changes what the click and
    the accents count, not what the model sees (its corpus wrote no groupings)."""
    def positions(*groups: int):
        song = Song(tracks=(Track(notes=(Note(60, 0, 2 * 1440),)),),
                    time_signatures=(TimeSignature(0, 6, 8, groups),))
        return encode(song).beat_pos.tolist()

    assert positions(2, 2, 2) == positions() and positions()[0] == COMPOUND_OFFSET


def test_window_encoding_clips_notes_at_its_edges():
    track = Track(notes=(Note(60, 0, 8 * Q), Note(62, 8 * Q, 8 * Q), Note(64, 16 * Q, 8 * Q)))
    song = Song(tracks=(track,))
    enc = encode(song, start_tick=4 * Q, end_tick=12 * Q)
    assert enc.n_steps == 8 and enc.start_tick == 4 * Q
    assert enc.tokens[0].tolist() == [vocab.HOLD] * 4 + [vocab.onset(62)] + [vocab.HOLD] * 3
    assert keys(enc.clipped[track.id]) == keys(track.notes[:2])
    # The note from before the window does not decode; the cut one ends at the window end.
    assert [(n.pitch, n.start, n.duration) for n in decode(enc, enc.tokens)[track.id]] == [
        (62, 8 * Q, 4 * Q)]


def test_decode_where_stops_notes_at_unselected_cells():
    track = Track(notes=(Note(60, 0, 8 * Q),))
    enc = encode(Song(tracks=(track,)))
    where = np.zeros_like(enc.tokens, dtype=bool)
    where[:, :3] = True
    (note,) = decode(enc, enc.tokens, where=where)[track.id]
    assert (note.start, note.duration, note.velocity) == (0, 3 * Q, track.notes[0].velocity)


def sounding_twice(notes) -> list[tuple[Note, Note]]:
    """Pairs of same-pitch notes of one track that sound at once (or start together)."""
    by_pitch: dict[int, list[Note]] = {}
    for n in notes:
        by_pitch.setdefault(n.pitch, []).append(n)
    clashes = []
    for group in by_pitch.values():
        group.sort(key=lambda n: (n.start, n.duration))
        for a, b in pairwise(group):
            if b.start == a.start or b.start < a.end:
                clashes.append((a, b))
    return clashes


def test_same_pitch_in_two_lanes_of_a_track_resolves_to_one_sounding_note():
    # A hand-made grid: two lanes of one piano track sample the same pitches.
    track = Track(name="Piano", program=0)
    enc = encode(Song(tracks=(track,), length=16 * Q), lanes={track.id: 2})
    grid = np.full(enc.tokens.shape, vocab.REST, dtype=np.int64)

    def put(lane, pitch, a, b):
        grid[lane, a] = vocab.onset(pitch)
        grid[lane, a + 1 : b] = vocab.HOLD

    put(0, 60, 0, 2)
    put(1, 60, 0, 4)  # same onset: one note, the longer
    put(0, 67, 4, 8)
    put(1, 67, 6, 10)  # struck again while the first sounds: the first stops at its onset
    put(0, 72, 10, 12)
    put(1, 71, 10, 12)  # other pitches are left alone
    raw = decode(enc, grid)[track.id]
    assert len(sounding_twice(raw)) == 2  # what the lanes alone give
    out = resolve_overlaps(raw)
    assert sounding_twice(out) == []
    assert [(n.pitch, n.start, n.duration) for n in out] == [
        (60, 0, 4 * Q), (67, 4 * Q, 2 * Q), (67, 6 * Q, 4 * Q), (71, 10 * Q, 2 * Q),
        (72, 10 * Q, 2 * Q)]


def test_resolve_overlaps_keeps_the_louder_velocity_and_never_empties_a_note():
    out = resolve_overlaps([Note(60, 0, Q, 50), Note(60, 0, 3 * Q, 40), Note(60, 0, Q, 90)])
    assert [n.key() for n in out] == [(0, 60, 3 * Q, 90)]
    # A re-strike one tick later cuts the first note to one tick, never to nothing.
    out = resolve_overlaps([Note(62, 0, Q), Note(62, 1, Q), Note(64, 5, 0)])
    assert [(n.pitch, n.start, n.duration) for n in out] == [(62, 0, 1), (62, 1, Q)]


def test_generated_notes_give_way_to_kept_notes_of_their_pitch():
    kept = (Note(64, 0, 5 * Q, 70), Note(62, 8 * Q + 70, Q, 71), Note(65, 2 * Q, 0, 72))
    before = [(n, n.key(), n.id) for n in kept]
    generated = [
        Note(64, 4 * Q, 2 * Q),  # starts while the kept 64 sounds: dropped
        Note(64, 0, 2 * Q),  # starts with it: dropped
        Note(64, 5 * Q, Q),  # starts as it ends: stays
        Note(62, 8 * Q, Q),  # sounds on into the kept 62's onset: ends there
        Note(62, 8 * Q + 70, Q),  # doubles the kept 62: dropped
        Note(65, 2 * Q, Q),  # starts with a zero-length kept 65: dropped
        Note(65, Q, 2 * Q),  # runs over it: cut at its onset
        Note(67, 0, 4 * Q),  # no kept 67: as it was
    ]
    out = resolve_overlaps(generated, kept)
    assert [(n.pitch, n.start, n.duration) for n in out] == [
        (67, 0, 4 * Q), (65, Q, Q), (64, 5 * Q, Q), (62, 8 * Q, 70)]
    assert sounding_twice([*out, *kept]) == []
    assert [(n, n.key(), n.id) for n in kept] == before  # kept notes are never touched


def test_a_drum_class_struck_twice_at_one_step_is_one_hit():
    drums = Track(name="Drums", is_drum=True, channel=9)
    enc = encode(Song(tracks=(drums,), length=4 * Q), lanes={drums.id: 3})
    grid = np.full(enc.tokens.shape, vocab.REST, dtype=np.int64)
    grid[0, 0] = grid[1, 0] = vocab.drum(0)  # two kicks at once
    grid[2, 0] = vocab.drum(2)
    grid[0, 1] = vocab.drum(0)  # the next step's kick is its own hit
    raw = decode(enc, grid)[drums.id]
    out = resolve_overlaps(raw)
    kick, hat = vocab.drum_note_of_class(0), vocab.drum_note_of_class(2)
    assert len(raw) == 4
    assert sorted((n.pitch, n.start) for n in out) == sorted([(kick, 0), (hat, 0), (kick, Q)])


def test_only_kept_notes_that_meet_the_generated_ones_matter():
    generated = [Note(60, 40 * Q, 2 * Q), Note(62, 41 * Q, 4 * Q), Note(64, 44 * Q, Q)]
    alone = resolve_overlaps(generated)
    elsewhere = [Note(60 + k % 5, k * Q, Q) for k in range(30)] + [
        Note(60 + k % 5, (50 + k) * Q, Q) for k in range(30)]
    assert resolve_overlaps(generated, elsewhere) == alone
    # A kept note that started long before and still sounds wins; one starting later in
    # the span cuts the generated note there.
    held = Note(60, 0, 41 * Q)
    cut = Note(62, 43 * Q, Q)
    out = resolve_overlaps(generated, [*elsewhere, held, cut])
    assert [(n.pitch, n.start, n.duration) for n in out] == [(62, 41 * Q, 2 * Q), (64, 44 * Q, Q)]


def test_polyphony_is_the_most_notes_sounding_at_once():
    rng = random.Random(2)
    for _ in range(300):
        notes = [Note(60, rng.randrange(20), rng.randrange(0, 6))
                 for _ in range(rng.randrange(0, 12))]
        sounding = [sum(n.start <= t < n.end for n in notes) for t in range(30)]
        assert _polyphony(notes) == max(sounding, default=0)


def test_twelve_eight_is_not_six_four_and_a_jig_reads_in_twelve_eight():
    from engine.models.data import Piece, as_twelve_eight

    def positions(num, den):
        bar = num * 1920 // den
        song = Song(tracks=(Track(notes=(Note(60, 0, 2 * bar),)),),
                    time_signatures=(TimeSignature(0, num, den),), length=2 * bar)
        return encode(song).beat_pos

    assert positions(12, 8)[0] == COMPOUND_OFFSET and positions(6, 4)[0] == 0
    jig = positions(6, 8)
    slide = as_twelve_eight(Piece(np.zeros((1, len(jig)), dtype=np.int64),
                                  np.zeros(1, dtype=np.int64), jig))
    assert step_in_bar(slide.beat_pos).tolist() == list(range(24))
    assert as_twelve_eight(Piece(np.zeros((1, 24), dtype=np.int64), np.zeros(1, dtype=np.int64),
                                 positions(3, 4))) is None


def test_a_strum_s_strings_are_read_on_the_step_it_is_struck_on():
    # Rounded one by one, strings 20 ticks apart fell on two steps (0, 20, 40 | 60, 80,
    # 100): the model heard half a chord then the rest, and keep rhythm matched them apart.
    strums = tuple(Note(p, bar * 16 * Q + 20 * i, 8 * Q - 20 * i, 80) for bar in range(2)
                   for i, p in enumerate((40, 47, 52, 56, 59, 64)))
    song = Song((Track(name="Acoustic", program=25, notes=strums),))
    enc = encode(song, lanes={song.tracks[0].id: 6}, snap_off_grid=True)
    onsets = enc.tokens >= vocab.ONSET
    assert onsets[:, 0].sum() == 6 and onsets[:, 16].sum() == 6 and onsets.sum() == 12
    assert len(enc.off_grid[song.tracks[0].id]) == 10  # said, as ever: not on the grid


def test_a_written_track_gets_lanes_for_the_chords_it_plays():
    # QA: a pad (chords role: 3 lanes) of four-note chords, regenerated, came back with
    # no four-note chord. A written track's chords get their lanes, up to CHORD_LANES.
    four = [Note(p, 4 * Q * 4 * bar, 16 * Q, 80) for bar in range(8) for p in (60, 64, 67, 71)]
    stray = [Note(50 + i, 4 * Q * 4 * 8 + i * Q, Q, 80) for i in range(6)]  # a line of singles
    pad = Track(name="Pad", program=90, notes=tuple(four + stray))
    assert chord_size(pad.notes, 480) == 4 and chord_size((), 480) == 0
    spec = GridSpec()
    assert spec.cap(pad) == 3
    assert spec.lanes_to_write(pad, 4, chord_size(pad.notes, 480)) == 4
    assert spec.lanes_to_write(pad) == 3  # an empty pad: its role's lanes
    six = Track(name="Organ", program=19, notes=tuple(
        Note(48 + 2 * i, 0, 4 * Q, 80) for i in range(6)))
    assert spec.lanes_to_write(six, 6, chord_size(six.notes, 480)) == CHORD_LANES
    # A guitar strums its open chords on six strings, a few ticks apart: six lanes.
    strums = tuple(Note(p, bar * 16 * Q + 20 * i, 8 * Q, 80) for bar in range(4)
                   for i, p in enumerate((40, 47, 52, 56, 59, 64)))
    acoustic = Track(name="Acoustic", program=25, notes=strums)
    assert chord_size(acoustic.notes, 480) == GUITAR_STRINGS == 6
    assert spec.lanes_to_write(acoustic, 6, chord_size(acoustic.notes, 480)) == 6
    assert GridSpec(max_lanes=4).lanes_to_write(acoustic, 6, 6) == 4  # a model's budget
    assert spec.lanes_to_write(Track(name="Acoustic", program=25)) == 3  # empty: its role's
    # A melody with a double stop stays one line; a kit keeps its lanes.
    lead = Track(name="Lead", program=80, notes=tuple(Note(p, 0, Q, 80) for p in (72, 76)))
    assert spec.lanes_to_write(lead, 2, 2) == 1
    # Timpani: one player, one line from scratch (a film cue's came back in chords).
    assert spec.lanes_to_write(Track(name="Timpani", program=47)) == 1
