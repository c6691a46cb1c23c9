"""A swung song's bass under its chord symbols walks: a quarter note on every beat, the
chord's root on its first beat, approaches into the changes, few repeated pitches. A
straight song's bass is written as before."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from engine import tasks
from engine.models import constraints, vocab
from engine.models.groove import Groove, song_grooves, swings
from engine.models.plugin import tiny_random_model
from engine.models.sampler import sample
from engine.plugins.api import CancelToken, GenerateOptions
from engine.score import Mask, Note, Region, Song, Track
from engine.score.lead_sheet import with_lead_sheet

from .blues_song import blues_song

pytestmark = pytest.mark.usefixtures("one_torch_thread")

PPQ = 480
BAR = 4 * PPQ
BLUES = "F7 | Bb7 | F7 | F7 | Bb7 | Bb7 | F7 | F7 | C7 | Bb7 | F7 | C7"
ROOTS = [5, 10, 5, 5, 10, 10, 5, 5, 0, 10, 5, 0]  # per bar, the chord's root
APPROACH = {1, 2, 10, 11, 7}  # semitones above the next root: a step either way, its 5th


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
    # Into a change, mostly by a step or from the 5th.
    changes = [bar for bar in range(1, 12) if ROOTS[bar] != ROOTS[bar - 1]]
    approached = [(struck[bar * BAR - PPQ].pitch - ROOTS[bar]) % 12 in APPROACH
                  for bar in changes]
    assert sum(approached) >= 0.75 * len(changes), approached


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
    assert problems and all(p.repeat_pull is None for p in problems)


class _LovesE2:
    """A denoiser that favours E2 by 2 nats over any other note wherever it is asked."""

    def __call__(self, x: torch.Tensor, roles: torch.Tensor, beat: torch.Tensor
                 ) -> torch.Tensor:
        out = torch.zeros((*x.shape, vocab.VOCAB_SIZE))
        out[..., vocab.onset(40)] = 2.0
        return out


@pytest.mark.parametrize("nats, most", [(0.0, None), (8.0, 0)])
def test_the_sampler_takes_repeat_pull_from_the_pitch_struck_on_the_beat_before(nats, most):
    steps = 64
    tokens = np.full((1, steps), vocab.REST, dtype=np.int64)
    editable = np.ones_like(tokens, dtype=bool)
    allowed = np.zeros((1, steps, vocab.VOCAB_SIZE), dtype=bool)
    for pitch in (40, 43, 45):  # E2 G2 A2: a free one beside any two neighbours
        allowed[0, 0::4, vocab.onset(pitch)] = True
    for k in (1, 2, 3):  # quarter notes: each beat held to the next
        allowed[0, k::4, vocab.HOLD] = True
    pull = np.zeros((1, steps), dtype=np.float32)
    pull[0, 0::4] = nats
    out = sample(_LovesE2(), tokens, editable, np.full(1, 1), np.arange(steps) % 16,
                 allowed, GenerateOptions(seed=4, steps=4), lambda p: None, CancelToken(),
                 repeat_pull=pull if nats else None)
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
