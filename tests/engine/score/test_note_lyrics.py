"""A melody's lyrics and fermatas (``Note.lyric``, ``Note.fermata``): kept from MusicXML
and MIDI import through the project file, edits and undo, and written back under the same
notes (choir director's QA: a hymn's 17 and 26 syllables and its fermatas were dropped on
import, and so missing from the score printed after harmonizing)."""

from __future__ import annotations

import io
import re

import mido
import pytest

from engine.io import (
    load_project,
    midi_from_bytes,
    read_midi,
    read_musicxml,
    read_musicxml_with_report,
    save_project,
    write_midi,
)
from engine.io.musicxml import musicxml_bytes
from engine.io.project import project_from_bytes
from engine.score import Lyric, Marker, Note, Song, Track
from engine.score.edits import join_notes, move_notes, remove_notes, split_notes
from engine.score.lyrics import lyrics_from_midi, midi_lyric_text

Q = 480


def _note(step: str, octave: int, duration: int, *, lyric: str = "", syllabic: str = "",
          verse2: str = "", fermata: bool = False, tie: str = "") -> str:
    lyrics = "".join(
        f'<lyric number="{n}"><syllabic>{syllabic or "single"}</syllabic>'
        f"<text>{text}</text></lyric>" for n, text in ((1, lyric), (2, verse2)) if text)
    ties = f'<tie type="{tie}"/>' if tie else ""
    marks = (f'<tied type="{tie}"/>' if tie else "") + ('<fermata/>' if fermata else "")
    notations = f"<notations>{marks}</notations>" if marks else ""
    return (f"<note><pitch><step>{step}</step><octave>{octave}</octave></pitch>"
            f"<duration>{duration}</duration>{ties}<voice>1</voice><type>quarter</type>"
            f"{notations}{lyrics}</note>")


def _hymn_xml() -> str:
    """Two bars of 4/4: "Al-le-lu-ia", the last held with a fermata over a tie into bar
    2, then a pickup "Sing" with no rest; a second verse under the first notes."""
    bar1 = (_note("G", 4, 1, lyric="Al", syllabic="begin", verse2="Praise")
            + _note("A", 4, 1, lyric="le", syllabic="middle", verse2="him")
            + _note("B", 4, 1, lyric="lu", syllabic="middle")
            + _note("C", 5, 1, lyric="ia", syllabic="end", tie="start"))
    bar2 = (_note("C", 5, 2, tie="stop", fermata=True)
            + _note("D", 5, 1, lyric="Sing", fermata=False)
            + _note("G", 4, 1))
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<score-partwise version="3.1"><part-list><score-part id="P1">'
            "<part-name>Soprano</part-name></score-part></part-list><part id=\"P1\">"
            '<measure number="1"><attributes><divisions>1</divisions><key><fifths>0</fifths>'
            "</key><time><beats>4</beats><beat-type>4</beat-type></time></attributes>"
            f'{bar1}</measure><measure number="2">{bar2}</measure></part></score-partwise>')


@pytest.fixture
def hymn(tmp_path):
    path = tmp_path / "hymn.musicxml"
    path.write_text(_hymn_xml())
    return path


def _sung(track: Track) -> list[tuple[int, str | None, str | None, bool]]:
    return [(n.pitch, n.lyric and n.lyric.text, n.lyric and n.lyric.syllabic, n.fermata)
            for n in track.notes]


HYMN = [(67, "Al", "begin", False), (69, "le", "middle", False),
        (71, "lu", "middle", False), (72, "ia", "end", True),  # tied on into bar 2
        (74, "Sing", "single", False), (67, None, None, False)]


def test_musicxml_keeps_the_first_verse_and_the_fermatas_and_writes_them_back(hymn, tmp_path):
    song, report = read_musicxml_with_report(hymn)
    melody = song.tracks[0]
    assert _sung(melody) == HYMN
    assert melody.notes[3].duration == 3 * Q  # the tie: one note, its fermata kept
    text = " ".join(report.approximated)
    assert "fermata" not in text  # no longer "fermatas not held"
    assert "2 syllables of lyrics not kept" in text  # verse 2's, said
    xml = musicxml_bytes(song)[0].decode()
    assert re.findall(r"<text>([^<]*)</text>", xml) == ["Al", "le", "lu", "ia", "Sing"]
    assert re.findall(r"<syllabic>(\w+)</syllabic>", xml) == [
        "begin", "middle", "middle", "end", "single"]
    assert xml.count("<fermata") == 1  # over the tied note's last piece, in bar 2
    bar2 = xml[re.search(r'<measure[^>]*number="2"', xml).start():]
    assert "<fermata" in bar2 and bar2.index("<fermata") < bar2.index("<text>Sing")
    out = tmp_path / "again.musicxml"
    out.write_text(xml)
    assert _sung(read_musicxml(out).tracks[0]) == HYMN  # round trip


