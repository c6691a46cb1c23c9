"""Drums in two styles: an orchestra's sparse percussion and timpani, and a trap 808 that
strikes with the kick (engine/models/rule_drums.py, engine/models/kick_lock.py)."""

from __future__ import annotations

import numpy as np
import pytest

from engine import tasks
from engine.models.kick_lock import KICK_AWAY, KICK_LOCK, kick_cells, kick_pull, locks_to_kick
from engine.models.rule_drums import TIMPANI_PROGRAM, orchestral_timpani
from engine.models.sampler import (
    ORCHESTRA_RATE,
    ROLE_RATE,
    TIMPANI_RATE,
    default_onset_rate,
)
from engine.plugins.api import GenerateOptions
from engine.score import DRUM_CHANNEL, Note, Song, Track

PPQ = 480
BAR = 4 * PPQ
STEP = PPQ // 4


@pytest.fixture(scope="module")
def base():
    from engine.models.plugin import plugin_from_folder, shipped_model_folder

    return plugin_from_folder(shipped_model_folder("partita-base"))


def test_an_orchestra_kit_and_timpani_start_sparse():
    # QA: 175-180 kit hits and ~70 timpani notes in 16 composed bars, at a drum kit's
    # and a melody's rates.
    assert default_onset_rate(48, True) == ORCHESTRA_RATE < ROLE_RATE["drums"] / 5
    assert default_onset_rate(TIMPANI_PROGRAM, False) == TIMPANI_RATE < ROLE_RATE["melody"] / 3
    assert default_onset_rate(48, False) == ROLE_RATE["strings"]  # a string ensemble


def test_a_rule_made_timpani_part_strikes_strong_bars_and_rolls_into_phrases():
    song = Song(tracks=(Track("Timpani", program=TIMPANI_PROGRAM),), ppq=PPQ, length=16 * BAR)
    starts = [n.start for n in orchestral_timpani(song).notes]
    downbeats = [t // BAR for t in starts if t % BAR == 0]
    assert downbeats == [0, 2, 4, 6, 8, 10, 12, 14, 15]
    rolls = sorted({t // BAR for t in starts if t % BAR})
    assert rolls == [3, 7, 11]  # the last phrase has nothing to roll into
    assert all(t % BAR >= 3 * PPQ and t % STEP == 0 for t in starts if t % BAR)
    assert len(starts) / (16 * 16) == pytest.approx(TIMPANI_RATE, abs=0.01)


def test_an_808_or_sub_or_synth_bass_locks_to_the_kick():
    assert locks_to_kick(Track("808", program=38))
    assert locks_to_kick(Track("Sub Bass", program=33))
    assert locks_to_kick(Track("Bass", program=39))  # Synth Bass 2
    assert not locks_to_kick(Track("Bass", program=33))
    assert not locks_to_kick(Track("Subtle Pad", program=89))
    assert not locks_to_kick(Track("Sub Pad", program=89))  # a pad, not an 808 (sub_bass_part)
    assert not locks_to_kick(Track("808", program=25, is_drum=True, channel=DRUM_CHANNEL))


def test_the_kick_pull_leans_to_the_kicks_of_the_kit_that_stays():
    kicks = (0, 3 * STEP, 8 * STEP + 7)  # the last a few ticks late: its nearest step
    kit = Track("Drums", program=25, is_drum=True, channel=DRUM_CHANNEL, notes=(
        *(Note(36, t, STEP, 100) for t in kicks), Note(38, 8 * STEP, STEP, 100),
        Note(42, 2 * STEP, STEP, 80)))
    bass = Track("808", program=38)
    song = Song(tracks=(kit, bass), ppq=PPQ, length=BAR)
    lines = np.arange(17) * STEP
    assert np.flatnonzero(kick_cells(song, lines, {bass.id})).tolist() == [0, 3, 8]
    pull = kick_pull(song, lines, {bass.id})
    assert pull[[0, 3, 8]].tolist() == [KICK_LOCK] * 3
    assert (pull[[1, 2, 4, 12]] == -KICK_AWAY).all()
    # A kit being written is not one to lock to; nor is there anything without a kick.
    assert not kick_pull(song, lines, {bass.id, kit.id}).any()


def orchestra_counts(base, seed: int) -> dict[str, int]:
    params = tasks.SongParams(tracks=tuple(map(tasks.track_spec, [
        "Violin", "Cello", "Timpani", "Orchestra Kit"])), bars=8, key="F")
    song = tasks.compose(params, model=base, options=GenerateOptions(seed=seed)).after
    return {"Percussion" if t.is_drum else t.name: len(t.notes) for t in song.tracks}


def test_a_composed_orchestra_plays_its_percussion_sparingly(base):
    # 8 bars: the kit's rule-made part has ~13 hits, the timpani's ~10 strokes.
    for seed in (3, 4):
        counts = orchestra_counts(base, seed)
        assert 4 <= counts["Percussion"] <= 24, counts
        assert 3 <= counts["Timpani"] <= 20, counts


def trap_song() -> Song:
    """8 bars at 140 BPM: a trap kit's syncopated kicks, snare on 3, 8th hats; an 808
    on every beat (not with the kick)."""
    kick_steps = (0, 6, 10, 11)
    notes = []
    for b in range(8):
        t0 = b * BAR
        notes += [Note(36, t0 + s * STEP, STEP, 110) for s in kick_steps]
        notes += [Note(38, t0 + 8 * STEP, STEP, 110), Note(39, t0 + 8 * STEP, STEP, 100)]
        notes += [Note(42, t0 + e * 2 * STEP, STEP, 80) for e in range(8)]
    kit = Track("Drums", program=25, is_drum=True, channel=DRUM_CHANNEL, notes=tuple(notes))
    bass = Track("808", program=38, channel=1, notes=tuple(
        Note((45, 43, 41, 40)[k % 4], k * PPQ, PPQ, 100) for k in range(32)))
    return Song(tracks=(bass, kit), ppq=PPQ)


def test_a_regenerated_808_strikes_with_the_kick(base):
    # Before the lean: 25-29 % of its onsets on a kick (seeds 1-4; 48-83 % after).
    song = trap_song()
    kicks = {n.start for n in song.tracks[1].notes if n.pitch == 36}
    shares = []
    for seed in (1, 2):
        take = tasks.regenerate(song, song.tracks[0].id, model=base,
                                options=GenerateOptions(seed=seed))
        onsets = {n.start for n in take.after.tracks[0].notes}
        shares.append(len(onsets & kicks) / len(onsets))
    assert min(shares) >= 0.45 and sum(shares) / len(shares) >= 0.55, shares
