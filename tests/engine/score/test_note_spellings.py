"""A score's own spellings (``Note.spelling``): kept through MusicXML import and export,
the project file, undo and the edits that leave a note's pitch; dropped by those that move
it off its pitch class; and new notes named by their neighbours (the melody's B♭ ⇒ the
alto's B♭, an E♭ next to it), else by the key, as before (choir director's QA: Psalm 43's
nine B♭ came back as A♯, the harmony's E♭ as D♯)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from engine.io import load_project, read_musicxml, save_project
from engine.io.musicxml import musicxml_bytes
from engine.io.project import project_from_bytes
from engine.score import KeySignature, Note, Song, Track, new_note_id
from engine.score.edits import (
    duplicate_notes,
    move_notes,
    resize_notes,
    split_notes,
    transpose_notes,
)
from engine.score.note_names import NEIGHBOURHOOD_BEATS, NoteNames
from engine.score.spelling import spelled_name

Q = 480
G_MAJOR = (KeySignature(0, "G"),)


def _song(*tracks: Track, keys=G_MAJOR) -> Song:
    return Song(tracks=tracks, key_signatures=keys)


# -- the model -----------------------------------------------------------------------------


def test_a_spelling_is_notation_that_names_the_pitch_or_is_dropped():
    bb = Note(70, 0, Q, spelling="Bb")
    assert bb.spelling == "Bb" and bb == Note(70, 0, Q)  # notation: not in equality
    assert Note(70, 0, Q, spelling="C").spelling is None  # names another pitch
    assert Note(59, 0, Q, spelling="Cb").spelling == "Cb"
    with pytest.raises(ValueError, match="not a name like Bb"):
        Note(70, 0, Q, spelling="H")
    assert spelled_name(59, "Cb") == "Cb4" and spelled_name(60, "B#") == "B#3"


def test_edits_that_keep_the_pitch_keep_the_spelling_and_a_semitone_drops_it():
    bb = Note(70, 0, 2 * Q, spelling="Bb")
    assert move_notes(1, [bb], Q).added[0].spelling == "Bb"  # later, same pitch
    assert move_notes(1, [bb], 0, 12).added[0].spelling == "Bb"  # an octave: still B♭
    assert move_notes(1, [bb], 0, 1).added[0].spelling is None  # dragged to B
    assert transpose_notes(1, [bb], 2).added[0].spelling is None  # C: named by the rule
    assert transpose_notes(1, [bb], -1).added[0].spelling is None  # A
    assert resize_notes(1, [bb], Q).added[0].spelling == "Bb"
    assert {n.spelling for n in split_notes(1, [bb], Q).added} == {"Bb"}
    assert duplicate_notes(1, [bb], 4 * Q).added[0].spelling == "Bb"
    # Step entry's − on a B: the flat is what was typed, in G major too.
    b = Note(71, 0, Q)
    assert transpose_notes(1, [b], -1, spell=-1).added[0].spelling == "Bb"
    assert transpose_notes(1, [b], 1, spell=1).added[0].spelling is None  # C: a white key


def test_undo_gives_the_spelt_note_back():
    bb = Note(70, 0, Q, spelling="Bb")
    song = _song(Track("Melody", notes=(bb,)))
    tid = song.tracks[0].id
    edit = transpose_notes(tid, [bb], 1)
    moved = edit.apply(song)
    assert moved.tracks[0].notes[0].spelling is None
    back = edit.inverse().apply(moved)
    assert back.tracks[0].notes[0].spelling == "Bb"
    assert edit.apply(back).tracks[0].notes[0].spelling is None  # redo


# -- the project file ----------------------------------------------------------------------


def test_a_project_keeps_spellings_as_a_side_list_old_files_load_as_before(tmp_path):
    melody = Track("Melody", notes=(Note(70, 0, Q, spelling="Bb"), Note(67, Q, Q),
                                    Note(66, 2 * Q, Q, spelling="F#")))
    path = tmp_path / "psalm.partita"
    save_project(_song(melody), path)
    text = path.read_text()
    ids = [n.id for n in melody.notes]
    assert f'[{ids[0]}, "Bb"]' in text and "spellings" in text
    assert re.search(rf"\[70, 0, 480, 96, {ids[0]}\]", text)  # the note rows as before
    loaded = load_project(path).song.tracks[0].notes
    assert [n.spelling for n in loaded] == ["Bb", None, "F#"]
    old = (b'{"format": "partita", "version": 1, "song": {"ppq": 480, "tracks": '
           b'[{"notes": [[70, 0, 480, 90, 7]]}]}}')
    assert project_from_bytes(old).song.tracks[0].notes[0].spelling is None
    # Only notation: a row that is not one, or names another pitch, is skipped.
    odd = old.replace(b']]}]', b']], "spellings": [[7, "C"], [7], "x", [8, "Bb"]]}]')
    assert project_from_bytes(odd).song.tracks[0].notes[0].spelling is None


# -- MusicXML ------------------------------------------------------------------------------


def _psalm_like(tmp_path):
    """A melody in G major with written B♭s (as Psalm 43 in the Essen collection)."""
    music21 = pytest.importorskip("music21")
    from music21 import key, meter, note, stream

    part = stream.Part()
    m = stream.Measure(number=1)
    m.append([key.KeySignature(1), meter.TimeSignature("4/4")])
    for name in ("G4", "B-4", "A4", "B-4"):
        m.append(note.Note(name, quarterLength=1))
    part.append(m)
    m2 = stream.Measure(number=2)
    for name in ("C5", "B-4", "A4", "G4"):
        m2.append(note.Note(name, quarterLength=1))
    part.append(m2)
    path = tmp_path / "psalm.musicxml"
    stream.Score([part]).write("musicxml", fp=path)
    del music21
    return path


def _written(xml: bytes) -> list[str]:
    return [step + {b"": "", b"1": "#", b"-1": "b"}[alter or b""]
            for step, alter in ((s.decode(), a) for s, a in re.findall(
                rb"<step>([A-G])</step>\s*(?:<alter>(-?1)</alter>)?", xml))]


def test_a_scores_flats_come_back_as_written_and_the_harmony_spells_like_them(tmp_path):
    song = read_musicxml(_psalm_like(tmp_path))
    melody = song.tracks[0]
    assert song.key_at(0) == "G"
    assert [n.spelling for n in melody.notes] == [None, "Bb", None, "Bb", None, "Bb", None,
                                                  None]
    assert _written(musicxml_bytes(song)[0]).count("Bb") == 3  # was A# (the key's rule)
    # Lower voices written without spellings (a harmonizer's): the melody's B♭ and an E♭
    # next to it, not A♯ and D♯ as G major alone names them.
    alto = Track("Alto", notes=(Note(62, 0, Q), Note(63, Q, Q), Note(58, 2 * Q, Q)))
    xml = musicxml_bytes(replace(song, tracks=(melody, alto)))[0]
    assert _written(xml).count("Bb") == 4 and "Eb" in _written(xml)
    assert "A#" not in _written(xml) and "D#" not in _written(xml)
    # Reimported, the export keeps its names (round trip).
    out = tmp_path / "out.musicxml"
    out.write_bytes(xml)
    again = read_musicxml(out)
    assert [n.spelling for n in again.tracks[1].notes] == [None, "Eb", "Bb"]


def test_without_spellings_a_score_is_written_as_before():
    d_sharp = Note(63, 0, Q)
    song = _song(Track("Piano", notes=(d_sharp, Note(70, Q, Q))))
    assert _written(musicxml_bytes(song)[0]) == ["D#", "A#"]  # G major's rule, unchanged


# -- the neighbour rule --------------------------------------------------------------------


def test_a_new_black_key_takes_its_neighbours_spelling_else_the_keys():
    far = (NEIGHBOURHOOD_BEATS + 1) * Q
    melody = Track("Melody", notes=(Note(70, 0, Q, spelling="Bb"),
                                    Note(68, 3 * far, Q, spelling="G#")))
    names = NoteNames(_song(melody))
    assert names.spelling_at(58, Q) == "Bb"  # the same pitch class nearby
    assert names.spelling_at(63, Q) == "Eb"  # a fifth from the B♭
    assert names.spelling_at(61, Q) == "C#"  # neither: G major's rule (leads to D)
    assert names.spelling_at(70, far + Q) == "A#"  # too far from the B♭: the key's rule
    assert names.spelling_at(63, 3 * far) == "D#"  # a fifth from the G♯
    assert names.spelling_at(67, Q) == "G"  # a white key is natural
    # A note's own spelling wins over its neighbours'.
    assert names.name(Note(70, Q, Q, spelling="A#")) == "A#4"
    # No spelt note in the song: the key's rule alone, as before.
    plain = NoteNames(_song(Track("Piano", notes=(Note(70, 0, Q),))))
    assert not plain.spelt and plain.spelling_at(58, Q) == "A#"
    assert NoteNames(_song(keys=())).spelling_at(70, 0) == "Bb"


F_MAJOR = (KeySignature(0, "F"),)


def _far_bb() -> Track:
    """A melody whose one spelt note (a B♭) is too far to name anything under test: the
    song has spellings of its own, so its new notes are named by the rule."""
    return Track("Soprano", notes=(Note(70, 8 * (NEIGHBOURHOOD_BEATS + 1) * Q, Q,
                                        spelling="Bb"),))


def test_a_new_black_key_is_spelt_to_keep_its_chord_in_thirds():
    """Psalm 43 harmonized in F major printed C–E♭–G♯ and B♭–D–G♯ (F major's rule: G♯
    leads to A); the chord's spelt notes name it A♭, and a black key named by its chord
    helps name the one struck with it."""
    alto = Track("Alto", notes=(Note(68, 0, 2 * Q), Note(68, 2 * Q, Q)))
    tenor = Track("Tenor", notes=(Note(63, 0, 2 * Q), Note(62, 2 * Q, Q)))
    bass = Track("Bass", notes=(Note(48, 0, 2 * Q), Note(46, 2 * Q, Q, spelling="Bb")))
    song = _song(_far_bb(), alto, tenor, bass, keys=F_MAJOR)
    names = NoteNames(song)
    assert [names.name(n) for n in alto.notes] == ["Ab4", "Ab4"]  # C–E♭–A♭, B♭–D–A♭
    assert names.name(tenor.notes[0]) == "Eb4"  # with the C (and the A♭ once named)
    # A major third up from E is G♯ (E–G♯), whatever the key says.
    e_chord = _song(_far_bb(), Track("Piano", notes=(Note(64, 0, Q), Note(68, 0, Q))),
                    keys=F_MAJOR)
    assert NoteNames(e_chord).name(e_chord.tracks[1].notes[1]) == "G#4"
    # A held note counts: G♯ is named under the E held from before it.
    held = _song(_far_bb(), Track("Bass", notes=(Note(52, 0, 4 * Q),)),
                 Track("Alto", notes=(Note(68, Q, Q),)), keys=F_MAJOR)
    assert NoteNames(held).name(held.tracks[2].notes[0]) == "G#4"
    # The MusicXML export names them so.
    assert _written(musicxml_bytes(song)[0]).count("Ab") == 2
    assert "G#" not in _written(musicxml_bytes(song)[0])


def test_a_black_key_its_chord_leaves_open_follows_its_line_else_the_key():
    """Alone (or a tritone from its chord: C–F♯ or G♭), a black key rising a semitone
    to its line's next note is a sharp, falling one a flat; else the key's rule."""
    def named(*pitches: int) -> str:
        line = Track("Alto", notes=tuple(Note(p, i * Q, Q) for i, p in enumerate(pitches)))
        return NoteNames(_song(_far_bb(), line, keys=F_MAJOR)).name(line.notes[0])

    assert named(68, 69) == "G#4"  # rising to A
    assert named(68, 67) == "Ab4"  # falling to G
    assert named(68, 65) == "G#4"  # neither: F major's rule (G♯ leads to A)
    assert named(66, 67) == "F#4" and named(66, 65) == "Gb4"
    assert named(68) == "G#4"  # the last note: the key's
    # A spelt neighbour of the same pitch class still comes first (the melody's B♭).
    melody = Track("Soprano", notes=(Note(70, 0, Q, spelling="Bb"),))
    alto = Track("Alto", notes=(Note(58, Q, Q), Note(59, 2 * Q, Q)))
    assert NoteNames(_song(melody, alto, keys=F_MAJOR)).name(alto.notes[0]) == "Bb3"


def test_the_nearest_spelling_of_a_pitch_class_wins():
    melody = Track("Melody", notes=(Note(70, 0, Q, spelling="A#"),
                                    Note(70, 4 * Q, Q, spelling="Bb")))
    names = NoteNames(_song(melody))
    assert names.spelling_at(58, Q) == "A#"
    assert names.spelling_at(58, 3 * Q) == "Bb"
    assert names.name_of_id(melody.notes[1].id) == "Bb4"
    assert names.name_of_id(new_note_id()) is None


@pytest.mark.parametrize(("key", "spelt", "chord", "raised", "names"), [
    # D minor: the alto's C# against the soprano's Bb and F (a choir director's QA:
    # exported as Db), and F#, the major 3rd, against them too.
    ("Dm", "Bb", (65, 57), (61, 54), ("C#", "F#")),
    # A minor: G# (the leading tone) and F# (the raised 6th) against an F, C and A.
    ("Am", "Bb", (65, 57), (68, 66), ("G#", "F#")),
    # C minor: its raised 6th and 7th are white keys, A and B natural; its Eb stays Eb.
    ("Cm", "Eb", (67, 60), (69, 71), ("A", "B")),
])
def test_a_minor_keys_raised_6th_and_7th_are_spelt_as_its_sharps(key, spelt, chord, raised,
                                                                  names):
    pitch = 70 if spelt == "Bb" else 75
    soprano = Track("Soprano", notes=(Note(pitch, 0, 2 * Q, spelling=spelt),))
    lower = Track("Alto", notes=tuple(Note(p, 0, 2 * Q) for p in chord))
    new = Track("Tenor", notes=(Note(raised[0], 0, Q), Note(raised[1], Q, Q)))
    song = _song(soprano, lower, new, keys=(KeySignature(0, key),))
    assert tuple(NoteNames(song).spelling(n) for n in new.notes) == names
    if key == "Cm":
        flat = Track("Tenor", notes=(Note(68, 0, Q),))  # Ab: in the scale, as it was
        assert NoteNames(_song(soprano, lower, flat, keys=(KeySignature(0, key),))
                         ).spelling(flat.notes[0]) == "Ab"