def test_every_voice_sounding_at_the_end_of_a_fermata_gets_one_in_the_score(tmp_path):
    """Only the Soprano had a fermata in a printed SATB harmonization: the singers of A,
    T and B saw no hold. The export gives one to each note of another pitched part that
    sounds at the fermata note's end — struck with it, or held into its end, ending with
    it or later — upright (music21's default was drawn inverted); the song is unchanged."""
    soprano = Track("Soprano", program=52, notes=(
        Note(72, 0, 2 * Q), Note(71, 2 * Q, 2 * Q, fermata=True), Note(72, 4 * Q, 4 * Q)))
    alto = Track("Alto", program=52, notes=(  # moves under the hold: its last quarter
        Note(67, 0, 2 * Q), Note(65, 2 * Q, Q), Note(67, 3 * Q, Q), Note(67, 4 * Q, 4 * Q)))
    tenor = Track("Tenor", program=52, notes=(Note(62, 0, 4 * Q), Note(64, 4 * Q, 4 * Q)))
    bass = Track("Bass", program=52, notes=(  # struck with it, held on into bar 2
        Note(48, 0, 2 * Q), Note(43, 2 * Q, 3 * Q), Note(48, 5 * Q, 3 * Q)))
    drums = Track("Drums", is_drum=True, channel=9, notes=(Note(36, 2 * Q, 2 * Q),))
    song = Song(tracks=(soprano, alto, tenor, bass, drums))
    xml = musicxml_bytes(song)[0].decode()
    parts = re.findall(r"<part id=.*?</part>", xml, flags=re.S)

    def held(part: str) -> list[str]:  # the pitches written with a fermata
        return [f"{m.group(1)}{m.group(2)}" for m in re.finditer(
            r"<step>(\w)</step>\s*(?:<alter>[^<]*</alter>\s*)?<octave>(\d)</octave>"
            r"(?:(?!</note>).)*<fermata", part, flags=re.S)]

    assert [held(p) for p in parts] == [["B4"], ["G4"], ["D4"], ["G2"], []]
    assert re.findall(r"<fermata[^>]*>", xml) == ['<fermata type="upright" />'] * 4
    assert [n.fermata for t in song.tracks for n in t.notes].count(True) == 1
    # Read back, each part holds its own.
    out = tmp_path / "choir.musicxml"
    out.write_text(xml)
    again = read_musicxml(out)
    assert [sum(n.fermata for n in t.notes) for t in again.tracks[:4]] == [1, 1, 1, 1]


def test_a_project_keeps_lyrics_and_fermatas_as_side_lists(hymn, tmp_path):
    song = read_musicxml(hymn)
    path = tmp_path / "hymn.partita"
    save_project(song, path)
    text = path.read_text()
    assert '"lyrics"' in text and '"fermatas"' in text
    assert _sung(load_project(path).song.tracks[0]) == HYMN
    old = (b'{"format": "partita", "version": 1, "song": {"ppq": 480, "tracks": '
           b'[{"notes": [[70, 0, 480, 90, 7]]}]}}')
    assert project_from_bytes(old).song.tracks[0].notes[0].lyric is None
    # Only notation: rows that are not one are skipped, never fatal.
    odd = old.replace(b']]}]', b']], "lyrics": [[7, "", "single"], [7], "x", [7, "Oh", 3]],'
                               b' "fermatas": ["7", 7.5, 7]}]')
    note = project_from_bytes(odd).song.tracks[0].notes[0]
    assert note.lyric == Lyric("Oh") and note.fermata


def test_edits_carry_the_lyric_with_the_note_and_undo_gives_it_back():
    ia = Note(72, 0, 4 * Q, lyric=Lyric("ia", "end"), fermata=True)
    moved = move_notes(1, [ia], Q, 2).added[0]  # later and a tone up: still "ia"
    assert moved.lyric == Lyric("ia", "end") and moved.fermata
    head, tail = sorted(split_notes(1, [ia], 2 * Q).added, key=lambda n: n.start)
    assert (head.lyric, head.fermata, tail.lyric, tail.fermata) == (ia.lyric, False, None, True)
    joined = join_notes(1, [head, tail]).added[0]
    assert joined.lyric == ia.lyric and joined.fermata
    song = Song(tracks=(Track("Soprano", notes=(ia,)),))
    tid = song.tracks[0].id
    edit = remove_notes(tid, [ia])
    gone = edit.apply(song)
    assert not gone.tracks[0].notes  # a deleted note takes its syllable with it
    back = edit.inverse().apply(gone).tracks[0].notes[0]
    assert back.lyric == ia.lyric and back.fermata
    with pytest.raises(ValueError):
        Lyric("ia", "twice")
    with pytest.raises(ValueError):
        Note(60, 0, Q, fermata=1)


