"""Voice leading: parallel fifths/octaves found and avoided (``avoid_parallels``)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.models import vocab
from engine.models.evaluate import music_stats
from engine.models.sampler import sample
from engine.models.voice_leading import (
    carried_pitches,
    parallel_motion,
    parallel_pairs,
    sounding_pitches,
)
from engine.plugins.api import CancelToken, GenerateOptions

O, H, R, M = vocab.onset, vocab.HOLD, vocab.REST, vocab.MASK


def test_sounding_pitches_follow_holds_and_stop_at_rests_and_masks():
    grid = np.array([[O(60), H, H, R, H, O(62), M, H]])
    assert sounding_pitches(grid).tolist() == [[60, 60, 60, -1, -1, 62, -1, -1]]


def test_consecutive_fifths_by_contrary_motion_count_only_when_asked():
    # C-G → D-A an octave apart: the lower voice leaps down while the upper goes up.
    up, low = [O(67), O(69)], [O(60), O(50)]
    grid = np.array([up, low])
    assert parallel_pairs(grid).tolist() == []  # the statistics: parallels only
    assert parallel_pairs(grid, contrary=True).tolist() == [[0, 1, 1]]  # the sampler's rule


def test_parallel_pairs_finds_fifths_and_octaves_whichever_voice_is_on_top():
    # C-G → D-A (fifths, upper voice on top), then an octave E-E → F-F, then contrary.
    up = [O(67), O(69), O(64), O(65), O(60)]
    low = [O(60), O(62), O(52), O(53), O(62)]
    for grid in (np.array([up, low]), np.array([low, up])):
        assert parallel_pairs(grid).tolist() == [[0, 1, 1], [0, 1, 3]]
    assert music_stats([np.array([up, low])])["parallel_rate"] == 0.5


def test_a_masked_cell_may_not_move_in_parallel_into_or_out_of_it():
    # Lane 0 goes G → A; lane 1 sits on C (a fifth below G) and its next cell is open: D,
    # a fifth below A, moving up with it, is forbidden, and so is D an octave down (fifths
    # by contrary motion). E is fine; D above the A is a fourth.
    padded = np.array([[O(67), O(69)], [O(60), M]])
    onsets, hold, _ = parallel_motion(padded, np.array([1]), np.array([0]))
    assert onsets[0, 62] and onsets[0, 50] and not onsets[0, 64] and not onsets[0, 74]
    assert not hold[0]  # holding C is oblique motion
    # Out of the cell, across a decided hold: lane 1 is open at column 1, then holds and
    # moves to D when lane 0 moves G → A: C (a fifth below G, going up) is forbidden.
    padded = np.array([[O(67), O(67), H, O(69)], [O(60), M, H, O(62)]])
    onsets, hold, _ = parallel_motion(padded, np.array([1]), np.array([0]))
    assert onsets[0, 60] and not onsets[0, 59]


def test_a_rest_shorter_than_a_beat_carries_the_note_before_it():
    grid = np.array([[O(60), H, R, O(62), R, R, R, R, O(64), R, M, O(65)]])
    # A 16th rest carries C, a dotted eighth D; a beat's rest does not, nor a masked cell.
    assert carried_pitches(grid).tolist() == [[60, 60, 60, 62, 62, 62, 62, -1, 64, 64, -1, 65]]


# QA: soprano F#5 → E5 over a bass F#3 cut to a dotted eighth, a 16th rest, then E3.
SOPRANO = [O(78), H, H, H, O(76), H, H, H]
BASS = [O(54), H, H, R, O(52), H, H, H]


def test_parallels_across_a_rest_shorter_than_a_beat_are_found():
    for grid in (np.array([SOPRANO, BASS]), np.array([BASS, SOPRANO])):
        assert parallel_pairs(grid).tolist() == [[0, 1, 4]]
        assert parallel_pairs(grid, contrary=True).tolist() == [[0, 1, 4]]
    assert music_stats([np.array([SOPRANO, BASS])])["parallel_rate"] == 1.0
    # Alto and tenor D4/G3 → E4/A3 across an eighth rest of the tenor's.
    alto = [O(62), H, H, H, O(64)]
    tenor = [O(55), H, R, R, O(57)]
    assert parallel_pairs(np.array([alto, tenor])).tolist() == [[0, 1, 4]]
    # A beat's rest is a breath: the bass's E3 starts a new line.
    soprano = [O(78), H, H, H, H, O(76)]
    bass = [O(54), R, R, R, R, O(52)]
    assert parallel_pairs(np.array([soprano, bass]), contrary=True).tolist() == []


def test_no_onset_hold_or_rest_may_make_a_parallel_across_a_short_rest():
    # The bass rests a 16th after F#3 and its next cell is open while the soprano goes
    # F#5 → E5: E (in any octave) is forbidden, D is fine.
    padded = np.array([[O(78), H, O(76)], [O(54), R, M]])
    onsets, hold, rest = parallel_motion(padded, np.array([1]), np.array([1]))
    assert onsets[0, 52] and onsets[0, 64] and not onsets[0, 50]
    # The bass's E3 is decided with the soprano's E5: resting before it keeps F#3 going
    # into it (octaves), as holding does; striking A3 there is fine.
    padded = np.array([[O(78), H, H, O(76)], [O(54), H, M, O(52)]])
    onsets, hold, rest = parallel_motion(padded, np.array([1]), np.array([1]))
    assert rest[0] and hold[0] and not onsets[0, 57] and onsets[0, 66]
    # ... unless the rest is a beat long: the line starts again.
    padded = np.array([[O(78), H, H, H, H, O(76)], [O(54), M, R, R, R, O(52)]])
    onsets, hold, rest = parallel_motion(padded, np.array([1]), np.array([0]))
    assert not rest[0] and hold[0]  # held, the rest after it is a dotted eighth
    # The note before a rest moves across it into the next decided onset.
    padded = np.array([[O(67), H, H, O(69)], [M, H, R, O(62)]])
    onsets, hold, rest = parallel_motion(padded, np.array([1]), np.array([0]))
    assert onsets[0, 60] and not onsets[0, 59]


class RestEscaper:
    """Logits for lane 1: a fifth below lane 0's melody on each beat, held to the next;
    else a rest on the beat's last 16th (its way round a forbidden hold)."""

    max_steps = 64

    def __init__(self, melody: np.ndarray) -> None:
        self.melody = melody

    def __call__(self, tokens, roles, beat_pos):
        b, lanes, steps = tokens.shape
        logits = torch.full((b, lanes, steps, vocab.VOCAB_SIZE), -10.0)
        for t in range(steps):
            if t % 4 == 0:
                logits[:, 1, t, vocab.onset(int(self.melody[t]) - 7)] = 6.0
                logits[:, 1, t, vocab.onset(int(self.melody[t]) - 3)] = 2.0
            else:
                logits[:, 1, t, vocab.HOLD] = 6.0
                logits[:, 1, t, vocab.REST] = 4.0 if t % 4 == 3 else -10.0
        logits[:, 0, :, vocab.REST] = 0.0
        return logits


