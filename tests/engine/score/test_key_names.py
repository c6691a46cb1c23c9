"""The 24 keys by the names musicians give them: C♯ minor, not D♭ minor — in what the user
reads, in the key a song is found in, and in the key signature a MIDI file and a score
get (the signature's sharps or flats are the name's)."""

from __future__ import annotations

import io
import warnings

import mido
import pytest

from engine.io.midi_export import midi_to_bytes
from engine.score import KeySignature, Mask, Note, Region, Song, Track
from engine.score.keys import KEYS, context_key
from engine.score.spelling import (
    KEY_SIGNATURES,
    MAJOR_KEYS,
    MINOR_KEYS,
    key_name,
    key_on,
    key_text,
    tonic_of,
    transpose_key,
)

P = 480

# What a musician calls each key, tonic C up to B.
MAJORS = ["C major", "Db major", "D major", "Eb major", "E major", "F major", "F# major",
          "G major", "Ab major", "A major", "Bb major", "B major"]
MINORS = ["C minor", "C# minor", "D minor", "Eb minor", "E minor", "F minor", "F# minor",
          "G minor", "G# minor", "A minor", "Bb minor", "B minor"]


def test_every_key_is_named_as_musicians_name_it():
    assert [key_text(key_on(t, False)) for t in range(12)] == MAJORS
    assert [key_text(key_on(t, True)) for t in range(12)] == MINORS
    # The keys a key is found among are those 24, each once.
    assert sorted(KEYS) == sorted(MAJOR_KEYS + MINOR_KEYS) and len(set(KEYS)) == 24
    assert all(tonic_of(key_on(t, m)) == (t, m) for t in range(12) for m in (False, True))


def signature_written(key: str) -> tuple[int, int]:
    """(sharps > 0 or flats < 0, minor) of the key_signature event a MIDI file gets."""
    song = Song(key_signatures=(KeySignature(0, key),),
                tracks=(Track("Tune", notes=(Note(60, 0, P),)),))
    midi = mido.MidiFile(file=io.BytesIO(midi_to_bytes(song)))
    (event,) = [m for t in midi.tracks for m in t if m.type == "key_signature"]
    assert event.key == key
    sf, minor = event.bytes()[3:5]  # FF 59 02 sf mi
    return (sf - 256 if sf > 127 else sf), minor


@pytest.mark.parametrize("key", MAJOR_KEYS + MINOR_KEYS)
def test_the_signature_written_has_the_sharps_or_flats_of_the_keys_name(key):
    sf, minor = signature_written(key)
    assert minor == key.endswith("m")
    assert KEY_SIGNATURES[(sf, minor)] == key
    tonic = key.removesuffix("m")
    # A sharp key's name has a sharp or none, a flat key's a flat or none (F, C minor).
    if "#" in tonic:
        assert sf > 0
    if "b" in tonic:
        assert sf < 0
    # The name with the fewer accidentals: never more than six (F#, Eb minor).
    assert abs(sf) <= 6


@pytest.mark.parametrize("key", ["C#m", "G#m", "Ebm", "Bbm", "F#m", "Db", "F#"])
def test_a_score_gets_the_same_signature_as_the_midi_file(key):
    music21 = pytest.importorskip("music21")
    from engine.io.musicxml import musicxml_bytes

    song = Song(key_signatures=(KeySignature(0, key),),
                tracks=(Track("Flute", program=73, notes=(Note(72, 0, P),)),))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = music21.converter.parse(musicxml_bytes(song)[0], format="musicxml")
    (written,) = score.recurse().getElementsByClass("KeySignature")
    assert written.sharps == signature_written(key)[0]
    assert str(written).replace("-", "b").lower() == key_text(key).lower()  # "c# minor"


def test_old_and_theoretical_spellings_read_as_the_usual_key():
    # Partita named C# minor "Db minor" (a signature of 8 flats): a key saved so reads.
    assert key_name("Db minor") == "C#m" == key_name("Dbm") == key_name("C# minor")
    assert key_name("Gbm") == "F#m" and key_name("A#") == "Bb" and key_name("Fb") == "E"
    # A spelling a key signature has stays as written (a file may declare A-flat minor).
    assert key_name("Ab minor") == "Abm" and key_name("D#m") == "D#m"
    assert key_name("Cb") == "Cb" and key_name("C#") == "C#"


def test_a_transposed_key_is_named_as_musicians_name_it():
    assert transpose_key("Cm", 1) == "C#m" and transpose_key("Am", -1) == "G#m"
    assert transpose_key("Em", -1) == "Ebm" and transpose_key("F", 1) == "F#"
    assert transpose_key("C", 1) == "Db"


@pytest.mark.parametrize("tonic, name", [(1, "C#m"), (8, "G#m"), (3, "Ebm"), (10, "Bbm")])
def test_music_in_a_minor_key_is_found_in_it_by_its_usual_name(tonic, name):
    # Two octaves of the harmonic minor scale: context_key once named C# minor "Dbm", a
    # key no signature can hold, and G# minor "Abm" (7 flats).
    steps = (0, 2, 3, 5, 7, 8, 11, 12)
    notes = tuple(Note(48 + tonic + s + 12 * o, (8 * o + i) * P, P)
                  for o in range(2) for i, s in enumerate(steps))
    song = Song(tracks=(Track("Lead", program=73, notes=notes), Track("New")))
    mask = Mask((Region({song.tracks[1].id}, 0, 16 * P),))
    assert context_key(song, mask) == name
