"""Instrument ranges: every GM program has a practical range, and the orchestra's are its own."""

from __future__ import annotations

from engine.score.instruments import instrument_range


def test_every_program_has_a_sane_range():
    for program in range(128):
        lo, hi = instrument_range(program)
        assert 0 <= lo < hi <= 127 and hi - lo >= 12, program
    assert instrument_range(0, is_drum=True) == (0, 127)
    assert instrument_range(200) == (0, 127)


def test_orchestral_instruments_get_their_own_ranges_not_their_familys():
    # (program, lowest, highest) from the usual orchestration tables, as sounding.
    for program, lo, hi in [
        (58, 26, 65),  # tuba D1–F4
        (57, 40, 77),  # trombone E2–F5
        (70, 34, 75),  # bassoon Bb1–Eb5
        (43, 28, 67),  # contrabass E1–G4
        (42, 36, 81),  # cello C2–A5
        (41, 48, 88),  # viola C3–E6
        (40, 55, 105),  # violin G3–A7
        (73, 60, 96),  # flute C4–C7
        (72, 74, 108),  # piccolo D5–C8
        (60, 35, 77),  # horn B1–F5
    ]:
        assert instrument_range(program) == (lo, hi), program
    assert instrument_range(0) == (21, 108)  # the piano's 88 keys
