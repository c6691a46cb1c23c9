"""Instruments: every GM program has a practical range, the orchestra's are its own, and a
keyboard's part is written on a grand staff."""

from __future__ import annotations

import pytest

from engine.score.instruments import (
    grand_staff,
    instrument_range,
    parse_transposition,
    transposition_text,
)


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


@pytest.mark.parametrize("name, program, is_drum, grand", [
    ("Piano", 0, False, True), ("Keys", 4, False, True), ("Harpsichord", 6, False, True),
    ("Celesta", 8, False, True), ("Organ", 19, False, True), ("Accordion", 21, False, True),
    ("Harp", 46, False, True),
    # Mallets, harmonica, guitar, bass, strings, flute, drums: one staff.
    ("Vibes", 11, False, False), ("Harmonica", 22, False, False), ("Guitar", 25, False, False),
    ("Bass", 33, False, False), ("Strings", 48, False, False), ("Flute", 73, False, False),
    ("Drums", 0, True, False),
    # Harmonize's sung lines under a piano melody, on the piano: one line, one staff.
    ("Alto", 0, False, False), ("Tenor", 0, False, False), ("Bass", 19, False, False),
])
def test_keyboards_and_the_harp_are_written_on_a_grand_staff(name, program, is_drum, grand):
    assert grand_staff(name, program, is_drum) is grand


@pytest.mark.parametrize(("spec", "program", "interval", "said"), [
    ("Bb", 71, (-1, -2), "written in Bb (sounds a major second lower)"),
    ("A", 71, (-2, -3), "written in A (sounds a minor third lower)"),
    ("Eb", 71, (2, 3), "written in Eb (sounds a minor third higher)"),  # an E♭ clarinet
    ("Eb", 65, (-5, -9), "written in Eb (sounds a major sixth lower)"),  # an alto sax
    ("Bb", 66, (-8, -14), "written in Bb (sounds a major ninth lower)"),  # a tenor sax
    ("F", 60, (-4, -7), "written in F (sounds a perfect fifth lower)"),
    ("F", 48, (-4, -7), "written in F (sounds a perfect fifth lower)"),  # as a horn is
    ("in G", 73, (-3, -5), "written in G (sounds a perfect fourth lower)"),  # alto flute
    ("D", 56, (1, 2), "written in D (sounds a major second higher)"),
    ("B♭", 0, (-1, -2), "written in Bb (sounds a major second lower)"),
    ("-14", 71, (-8, -14), "written in Bb (sounds a major ninth lower)"),  # bass clarinet
    ("+9", 0, (5, 9), "written in A (sounds a major sixth higher)"),
    ("+12", 72, (7, 12), "sounds an octave higher than written"),
    ("+24", 9, (14, 24), "sounds two octaves higher than written"),  # a glockenspiel
    ("-38", 71, (-22, -38), "written in Bb (sounds 38 semitones lower)"),  # a tubax
    ("none", 71, (0, 0), "at concert pitch"),
    ("C", 43, (0, 0), "at concert pitch"),  # concert pitch, not the double bass's octave
])
def test_a_transposition_as_a_composer_names_it(spec, program, interval, said):
    assert parse_transposition(spec, program) == interval
    assert transposition_text(interval) == said


@pytest.mark.parametrize("spec", ["H", "Bb major", "-49", "+40", "+25", "-39", "2.5", ""])
def test_a_transposition_that_names_no_interval_is_refused(spec):
    with pytest.raises(ValueError):
        parse_transposition(spec, 71)


def test_a_kit_is_named_by_its_general_midi_2_program():
    from engine.score.instruments import kit_name, sound_name

    assert [kit_name(p) for p in (0, 24, 25, 40, 5)] == [
        "Drum Kit", "Electronic Kit", "TR-808 Kit", "Brush Kit", "Drum Kit (program 5)"]
    assert sound_name(25, True) == "TR-808 Kit"
