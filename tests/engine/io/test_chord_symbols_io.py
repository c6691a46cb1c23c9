"""A lead sheet's chord symbols survive every file the song goes through: the project,
a MIDI file (as text events) and a MusicXML score (as ``<harmony>``)."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import mido
import pytest

from engine.io import load_song, save_song
from engine.io.midi_import import read_midi_with_report
from engine.io.musicxml_import import read_musicxml_with_report
from engine.score import ChordSymbol, Note, Song, Track, parse_chord_symbol

BAR = 1920
BLUES = ["C7", "F7", "C7", "C7", "F7", "F7", "C7", "C7", "G7", "F7", "C7", "G7"]


def blues(**changes) -> Song:
    return Song(tracks=(Track("Lead", notes=tuple(Note(60, i * BAR, BAR) for i in range(12))),),
                chords=tuple(ChordSymbol(i * BAR, c) for i, c in enumerate(BLUES)), **changes)


def jazz() -> Song:
    """Chords a jazz arranger writes, mid-bar too."""
    return Song(tracks=blues().tracks, chords=(
        ChordSymbol(0, "Cmaj7"), ChordSymbol(960, "A7b9"), ChordSymbol(BAR, "Dm7"),
        ChordSymbol(BAR + 960, "G7/B"), ChordSymbol(2 * BAR, "Gm7b5/Db"),
        ChordSymbol(3 * BAR, "Bbmaj7#11"), ChordSymbol(3 * BAR + 1440, "N.C.")))


@pytest.mark.parametrize("ext", ["partita", "mid", "musicxml"])
def test_a_12_bar_blues_keeps_its_chords(tmp_path, ext):
    path = tmp_path / f"blues.{ext}"
    save_song(blues(), path)
    assert load_song(path).chords == blues().chords


@pytest.mark.parametrize("ext", ["partita", "mid", "musicxml"])
def test_jazz_chords_come_back_as_written(tmp_path, ext):
    path = tmp_path / f"changes.{ext}"
    save_song(jazz(), path)
    assert load_song(path).chords == jazz().chords


def test_the_project_writes_chords_only_when_there_are_some(tmp_path):
    path = tmp_path / "a.partita"
    save_song(blues(), path)
    doc = json.loads(path.read_text())
    assert doc["song"]["chords"][:2] == [[0, "C7"], [BAR, "F7"]]
    save_song(Song(tracks=blues().tracks), path)
    assert "chords" not in json.loads(path.read_text())["song"]  # as older files


def test_a_bad_chord_entry_is_skipped_not_fatal(tmp_path):
    path = tmp_path / "a.partita"
    save_song(blues(), path)
    doc = json.loads(path.read_text())
    doc["song"]["chords"] = [[0, "C7"], [-5, "F7"], ["x", "G7"], [BAR], [BAR, 7], 3,
                             [2 * BAR, "  "], [3 * BAR, " G7 "]]
    path.write_text(json.dumps(doc))
    assert load_song(path).chords == (ChordSymbol(0, "C7"), ChordSymbol(3 * BAR, "G7"))
    doc["song"]["chords"] = "C7 F7"
    path.write_text(json.dumps(doc))
    assert load_song(path).chords == ()
    del doc["song"]["chords"]
    path.write_text(json.dumps(doc))
    assert load_song(path).chords == ()


def test_midi_writes_chords_as_text_events_not_markers(tmp_path):
    path = tmp_path / "blues.mid"
    save_song(blues(), path)
    conductor = mido.MidiFile(path).tracks[0]
    texts = [m.text for m in conductor if m.type == "text"]
    assert texts == BLUES
    assert not any(m.type == "marker" for m in conductor)
    song, report = read_midi_with_report(path)
    assert song.markers == () and "text" not in report.summary()


def test_midi_reads_chord_text_events_and_drops_other_text(tmp_path):
    """Another program's file: chords on a track of their own, with a comment."""
    mid = mido.MidiFile(ticks_per_beat=480)
    mid.tracks.append(mido.MidiTrack([
        mido.MetaMessage("text", text="Arranged for quintet", time=0),
        mido.MetaMessage("text", text="Bb7", time=0),
        mido.MetaMessage("text", text="Eb7", time=1920)]))
    mid.tracks.append(mido.MidiTrack([
        mido.Message("note_on", note=58, velocity=90, time=0),
        mido.Message("note_off", note=58, velocity=0, time=3840)]))
    path = tmp_path / "other.mid"
    mid.save(path)
    song, report = read_midi_with_report(path)
    assert song.chords == (ChordSymbol(0, "Bb7"), ChordSymbol(BAR, "Eb7"))
    assert report.summary() == "text (1)"  # the comment is still said to be dropped


