"""A tune written under chord symbols, or with none, sings: no pitch struck a third time
running, mostly steps, leaps filled in, and under chords no note held over a change of
chord onto a tone that rubs with the new chord (F♯4 held from D into C). Its rhythm,
kept, stays."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from engine import tasks
from engine.models import constraints, line_pull, vocab
from engine.models.chord_follow import chord_guide, sing_line
from engine.models.plugin import tiny_random_model
from engine.models.sampler import sample
from engine.models.voice_leading import sounding_pitches
from engine.plugins.api import CancelToken, GenerateOptions
from engine.score import Note, Song, Track
from engine.score.lead_sheet import with_lead_sheet
from engine.score.lyrics import Lyric

from .line_nats import line_nats_at

pytestmark = pytest.mark.usefixtures("one_torch_thread")

PPQ = 480
BAR = 4 * PPQ
CHORDS = "G | D | Em | C | G | D | C | D"


def _quarters(*pitches: int | None) -> list[int]:
    """Sung quarter notes (a pitch held two 16ths, a 16th's breath), None for a beat
    still undecided."""
    out = []
    for p in pitches:
        out += ([vocab.MASK] * 4 if p is None
                else [vocab.onset(p), vocab.HOLD, vocab.HOLD, vocab.REST])
    return out


def test_a_third_strike_of_one_pitch_running_is_taken_from():
    # F♯4 F♯4 ?: not F♯4 again (past the breaths between); ? F♯4 F♯4 and F♯4 ? F♯4 alike.
    for line, cell in (((66, 66, None), 8), ((None, 66, 66), 0), ((66, None, 66), 4)):
        run = line_nats_at(_quarters(*line), cell, line_pull.RUN)
        assert run[66] == -1.0 and (np.delete(run, 66) == 0).all(), line
    # Twice is a tune's repeated note; a long rest starts a new phrase.
    assert not line_nats_at(_quarters(64, 66, None), 8, line_pull.RUN).any()
    apart = [vocab.onset(66), vocab.HOLD, vocab.onset(66)] + [vocab.REST] * 8 + [vocab.MASK]
    assert not line_nats_at(apart, 11, line_pull.RUN).any()


def test_a_tune_leans_to_steps_and_takes_from_wide_leaps():
    sing = line_nats_at(_quarters(67, None), 4, line_pull.MELODIC)  # from G4
    assert sing[69] == sing[65] == sing[68] == 1.0  # a step
    assert sing[71] == sing[64] == line_pull.SMALL_LEAP_SHARE  # a 3rd
    assert sing[67] == sing[72] == sing[74] == 0.0  # a repeat, a 4th, a 5th
    assert sing[76] == sing[55] == -1.0  # a 6th, an octave
    assert sing[80] == sing[53] == -2.0  # past the octave


def test_a_leap_is_filled_in_by_a_move_back():
    # G4 up to E5: back down by a step or a 3rd, not on up by a leap.
    fill = line_nats_at(_quarters(67, 76, None), 8, line_pull.GAP_FILL)
    assert fill[74] == fill[72] == 1.0
    assert fill[79] == fill[83] == -1.0
    assert fill[77] == 0.0  # on up a step: no leap more
    # Read the other way: a leap from G4 into this note, the next note already drawn.
    into = line_nats_at(_quarters(67, None, 79), 4, line_pull.GAP_FILL)  # G4 ? G5
    assert into[81] == 1.0  # up to A5, then back down to G5
    assert into[72] == into[76] == -1.0  # up to C5 or E5, then on up by a leap
    assert into[69] == 0.0  # A4: no leap


def test_a_tune_under_chords_gets_its_line_and_rubs_at_the_changes():
    song = with_lead_sheet(Song(tracks=(Track(name="Vocal", program=53),), ppq=PPQ),
                           "D | C | Em")
    guide = chord_guide(song, np.arange(0, 3 * BAR + 1, PPQ // 4))
    assert guide is not None
    editable = np.ones(len(guide.chord), dtype=bool)
    line, held = sing_line(editable, guide)
    assert (line[:, line_pull.RUN] > 0).all() and not line[:, line_pull.REPEAT].any()
    assert held[16, 6] and held[16, 11]  # into C: F♯ and B rub with G and C
    assert not held[16, [0, 4, 7, 2]].any()  # its tones and a D (a 9th) do not
    assert held[32, 0]  # into Em: C rubs with B
    assert not held[[8, 20, 40]].any()  # only at a change


class _LovesHolding:
    """A denoiser that favours holding a note on, wherever it is asked."""

    def __call__(self, x: torch.Tensor, roles: torch.Tensor, beat: torch.Tensor
                 ) -> torch.Tensor:
        out = torch.zeros((*x.shape, vocab.VOCAB_SIZE))
        out[..., vocab.HOLD] = 8.0
        return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sampler_holds_no_note_into_a_chord_it_rubs_with(seed: int):
    steps = 32  # two bars, D then C: F♯4 held through D, held on or not into C
    tokens = np.full((1, steps), vocab.REST, dtype=np.int64)
    editable = np.ones_like(tokens, dtype=bool)
    allowed = np.zeros((1, steps, vocab.VOCAB_SIZE), dtype=bool)
    allowed[0, 0, vocab.onset(66)] = True
    allowed[0, 1:, vocab.HOLD] = True
    allowed[0, 16:, [vocab.REST, vocab.onset(64), vocab.onset(66), vocab.onset(67)]] = True
    rubs = np.zeros((1, steps, 12), dtype=bool)
    rubs[0, 16, [1, 3, 5, 6, 8, 9, 11]] = True  # C's
    runs = [sample(_LovesHolding(), tokens, editable, np.full(1, 1), np.arange(steps) % 16,
                   allowed, GenerateOptions(seed=seed, steps=4), lambda p: None,
                   CancelToken(), held_clash=held)[0] for held in (None, rubs)]

    def held_over(line: np.ndarray) -> bool:
        """Whether an F♯ sounds on into bar 2 (C), struck before it."""
        return line[16] == vocab.HOLD and sounding_pitches(line[None])[0, 16] % 12 == 6

    alone, sung = runs
    assert held_over(alone)  # the model alone holds F♯4 into C
    assert not held_over(sung), sung
    assert (sung[16:] == vocab.HOLD).sum() >= 12  # ... and holds the note struck on C


def vocal_verse() -> Song:
    """A sung verse over ``CHORDS``: quarter notes on the chords' tones, a syllable on
    each, F♯4 four times in bar 6 (as a repaint had written it)."""
    tune = [71, 74, 71, 67, 69, 69, 66, 69, 67, 71, 76, 76, 76, 74, 72, 72,
            74, 71, 67, 71, 66, 66, 66, 66, 64, 67, 72, 67, 66, 66, 69, 69]
    notes = tuple(Note(p, i * PPQ, PPQ - 40, 90, lyric=Lyric("la"))
                  for i, p in enumerate(tune))
    song = Song(tracks=(Track(name="Vocal", program=53, notes=notes),), ppq=PPQ)
    return with_lead_sheet(song, CHORDS)


def _runs(pitches: list[int]) -> int:
    """Runs of one pitch struck three or more times in a row."""
    return sum(pitches[i] == pitches[i - 1] == pitches[i - 2]
               and (i < 3 or pitches[i - 3] != pitches[i]) for i in range(2, len(pitches)))


@pytest.mark.parametrize("keep_rhythm", [False, True])
def test_a_repainted_vocal_sings_and_a_kept_rhythm_stays(monkeypatch, keep_rhythm: bool):
    song = vocal_verse()
    vocal = song.tracks[0]
    problems = []
    built = constraints.build_problem

    def spy(*args, **kwargs):
        problems.append(built(*args, **kwargs))
        return problems[-1]

    monkeypatch.setattr("engine.models.grid_plugin.build_problem", spy)
    for seed in (1, 2):
        take = tasks.repaint(song, [vocal.id], 4, 8, model=tiny_random_model(0),
                             options=GenerateOptions(seed=seed, steps=4,
                                                     keep_rhythm=keep_rhythm))
        new = sorted((n for n in take.after.track(vocal.id).notes if n.start >= 4 * BAR),
                     key=lambda n: n.start)
        assert _runs([n.pitch for n in new]) == 0, [n.pitch for n in new]
        if keep_rhythm:  # the straight quarters stay, only the pitches are new
            assert [(n.start, n.end) for n in new] == [
                (n.start, n.end) for n in vocal.notes if n.start >= 4 * BAR]
    assert problems and all(p.line_pull is not None and p.held_clash is not None
                            for p in problems)


def test_a_tune_with_no_chords_gets_its_line_alone():
    editable = np.zeros(48, dtype=bool)
    editable[16:] = True  # the cells it writes
    line, held = sing_line(editable, None)
    assert (line[16:, line_pull.RUN] > 0).all() and (line[16:, line_pull.MELODIC] > 0).all()
    assert not line[:16].any() and not line[:, line_pull.REPEAT].any()
    assert not held.any()  # no change of chord to rub with


@pytest.mark.parametrize("name, program, sings", [
    ("Vocal", 53, True),  # named as the tune, on Voice Oohs
    ("Melody", 40, True),  # named as the tune, on a violin
    ("Flute", 73, True),  # a lead instrument
    ("Violin", 40, False),  # an accompaniment: no tune's line
])
def test_a_melody_with_no_chord_symbols_sings(monkeypatch, name: str, program: int,
                                              sings: bool):
    # The verse's tune, F♯4 four times in bar 6, as most songs are: no chord symbols.
    notes = tuple(replace(n, lyric=None) for n in vocal_verse().tracks[0].notes)
    song = Song(tracks=(Track(name=name, program=program, notes=notes),), ppq=PPQ)
    assert not song.chords
    problems = []
    built = constraints.build_problem

    def spy(*args, **kwargs):
        problems.append(built(*args, **kwargs))
        return problems[-1]

    monkeypatch.setattr("engine.models.grid_plugin.build_problem", spy)
    track = song.tracks[0]
    for seed in (1, 2):
        take = tasks.repaint(song, [track.id], 4, 8, model=tiny_random_model(0),
                             options=GenerateOptions(seed=seed, steps=4))
        new = sorted((n for n in take.after.track(track.id).notes if n.start >= 4 * BAR),
                     key=lambda n: n.start)
        if sings:
            assert _runs([n.pitch for n in new]) == 0, [n.pitch for n in new]
    assert problems and all((p.line_pull is not None) == sings and p.held_clash is None
                            for p in problems)
