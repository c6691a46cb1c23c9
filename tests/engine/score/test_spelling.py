"""Pitch and key names: what users type, what MIDI files declare, what the model reads."""

from __future__ import annotations

import pytest

from engine.score.spelling import (
    KEY_SIGNATURES,
    MIDI_KEYS,
    key_name,
    key_text,
    pitch_name,
    scale_pitch_classes,
    tonic_of,
)


def test_pitch_names_put_middle_c_in_octave_4():
    assert [pitch_name(p) for p in (60, 61, 21, 108)] == ["C4", "C#4", "A0", "C8"]


def test_no_key_and_c_major_name_black_keys_as_notation_programs_do():
    # QA: a B-flat typed in step entry was drawn and exported as "A#3".
    neutral = ["C#4", "Eb4", "F#4", "Ab4", "Bb4"]
    assert [pitch_name(p) for p in (61, 63, 66, 68, 70)] == neutral
    assert [pitch_name(p, "C") for p in (61, 63, 66, 68, 70)] == neutral


def test_flat_keys_name_their_scale_as_flats_and_raised_notes_as_sharps():
    # A songwriter in F major read B-flat as "A#4"; F then # in F major was drawn "Gb".
    assert [pitch_name(p, "F") for p in (70, 63, 66, 61)] == ["Bb4", "Eb4", "F#4", "C#4"]
    assert [pitch_name(p, "Dm") for p in (70, 61)] == ["Bb4", "C#4"]  # C#: D minor's 7th
    assert [pitch_name(p, "Cm") for p in (63, 71, 61)] == ["Eb4", "B4", "Db4"]  # Db: bII
    assert [pitch_name(p, "Eb") for p in (61, 66)] == ["Db4", "F#4"]  # Db: IV's 7th


def test_sharp_keys_name_black_keys_as_sharps_and_a_minor_its_leading_tone():
    assert [pitch_name(p, "G") for p in (70, 63, 61)] == ["A#4", "D#4", "C#4"]
    assert [pitch_name(p, "Am") for p in (68, 66, 70)] == ["G#4", "F#4", "Bb4"]
    assert pitch_name(66, "F", prefer=-1) == "Gb4" and pitch_name(70, "C", prefer=1) == "A#4"


def test_keys_typed_as_people_write_them_come_out_in_midi_spelling():
    assert key_name("a minor") == "Am"
    assert key_name("Eb major") == "Eb"
    assert key_name(" f#m ") == "F#m"
    with pytest.raises(ValueError, match="unknown key 'H'"):
        key_name("H")
    assert key_text("F#m") == "F# minor" and key_text("Bb") == "Bb major"


def test_key_signatures_name_the_30_keys_a_midi_file_can_declare():
    assert KEY_SIGNATURES[(0, 0)] == "C" and KEY_SIGNATURES[(0, 1)] == "Am"
    assert KEY_SIGNATURES[(-2, 0)] == "Bb" and KEY_SIGNATURES[(3, 1)] == "F#m"
    assert len(MIDI_KEYS) == 30 and "A#" not in MIDI_KEYS and "A#m" in MIDI_KEYS


def test_scales_and_tonics():
    assert scale_pitch_classes("C") == {0, 2, 4, 5, 7, 9, 11}
    assert scale_pitch_classes("A minor") == {9, 11, 0, 2, 4, 5, 7, 8}  # with G#
    assert tonic_of("Bbm") == (10, True) and tonic_of("Cb") == (11, False)