def test_midi_lyric_events_land_on_their_notes_and_are_written_back(tmp_path):
    assert [midi_lyric_text(ly) for ly in lyrics_from_midi(["Al-", "le-", "lu-", "ia", "Sing"])
            ] == ["Al-", "le-", "lu-", "ia", "Sing"]
    assert [ly.syllabic for ly in lyrics_from_midi(["Al-", "le-", "ia", "Sing"])] == [
        "begin", "middle", "end", "single"]
    sop = Track("Soprano", program=52, notes=(
        Note(67, 0, Q, lyric=Lyric("Al", "begin")), Note(69, Q, Q, lyric=Lyric("ia", "end")),
        Note(71, 2 * Q, Q)))
    path = tmp_path / "hymn.mid"
    write_midi(Song(tracks=(sop,)), path)
    texts = [m.text for t in mido.MidiFile(path).tracks for m in t if m.type == "lyrics"]
    assert texts == ["Al-", "ia"]
    notes = read_midi(path).tracks[0].notes
    assert [(n.lyric and n.lyric.text, n.lyric and n.lyric.syllabic) for n in notes] == [
        ("Al", "begin"), ("ia", "end"), (None, None)]


def test_midi_keeps_fermatas_as_markers_on_their_notes_and_user_markers_alone(tmp_path):
    # A choir director's re-test: a .mid export dropped the fermatas (MIDI has no event).
    sop = Track("Soprano", program=52, notes=(
        Note(67, 0, Q), Note(72, Q, 2 * Q, fermata=True), Note(74, 3 * Q, Q)))
    alto = Track("Alto", program=52, channel=1, notes=(
        Note(60, 0, Q), Note(64, Q, 2 * Q, fermata=True), Note(65, 3 * Q, Q)))
    song = Song(tracks=(sop, alto), markers=(Marker(0, "Verse 1"), Marker(Q, "Fermata")))
    path = tmp_path / "hymn.mid"
    write_midi(song, path)
    midi = mido.MidiFile(path)
    per_track = [[(m.type, m.text) for m in t if m.type == "marker"] for t in midi.tracks]
    # The user's markers in the conductor track; one "Fermata" in each voice's own track.
    assert per_track == [[("marker", "Verse 1"), ("marker", "Fermata")],
                         [("marker", "Fermata")], [("marker", "Fermata")]]
    back = read_midi(path)
    assert [[n.fermata for n in t.notes] for t in back.tracks] == [
        [False, True, False], [False, True, False]]
    # The user's markers read back once each, the fermatas' not as markers.
    assert [(m.tick, m.text) for m in back.markers] == [(0, "Verse 1"), (Q, "Fermata")]
    write_midi(back, path)
    again = read_midi(path)
    assert [(m.tick, m.text) for m in again.markers] == [(0, "Verse 1"), (Q, "Fermata")]
    assert [[n.fermata for n in t.notes] for t in again.tracks] == [
        [False, True, False], [False, True, False]]


def test_a_fermata_marker_goes_on_the_top_note_of_a_chord_and_one_off_any_note_stays():
    mid = mido.MidiFile(ticks_per_beat=Q)
    trk = mido.MidiTrack()
    trk += [mido.MetaMessage("marker", text="fermata", time=0),
            mido.Message("note_on", note=60, velocity=80, time=0),
            mido.Message("note_on", note=67, velocity=80, time=0),
            mido.Message("note_off", note=60, time=Q), mido.Message("note_off", note=67),
            mido.MetaMessage("marker", text="Fermata", time=Q)]
    mid.tracks.append(trk)
    buf = io.BytesIO()
    mid.save(file=buf)
    song = midi_from_bytes(buf.getvalue())
    assert [(n.pitch, n.fermata) for n in song.tracks[0].notes] == [(60, False), (67, True)]
    assert [(m.tick, m.text) for m in song.markers] == [(2 * Q, "Fermata")]
