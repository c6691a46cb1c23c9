"""Chord shapes: a power-chord track keeps power chords; other tracks are untouched."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.models import vocab
from engine.models.network import AxialDenoiser, NetworkConfig
from engine.models.sampler import sample
from engine.models.voicing import (
    allowed_classes,
    context_fifths,
    default_fifths,
    is_fifths_chord,
    keep_shape,
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
    triads = _chords([(E2, G2, B2), (G2, B2, 50), (45, C3, 52), (E2, G2, B2)])
    tokens = np.concatenate([power, triads])
    groups = np.array([0, 0, 0, 1, 1, 1])
    editable = np.ones_like(tokens, dtype=bool)
    fifths = context_fifths(tokens, editable, groups, np.zeros(6, dtype=bool))
    assert fifths.tolist() == [1.0] * 3 + [0.0] * 3
    # Too few chords to tell: unknown, and then a new distorted guitar keeps the shape.
    few = context_fifths(power[:, :8], np.ones((3, 8), dtype=bool), groups[:3],
                         np.zeros(3, dtype=bool))
    assert np.isnan(few).all()
    assert default_fifths(few, [30] * 3, groups[:3]).all()  # Distortion Guitar
    assert not default_fifths(few, [0] * 3, groups[:3]).any()  # a piano: free
    assert not default_fifths(np.zeros(3), [30] * 3, groups[:3]).any()  # its own triads


def test_a_note_joining_a_power_chord_keeps_its_two_classes():
    struck = np.zeros((4, 12), dtype=bool)
    struck[1, 4] = True  # E alone: E, its fifth B, or the A below (E over A's shape)
    struck[2, [4, 11]] = True  # E and B: only those
    struck[3, [4, 7]] = True  # E and G: not a power chord already, left free
    ok = allowed_classes(struck)
    assert ok[0].all() and ok[3].all()
    assert np.flatnonzero(ok[1]).tolist() == [4, 9, 11]
    assert np.flatnonzero(ok[2]).tolist() == [4, 11]


def test_draws_made_together_are_redrawn_into_the_shape():
    grid = np.full((3, 2), vocab.MASK)
    grid[0, 0] = vocab.ONSET + E2  # decided before
    groups = np.zeros(3, dtype=np.int64)
    shaped = np.ones(3, dtype=bool)
    draw = np.array([vocab.ONSET + G2, vocab.ONSET + E2])  # a third, and a unison
    weights = np.ones((2, vocab.VOCAB_SIZE), dtype=np.float32)
    weights[:, : vocab.ONSET] = 0.0  # onsets only, to see where they go
    out = keep_shape(draw, np.array([1, 2]), np.array([0, 0]), grid, groups, shaped, weights,
                     lambda w: np.array([int(np.argmax(w[0]))]))
    classes = {(int(t) - vocab.ONSET) % 12 for t in out} | {E2 % 12}
    assert classes <= {4, 9, 11} and len(set(out.tolist()) | {vocab.ONSET + E2}) == 3


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

    def run(fifths):
        return sample(net, tokens, editable, roles, beat, allowed, options, lambda p: None,
                      CancelToken(), lane_groups=groups, together=np.full(4, 0.9),
                      fifths=fifths)

    out = run(np.array([True, True, True, False]))
    struck = (out[:3] >= vocab.ONSET) & (out[:3] < vocab.DRUM)
    chords = [c for c in range(steps) if struck[:, c].sum() > 1]
    assert chords  # the test strikes chords to check
    for c in chords:
        assert is_fifths_chord(out[:3, c][struck[:, c]] - vocab.ONSET), out[:3, c]
    np.testing.assert_array_equal(run(np.zeros(4, dtype=bool)), run(None))