def test_avoid_parallels_leaves_no_way_round_through_a_16th_rest():
    steps = 32
    melody = np.array([60 + (0, 2, 4, 5, 7, 5, 4, 2)[(t // 4) % 8] for t in range(steps)])
    tokens, editable = under_melody(melody, 4)
    for seed in range(4):
        opts = GenerateOptions(steps=4, seed=seed, top_p=1.0, avoid_parallels=True)
        out = sample(RestEscaper(melody), tokens, editable, np.full(2, 6),
                     np.arange(steps) % 16, None, opts, lambda p: None, CancelToken())
        assert parallel_pairs(out, contrary=True).tolist() == []


class LineBelow:
    """Logits that want lane 1 ``first`` semitones below lane 0's melody, wherever it is,
    else ``second`` below (the second choice)."""

    max_steps = 64

    def __init__(self, melody: np.ndarray, first: int, second: int) -> None:
        self.melody, self.first, self.second = melody, first, second

    def __call__(self, tokens, roles, beat_pos):
        b, lanes, steps = tokens.shape
        logits = torch.full((b, lanes, steps, vocab.VOCAB_SIZE), -10.0)
        for t in range(steps):
            pitch = int(self.melody[t])
            logits[:, 1, t, vocab.onset(pitch - self.first)] = 5.0
            logits[:, 1, t, vocab.onset(pitch - self.second)] = 3.0
        logits[:, 0, :, vocab.REST] = 0.0
        return logits


def fifth_lover(melody: np.ndarray) -> LineBelow:
    """A fifth below the melody, else a third."""
    return LineBelow(melody, 7, 3)


def under_melody(melody: np.ndarray, every: int) -> tuple[np.ndarray, np.ndarray]:
    """Lane 0 the melody struck every ``every`` steps and held between, lane 1 empty and
    editable: the tokens and the editable cells."""
    tokens = np.full((2, len(melody)), R, dtype=np.int64)
    tokens[0] = [O(int(p)) if t % every == 0 else H for t, p in enumerate(melody)]
    editable = np.zeros_like(tokens, dtype=bool)
    editable[1] = True
    return tokens, editable


@pytest.mark.parametrize(("steps", "window"), [(32, 64), (96, 32)])
def test_avoid_parallels_rewrites_a_line_in_fifths(steps, window):
    melody = np.array([60 + (0, 2, 4, 5, 7, 5, 4, 2)[(t // 4) % 8] for t in range(steps)])
    tokens, editable = under_melody(melody, 4)
    roles, beat = np.full(2, 6), np.arange(steps) % 16
    net = fifth_lover(melody)
    net.max_steps = window  # 96 steps in windows of 32: notes held across window edges

    reports = []

    def run(avoid: bool) -> np.ndarray:
        opts = GenerateOptions(steps=4, seed=0, top_p=1.0, avoid_parallels=avoid)
        return sample(net, tokens, editable, roles, beat, None, opts, reports.append,
                      CancelToken())

    assert len(parallel_pairs(run(False))) > 3  # what the model wants: parallel fifths
    out = run(True)
    assert len(parallel_pairs(out)) == 0 and (out[0] == tokens[0]).all()
    assert (out[1] != M).all()
    assert all(r.step <= r.total for r in reports)  # the extra passes do not overrun


def test_the_statistics_count_parallels_by_the_samplers_rule_whichever_lane_is_first():
    # Parallel fifths F-C → G-D are counted, parallel fourths G-C → A-D are not, whichever
    # voice is listed first (the statistics read the lower one first as a fourth).
    top = [O(60), O(62)]
    for low, rate in (([O(53), O(55)], 1.0), ([O(55), O(57)], 0.0)):
        for lanes in ([top, low], [low, top]):
            assert music_stats([np.array(lanes)])["parallel_rate"] == rate


def test_written_parallels_are_those_between_parts_that_new_notes_make():
    from engine.models.voice_leading import written_parallels
    from engine.score import Note, Song, Track

    q = 480
    lead = Track("Lead", program=73, notes=tuple(
        Note(p, i * q, q) for i, p in enumerate((72, 74, 76, 77))))
    fifths = tuple(Note(n.pitch - 7, n.start, q) for n in lead.notes)
    chords = Track("Piano", notes=tuple(Note(n.pitch - d, n.start, q) for n in lead.notes
                                         for d in (12, 19)))  # octaves of a chord's voices
    second = Track("Second", program=71, notes=fifths)
    song = Song((lead, second, chords))
    found = written_parallels(song, {second.id: fifths})
    assert [(p.tick, p.interval) for p in found] == [(q, "fifths"), (2 * q, "fifths"),
                                                    (3 * q, "fifths")]
    assert {(p.track_a, p.track_b) for p in found} == {(lead.id, second.id)}
    # Only where a new note arrives: the last two written, the first two were there.
    assert [p.tick for p in written_parallels(song, {second.id: fifths[2:]})] == [2 * q, 3 * q]
    assert written_parallels(song, {lead.id: ()}) == []


def test_avoid_parallels_reads_kept_rhythms_holds_before_they_are_drawn():
    # Keep rhythm: lane 1 strikes on each beat and must hold between (its old rhythm).
    # Those holds are certain before they are drawn, so an onset is judged by where it
    # will move: drawn as unknown, each onset a fifth below the melody was legal alone
    # and the fixed hold between two of them then moved in parallel fifths.
    steps = 32
    melody = np.array([60 + (0, 2, 4, 5, 7, 5, 4, 2)[(t // 4) % 8] for t in range(steps)])
    tokens, editable = under_melody(melody, 4)
    allowed = np.zeros((2, steps, vocab.VOCAB_SIZE), dtype=bool)
    allowed[:, :, R] = True
    allowed[1, :, R] = False
    allowed[1, 0::4, vocab.ONSET : vocab.DRUM] = True
    for t in range(steps):
        if t % 4:
            allowed[1, t, H] = True
    for seed in range(4):
        opts = GenerateOptions(steps=4, seed=seed, top_p=1.0, avoid_parallels=True)
        out = sample(fifth_lover(melody), tokens, editable, np.full(2, 6),
                     np.arange(steps) % 16, allowed, opts, lambda p: None, CancelToken())
        assert (out[1, 0::4] >= vocab.ONSET).all() and (out[1, 1::4] == H).all()
        assert parallel_pairs(out, contrary=True).tolist() == []


def test_false_relations_are_semitones_with_a_note_outside_the_key():
    from engine.models.voice_leading import false_relations

    c = false_relations("C")
    assert c[1, 0] and c[0, 1] and c[1, 2] and c[6, 5]  # C# with C or D, F# with F
    assert not c[11, 0] and not c[4, 5] and not c[0, 7]  # diatonic B–C, E–F; a fifth
    am = false_relations("Am")
    assert am[0, 1]  # tenor C against bass C#
    assert am[5, 6] and am[7, 8]  # F with F#, G with G#: a degree and its raised form
    assert not am[8, 9] and not am[4, 5] and not am[6, 7]  # G#–A, E–F, F#–G


def test_voices_sound_no_false_relation_with_a_table_of_clashes():
    from engine.models.voice_leading import clash_cells, false_relations

    steps = 32
    melody = np.array([(62, 65, 69, 62)[(t // 8) % 4] for t in range(steps)])  # D F A D
    tokens, editable = under_melody(melody, 8)
    table, voices = false_relations("F"), np.array([True, True])

    def run(clashes):
        opts = GenerateOptions(steps=4, seed=0, top_p=1.0, avoid_parallels=True)
        # An octave and a semitone below (C# under D), else an octave and a third.
        return sample(LineBelow(melody, 13, 15), tokens, editable, np.full(2, 6),
                      np.arange(steps) % 16, None, opts, lambda p: None, CancelToken(),
                      voice_order=np.array([0, 1]), clashes=clashes)

    assert len(clash_cells(run(None), table, voices)) > 3  # C# under D, E under F ...
    out = run(table)
    assert clash_cells(out, table, voices).tolist() == []
    # E under F is diatonic in F major (a major 7th): allowed, and the model's choice.
    pitch = sounding_pitches(out)
    assert ((pitch[0] == 65) & (pitch[1] == 52)).any()


def test_written_clashes_count_the_16ths_a_new_note_sounds_a_false_relation():
    from engine.models.voice_leading import written_clashes
    from engine.score import Note, Song, Track

    q = 480
    tenor = Track("Tenor", program=52, notes=(Note(60, 0, 2 * q),))  # C4 for two beats
    bass = Track("Bass", program=52, notes=(Note(45, 0, q), Note(49, q, q)))  # A2, C#3
    song = Song((tenor, bass))
    assert written_clashes(song, {bass.id: bass.notes}, "Am") == 4  # a beat of C against C#
    assert written_clashes(song, {bass.id: bass.notes[:1]}, "Am") == 0  # only A2 is new
    assert written_clashes(song, {bass.id: bass.notes}, None) == 0


class HoldLover:
    """Logits that hold every note on (a hold where it may, else the note below)."""

    max_steps = 64

    def __call__(self, tokens, roles, beat_pos):
        b, lanes, steps = tokens.shape
        logits = torch.full((b, lanes, steps, vocab.VOCAB_SIZE), -10.0)
        logits[..., H] = 5.0
        logits[..., O(57)] = 0.0
        return logits


def test_a_parallel_slips_through_rather_than_a_voice_cross_where_order_leaves_nothing():
    # A docs QA's harmonize: alto, tenor and bass left on one D; the alto and tenor go on
    # to D#. The tenor's open 16th may not hold D (octaves with the alto into D#), rest
    # (a hold follows) or strike anything but D between the alto and bass (order). A
    # crossing is heard and said by nothing; a parallel is said by the take's warnings
    # (a choir director's QA: voices crossed silently). So the order stands: the tenor
    # holds its D, or strikes it again, between the alto and the bass.
    tokens = np.array([[O(62), H, H, H, O(63)],
                       [O(62), M, H, H, O(63)],
                       [O(62), H, H, H, O(61)]])
    editable = tokens == M
    pitched = np.zeros((3, vocab.VOCAB_SIZE), dtype=bool)  # a voice's tokens: no drums
    pitched[:, [R, H]] = True
    pitched[:, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES] = True
    opts = GenerateOptions(steps=2, seed=0, top_p=1.0, avoid_parallels=True)
    out = sample(HoldLover(), np.where(editable, R, tokens), editable, np.full(3, 6),
                 np.arange(5) % 16, pitched, opts, lambda p: None, CancelToken(),
                 voice_order=np.array([0, 1, 2]))
    assert out[1, 1] in (H, O(62))  # not the model's next choice, A3 under the bass
    assert parallel_pairs(out, contrary=True).tolist() == [[0, 1, 4]]  # said, not hidden


def test_an_onset_keeps_its_order_through_the_holds_drawn_after_it():
    """A choir director's QA: the alto's holds were drawn before its onset; the D4 struck
    then ran on over the soprano's next note, C♯4 (hymn34, 8.3)."""
    from engine.models.voice_leading import crossing_motion

    # Soprano D4 then C#4; the alto's onset (masked) is followed by a hold already drawn.
    padded = np.array([[R, O(62), O(61), H, R],
                       [R, M, H, H, R]])
    onsets, hold = crossing_motion(padded, np.array([1]), np.array([0]), np.array([0, 1]))
    assert onsets[0, 62] and not onsets[0, 61]  # D4 would cross her C#4 on the hold
    assert not hold[0]


def test_a_hold_keeps_its_order_through_the_holds_drawn_after_it():
    """A hold drawn between an alto's G♯4 and its later holds ran it over the soprano's
    F♯4 (benchmarks/bench_chorale.py, valid chorale 4, seed 2)."""
    from engine.models.voice_leading import crossing_motion

    padded = np.array([[R, O(70), O(70), O(66), R],
                       [R, O(68), M, H, R]])
    _, hold = crossing_motion(padded, np.array([1]), np.array([1]), np.array([0, 1]))
    assert hold[0]  # G#4 held on would sound over her F#4