HARMONY = """<?xml version="1.0" encoding="UTF-8"?>
<score-partwise version="3.1"><part-list>
<score-part id="P1"><part-name>Piano</part-name></score-part>
<score-part id="P2"><part-name>Guitar</part-name></score-part></part-list>
<part id="P1"><measure number="1"><attributes><divisions>1</divisions>
<time><beats>4</beats><beat-type>4</beat-type></time></attributes>
<harmony><root><root-step>B</root-step><root-alter>-1</root-alter></root>
<kind>dominant</kind><degree><degree-value>9</degree-value><degree-alter>-1</degree-alter>
<degree-type>add</degree-type></degree></harmony>
<note><pitch><step>C</step><octave>4</octave></pitch><duration>2</duration></note>
<harmony><root><root-step>E</root-step><root-alter>-1</root-alter></root>
<kind>minor-seventh</kind><bass><bass-step>B</bass-step><bass-alter>-1</bass-alter></bass>
</harmony>
<note><pitch><step>C</step><octave>4</octave></pitch><duration>2</duration></note>
</measure></part>
<part id="P2"><measure number="1"><attributes><divisions>1</divisions>
<time><beats>4</beats><beat-type>4</beat-type></time></attributes>
<harmony><root><root-step>B</root-step><root-alter>-1</root-alter></root>
<kind text="7">dominant</kind></harmony>
<note><pitch><step>C</step><octave>4</octave></pitch><duration>4</duration></note>
</measure></part></score-partwise>
"""


def test_musicxml_reads_harmony_without_kind_text_from_the_first_part(tmp_path):
    path = tmp_path / "lead.musicxml"
    path.write_text(HARMONY)
    song, report = read_musicxml_with_report(path)
    # No <kind text>: the kind as a lead sheet writes it, its degrees, the bass.
    assert [c.text for c in song.chords] == ["Bb7b9", "Ebm7/Bb"]
    assert [c.tick for c in song.chords] == [0, 960]
    # The guitar's Bb7 is the piano's chord, written otherwise: said, one row kept.
    assert any("1 chord symbol of other parts not kept" in line for line in report.approximated)


def test_chords_over_a_transposing_top_part_are_written_for_its_player(tmp_path):
    trumpet = Track("Trumpet", program=56, notes=(Note(67, 0, BAR),))
    song = Song(tracks=(trumpet,), chords=(ChordSymbol(0, "Bb7"), ChordSymbol(960, "Ebmaj7/G")))
    path = tmp_path / "solo.musicxml"
    save_song(song, path)
    text = path.read_text()
    assert "<root-step>C</root-step>" in text  # a B♭ trumpet reads C7 for concert B♭7
    assert load_song(path).chords == song.chords


def test_a_projects_chords_past_the_songs_end_are_dropped_with_a_note(tmp_path, capsys):
    from engine.cli import main
    from engine.io import load_project

    path = tmp_path / "far.partita"
    save_song(blues(), path)
    doc = json.loads(path.read_text())
    doc["song"]["chords"] += [[999_999_999, "F7"], [12 * BAR, "G7"]]
    path.write_text(json.dumps(doc))
    project = load_project(path)  # never fatal
    assert project.song.chords == blues().chords
    assert project.notes == ("2 chord symbols past the song's end (bar 12) dropped: "
                             "G7 in bar 13, F7 in bar 520834",)
    assert main(["info", str(path)]) == 0
    captured = capsys.readouterr()
    assert "2 chord symbols past the song's end (bar 12) dropped" in captured.err
    assert "520834" not in captured.out


