"""Chords as struck: together, strummed or rolled — and a fast run, which is not one."""

from __future__ import annotations

from engine.score import Note
from engine.score.strums import struck_together, strummed

PPQ = 480
E_SHAPE = (40, 47, 52, 56, 59, 64)


def strum(at: int, gap: int, pitches=E_SHAPE) -> list[Note]:
    return [Note(p, at + gap * i, 900 - gap * i, 80) for i, p in enumerate(pitches)]


def test_a_strum_is_one_chord_at_a_guitarist_s_spreads():
    for gap in (0, 12, 20, 30, 40):
        chords = struck_together(strum(0, gap) + strum(960, gap), PPQ)
        assert [len(c) for c in chords] == [6, 6]
        assert [strummed(c) for c in chords] == [gap > 0] * 2
        assert [n.pitch for n in chords[0]] == list(E_SHAPE)  # in the order struck


def test_an_up_strum_is_one_chord_too():
    up = [Note(p, 12 * i, 400, 80) for i, p in enumerate(reversed(E_SHAPE))]
    (chord,) = struck_together(up, PPQ)
    assert strummed(chord) and len(chord) == 6


def test_a_fast_run_and_a_flam_are_not_strums():
    run = [Note(60 + i, 60 * i, 60, 80) for i in range(8)]  # 32nds, each ending as the next starts
    assert [len(c) for c in struck_together(run, PPQ)] == [1] * 8
    flam = [Note(60, 0, 240, 80), Note(64, 7, 240, 80)]  # two notes a few ticks apart
    (pair,) = struck_together(flam, PPQ)
    assert not strummed(pair)
    # Next chords a beat apart stay apart, however long the first rings.
    ringing = strum(0, 20) + strum(480, 20)
    assert [len(c) for c in struck_together(ringing, PPQ)] == [6, 6]
