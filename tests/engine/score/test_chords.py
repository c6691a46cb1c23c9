"""The chord a texture sounds: triads and sevenths, inversions, weights, and no guess."""

from __future__ import annotations

import numpy as np
import pytest

from engine.models.constraints import downbeat_chords
from engine.score import Note, Song, Track
from engine.score.chords import recognise_chord, sounding_weights


def chord(*pitches: int, weights: dict[int, float] | None = None) -> str | None:
    found = recognise_chord({p: (weights or {}).get(p, 1.0) for p in pitches})
    return found.name if found else None


@pytest.mark.parametrize(("pitches", "name"), [
    ((60, 64, 67), "C"),
    ((64, 67, 72), "C"),  # first inversion: the root is not the lowest note
    ((67, 72, 76), "C"),  # second inversion
    ((57, 60, 64, 67), "Am7"),  # not C with an added A
    ((57, 60, 64, 65), "Fmaj7"),  # over its third
    ((55, 59, 62, 64), "Em7"),  # over its third
    ((62, 65, 69), "Dm"),
    ((59, 62, 65), "Bdim"),
    ((60, 64, 70), "C7"),  # no fifth
    ((71, 74, 77, 81), "Bm7b5"),
    ((58, 62), "Bb"),  # a third alone: its lower note
    ((48, 55), "C"),  # a bare fifth
])
def test_triads_and_sevenths_are_named_by_their_root(pitches, name):
    assert chord(*pitches) == name


@pytest.mark.parametrize("pitches", [
    (60, 65, 67),  # Csus4 or Fsus2
    (60, 64, 68),  # augmented: any of three roots
    (59, 62, 65, 68),  # diminished seventh: any of four
    (60, 71),  # a root and a seventh
    (60,),  # one note
    (),
])
def test_no_chord_is_named_where_none_is_clear(pitches):
    assert chord(*pitches) is None


def test_a_passing_note_weighs_by_how_long_it_sounds():
    # A held Am7 with a melody passing through B and C: still Am7.
    assert chord(57, 60, 64, 67, 71, weights={60: 1.5, 71: 0.5}) == "Am7"
    # A long F against a short A-C-E is F major seventh, not A minor.
    assert chord(57, 60, 64, 65, weights={65: 4.0}) == "Fmaj7"


def test_sounding_weights_are_the_ticks_each_class_sounds_in_the_span():
    notes = [Note(60, 0, 480), Note(72, 240, 480), Note(64, -0 + 400, 40), Note(67, 480, 480)]
    assert sounding_weights(notes, 0, 480) == {0: 720.0, 4: 40.0}


def test_the_downbeat_chord_is_what_the_kept_parts_sound_in_the_first_beat():
    q = 480
    keys = Track("Keys", program=4, notes=(
        Note(57, 0, 4 * q), Note(60, 0, 4 * q), Note(64, 0, 4 * q),  # A minor, the bar long
        Note(65, 4 * q + 3 * q, q), Note(69, 4 * q + 3 * q, q)))  # F-A on beat 4 only
    lead = Track("Lead", program=80, notes=(Note(77, 0, q // 4), Note(76, q // 4, q)))
    bass = Track("Bass", program=33)
    song = Song(tracks=(keys, lead, bass), ppq=q)
    found = downbeat_chords(song, {bass.id}, np.array([0, 4 * q]))
    assert found[0] is not None and found[0].name == "Am"  # the lead's F passes
    assert found[1] is None  # nothing sounds in the second bar's first beat


def test_comping_after_the_downbeat_names_the_chord_and_an_arpeggio_does_not():
    q = 256  # openmsx-3's blues: the bass note on the 1, the chord on its "and"
    keys = Track("Keyboards", notes=(Note(41, 0, 346), Note(63, q // 2, 116),
                                     Note(68, q // 2, 116)))
    bass = Track("Bass", program=35)
    song = Song(tracks=(keys, bass), ppq=q)
    assert downbeat_chords(song, {bass.id}, np.array([0]))[0].root == 5  # F (Fm7)
    tune = Track("Flute", program=73, notes=tuple(  # G-B-D-B in 16ths, legato
        Note(p, i * q // 4, q // 4 + 10) for i, p in enumerate((67, 71, 74, 71))))
    song = Song(tracks=(tune, bass), ppq=q)
    assert recognise_chord(sounding_weights(tune.notes, 0, q)).name == "G"
    assert downbeat_chords(song, {bass.id}, np.array([0])) == [None]