@pytest.mark.parametrize("ext", ["mid", "musicxml"])
def test_no_export_writes_a_chord_past_the_songs_end(tmp_path, ext):
    # An edit that shortens the song (or a song made in code) may leave them: no file has
    # a bar to hold them, and a MIDI file would grow to reach them.
    past = (ChordSymbol(19 * BAR, "F7"), ChordSymbol(20 * BAR, "Bb7"))
    song = replace(blues(), chords=(*blues().chords, *past))
    path = tmp_path / f"blues.{ext}"
    save_song(song, path)
    back = load_song(path)
    assert back.chords == blues().chords
    assert back.end == 12 * BAR


def midi_with_texts(tmp_path, texts: list[str]):
    mid = mido.MidiFile(ticks_per_beat=480)
    mid.tracks.append(mido.MidiTrack(
        [mido.MetaMessage("text", text=t, time=0 if i == 0 else BAR)
         for i, t in enumerate(texts)]))
    mid.tracks.append(mido.MidiTrack([
        mido.Message("note_on", note=58, velocity=90, time=0),
        mido.Message("note_off", note=58, velocity=0, time=8 * BAR)]))
    path = tmp_path / "texts.mid"
    mid.save(path)
    return read_midi_with_report(path)


def test_midi_rehearsal_letters_are_not_read_as_chords(tmp_path):
    # A chart's sections "A", "B", "E" are text events that read as major chords.
    song, report = midi_with_texts(tmp_path, ["Intro", "A", "B", "E"])
    assert song.chords == ()
    assert report.summary() == "text (4)"
    # Beside real chord symbols a bare letter is the major chord it names.
    song, _ = midi_with_texts(tmp_path, ["D min", "Bb", "A7", "D", "G"])
    assert [c.text for c in song.chords] == ["D min", "Bb", "A7", "D", "G"]


def test_rosegardens_chord_text_reads_its_single_letter_chords_too(real_dir):
    from engine.io import read_midi

    song = read_midi(real_dir / "freedink-2.mid")
    assert len(song.chords) == 109
    assert sum(1 for c in song.chords if len(c.text) == 1) == 46  # D, F, A, G, C


def test_musicxml_writes_tensions_as_degrees_and_reads_the_symbol_back(tmp_path):
    # A reader that ignores <kind text> still plays and prints the b9: <degree>s say it.
    song = replace(blues(), chords=(
        ChordSymbol(0, "C7b9"), ChordSymbol(BAR, "F7#11"), ChordSymbol(2 * BAR, "Bb7b5"),
        ChordSymbol(3 * BAR, "G7no5"), ChordSymbol(4 * BAR, "Cm7b5"),
        ChordSymbol(5 * BAR, "Eb^7"), ChordSymbol(6 * BAR, "Ab7#9b13")))
    path = tmp_path / "tensions.musicxml"
    save_song(song, path)
    xml = path.read_text()
    harmonies = xml.split("<harmony")[1:]

    def degrees(h: str) -> list[tuple[str, str, str]]:
        return re.findall(r"<degree-value>(\d+)</degree-value>\s*<degree-alter>(-?\d+)"
                          r"</degree-alter>\s*<degree-type>(\w+)</degree-type>", h)

    assert '<kind text="7b9">dominant</kind>' in harmonies[0]
    assert degrees(harmonies[0]) == [("9", "-1", "add")]
    assert degrees(harmonies[1]) == [("11", "1", "add")]
    assert degrees(harmonies[2]) == [("5", "-1", "alter")]
    assert degrees(harmonies[3]) == [("5", "0", "subtract")]
    assert degrees(harmonies[4]) == []  # half-diminished says it all
    assert '<kind text="maj7">major-seventh</kind>' in harmonies[5]
    assert degrees(harmonies[6]) == [("9", "1", "add"), ("13", "-1", "add")]
    texts = [c.text for c in load_song(path).chords]
    assert texts == ["C7b9", "F7#11", "Bb7b5", "G7no5", "Cm7b5", "Ebmaj7", "Ab7#9b13"]
    # Without the kind's text (a reader that keeps only <kind> and <degree>s).
    plain = tmp_path / "plain.musicxml"
    plain.write_text(re.sub(r'<kind text="[^"]*">', "<kind>", xml))
    back = [parse_chord_symbol(c.text) for c in load_song(plain).chords]
    assert back == [parse_chord_symbol(c.text) for c in song.chords]
