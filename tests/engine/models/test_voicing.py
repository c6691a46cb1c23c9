"""Chord shapes: a power-chord track keeps power chords; other tracks are untouched."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.models import vocab
from engine.models.network import AxialDenoiser, NetworkConfig
from engine.models.sampler import sample
from engine.models.voicing import (
    FIFTHS,
    FREE,
    ROOTED,
    context_shapes,
    is_fifths_chord,
    is_rooted,
    keep_shape,
    lane_shapes,
    shape_pitches,
)
from engine.plugins.api import CancelToken, GenerateOptions

E2, B2, E3, G2, C3 = 40, 47, 52, 43, 48


def test_a_power_chord_is_a_root_and_its_fifth_however_doubled():
    assert is_fifths_chord(np.array([E2, B2, E3]))
    assert is_fifths_chord(np.array([B2, E3]))  # the fourth-shaped one
    assert is_fifths_chord(np.array([E2, E3]))
    assert not is_fifths_chord(np.array([E2, G2, B2]))  # a triad
    assert not is_fifths_chord(np.array([E2, B2, E3, 54]))  # with the F#: a sus2 colour


def _chords(shapes: list[tuple[int, ...]], lanes: int = 3, every: int = 4) -> np.ndarray:
    tokens = np.full((lanes, every * len(shapes)), vocab.REST)
    for i, chord in enumerate(shapes):
        for lane, p in enumerate(chord):
            tokens[lane, i * every] = vocab.ONSET + p
            tokens[lane, i * every + 1 : (i + 1) * every] = vocab.HOLD
    return tokens


def test_a_track_playing_power_chords_is_read_as_one_and_a_pianos_triads_are_not():
    power = _chords([(E2, B2, E3), (G2, 50, 55), (45, 52, 57), (E2, B2, E3)])
    fourths = _chords([(B2, E3), (50, 55), (52, 57), (B2, E3)])  # the fifth lowest
    triads = _chords([(E2, G2, B2), (G2, B2, 50), (45, C3, 52), (E2, G2, B2)])
    tokens = np.concatenate([power, fourths[:2], triads])
    groups = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    editable = np.ones_like(tokens, dtype=bool)
    shapes = context_shapes(tokens, editable, groups, np.zeros(8, dtype=bool))
    assert shapes.tolist() == [ROOTED] * 3 + [FIFTHS] * 2 + [FREE] * 3
    # Too few chords to tell: unknown, and then a new distorted guitar keeps root position.
    few = context_shapes(power[:, :8], np.ones((3, 8), dtype=bool), groups[:3],
                         np.zeros(3, dtype=bool))
    assert (few < 0).all()
    assert (lane_shapes(few, [30] * 3, groups[:3]) == ROOTED).all()  # Distortion Guitar
    assert (lane_shapes(few, [0] * 3, groups[:3]) == FREE).all()  # a piano: free
    assert (lane_shapes(np.zeros(3), [30] * 3, groups[:3]) == FREE).all()  # its own triads


def test_a_note_joins_a_power_chord_in_its_two_classes_and_root_lowest_when_asked():
    def classes(ok):
        return {int(p) % 12 for p in np.flatnonzero(ok)}

    assert shape_pitches([], rooted=True).all()
    e = shape_pitches([E2], rooted=False)  # E alone: E, its fifth B, or the A below
    assert classes(e) == {4, 9, 11} and not e[E2]
    assert classes(shape_pitches([E2, B2], rooted=False)) == {4, 11}
    assert shape_pitches([E2, G2], rooted=False).sum() == 126  # no power chord: free
    rooted = shape_pitches([E2], rooted=True)
    assert rooted[E3] and rooted[B2] and rooted[45 - 12]  # over it, or A1 as a new root
    assert not rooted[45] and not rooted[B2 - 12]  # A over E, B under it: the fifth lowest
    over = shape_pitches([E2, B2], rooted=True)
    assert over[E3] and over[59] and over[28] and not over[B2 - 12]  # E1 a new root
    assert is_rooted([E2, B2, E3]) and not is_rooted([B2, E3])


def test_draws_made_together_are_redrawn_into_the_shape():
    grid = np.full((3, 2), vocab.MASK)
    grid[0, 0] = vocab.ONSET + E2  # decided before
    groups = np.zeros(3, dtype=np.int64)
    draw = np.array([vocab.ONSET + G2, vocab.ONSET + E2])  # a third, and a unison
    weights = np.ones((2, vocab.VOCAB_SIZE), dtype=np.float32)
    for shape in (FIFTHS, ROOTED):
        out = keep_shape(draw, np.array([1, 2]), np.array([0, 0]), grid, groups,
                         np.full(3, shape), weights, lambda w: np.array([int(np.argmax(w[0]))]))
        chord = [E2, *(int(t) - vocab.ONSET for t in out)]
        assert is_fifths_chord(chord) and len(set(chord)) == 3
        assert shape == FIFTHS or is_rooted(chord)


@pytest.fixture(scope="module")
def net() -> AxialDenoiser:
    torch.manual_seed(0)
    cfg = NetworkConfig(d_model=16, n_layers=1, n_heads=2, max_steps=64, max_lanes=8)
    return AxialDenoiser(cfg).eval()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_shaped_tracks_new_chords_are_power_chords_and_other_tracks_are_as_before(
        net, seed):
    """A random network strikes whatever it likes; the shaped track's chords keep the
    power-chord shape, a track without the flag samples exactly as without the option."""
    steps = 32
    tokens = np.full((4, steps), vocab.REST, dtype=np.int64)
    editable = np.ones_like(tokens, dtype=bool)
    groups = np.array([0, 0, 0, 1])
    roles = np.full(4, 6, dtype=np.int64)
    beat = np.arange(steps, dtype=np.int64) % 16
    allowed = np.zeros((4, vocab.VOCAB_SIZE), dtype=bool)
    allowed[:, [vocab.REST, vocab.HOLD]] = True
    allowed[:3, vocab.ONSET + 40 : vocab.ONSET + 64] = True
    allowed[3, vocab.ONSET + 28 : vocab.ONSET + 48] = True
    options = GenerateOptions(steps=4, seed=seed, density=0.9)

    def run(shapes):
        return sample(net, tokens, editable, roles, beat, allowed, options, lambda p: None,
                      CancelToken(), lane_groups=groups, together=np.full(4, 0.9),
                      shapes=shapes)

    out = run(np.array([ROOTED, ROOTED, ROOTED, FREE]))
    struck = (out[:3] >= vocab.ONSET) & (out[:3] < vocab.DRUM)
    chords = [c for c in range(steps) if struck[:, c].sum() > 1]
    assert chords  # the test strikes chords to check
    for c in chords:
        chord = out[:3, c][struck[:, c]] - vocab.ONSET
        assert is_fifths_chord(chord) and is_rooted(chord), out[:3, c]
    np.testing.assert_array_equal(run(np.zeros(4, dtype=np.int64)), run(None))
