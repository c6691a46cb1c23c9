"""MusicXML import: scores built with music21 (as MuseScore, Sibelius or Dorico would write
them), written as .musicxml and .mxl, read back as songs — the parts as tracks with their
names, programs, volume and pan, a grand staff as one track, a drum set as a kit, every
note to the tick, the key, meters, pickup and tempo — and what is approximated said in the
report; Partita's own export read back keeps every note; bad files are one clear line."""

from __future__ import annotations

import re
import warnings
import zipfile
from dataclasses import replace
from xml.etree import ElementTree as ET

import pytest

from engine.io import (
    FileFormatError,
    content_kind,
    load_song,
    read_musicxml,
    read_musicxml_with_report,
    save_song,
)
from engine.io.midi_import import cc_to_pan, cc_to_volume
from engine.io.musicxml import (
    musicxml_bytes,
    pan_degrees,
    pan_from_degrees,
    volume_from_percent,
    volume_percent,
)
from engine.io.musicxml_import import DEFAULT_LEVEL, DYNAMIC_LEVELS
from engine.score import (
    KeySignature,
    Note,
    Song,
    TempoChange,
    TimeMap,
    TimeSignature,
    Track,
    delete_bars,
    set_tempo_at,
)

music21 = pytest.importorskip("music21")
from music21 import (  # noqa: E402
    duration,
    dynamics,
    instrument,
    key,
    layout,
    meter,
    note,
    percussion,
    stream,
    tempo,
    tie,
)

P = 480  # the project's ticks per quarter: what an imported score gets


def write(score, path) -> None:
    """``score`` as music21 writes it: a plain file, or compressed for ``.mxl``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score.write("mxl" if path.suffix == ".mxl" else "musicxml", fp=str(path))
    assert path.is_file()


def pitches(track: Track) -> list[tuple[int, int, int]]:
    """(start, pitch, duration) of a track's notes, in time order."""
    return sorted((n.start, n.pitch, n.duration) for n in track.notes)


def part(name: str, inst, bars: list[list], pickup=None, **first) -> stream.Part:
    """A part of 3/4 bars in D major: ``pickup`` a quarter before them; each bar a list of
    (pitch, quarters) or notes; ``first`` extra elements for bar 1 (offset → element)."""
    p = stream.Part()
    p.partName = name
    p.insert(0, inst)
    measures = []
    if pickup is not None:
        m = stream.Measure(number=0)
        m.append(note.Note(pickup, quarterLength=1))
        measures.append(m)
    for i, content in enumerate(bars):
        m = stream.Measure(number=i + 1)
        for x in content:
            m.append(x if isinstance(x, note.GeneralNote) else note.Note(x[0], quarterLength=x[1]))
        measures.append(m)
    measures[0].insert(0, meter.TimeSignature("3/4"))
    measures[0].insert(0, key.Key("D"))
    for offset, element in first.get("marks", ()):
        measures[1 if pickup is not None else 0].insert(offset, element)
    for m in measures:
        p.append(m)
    if pickup is not None:
        measures[0].padAsAnacrusis()
    return p


def satb() -> stream.Score:
    """A hymn for four voices in D major, 3/4, with a quarter pickup, ♩ = 90, p then f,
    the alto's last note tied over the bar line; the parts' programs set as a score
    editor writes them (Choir Aahs) but the bass's, left to music21's instrument."""
    tied = note.Note("F#4", quarterLength=1)
    tied.tie = tie.Tie("start")
    held = note.Note("F#4", quarterLength=3)
    held.tie = tie.Tie("stop")
    voices = []
    for name, inst, pick, bars in (
            ("Soprano", instrument.Soprano(), "A4", [[("F#4", 1), ("G4", 1), ("A4", 1)],
                                                      [("D5", 3)]]),
            ("Alto", instrument.Alto(), "F#4", [[("D4", 1), ("E4", 1), tied], [held]]),
            ("Tenor", instrument.Tenor(), "D4", [[("A3", 1.5), ("B3", 0.5), ("C#4", 1)],
                                                 [("D4", 3)]]),
            ("Bass", instrument.Bass(), "D3", [[("D3", 2), ("A2", 1)], [("D2", 3)]])):
        if name != "Bass":
            inst.midiProgram = 52  # Choir Aahs
        marks = [(0, tempo.MetronomeMark(number=90)), (0, dynamics.Dynamic("p"))] \
            if name == "Soprano" else [(0, dynamics.Dynamic("p"))]
        p = part(name, inst, bars, pickup=pick, marks=marks)
        p.getElementsByClass(stream.Measure)[2].insert(0, dynamics.Dynamic("f"))
        voices.append(p)
    score = stream.Score(voices)
    score.insert(0, music21.metadata.Metadata(title="Evening Hymn"))
    return score


@pytest.mark.parametrize("name", ["hymn.musicxml", "hymn.mxl"])
def test_a_choir_score_keeps_parts_names_programs_key_meter_pickup_tempo_and_ties(
        tmp_path, name):
    path = tmp_path / name
    write(satb(), path)
    song, report = read_musicxml_with_report(path)
    assert song.title == "Evening Hymn" and song.ppq == P
    assert [t.name for t in song.tracks] == ["Soprano", "Alto", "Tenor", "Bass"]
    # The file's <midi-program> where it has one, else music21's for the instrument (a
    # bass voice: Voice Oohs), as the score editor plays them.
    assert [t.program for t in song.tracks] == [52, 52, 52, 53]
    assert [t.channel for t in song.tracks] == [0, 1, 2, 3] and not any(
        t.is_drum for t in song.tracks)
    # D major, 3/4 after a quarter pickup (the song's bar 0), ♩ = 90 from the start.
    assert song.key_signatures == (KeySignature(0, "D"),)
    assert song.time_signatures == (TimeSignature(0, 1, 4), TimeSignature(P, 3, 4))
    tm = TimeMap.of(song)
    assert tm.has_pickup and tm.bar_number(0) == 0 and tm.bar_to_tick(1) == P
    assert song.tempos == (TempoChange(0, round(60_000_000 / 90)),)
    # Every note to the tick; the alto's tied F♯ is one note of four beats.
    soprano, alto, tenor, bass = song.tracks
    assert pitches(soprano) == [(0, 69, P), (P, 66, P), (2 * P, 67, P), (3 * P, 69, P),
                                (4 * P, 74, 3 * P)]
    assert pitches(alto) == [(0, 66, P), (P, 62, P), (2 * P, 64, P), (3 * P, 66, 4 * P)]
    assert pitches(tenor) == [(0, 62, P), (P, 57, 3 * P // 2), (5 * P // 2, 59, P // 2),
                              (3 * P, 61, P), (4 * P, 62, 3 * P)]
    assert pitches(bass)[-1] == (4 * P, 38, 3 * P)
    # Velocities from the dynamics (mf before the first mark), downbeats a little louder:
    # the pickup is the last beat of a bar, not a downbeat.
    p, f = DYNAMIC_LEVELS["p"], DYNAMIC_LEVELS["f"]
    assert [n.velocity for n in sorted(soprano.notes, key=lambda n: n.start)] == [
        DEFAULT_LEVEL + 3, p + 6, p + 3, p + 3, f + 6]
    assert report.approximated == ()  # nothing approximated: no notice
    assert song == read_musicxml(path) == load_song(path)  # one reader


def piano_and_flute() -> stream.Score:
    """A piano on a grand staff (two voices in the right hand, chords in the left) and a
    flute with an eighth-note triplet, in 2/4."""
    right, left = stream.PartStaff(), stream.PartStaff()
    m = stream.Measure(number=1)
    m.insert(0, meter.TimeSignature("2/4"))
    upper, lower = stream.Voice(), stream.Voice()
    upper.append([note.Note("E5", quarterLength=1), note.Note("D5", quarterLength=1)])
    lower.append(note.Note("G4", quarterLength=2))
    m.insert(0, upper)
    m.insert(0, lower)
    right.append(m)
    m = stream.Measure(number=1)
    m.insert(0, meter.TimeSignature("2/4"))
    m.append([music21.chord.Chord(["C3", "G3"], quarterLength=1),
              music21.chord.Chord(["B2", "G3"], quarterLength=1)])
    left.append(m)
    right.insert(0, instrument.Piano())
    left.insert(0, instrument.Piano())
    right.partName = left.partName = "Piano"
    flute = stream.Part()
    flute.partName = "Flute"
    flute.insert(0, instrument.Flute())
    m = stream.Measure(number=1)
    m.insert(0, meter.TimeSignature("2/4"))
    for p in ("C6", "D6", "E6"):
        m.append(note.Note(p, duration=duration.Duration(1 / 3)))
    m.append(note.Note("F6", quarterLength=1))
    flute.append(m)
    score = stream.Score([right, left, flute])
    score.insert(0, layout.StaffGroup([right, left], name="Piano", symbol="brace"))
    return score


def test_a_grand_staff_is_one_track_and_a_triplet_is_exact_in_ticks(tmp_path):
    path = tmp_path / "duo.musicxml"
    write(piano_and_flute(), path)
    assert "<staves>2</staves>" in path.read_text()  # one part of two staves
    song, report = read_musicxml_with_report(path)
    piano, flute = song.tracks
    assert (piano.name, piano.program, flute.name, flute.program) == ("Piano", 0, "Flute", 73)
    assert pitches(piano) == [(0, 48, P), (0, 55, P), (0, 67, 2 * P), (0, 76, P),
                              (P, 47, P), (P, 55, P), (P, 74, P)]
    # Off the 16th grid, exact: a third of a quarter is 160 ticks.
    assert pitches(flute) == [(0, 84, 160), (160, 86, 160), (320, 88, 160), (P, 89, P)]
    assert song.time_signatures == (TimeSignature(0, 2, 4),) and not TimeMap.of(song).has_pickup
    assert report.approximated == (
        "no metronome mark: the song plays at 120 BPM (Ctrl+K in the studio, convert "
        "--tempo, to change it)",
        "no dynamics marks: velocities are mf (80), the bar's first beat a little louder")
    assert song.tempos == (TempoChange(0, 500_000),)


def drum_part() -> stream.Part:
    """A rock beat on a percussion staff as music21 writes one: kick (F4) and snare (C5)
    under closed hi-hats (G5, x heads), no MIDI drum numbers in the file."""
    kit = stream.Part()
    kit.partName = "Drums"
    kit.insert(0, instrument.UnpitchedPercussion())
    m = stream.Measure(number=1)
    m.insert(0, meter.TimeSignature("4/4"))
    m.insert(0, music21.clef.PercussionClef())
    for beat in range(4):
        hat = note.Unpitched(displayName="G5")
        hat.notehead = "x"
        low = note.Unpitched(displayName="F4" if beat % 2 == 0 else "C5")
        m.append(percussion.PercussionChord([low, hat], quarterLength=1))
    kit.append(m)
    return kit


def test_a_drum_part_is_a_kit_of_general_midi_drums(tmp_path):
    path = tmp_path / "beat.mxl"
    bass = part("Bass Guitar", instrument.ElectricBass(), [[("D2", 3)]])
    triangle = stream.Part([instrument.Triangle(), stream.Measure(
        [meter.TimeSignature("4/4"), note.Unpitched(displayName="B4", quarterLength=4)])])
    triangle.partName = "Triangle"
    write(stream.Score([drum_part(), bass, triangle]), path)
    song = read_musicxml(path)
    kit, bass_track, ting = song.tracks
    # A part of one percussion instrument plays that one, wherever its staff puts it.
    assert ting.is_drum and pitches(ting) == [(0, 81, 4 * P)]
    assert (kit.name, kit.is_drum, kit.channel) == ("Drums", True, 9)
    # Read by staff position and notehead, as the usual drum-set notation places them.
    assert pitches(kit) == [(0, 36, P), (0, 42, P), (P, 38, P), (P, 42, P),
                            (2 * P, 36, P), (2 * P, 42, P), (3 * P, 38, P), (3 * P, 42, P)]
    # The kit is no pitched part: the bass gets the first channel.
    assert (bass_track.is_drum, bass_track.channel, bass_track.program) == (False, 0, 33)


def test_an_empty_kit_exported_by_partita_reads_back_as_a_kit(tmp_path):
    # Its part holds no notes to say it is unpitched: its percussion clef says so (it
    # came back an Acoustic Grand Piano).
    from engine.score import DRUM_CHANNEL

    path = tmp_path / "empty kit.musicxml"
    save_song(Song(tracks=(Track("Piano", 0, notes=(Note(60, 0, P),)),
                           Track("Drums", 0, True, DRUM_CHANNEL), Track("Pad", 88)),
                   length=4 * P), path)
    piano, kit, pad = read_musicxml(path).tracks
    assert (kit.name, kit.is_drum, kit.channel, kit.notes) == ("Drums", True, 9, ())
    assert not piano.is_drum and (pad.is_drum, pad.program) == (False, 88)


MUSESCORE_KIT = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN"
  "http://www.musicxml.org/dtds/partwise.dtd">
<score-partwise version="4.0">
  <part-list>
    <score-part id="P1">
      <part-name>Drumset</part-name>
      <score-instrument id="P1-I36"><instrument-name>Acoustic Bass Drum</instrument-name>
      </score-instrument>
      <score-instrument id="P1-I52"><instrument-name>Ride Cymbal</instrument-name>
      </score-instrument>
      <midi-instrument id="P1-I36"><midi-channel>10</midi-channel>
        <midi-unpitched>36</midi-unpitched></midi-instrument>
      <midi-instrument id="P1-I52"><midi-channel>10</midi-channel>
        <midi-unpitched>52</midi-unpitched></midi-instrument>
    </score-part>
    <score-part id="P2"><part-name>Mystery</part-name></score-part>
  </part-list>
  <part id="P1">
    <measure number="1">
      <attributes><divisions>1</divisions><time><beats>2</beats><beat-type>4</beat-type>
        </time><clef><sign>percussion</sign></clef></attributes>
      <note><unpitched><display-step>F</display-step><display-octave>4</display-octave>
        </unpitched><duration>1</duration><instrument id="P1-I36"/><type>quarter</type></note>
      <note><unpitched><display-step>F</display-step><display-octave>5</display-octave>
        </unpitched><duration>1</duration><instrument id="P1-I52"/><type>quarter</type>
        <notehead>x</notehead></note>
    </measure>
  </part>
  <part id="P2">
    <measure number="1">
      <attributes><divisions>1</divisions><time><beats>2</beats><beat-type>4</beat-type>
        </time></attributes>
      <note><pitch><step>C</step><octave>4</octave></pitch><duration>2</duration>
        <type>half</type></note>
    </measure>
  </part>
</score-partwise>
"""


def test_the_files_own_drum_numbers_win_and_an_unknown_instrument_is_a_piano(tmp_path):
    path = tmp_path / "kit.musicxml"
    path.write_text(MUSESCORE_KIT)
    kit, mystery = read_musicxml(path).tracks
    # MuseScore's <midi-unpitched> (1-based): the acoustic bass drum on F4 (35, where the
    # usual notation has 36) and the ride on F5.
    assert kit.is_drum and pitches(kit) == [(0, 35, P), (P, 51, P)]
    # No <midi-program> and an instrument music21 does not know: a piano.
    assert (mystery.name, mystery.program, mystery.is_drum) == ("Mystery", 0, False)


def test_a_kit_comes_back_from_its_score_with_every_drum_on_its_key(tmp_path):
    # Drums that share a staff place and notehead (crash 1 and 2 on A5, ride 1 and 2 on
    # F5, a shaker, castanets and a key no drum name has on the middle line): each note's
    # <instrument> says which.
    keys = (36, 38, 40, 42, 44, 46, 49, 57, 51, 59, 41, 43, 45, 47, 48, 50, 82, 85, 27,
            100)
    hits = [Note(k, i * P // 2, P // 2) for i, k in enumerate(keys)]
    kit = Track("Drums", is_drum=True, channel=9,
                notes=(*hits, Note(57, 0, P // 2), Note(49, 0, P // 2)))
    song = Song(tracks=(Track("Piano", notes=(Note(60, 0, P),)), kit), length=12 * P)
    for name in ("kit.musicxml", "kit.mxl"):
        save_song(song, tmp_path / name)
        back, report = read_musicxml_with_report(tmp_path / name)
        # Every hit on its key (its length the export's: until the next, at most a quarter).
        assert back.tracks[1].is_drum and [p[:2] for p in pitches(back.tracks[1])] == [
            p[:2] for p in pitches(kit)]
        assert not [line for line in report.approximated if "drum" in line]


OLD_KIT = """<?xml version="1.0" encoding="UTF-8"?>
<score-partwise version="4.0">
  <part-list><score-part id="P1"><part-name>Drums</part-name></score-part></part-list>
  <part id="P1">
    <measure number="1">
      <attributes><divisions>1</divisions><time><beats>2</beats><beat-type>4</beat-type>
        </time><clef><sign>percussion</sign></clef></attributes>
      <note><unpitched><display-step>G</display-step><display-octave>5</display-octave>
        </unpitched><duration>1</duration><type>quarter</type><notehead>x</notehead></note>
      <note><unpitched><display-step>G</display-step><display-octave>5</display-octave>
        </unpitched><duration>1</duration><type>quarter</type>
        <notehead>circle-x</notehead></note>
    </measure>
  </part>
</score-partwise>
"""


def test_a_kit_without_named_drums_reads_its_hi_hats_by_their_noteheads(tmp_path):
    # Partita's own export before its drums were named wrote the open hi-hat circle-x.
    path = tmp_path / "old.musicxml"
    path.write_text(OLD_KIT)
    assert pitches(read_musicxml(path).tracks[0]) == [(0, 42, P), (P, 46, P)]


def test_what_is_approximated_is_said(tmp_path):
    # A grace note, a repeat sign, no metronome mark, a lyric, no dynamics, and a bar
    # split at the repeat (2 beats + 1 of 3/4): its bar lines stay the score's.
    tune = stream.Part()
    tune.partName = "Tune"
    tune.insert(0, instrument.Violin())
    m1 = stream.Measure(number=1)
    m1.append([meter.TimeSignature("3/4"), note.Note("G4", quarterLength=3)])
    m2 = stream.Measure(number=2)
    grace = note.Note("B4").getGrace()
    sung = note.Note("A4", quarterLength=2)
    sung.lyric = "la"
    m2.append([grace, sung])
    m2.rightBarline = music21.bar.Repeat(direction="end")
    m3 = stream.Measure(number=3)
    m3.append(note.Note("C5", quarterLength=1))
    m4 = stream.Measure(number=4)
    m4.append(note.Note("D5", quarterLength=3))
    m2.paddingRight, m3.paddingLeft = 1, 2  # one bar in two, not two bars filled with rests
    for m in (m1, m2, m3, m4):
        tune.append(m)
    path = tmp_path / "tune.musicxml"
    write(stream.Score([tune]), path)
    song, report = read_musicxml_with_report(path)
    assert report.approximated == (
        "no metronome mark: the song plays at 120 BPM (Ctrl+K in the studio, convert "
        "--tempo, to change it)",
        "1 repeat barline not played out: the bars are read once, as written, and a "
        "score written from the song has none of them",
        "1 grace note left out: the song plays the written notes only",
        "no dynamics marks: velocities are mf (80), the bar's first beat a little louder")
    assert not report  # nothing a save over the file loses that the song had
    assert pitches(song.tracks[0]) == [(0, 67, 3 * P), (3 * P, 69, 2 * P),
                                       (5 * P, 72, P), (6 * P, 74, 3 * P)]
    tm = TimeMap.of(song)
    assert [tm.bar_to_tick(b) for b in range(5)] == [0, 3 * P, 5 * P, 6 * P, 9 * P]
    assert not tm.has_pickup


def test_partitas_own_score_reads_back_with_every_note_on_the_grid(tmp_path):
    # A pickup, meter and key changes, a tempo change, a piano on a grand staff with a
    # chord across middle C and a note held over the bar line, triplets, a kit.
    piano = [Note(p, i * P, P) for i, p in enumerate((36, 43, 48, 43, 41, 48, 53, 48))]
    piano += [Note(p, 5 * P, 3 * P) for p in (55, 60, 64)] + [Note(72, 7 * P, 2 * P)]
    lead = [Note(74, 0, P)] + [Note(76 + i, P + i * P // 3, P // 3) for i in range(3)]
    lead += [Note(79, 2 * P, 5 * P // 4), Note(77, 13 * P // 4, 3 * P // 4)]
    lead += [Note(69, 9 * P + i * P // 2, P // 2) for i in range(6)]  # 6/8 eighths
    kit = [Note(36, i * P, P // 4) for i in range(9)] + [Note(42, P // 2 + i * P, 60)
                                                          for i in range(9)]
    song = Song(
        tracks=(Track("Lead", program=73, notes=tuple(lead)),
                Track("Piano", notes=tuple(piano)),
                Track("Kit", is_drum=True, channel=9, notes=tuple(kit))),
        time_signatures=(TimeSignature(0, 1, 4), TimeSignature(P, 4, 4),
                         TimeSignature(9 * P, 6, 8)),
        key_signatures=(KeySignature(0, "Bb"), KeySignature(9 * P, "Gm")),
        tempos=(TempoChange(0, 600_000), TempoChange(9 * P, 500_000)),
        title="Round Trip")
    for name in ("round.musicxml", "round.mxl"):
        assert save_song(song, tmp_path / name) == []
        back = load_song(tmp_path / name)
        assert back.title == "Round Trip"
        assert [(t.name, t.program, t.is_drum) for t in back.tracks] == [
            ("Lead", 73, False), ("Piano", 0, False), ("Kit", 0, True)]
        assert pitches(back.tracks[0]) == pitches(song.tracks[0])
        assert pitches(back.tracks[1]) == pitches(song.tracks[1])  # one track, both staves
        # A drum hit's length is the score's (until the next hit), not the MIDI one.
        assert sorted((n.start, n.pitch) for n in back.tracks[2].notes) == sorted(
            (n.start, n.pitch) for n in kit)
        assert back.time_signatures == song.time_signatures
        assert back.key_signatures == song.key_signatures
        assert back.tempos == song.tempos



def test_a_tempo_ramp_reads_back_from_its_marks_and_steps(tmp_path):
    # 90 for a bar of 3/4, then an accelerando to 120 a quarter-beat at a time.
    ramp = tuple(TempoChange(3 * P + i * P // 4, round(60_000_000 / (90 + 2.5 * i)))
                 for i in range(1, 13))
    song = Song(tracks=(Track("Lead", notes=tuple(Note(67, i * P, P) for i in range(9))),),
                time_signatures=(TimeSignature(0, 3, 4),),
                tempos=(TempoChange(0, round(60_000_000 / 90)), *ramp))
    save_song(song, tmp_path / "accel.musicxml")
    xml = (tmp_path / "accel.musicxml").read_text(encoding="utf-8")
    assert re.findall(r"<per-minute>(.*?)</per-minute>", xml) == ["90", "92", "120"]
    assert "accel." in xml
    # Read back from what the marks play (<sound tempo>: ♩ = 92 plays 92.5) and the steps
    # only played: every change where it was, within a microsecond a beat.
    back = load_song(tmp_path / "accel.musicxml")
    assert [t.tick for t in back.tempos] == [t.tick for t in song.tempos]
    assert (back.tempos[0], back.tempos[-1]) == (song.tempos[0], song.tempos[-1])
    assert all(abs(a.us_per_beat - b.us_per_beat) <= 1
               for a, b in zip(back.tempos, song.tempos, strict=True))

TIMEWISE = """<?xml version="1.0" encoding="UTF-8"?>
<score-timewise version="4.0">
  <part-list>
    <score-part id="P1"><part-name>Flute</part-name>
      <midi-instrument id="P1-I1"><midi-program>74</midi-program></midi-instrument>
    </score-part>
    <score-part id="P2"><part-name>Cello</part-name>
      <midi-instrument id="P2-I1"><midi-program>43</midi-program></midi-instrument>
    </score-part>
  </part-list>
  <measure number="1">
    <part id="P1"><attributes><divisions>1</divisions><key><fifths>-1</fifths>
      <mode>minor</mode></key><time><beats>2</beats><beat-type>4</beat-type></time>
      </attributes>
      <note><pitch><step>A</step><octave>5</octave></pitch><duration>2</duration></note></part>
    <part id="P2"><attributes><divisions>1</divisions><key><fifths>-1</fifths>
      <mode>minor</mode></key><time><beats>2</beats><beat-type>4</beat-type></time>
      </attributes>
      <note><pitch><step>D</step><octave>3</octave></pitch><duration>2</duration></note></part>
  </measure>
  <measure number="2">
    <part id="P1"><note><pitch><step>F</step><octave>5</octave></pitch><duration>2</duration>
      </note></part>
    <part id="P2"><note><pitch><step>A</step><octave>2</octave></pitch><duration>2</duration>
      </note></part>
  </measure>
</score-timewise>
"""


def test_a_timewise_score_and_one_without_an_extension_open_too(tmp_path):
    path = tmp_path / "timewise.musicxml"
    path.write_text(TIMEWISE)
    song = read_musicxml(path)
    assert [(t.name, t.program, pitches(t)) for t in song.tracks] == [
        ("Flute", 73, [(0, 81, 2 * P), (2 * P, 77, 2 * P)]),
        ("Cello", 42, [(0, 50, 2 * P), (2 * P, 45, 2 * P)])]
    assert song.key_signatures == (KeySignature(0, "Dm"),)
    bare = tmp_path / "score"  # saved without an extension: known by its content
    write(stream.Score([drum_part()]), tmp_path / "kit.musicxml")
    bare.write_bytes((tmp_path / "kit.musicxml").read_bytes())
    assert content_kind(bare) == "musicxml"
    assert load_song(bare).tracks[0].is_drum
    save_song(Song(tracks=(Track("A", notes=(Note(60, 0, P),)),)), tmp_path / "a.mxl")
    (tmp_path / "a.mxl").rename(tmp_path / "compressed")
    assert content_kind(tmp_path / "compressed") == "musicxml"


def bad_files(tmp_path) -> dict[str, tuple[bytes, str]]:
    good = tmp_path / "good.mxl"
    save_song(Song(tracks=(Track("A", notes=(Note(60, 0, P),)),)), good)
    data = good.read_bytes()
    empty_zip = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty_zip, "w") as z:
        z.writestr("readme.txt", "hello")
    xml = (tmp_path / "x.musicxml")
    save_song(Song(tracks=(Track("A", notes=(Note(60, 0, P),)),)), xml)
    return {
        "cut.mxl": (data[: len(data) // 2], "damaged compressed MusicXML (.mxl): the archive "
                                            "is cut short or damaged"),
        "cut.musicxml": (xml.read_bytes()[:700], "damaged MusicXML: the XML is cut short or "
                                                 "malformed (line"),
        "page.xml": (b'<?xml version="1.0"?>\n<html><body>hi</body></html>',
                     "not a MusicXML score: an XML file whose root is <html>, not "
                     "<score-partwise>"),
        "notes.musicxml": (b"just some text", "not a MusicXML score: it looks like text"),
        "empty.musicxml": (b"", "empty file: not a MusicXML score"),
        "song.musicxml": (b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0",
                          "not a MusicXML score: it looks like a MIDI file: name it .mid"),
        "archive.mxl": (empty_zip.read_bytes(), "a ZIP archive with no MusicXML score in it"),
    }


def test_a_bad_file_is_one_line_naming_the_file_and_the_problem(tmp_path):
    for name, (data, problem) in bad_files(tmp_path).items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(FileFormatError) as caught:
            load_song(path)
        message = str(caught.value)
        assert message.startswith(f"{name}: {problem}"), message
        assert "\n" not in message and "music21" not in message.lower()
    with pytest.raises(FileNotFoundError):
        read_musicxml(tmp_path / "missing.musicxml")


@pytest.mark.parametrize("name", ["cut.musicxml", "cut.mxl"])
def test_a_score_cut_anywhere_is_a_clear_error_never_a_crash(tmp_path, name):
    whole = tmp_path / f"whole{name[3:]}"
    write(satb(), whole)
    data = whole.read_bytes()
    path = tmp_path / name
    for cut in range(1, len(data), max(1, len(data) // 23)):
        path.write_bytes(data[:cut])
        with pytest.raises(FileFormatError, match=f"^{name}: "):
            read_musicxml(path)


def measure_xml(number: int, notes: str, head: str = "", implicit: bool = False) -> str:
    """One ``<measure>``: ``notes`` as "C4:2 D4:1 r:1" (a rest "r"), in divisions of a
    quarter; ``head``: what comes before them (attributes, directions)."""
    body = []
    for n in notes.split():
        pitch, length = n.split(":")
        what = "<rest/>" if pitch == "r" else (
            f"<pitch><step>{pitch[0]}</step><octave>{pitch[1]}</octave></pitch>")
        body.append(f"<note>{what}<duration>{length}</duration></note>")
    flag = ' implicit="yes"' if implicit else ""
    return f'<measure number="{number}"{flag}>{head}{"".join(body)}</measure>'


def score_xml(*parts: list[str]) -> str:
    """A score of ``parts``, each a list of :func:`measure_xml` strings."""
    names = "".join(f'<score-part id="P{i + 1}"><part-name>Part {i + 1}</part-name>'
                    "</score-part>" for i in range(len(parts)))
    body = "".join(f'<part id="P{i + 1}">{"".join(ms)}</part>' for i, ms in enumerate(parts))
    return (f'<?xml version="1.0" encoding="UTF-8"?><score-partwise version="4.0">'
            f"<part-list>{names}</part-list>{body}</score-partwise>")


def meter_xml(beats: int, beat_type: int) -> str:
    return (f"<attributes><divisions>1</divisions><time><beats>{beats}</beats>"
            f"<beat-type>{beat_type}</beat-type></time></attributes>")


def test_every_part_keeps_the_common_bar_lines_whatever_one_measure_holds(tmp_path):
    # In 2/4: the second part's first measure is over-full (a tremolo written at full
    # length: three quarters), and a dynamics mark drawn a bar and a half to the right
    # (an <offset> that moves only the drawing) sits in its second measure. music21 alone
    # would put that part's later measures a beat, then two, behind the first part's.
    late_mark = ("<direction><direction-type><dynamics><f/></dynamics></direction-type>"
                 "<offset>3</offset></direction>")
    path = tmp_path / "drift.musicxml"
    path.write_text(score_xml(
        [measure_xml(1, "C5:2", meter_xml(2, 4)), measure_xml(2, "D5:2"),
         measure_xml(3, "E5:1 F5:1")],
        [measure_xml(1, "C3:1 D3:1 E3:1", meter_xml(2, 4)),
         measure_xml(2, "F3:2", late_mark), measure_xml(3, "G3:1 A3:1")]))
    song = read_musicxml(path)
    upper, lower = song.tracks
    assert pitches(upper) == [(0, 72, 2 * P), (2 * P, 74, 2 * P), (4 * P, 76, P),
                              (5 * P, 77, P)]
    # Each measure from its bar line: the third quarter of the over-full one at the bar
    # line (kept in its measure), the bars after it in time with the upper part.
    assert [s for s, _, _ in pitches(lower)] == [0, P, 2 * P, 2 * P, 4 * P, 5 * P]
    assert song.time_signatures == (TimeSignature(0, 2, 4),)
    # The mark sounds where it is written (its bar's downbeat), not where it is drawn.
    assert {n.velocity for n in lower.notes if n.start >= 2 * P} == {
        DYNAMIC_LEVELS["f"] + 6, DYNAMIC_LEVELS["f"] + 3}


def grand_staff_measure(number: int, right: str, left: str, head: str = "") -> str:
    """A ``<measure>`` of a part on two staves: ``right`` on staff 1, then ``left`` on
    staff 2 (as :func:`measure_xml` writes notes), backed up to the bar line between."""
    def notes(text: str, staff: int) -> tuple[str, int]:
        body, total = [], 0
        for n in text.split():
            pitch, length = n.split(":")
            total += int(length)
            body.append(f"<note><pitch><step>{pitch[0]}</step><octave>{pitch[1]}</octave>"
                        f"</pitch><duration>{length}</duration><staff>{staff}</staff></note>")
        return "".join(body), total
    upper, length = notes(right, 1)
    lower, _ = notes(left, 2)
    return (f'<measure number="{number}">{head}{upper}<backup><duration>{length}</duration>'
            f"</backup>{lower}</measure>")


def test_a_grand_staff_is_one_vote_for_a_bar_line_and_the_meter_breaks_a_tie(tmp_path):
    # Weber's Concertino as QA found it: in 3/4, the piano's right hand writes a tremolo
    # at full length (six quarters in bar 2). music21 makes both piano staves' bar 2 that
    # long: two staves outvoted the clarinet, and the song got a 6/4 bar in its 3/4.
    # The piano is one vote; one against one, the time signature's three quarters win.
    staves = "<attributes><divisions>1</divisions><staves>2</staves><time><beats>3</beats>" \
             "<beat-type>4</beat-type></time></attributes>"
    path = tmp_path / "concertino.musicxml"
    path.write_text(score_xml(
        [measure_xml(1, "C5:3", meter_xml(3, 4)), measure_xml(2, "D5:1 E5:1 F5:1"),
         measure_xml(3, "G5:3")],
        [grand_staff_measure(1, "C4:3", "C3:3", staves),
         grand_staff_measure(2, "E4:3 G4:3", "C3:3"), grand_staff_measure(3, "E4:3", "C3:3")]))
    song = read_musicxml(path)
    assert song.time_signatures == (TimeSignature(0, 3, 4),)
    clarinet, piano = song.tracks
    assert [s for s, _, _ in pitches(clarinet)] == [0, 3 * P, 4 * P, 5 * P, 6 * P]
    # The tremolo's second note kept in its bar; bar 3 where the clarinet's is.
    assert [(s, k) for s, k, _ in pitches(piano)] == [
        (0, 48), (0, 60), (3 * P, 48), (3 * P, 64), (6 * P, 48), (6 * P, 64), (6 * P, 67)]


def voiced(pitch: str, length: int, voice: int, staff: int = 1, tie: str = "") -> str:
    """A ``<note>`` of ``voice`` on ``staff`` (a rest for ``pitch`` "r"); ``tie``:
    "start", "stop" or both ("stop start"), as a score editor writes a tie."""
    what = "<rest/>" if pitch == "r" else (
        f"<pitch><step>{pitch[0]}</step><octave>{pitch[1]}</octave></pitch>")
    ties = "".join(f'<tie type="{t}"/>' for t in tie.split())
    tied = "".join(f'<tied type="{t}"/>' for t in tie.split())
    return (f"<note>{what}<duration>{length}</duration>{ties}<voice>{voice}</voice>"
            f"<staff>{staff}</staff>"
            f"{f'<notations>{tied}</notations>' if tied else ''}</note>")


def test_a_note_tied_in_two_voices_at_once_is_held_not_struck_again(tmp_path):
    # Dichterliebe no. 2 as QA found it (in 2/4): the piano's A4 tied over the bar line
    # in both hands at once (staff 1, and voice 3 of staff 2), its tie ending in another
    # voice (4), was struck again at the bar line. A tie from voice 1 into voice 2 of
    # one staff is one note too; a tie carried into a beat where another voice strikes
    # its key ends there: the key is struck again, and no two notes of it sound at once.
    head = "<attributes><divisions>1</divisions><staves>2</staves><time><beats>2</beats>" \
           "<beat-type>4</beat-type></time></attributes>"
    back = "<backup><duration>2</duration></backup>"
    path = tmp_path / "dichterliebe.musicxml"
    path.write_text(score_xml([
        f'<measure number="1">{head}{voiced("C5", 1, 1)}{voiced("A4", 1, 1, tie="start")}'
        f'{back}{voiced("A4", 1, 3, 2)}{voiced("A4", 1, 3, 2, "start")}'
        f'{back}{voiced("E4", 1, 2)}{voiced("E4", 1, 2, tie="start")}</measure>',
        f'<measure number="2">{voiced("A4", 1, 1, tie="stop")}{voiced("B4", 1, 1)}'
        f'{back}{voiced("A4", 1, 4, 2, "stop")}{voiced("F3", 1, 4, 2)}'
        f'{back}{voiced("E4", 1, 3, tie="stop start")}{voiced("E4", 1, 3, tie="stop")}'
        f"</measure>",
        f'<measure number="3">{voiced("G4", 1, 1, tie="start")}{voiced("G4", 1, 1, tie="stop")}'
        f'{back}{voiced("r", 1, 2)}{voiced("G4", 1, 2)}</measure>']))
    song, report = read_musicxml_with_report(path)
    assert pitches(song.tracks[0]) == [
        (0, 64, P), (0, 69, P), (0, 72, P),
        (P, 64, 3 * P),  # voice 2 into voice 3
        (P, 69, 2 * P),  # both hands' A4, held over the bar line
        (3 * P, 53, P), (3 * P, 71, P),
        # bar 3: voice 1's G4 tied on where voice 2 strikes it: struck again, not held
        (4 * P, 67, P), (5 * P, 67, P)]
    assert any("unison" in line for line in report.approximated)


def test_a_short_last_bar_is_kept_and_written_back_as_a_short_last_measure(tmp_path):
    # 6/8 with a dotted-quarter pickup, and its complement: a last measure of 3/8.
    path = tmp_path / "jig.musicxml"
    path.write_text(score_xml([
        measure_xml(0, "G4:3", meter_xml(6, 8).replace("<divisions>1", "<divisions>2"),
                    implicit=True),
        measure_xml(1, "C5:2 E5:1 G5:3"), measure_xml(2, "C5:3")]))
    song = read_musicxml(path)
    assert song.time_signatures == (TimeSignature(0, 3, 8), TimeSignature(3 * P // 2, 6, 8),
                                    TimeSignature(9 * P // 2, 3, 8))
    assert pitches(song.tracks[0])[-1] == (9 * P // 2, 72, 3 * P // 2)  # not bar rests
    assert song.end == 6 * P and TimeMap.of(song).has_pickup
    # Exported: the last measure is a short one of 6/8 (no 3/8 time signature), and it
    # reads back as the same song.
    out = tmp_path / "out.musicxml"
    assert save_song(song, out) == []
    score = music21.converter.parse(out)
    last = score.parts[0].getElementsByClass(stream.Measure)[-1]
    assert last.timeSignature is None and last.duration.quarterLength == 1.5
    assert [ts.ratioString for ts in score.recurse().getElementsByClass("TimeSignature")] == [
        "6/8"]
    back = load_song(out)
    assert back.time_signatures == song.time_signatures
    assert pitches(back.tracks[0]) == pitches(song.tracks[0])


def test_measures_the_score_does_not_count_are_one_bar_with_the_one_before(tmp_path):
    # The MusicXML test suite's 46d (as music21 ships it): in 4/4, a 3/8 pickup marked
    # implicit, a bar split at a repeat into a 2/4 measure 1 and an implicit 2/4 measure,
    # and a last measure of 3/4.
    from pathlib import Path

    suite = Path(music21.__file__).parent / "musicxml" / "lilypondTestSuite"
    source = suite / "46d-PickupMeasure-ImplicitMeasures.xml"
    if not source.is_file():
        pytest.skip("music21 without its MusicXML test suite")
    path = tmp_path / "46d.musicxml"
    path.write_bytes(source.read_bytes())
    song = read_musicxml(path)
    # The pickup is bar 0 (an irregular measure after it no longer hides it), the two
    # halves of the split bar are bar 1, whole, and the short last bar is bar 2.
    assert song.time_signatures == (TimeSignature(0, 3, 8), TimeSignature(3 * P // 2, 4, 4),
                                    TimeSignature(11 * P // 2, 3, 4))
    tm = TimeMap.of(song)
    assert tm.has_pickup and [tm.bar_to_tick(b) for b in range(4)] == [
        0, 3 * P // 2, 11 * P // 2, 17 * P // 2] and song.end == 17 * P // 2
    assert [s for s, _, _ in pitches(song.tracks[0])] == [
        0, P, 3 * P // 2, 5 * P // 2, 7 * P // 2, 9 * P // 2, 11 * P // 2, 13 * P // 2]


def test_a_metronome_mark_wins_over_a_tempo_word_on_the_same_beat(tmp_path):
    words = ('<direction><direction-type><words>Tempo di Marcia</words></direction-type>'
             '<sound tempo="120"/></direction>')
    metronome = ("<direction><direction-type><metronome><beat-unit>quarter</beat-unit>"
                 "<per-minute>100</per-minute></metronome></direction-type></direction>")
    path = tmp_path / "march.musicxml"
    path.write_text(score_xml([measure_xml(1, "C4:4", meter_xml(4, 4) + words + metronome),
                               measure_xml(2, "D4:4", words)]))
    # The written ♩ = 100, though the words come first; the words alone later: 120.
    assert read_musicxml(path).tempos == (TempoChange(0, 600_000),
                                          TempoChange(4 * P, 500_000))


def test_a_compressed_score_without_a_mimetype_entry_is_known_by_its_container(tmp_path):
    # As music21's corpus archives are: META-INF/container.xml and the score, no mimetype.
    xml = score_xml([measure_xml(1, "C4:4", meter_xml(4, 4))])
    bare = tmp_path / "movement3"
    with zipfile.ZipFile(bare, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("META-INF/container.xml",
                   '<?xml version="1.0"?><container><rootfiles>'
                   '<rootfile full-path="movement3.xml"/></rootfiles></container>')
        z.writestr("movement3.xml", xml)
    assert content_kind(bare) == "musicxml"
    assert pitches(load_song(bare).tracks[0]) == [(0, 60, 4 * P)]
    # A ZIP archive whose container names something else (an EPUB) is no score.
    book = tmp_path / "book"
    with zipfile.ZipFile(book, "w") as z:
        z.writestr("META-INF/container.xml",
                   '<container><rootfiles><rootfile full-path="content.opf"/></rootfiles>'
                   "</container>")
        z.writestr("content.opf", "<package/>")
    assert content_kind(book) is None


def test_quarter_tones_are_said_fermatas_kept_and_a_viola_reads_in_the_alto_clef(tmp_path):
    quarter_sharp = ("<note><pitch><step>C</step><alter>0.5</alter><octave>4</octave></pitch>"
                     "<duration>2</duration></note>")
    held = ("<note><pitch><step>D</step><octave>4</octave></pitch><duration>2</duration>"
            "<notations><fermata/></notations></note>")
    path = tmp_path / "strange.musicxml"
    path.write_text(score_xml([
        measure_xml(1, "", meter_xml(4, 4)).replace("</measure>",
                                                    f"{quarter_sharp}{held}</measure>")]))
    song, report = read_musicxml_with_report(path)
    assert pitches(song.tracks[0]) == [(0, 61, 2 * P), (2 * P, 62, 2 * P)]  # C half-sharp
    assert "1 note between two keys (quarter tones) played on the nearest key" in \
        report.approximated
    assert not any("fermata" in line for line in report.approximated)  # kept, not said
    assert [n.fermata for n in song.tracks[0].notes] == [False, True]
    # A viola's part comes back in the alto clef (a score is read in it), a violin's in
    # the treble clef, a tenor voice's in the octave treble clef as before.
    strings = Song(tracks=(Track("Viola", program=41, notes=(Note(55, 0, P),)),
                           Track("Violin", program=40, notes=(Note(67, 0, P),)),
                           Track("Tenor", program=52, notes=(Note(52, 0, P),))))
    out = tmp_path / "strings.musicxml"
    assert save_song(strings, out) == []
    score = music21.converter.parse(out)
    assert [type(p.recurse().getElementsByClass("Clef").first()).__name__
            for p in score.parts] == ["AltoClef", "TrebleClef", "Treble8vbClef"]


def test_a_part_named_by_its_writers_placeholder_is_named_after_its_instrument(tmp_path):
    """music21 names a part whose name the score hides "MusicXML Part" (QA): a track
    named so says nothing; the instrument does."""
    score = stream.Score()
    part = stream.Part()
    part.partName = "MusicXML Part"
    part.insert(0, instrument.Violin())
    part.append(note.Note("C4"))
    score.insert(0, part)
    path = tmp_path / "hidden.musicxml"
    write(score, path)
    (track,) = read_musicxml(path).tracks
    assert (track.name, track.program) == ("Violin", 40)



# A MuseScore wind section playing F G A B♭ (concert pitch, F major), each part written
# as its player reads it, in its own key, with the <transpose> MuseScore writes: (name,
# GM program, the <transpose> contents or None, the written key's fifths, the written
# notes, what the track keeps).
WINDS = (
    ("Clarinet in A", 71, "<diatonic>-2</diatonic><chromatic>-3</chromatic>", -4,
     "A-4 B-4 C5 D-5", (-2, -3)),
    ("Clarinet in B♭", 71, "<diatonic>-1</diatonic><chromatic>-2</chromatic>", 1,
     "G4 A4 B4 C5", (-1, -2)),
    ("Horn in F", 60, "<diatonic>-4</diatonic><chromatic>-7</chromatic>", 0,
     "C5 D5 E5 F5", (-4, -7)),
    ("Alto Saxophone", 65, "<diatonic>-5</diatonic><chromatic>-9</chromatic>", 2,
     "D5 E5 F#5 G5", (-5, -9)),
    ("Tenor Saxophone", 66, "<diatonic>-1</diatonic><chromatic>-2</chromatic>"
                            "<octave-change>-1</octave-change>", 1, "G5 A5 B5 C6", (-8, -14)),
    ("Trumpet in B♭", 56, "<diatonic>-1</diatonic><chromatic>-2</chromatic>", 1,
     "G4 A4 B4 C5", (-1, -2)),
    ("Clarinet in C", 71, None, -1, "F4 G4 A4 B-4", (0, 0)),  # concert pitch: kept so
    ("Flute", 73, None, -1, "F4 G4 A4 B-4", None),
)
CONCERT_NOTES = [65, 67, 69, 70]


def winds_xml() -> str:
    """The score of :data:`WINDS`."""
    names, parts = [], []
    for i, (name, program, transpose, fifths, written, _) in enumerate(WINDS):
        pid = f"P{i + 1}"
        names.append(f'<score-part id="{pid}"><part-name>{name}</part-name>'
                     f'<score-instrument id="{pid}-I1"><instrument-name>{name}'
                     f'</instrument-name></score-instrument><midi-instrument id="{pid}-I1">'
                     f"<midi-program>{program + 1}</midi-program></midi-instrument>"
                     "</score-part>")
        notes = ""
        for p in map(music21.pitch.Pitch, written.split()):
            alter = f"<alter>{int(p.alter)}</alter>" if p.alter else ""
            notes += (f"<note><pitch><step>{p.step}</step>{alter}<octave>{p.octave}</octave>"
                      "</pitch><duration>1</duration><type>quarter</type></note>")
        head = (f"<attributes><divisions>1</divisions><key><fifths>{fifths}</fifths></key>"
                "<time><beats>4</beats><beat-type>4</beat-type></time>"
                "<clef><sign>G</sign><line>2</line></clef>"
                + (f"<transpose>{transpose}</transpose>" if transpose else "")
                + "</attributes>")
        parts.append(f'<part id="{pid}"><measure number="1">{head}{notes}</measure></part>')
    return ('<?xml version="1.0" encoding="UTF-8"?><score-partwise version="4.0">'
            f"<part-list>{''.join(names)}</part-list>{''.join(parts)}</score-partwise>")


def test_a_transposing_part_keeps_its_transposition_through_import_and_export(tmp_path):
    """A clarinet in A comes back in A (QA: it came back in B♭), each wind part written
    as it was, in its own key, its notes sounding as they did: the song holds sounding
    pitch, the track the part's transposition."""
    path = tmp_path / "winds.musicxml"
    path.write_text(winds_xml(), encoding="utf-8")
    song = read_musicxml(path)
    assert [t.transposition for t in song.tracks] == [w[5] for w in WINDS]
    for track in song.tracks:  # the song sounds: every part plays concert F G A B♭
        assert [n.pitch for n in track.notes] == CONCERT_NOTES, track.name
    assert song.key_signatures == (KeySignature(0, "F"),)
    # A project keeps it (a field older files lack: the instrument's usual one).
    save_song(song, tmp_path / "winds.partita")
    assert load_song(tmp_path / "winds.partita") == song
    save_song(song, tmp_path / "back.musicxml")
    # Each part's <transpose>, as MusicXML says it: steps, semitones and octaves apart.
    root = ET.parse(tmp_path / "back.musicxml").getroot()
    transposes = []
    for xml_part in root.findall("part"):
        t = xml_part.find("measure/attributes/transpose")
        transposes.append(None if t is None else (
            int(t.findtext("diatonic")) + 7 * int(t.findtext("octave-change") or 0),
            int(t.findtext("chromatic")) + 12 * int(t.findtext("octave-change") or 0)))
    assert transposes == [None if w[5] == (0, 0) else w[5] for w in WINDS]
    # Written as the players read them, in their own keys; sounding as the song does.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = music21.converter.parse(tmp_path / "back.musicxml")
    for part, (name, _, _, fifths, written, kept) in zip(score.parts, WINDS, strict=True):
        assert [p.nameWithOctave for p in part.pitches] == written.split(), name
        assert [k.sharps for k in part.recurse().getElementsByClass("KeySignature")
                ] == [fifths], name
        assert [p.midi + (kept or (0, 0))[1] for p in part.pitches] == CONCERT_NOTES, name
    # And read again: the same song.
    again = read_musicxml(tmp_path / "back.musicxml")
    assert [(t.transposition, [n.pitch for n in t.notes]) for t in again.tracks] == [
        (t.transposition, CONCERT_NOTES) for t in song.tracks]


def doubling_xml(first: str | None, later: str | None) -> str:
    """A part that plays G4 in bar 1 and G4 in bar 2, with ``first`` as bar 1's
    ``<transpose>`` and ``later`` as bar 2's (an instrument change: a flute player who
    takes up a clarinet)."""
    def bar(number, attributes, transpose):
        t = f"<transpose>{transpose}</transpose>" if transpose else ""
        head = f"<attributes>{attributes}{t}</attributes>" if attributes or t else ""
        return (f'<measure number="{number}">{head}<note><pitch><step>G</step>'
                "<octave>4</octave></pitch><duration>4</duration><type>whole</type></note>"
                "</measure>")

    return ('<?xml version="1.0" encoding="UTF-8"?><score-partwise version="4.0">'
            '<part-list><score-part id="P1"><part-name>Flute</part-name></score-part>'
            '</part-list><part id="P1">'
            + bar(1, "<divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type>"
                  "</time><clef><sign>G</sign><line>2</line></clef>", first)
            + bar(2, "", later) + "</part></score-partwise>")


B_FLAT = "<diatonic>-1</diatonic><chromatic>-2</chromatic>"


def test_a_transposition_that_changes_later_is_not_taken_from_bar_1(tmp_path):
    """A part at concert pitch that turns clarinet in B♭ at bar 2: its track is at concert
    pitch (an export writes bar 1 as the score had it, not a tone up), every note sounds
    as written, and the report says the change; a <transpose> restated is no change."""
    path = tmp_path / "doubling.musicxml"
    path.write_text(doubling_xml(None, B_FLAT), encoding="utf-8")
    song, report = read_musicxml_with_report(path)
    (track,) = song.tracks
    assert track.transposition is None
    assert [n.pitch for n in track.notes] == [67, 65]  # G4, then a B♭ clarinet's G: F4
    assert ("'Flute' changes transposition at bar 2 (an instrument change): its notes sound "
            "as the score has them, but its track keeps bar 1's (concert pitch) for the "
            "whole part, so a score written from the song is at concert pitch throughout"
            ) in report.approximated
    save_song(song, tmp_path / "back.musicxml")
    root = ET.parse(tmp_path / "back.musicxml").getroot()
    assert root.find("part/measure/attributes/transpose") is None
    assert root.find("part/measure/note/pitch/step").text == "G"  # bar 1 as it was
    # The other way round: the track keeps bar 1's B♭, and says so.
    path.write_text(doubling_xml(B_FLAT, "<diatonic>0</diatonic><chromatic>0</chromatic>"),
                    encoding="utf-8")
    song, report = read_musicxml_with_report(path)
    assert song.tracks[0].transposition == (-1, -2)
    assert [n.pitch for n in song.tracks[0].notes] == [65, 67]
    assert any("keeps bar 1's (sounding 2 semitones below the written notes)" in line
               for line in report.approximated)
    # Bar 1's transposition restated at bar 2 is none.
    path.write_text(doubling_xml(B_FLAT, B_FLAT), encoding="utf-8")
    song, report = read_musicxml_with_report(path)
    assert song.tracks[0].transposition == (-1, -2)
    assert not any("changes transposition" in line for line in report.approximated)


def marks_of(path) -> list[list[tuple[float, str]]]:
    """Each part's dynamics marks: (offset in quarters, mark)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = music21.converter.parse(path)
    return [[(float(d.getOffsetInHierarchy(p)), d.value)
             for d in p.recurse().getElementsByClass("Dynamic")] for p in score.parts]


def test_a_scores_dynamics_marks_come_back_with_their_velocities(tmp_path):
    """p, mf and f, one mid-bar: read as velocities, written back as marks where they
    were (none per note), read again as the same velocities; a part at one level gets
    one mark, at its first note."""
    tune, held = stream.Part(), stream.Part()
    tune.partName, held.partName = "Tune", "Held"
    tune.insert(0, instrument.Violin())
    held.insert(0, instrument.Violoncello())
    for b in range(6):
        m = stream.Measure(number=b + 1)
        if b == 0:
            m.append([meter.TimeSignature("3/4"), dynamics.Dynamic("p")])
        m.append([note.Note(67 + b, quarterLength=1) for _ in range(3)])
        if b == 2:
            m.insert(1, dynamics.Dynamic("mf"))  # on the bar's second beat
        if b == 4:
            m.insert(0, dynamics.Dynamic("f"))
        tune.append(m)
        m = stream.Measure(number=b + 1)
        if b == 0:
            m.append(meter.TimeSignature("3/4"))
            m.append(note.Rest(quarterLength=1))
            m.insert(1, dynamics.Dynamic("pp"))
            m.append(note.Note("C3", quarterLength=2))
        else:
            m.append(note.Note("C3", quarterLength=3))
        held.append(m)
    path = tmp_path / "marked.musicxml"
    write(stream.Score([tune, held]), path)
    song = read_musicxml(path)
    save_song(song, tmp_path / "back.musicxml")
    assert marks_of(tmp_path / "back.musicxml") == [
        [(0.0, "p"), (7.0, "mf"), (12.0, "f")], [(1.0, "pp")]]
    again = read_musicxml(tmp_path / "back.musicxml")
    assert [[(n.start, n.velocity) for n in t.notes] for t in again.tracks] == [
        [(n.start, n.velocity) for n in t.notes] for t in song.tracks]


def test_a_corpus_quartets_dynamics_survive_export_and_import(tmp_path):
    """Beethoven's op. 18 no. 1, second movement (music21's corpus: pp … f, a mark every
    few bars, sf not played): written back, each part's marks read again as the levels
    they were — every note at the level it had, but where quantizing moved it (32nds,
    grace notes) or a mark lasted a note or two."""
    path = music21.corpus.getWork("beethoven/opus18no1/movement2", fileExtensions=(".mxl",))
    song = read_musicxml(path)
    save_song(song, tmp_path / "back.musicxml")
    back = read_musicxml(tmp_path / "back.musicxml")
    written = marks_of(tmp_path / "back.musicxml")
    for before, after, marks in zip(song.tracks, back.tracks, written, strict=True):
        level = {(n.start, n.pitch): n.velocity for n in before.notes}
        again = {(n.start, n.pitch): n.velocity for n in after.notes}
        common = level.keys() & again.keys()
        assert len(common) > 0.8 * len(before.notes), before.name  # 32nds: on 16ths
        kept = sum(level[k] == again[k] for k in common)
        assert kept > 0.97 * len(common), before.name
        assert {m for _, m in marks} >= {"pp", "p", "f"}, before.name
        assert 10 < len(marks) < len(before.notes) / 20, before.name  # not one per note


def test_a_score_without_dynamics_is_written_back_without_any(tmp_path):
    """Bach's BWV 66.6 (music21's corpus) has no dynamics marks: read, each part plays at
    mf with the beats' accents, and written back it has no <dynamics> (it had an mf on
    every staff); read again, every note is where and as loud as it was. A drum track
    at one velocity gets none either."""
    song = read_musicxml(music21.corpus.getWork("bach/bwv66.6"))
    assert {n.velocity for t in song.tracks for n in t.notes} == {80, 83, 86}
    save_song(song, tmp_path / "back.musicxml")
    assert b"<dynamics" not in (tmp_path / "back.musicxml").read_bytes()
    back = read_musicxml(tmp_path / "back.musicxml")
    assert [[(n.pitch, n.start, n.duration, n.velocity) for n in t.notes]
            for t in back.tracks] == [[(n.pitch, n.start, n.duration, n.velocity)
                                       for n in t.notes] for t in song.tracks]
    kit = Track("Drums", is_drum=True, channel=9,
                notes=tuple(Note(36 + i % 3, i * 240, 60) for i in range(16)))
    assert b"<dynamics" not in musicxml_bytes(Song(tracks=(kit,)))[0]


def metronomes_in(path) -> list[tuple[str, str]]:
    """Each ``<metronome>`` a score prints: (its measure's number, its per-minute)."""
    return [(m.get("number"), d.findtext("direction-type/metronome/per-minute"))
            for m in ET.parse(path).getroot().iter("measure") for d in m.iter("direction")
            if d.find("direction-type/metronome") is not None]


def test_a_tempo_the_score_never_marked_is_not_written_back(tmp_path):
    """Mozart's K. 155 (music21's corpus) has no metronome mark: it plays at 120 and is
    written back without "♩ = 120" at bar 1. Handel's "Lascia ch'io pianga" marks its
    Larghetto at bar 13 alone: its recitative plays at 120 until then, said, and only
    the Larghetto is written back. The assumption is kept in the project; a tempo set at
    bar 1 is chosen, and written; a MIDI file always has one."""
    song, report = read_musicxml_with_report(
        music21.corpus.getWork("mozart/k155/movement1", fileExtensions=(".mxl",)))
    assert song.tempo_assumed and song.tempos == (TempoChange(0, 500_000),)
    save_song(song, tmp_path / "k155.musicxml")
    assert metronomes_in(tmp_path / "k155.musicxml") == []
    assert read_musicxml(tmp_path / "k155.musicxml").tempo_assumed

    song, report = read_musicxml_with_report(
        music21.corpus.getWork("handel/rinaldo/Lascia_chio_pianga"))
    larghetto = song.tempos[1]
    assert song.tempo_assumed and song.tempos[0] == TempoChange(0, 500_000)
    assert TimeMap.of(song).tick_to_bar(larghetto.tick) == 12  # bar 13
    assert ("no metronome mark: the song plays at 120 BPM until bar 13's mark (Ctrl+K in "
            "the studio, convert --tempo, to change it)") in report.approximated
    save_song(song, tmp_path / "lascia.musicxml")
    assert metronomes_in(tmp_path / "lascia.musicxml") == [("13", "60")]
    back = read_musicxml(tmp_path / "lascia.musicxml")
    assert back.tempo_assumed and back.tempos == song.tempos

    save_song(song, tmp_path / "lascia.partita")
    assert load_song(tmp_path / "lascia.partita").tempo_assumed
    chosen = set_tempo_at(song, 0, 72).apply(song)
    assert not chosen.tempo_assumed
    save_song(chosen, tmp_path / "chosen.musicxml")
    assert metronomes_in(tmp_path / "chosen.musicxml") == [("1", "72"), ("13", "60")]
    # The recitative deleted, the Larghetto opens the song: chosen, and written.
    cut = delete_bars(song, 0, 12).apply(song)
    assert not cut.tempo_assumed and cut.tempos == (TempoChange(0, larghetto.us_per_beat),)
    save_song(song, tmp_path / "lascia.mid")
    assert not load_song(tmp_path / "lascia.mid").tempo_assumed


def test_no_dynamics_mark_is_written_before_a_parts_first(tmp_path):
    """Handel's "Lascia ch'io pianga" marks its voice first at bar 27 (p) and the
    piano at bar 6 (f): the notes before play at the import's mf, and the score written
    back has no mf at bar 1 over them — its first marks are the score's — and reads
    back with every note as loud as it was."""
    song = read_musicxml(music21.corpus.getWork("handel/rinaldo/Lascia_chio_pianga"))
    save_song(song, tmp_path / "lascia.musicxml")
    firsts = [marks[0] for marks in marks_of(tmp_path / "lascia.musicxml") if marks]
    tm = TimeMap.of(song)
    assert [(tm.bar_number(tm.tick_to_bar(round(at * P))), mark) for at, mark in firsts] == [
        (27, "p"), (6, "f")]
    back = read_musicxml(tmp_path / "lascia.musicxml")
    for before, after in zip(song.tracks, back.tracks, strict=True):
        level = {(n.start, n.pitch): n.velocity for n in before.notes}
        again = {(n.start, n.pitch): n.velocity for n in after.notes}
        common = level.keys() & again.keys()
        assert len(common) > 0.85 * len(level), before.name  # quantized to 16ths, triplets
        assert all(again[k] == level[k] for k in common), before.name


def mix_score_xml(*mixes: str) -> str:
    """A score of one-note parts, each ``<midi-instrument>`` holding ``mixes[i]``."""
    names = "".join(
        f'<score-part id="P{i + 1}"><part-name>Part {i + 1}</part-name>'
        f'<score-instrument id="P{i + 1}-I1"><instrument-name>Flute</instrument-name>'
        f'</score-instrument><midi-instrument id="P{i + 1}-I1"><midi-channel>{i + 1}'
        f"</midi-channel><midi-program>74</midi-program>{mix}</midi-instrument>"
        "</score-part>" for i, mix in enumerate(mixes))
    body = "".join(f'<part id="P{i + 1}">{measure_xml(1, "C5:4", meter_xml(4, 4))}</part>'
                   for i in range(len(mixes)))
    return (f'<?xml version="1.0" encoding="UTF-8"?><score-partwise version="4.0">'
            f"<part-list>{names}</part-list>{body}</score-partwise>")


def test_a_scores_volume_and_pan_are_the_tracks_either_alone_too(tmp_path):
    # As MuseScore and Finale write them: <volume> a percentage of MIDI's 127, <pan>
    # degrees (-90 hard left). A third-party score may give one without the other.
    path = tmp_path / "mix.musicxml"
    path.write_text(mix_score_xml(
        "<volume>50</volume><pan>-45</pan>",
        "<volume>78.7402</volume>",  # MuseScore's default level: MIDI 100
        "<pan>90</pan>",
        "<pan>135</pan>",  # behind the listener, on the right: as 45 in front
        "",
        "<volume>loud</volume><pan>200</pan>",  # no number, out of range: as if missing
        "<volume>120</volume><pan>nan</pan>"))
    song = read_musicxml(path)
    mix = [(round(t.volume * 127), round(t.pan * 64)) for t in song.tracks]
    # 50 % is 63.5: the nearest MIDI value, a half to the even one, as the MIDI export
    # rounds (64); -45 degrees is halfway left: -32 of the studio's 64.
    assert mix == [(64, -32), (100, 0), (127, 64), (127, 32), (127, 0), (127, 0),
                   (127, 0)]
    assert song.tracks[0].volume == 64 / 127 and song.tracks[0].pan == -0.5
    assert [n.pitch for t in song.tracks for n in t.notes] == [72] * 7


def test_the_demos_mix_comes_back_exactly_from_its_score(tmp_path):
    from engine.resources import shipped

    song = load_song(shipped("assets", "demo", "demo.mid"))
    assert [(round(t.volume * 127), round(t.pan * 64)) for t in song.tracks] == [
        (114, 0), (95, 0), (121, -16), (108, 6), (76, 19)]
    # A pan the studio set (1/64ths), beside the MIDI file's (CC10: 63 steps right).
    song = song.replace_track(replace(song.tracks[1], pan=-40 / 64, volume=1.0))
    for name in ("demo.musicxml", "demo.mxl"):
        save_song(song, tmp_path / name)
        back = load_song(tmp_path / name)
        assert [(t.volume, t.pan) for t in back.tracks] == [
            (t.volume, t.pan) for t in song.tracks]
    root = ET.parse(tmp_path / "demo.musicxml").getroot()
    # Each part's (the kit's drums each have its mix: the first is the kit's).
    assert [(m.findtext("volume"), m.findtext("pan"))
            for m in (p.find("midi-instrument") for p in root.iter("score-part"))] == [
        ("89.77", "0"), ("100", "-56.25"), ("95.28", "-22.5"), ("85.04", "8.57"),
        ("59.85", "27.14")]


def test_every_midi_volume_and_pan_and_every_studio_pan_survive_a_score():
    # The written numbers have 2 decimals: enough for every value to come back, and a
    # volume is rounded up, so MuseScore (which drops the fraction of 127 x %) reads it too.
    for cc in range(128):
        volume = cc_to_volume(cc)
        written = float(volume_percent(volume))
        assert volume_from_percent(written) == volume and int(written / 100 * 127) == cc
        assert pan_from_degrees(float(pan_degrees(cc_to_pan(cc)))) == cc_to_pan(cc)
    for step in range(-64, 65):
        assert pan_from_degrees(float(pan_degrees(step / 64))) == step / 64
    assert volume_percent(114 / 127) == "89.77" and volume_from_percent(89.76) == 114 / 127


def swing_xml(ratio: str) -> str:
    """A direction as MuseScore writes a swing: words and ``<sound><swing>`` (``ratio``:
    its inner XML)."""
    return ('<direction placement="above"><direction-type><words>Swing</words>'
            f"</direction-type><sound><swing>{ratio}</swing></sound></direction>")


EIGHTHS = "<attributes><divisions>4</divisions><time><beats>4</beats><beat-type>4</beat-type>" \
          "</time></attributes>"


def test_a_lead_sheets_swing_mark_plays_its_straight_8ths_swung(tmp_path):
    # A lead sheet from MuseScore: straight 8ths under "Swing" (words alone: 2:1) in the
    # top part only, which rules the bass part too; a beat of 16ths stays as written;
    # "Straight 8ths" in bar 3 ends it; a <swing> of 3:1 in bar 4.
    path = tmp_path / "lead.musicxml"
    words = '<direction><direction-type><words>{}</words></direction-type></direction>'
    sixteenths = "<note><pitch><step>E</step><octave>5</octave></pitch><duration>1</duration>" \
                 "<type>16th</type></note>"
    path.write_text(score_xml(
        [measure_xml(1, "C5:2 D5:2 E5:2 F5:2 G5:8", EIGHTHS + words.format("Swing")),
         measure_xml(2, "C5:4", "").replace("</measure>", sixteenths * 4 + "<note><rest/>"
                                              "<duration>8</duration></note></measure>"),
         measure_xml(3, "C5:2 D5:2 r:12", words.format("Straight 8ths")),
         measure_xml(4, "C5:2 D5:2 r:12", swing_xml(
             "<first>3</first><second>1</second><swing-type>eighth</swing-type>"))],
        [measure_xml(1, "r:12 C3:2 D3:2", EIGHTHS), measure_xml(2, "C3:16"),
         measure_xml(3, "C3:16"), measure_xml(4, "C3:16")]))
    song, report = read_musicxml_with_report(path)
    tune, bass = song.tracks
    bar = 4 * P
    assert [(n.start, n.duration) for n in sorted(tune.notes, key=lambda n: n.start)] == [
        (0, 320), (320, 160), (480, 320), (800, 160), (2 * P, 2 * P),  # 2:1 from the words
        (bar, P), *[(bar + P + i * P // 4, P // 4) for i in range(4)],  # 16ths: as written
        (2 * bar, P // 2), (2 * bar + P // 2, P // 2),  # straight again
        (3 * bar, 360), (3 * bar + 360, 120)]  # 3:1
    assert [n.start for n in sorted(bass.notes, key=lambda n: n.start)][:2] == [3 * P, 3 * P + 320]
    assert any("played swung, as the score's swing mark says (2:1, 66.7 %" in line
               for line in report.approximated)


def test_partitas_swung_score_plays_swung_again(tmp_path):
    # A swung sax written straight under its Swing mark (16:9, 64 %) reads back with its
    # off-beats where they were played, to a few ticks, and its triplets exact.
    notes = []
    for beat in range(16):
        at = beat * P
        if beat == 6:  # an eighth-note triplet
            notes += [Note(70 - k, at + k * P // 3, P // 3) for k in range(3)]
            continue
        off = at + round(0.64 * P) + (-6, 0, 6, 0)[beat % 4]
        notes += [Note(62 + beat % 5, at, off - at), Note(65 + beat % 3, off, at + P - off)]
    song = Song(tracks=(Track("Tenor Sax", program=66, notes=tuple(notes)),))
    path = tmp_path / "swung.musicxml"
    save_song(song, path)
    back, report = read_musicxml_with_report(path)
    played = sorted(back.tracks[0].notes, key=lambda n: n.start)
    assert len(played) == len(notes)
    for was, now in zip(sorted(notes, key=lambda n: n.start), played, strict=True):
        assert abs(now.start - was.start) <= 8 and abs(now.end - was.end) <= 8
        assert now.pitch == was.pitch
    assert [n.start for n in played[12:15]] == [6 * P, 6 * P + 160, 6 * P + 320]
    assert any("'Tenor Sax' on straight off-beat 8ths played swung" in line and "16:9, 64 %"
               in line for line in report.approximated)


# -- a meter's grouping from its beams -------------------------------------------------------


def beamed_xml(number: int, groups: str, head: str = "", pitch: str = "C5",
               unit: str = "eighth") -> str:
    """One measure of eighths (``<divisions>2``; 16ths with ``unit`` "16th" and
    ``<divisions>4``) beamed in ``groups``, "3 3 3 2", as MuseScore writes them (each
    note's ``<beam number="1">``); a group "q." is an unbeamed dotted quarter (dotted
    eighth), "q" a quarter (eighth), "g" two grace notes beamed (they take no time)."""
    body = []
    for group in groups.split():
        if group == "g":
            body += [f'<note><grace/><pitch><step>D</step><octave>5</octave></pitch>'
                     f'<voice>1</voice><type>16th</type><beam number="1">{kind}</beam>'
                     f"</note>" for kind in ("begin", "end")]
            continue
        if group.startswith("q"):
            length = 3 if group == "q." else 2
            body.append(f"<note><pitch><step>{pitch[0]}</step><octave>{pitch[1]}</octave>"
                        f"</pitch><duration>{length}</duration><voice>1</voice></note>")
            continue
        count = int(group)
        for i in range(count):
            kind = "begin" if i == 0 else "end" if i == count - 1 else "continue"
            beam = f'<beam number="1">{kind}</beam>' if count > 1 else ""
            body.append(f"<note><pitch><step>{pitch[0]}</step><octave>{pitch[1]}</octave>"
                        f"</pitch><duration>1</duration><voice>1</voice><type>{unit}</type>"
                        f"{beam}</note>")
    return f'<measure number="{number}">{head}{"".join(body)}</measure>'


def eighths_meter(beats: str, beat_type: int = 8) -> str:
    return (f"<attributes><divisions>2</divisions><time><beats>{beats}</beats>"
            f"<beat-type>{beat_type}</beat-type></time></attributes>")


def ties_in(path) -> int:
    return sum(1 for t in ET.parse(path).iter("tie") if t.get("type") == "start")


@pytest.mark.parametrize("beats, bars, grouping", [
    # A flute piece in 11/8, MuseScore's <beats>11</beats>: the composer's three dotted
    # quarters and a quarter, and bars of eighths beamed 3+3+3+2 (one beamed in part).
    ("11", ["3 3 3 2", "q. q. q. q", "3 q. 3 2", "3 3 3 2"], (3, 3, 3, 2)),
    ("7", ["3 2 2", "q. q q", "g 3 2 g 2"], (3, 2, 2)),
])
def test_a_meters_grouping_is_read_from_its_beams_and_survives_a_round_trip(
        tmp_path, beats, bars, grouping):
    path = tmp_path / "odd.musicxml"
    path.write_text(score_xml([beamed_xml(i + 1, bar, eighths_meter(beats) if i == 0 else "")
                               for i, bar in enumerate(bars)]))
    song, report = read_musicxml_with_report(path)
    assert song.time_signatures == (TimeSignature(0, int(beats), 8, grouping),)
    assert f"{beats}/8 read as {'+'.join(map(str, grouping))} from its beams (the time " \
           "signature writes no grouping)" in report.approximated
    # The dotted quarter on the second group's start is a counted beat (a little louder).
    dotted = sorted(song.tracks[0].notes, key=lambda n: n.start)
    bar = TimeMap.of(song).bar_to_tick(1)
    on_beat = next(n for n in dotted if n.start == bar + 3 * P // 2)
    assert on_beat.velocity == DEFAULT_LEVEL + 3
    # Written back, no note is tied over a group line the composer did not beam: the
    # score has no ties, and neither has its export (4 and 2 when read as Partita's
    # 2+2+2+2+3 and 2+2+3), and it reads back as the same meter.
    assert ties_in(path) == 0
    out = tmp_path / "out.musicxml"
    save_song(song, out)
    assert ties_in(out) == 0
    back = load_song(out)
    assert back.time_signatures == song.time_signatures
    assert pitches(back.tracks[0]) == pitches(song.tracks[0])


@pytest.mark.parametrize("beats, beat_type, bars", [
    ("7", 8, ["3 2 2", "2 2 3"]),  # beamed two ways: no grouping is the piece's
    ("7", 8, ["3 2 2", "2 3 2"]),  # 2+3+2: a beam over 3+2+2's first group line
    ("11", 8, ["3 3 3 2", "11"]),  # one bar's eleven eighths under one beam
    ("7", 8, ["q. q q", "q. q q"]),  # no beams: nothing to read
    ("6", 8, ["2 2 2", "2 2 2"]),  # compound: its dotted beats stay, whatever the beams
    ("2+2+3", 8, ["3 2 2", "3 2 2"]),  # the time signature's own grouping rules
])
def test_a_meter_beamed_in_more_ways_than_one_or_not_at_all_keeps_its_counting(
        tmp_path, beats, beat_type, bars):
    path = tmp_path / "mixed.musicxml"
    path.write_text(score_xml([beamed_xml(i + 1, bar, eighths_meter(beats) if i == 0 else "")
                               for i, bar in enumerate(bars)]))
    song, report = read_musicxml_with_report(path)
    numerator = sum(map(int, beats.split("+")))
    assert song.time_signatures == (TimeSignature(0, numerator, beat_type),)
    assert not any("from its beams" in line for line in report.approximated)


def test_a_time_signature_that_writes_its_grouping_keeps_it(tmp_path):
    for beats, grouping in (("3+3+2", (3, 3, 2)), ("2+3+3", (2, 3, 3)), ("3+2+2", (3, 2, 2))):
        path = tmp_path / "additive.musicxml"
        path.write_text(score_xml([beamed_xml(1, " ".join(map(str, grouping)),
                                              eighths_meter(beats))]))
        song = read_musicxml(path)
        assert song.time_signatures[0].pulses == grouping
    # 3/8+2/8+2/8: a grouping written as several beats of one unit.
    path.write_text(score_xml([beamed_xml(1, "3 2 2", eighths_meter("3").replace(
        "</time>", "<beats>2</beats><beat-type>8</beat-type><beats>2</beats>"
                   "<beat-type>8</beat-type></time>"))]))
    assert read_musicxml(path).time_signatures == (TimeSignature(0, 7, 8, (3, 2, 2)),)


def test_a_meter_of_16ths_is_grouped_by_its_beams_too(tmp_path):
    head = ("<attributes><divisions>4</divisions><time><beats>7</beats>"
            "<beat-type>16</beat-type></time></attributes>")
    path = tmp_path / "sixteenths.musicxml"
    path.write_text(score_xml([beamed_xml(1, "3 2 2", head, unit="16th"),
                                beamed_xml(2, "3 2 2", unit="16th")]))
    song, report = read_musicxml_with_report(path)
    assert song.time_signatures == (TimeSignature(0, 7, 16, (3, 2, 2)),)
    assert "7/16 read as 3+2+2 from its beams (the time signature writes no grouping)" \
        in report.approximated


def test_a_part_beamed_otherwise_keeps_the_meters_usual_counting(tmp_path):
    # The flute beams 11/8 as 3+3+3+2, the piano under it as 2+2+2+2+3: no one grouping.
    path = tmp_path / "duet.musicxml"
    path.write_text(score_xml(
        [beamed_xml(1, "3 3 3 2", eighths_meter("11")), beamed_xml(2, "3 3 3 2")],
        [beamed_xml(1, "2 2 2 2 3", eighths_meter("11"), "C3"), beamed_xml(2, "q. q. q. q")]))
    song, report = read_musicxml_with_report(path)
    assert song.time_signatures == (TimeSignature(0, 11, 8),)
    assert not any("from its beams" in line for line in report.approximated)


def test_a_part_declaring_a_piano_is_read_as_the_instrument_its_name_names(tmp_path):
    """music21's corpus quartets (haydn/opus74no1) declare a piano for "Violin 1",
    "Violin 2", "Viola" and "Violoncello", which came in as four pianos: a part whose
    instrument is a piano (or none) and whose name names one other instrument is read as
    that instrument, and the report says so; a part named "Piano", "Bass" (a singer or a
    bass guitar) or "Right Hand" stays a piano, and a part that declares an instrument
    keeps it whatever its name."""
    line = [[("D4", 1), ("E4", 1), ("F#4", 1)]]
    score = stream.Score()
    for name, inst in (("Violin 1", instrument.Piano()), ("Vln. II", instrument.Piano()),
                       ("Violoncello", instrument.Piano()),
                       ("Clarinet in Bb 2", instrument.Piano()), ("Piano", instrument.Piano()),
                       ("Bass", instrument.Piano()), ("Right Hand", instrument.Piano()),
                       ("Flute", instrument.Oboe())):
        inst.midiProgram = inst.midiProgram or 0
        score.insert(0, part(name, inst, line))
    path = tmp_path / "quartet.musicxml"
    write(score, path)
    song, report = read_musicxml_with_report(path)
    assert [(t.name, t.program) for t in song.tracks] == [
        ("Violin 1", 40), ("Vln. II", 40), ("Violoncello", 42), ("Clarinet in Bb 2", 71),
        ("Piano", 0), ("Bass", 0), ("Right Hand", 0), ("Flute", 68)]
    assert [pitches(t) for t in song.tracks[:4]] == [pitches(song.tracks[4])] * 4
    assert ("4 parts declaring a piano (or no instrument) read as the instruments their "
            "names name: 'Violin 1' as Violin, 'Vln. II' as Violin, 'Violoncello' as "
            "Cello, 'Clarinet in Bb 2' as Clarinet") in report.approximated


def test_the_corpus_haydn_quartet_comes_in_as_a_string_quartet():
    from music21 import corpus

    path = corpus.getWork("haydn/opus74no1/movement1")
    song, report = read_musicxml_with_report(path)
    assert [(t.name, t.program) for t in song.tracks] == [
        ("Violin 1", 40), ("Violin 2", 40), ("Viola", 41), ("Violoncello", 42)]
    assert any(line.startswith("4 parts declaring a piano") for line in report.approximated)


def test_a_part_declaring_a_section_sound_is_read_as_the_instrument_its_name_names(tmp_path):
    """MuseScore's export of music21's corpus mozart/k155 declares "String Ensemble 1" for
    its Violin I, Violin II, Viola and Cello: the viola came back a string ensemble, its
    score in the treble clef with 16 switches to the bass clef. A part declaring a
    section's sound (a string ensemble, a brass section) and named after one instrument
    of that section is that instrument; one named after an instrument of another family
    keeps the declared sound."""
    line = [[("D4", 1), ("E4", 1), ("F#4", 1)]]
    score = stream.Score()
    for name, program in (("Violin I", 48), ("Viola", 49), ("Violoncello", 50),
                          ("Flute", 48), ("Strings", 48), ("Horn in F", 61)):
        inst = instrument.Instrument()
        inst.midiProgram = program
        score.insert(0, part(name, inst, line))
    path = tmp_path / "sections.musicxml"
    write(score, path)
    song, report = read_musicxml_with_report(path)
    assert [(t.name, t.program) for t in song.tracks] == [
        ("Violin I", 40), ("Viola", 41), ("Violoncello", 42), ("Flute", 48),
        ("Strings", 48), ("Horn in F", 60)]
    for said in ("1 part declaring String Ensemble 1 read as the instrument its name "
                 "names: 'Violin I' as Violin",
                 "1 part declaring Synth Strings 1 read as the instrument its name names: "
                 "'Violoncello' as Cello",
                 "1 part declaring String Ensemble 2 read as the instrument its name "
                 "names: 'Viola' as Viola",
                 "1 part declaring Brass Section read as the instrument its name names: "
                 "'Horn in F' as French Horn"):
        assert said in report.approximated


def test_the_corpus_mozart_quartet_writes_its_viola_in_the_alto_clef(tmp_path):
    from music21 import corpus

    song, report = read_musicxml_with_report(corpus.getWork("mozart/k155/movement1"))
    assert [(t.name, t.program) for t in song.tracks] == [
        ("Violin I", 40), ("Violin II", 40), ("Viola", 41), ("Cello", 42)]
    assert "45 trills not kept: the song plays the notes as written, and a score " \
        "written from it has none" in report.approximated
    out = tmp_path / "k155.musicxml"
    save_song(song, out)
    clefs = [[type(c).__name__ for c in p.recurse().getElementsByClass("Clef")]
             for p in music21.converter.parse(out).parts]
    assert [c[0] for c in clefs] == ["TrebleClef", "TrebleClef", "AltoClef", "BassClef"]
    assert clefs[2].count("BassClef") == 0  # 16 switches to the bass clef before


DROPPED = """<?xml version="1.0" encoding="UTF-8"?><score-partwise version="4.0">
<part-list><score-part id="P1"><part-name>Violin</part-name></score-part></part-list>
<part id="P1">
<measure number="1"><attributes><divisions>1</divisions><time><beats>4</beats>
<beat-type>4</beat-type></time></attributes>
<direction><direction-type><words>Recitativ.</words></direction-type></direction>
<direction><direction-type><segno/></direction-type></direction>
<direction><direction-type><dynamics><fp/></dynamics></direction-type></direction>
<note><pitch><step>C</step><octave>5</octave></pitch><duration>1</duration>
<notations><ornaments><trill-mark/></ornaments></notations></note>
<note><pitch><step>D</step><octave>5</octave></pitch><duration>1</duration>
<notations><ornaments><trill-mark/></ornaments><technical><up-bow/></technical></notations></note>
<note><pitch><step>E</step><octave>5</octave></pitch><duration>1</duration>
<notations><ornaments><turn/></ornaments><technical><fingering>3</fingering></technical>
</notations></note>
<direction><direction-type><dynamics><sf/></dynamics></direction-type></direction>
<note><pitch><step>F</step><octave>5</octave></pitch><duration>1</duration>
<notations><ornaments><mordent/></ornaments><technical><down-bow/></technical></notations>
</note>
<barline location="right"><bar-style>light-heavy</bar-style><repeat direction="backward"/>
</barline></measure>
<measure number="2">
<barline location="left"><ending number="1" type="start"/></barline>
<direction><direction-type><words>Larghetto</words></direction-type></direction>
<note><pitch><step>G</step><octave>5</octave></pitch><duration>4</duration></note>
<barline location="right"><ending number="1" type="stop"/><repeat direction="backward"/>
</barline></measure>
<measure number="3">
<direction><direction-type><words>Allegro</words></direction-type><sound tempo="132"/>
</direction>
<note><pitch><step>A</step><octave>5</octave></pitch><duration>4</duration></note>
</measure>
</part></score-partwise>"""


def test_what_the_import_leaves_out_is_counted_in_the_report(tmp_path):
    # A MuseScore power user's QA: trills, bowings, fingerings, words, fp and sf,
    # repeats and voltas came back gone, and the report said nothing of most of them.
    path = tmp_path / "dropped.musicxml"
    path.write_text(DROPPED)
    song, report = read_musicxml_with_report(path)
    assert [n.pitch for n in song.tracks[0].notes] == [72, 74, 76, 77, 79, 81]
    said = report.approximated
    for line in (
            "2 repeat barlines, 1 volta bracket and 1 segno not played out: the bars are "
            "read once, as written, and a score written from the song has none of them",
            "1 tempo word without a metronome mark not played ('Larghetto' at bar 2): the "
            "song keeps the tempo before each, 120 BPM before any (Ctrl+K in the studio, "
            "convert --tempo, to set one)",
            # Allegro plays its <sound tempo>, but its words are not kept either
            "2 text directions not kept ('Recitativ.', 'Allegro'): a song holds no words "
            "over its notes",
            "1 fp mark played as p from the mark on: the forte attack is not played, and a "
            "score written from the song has p",
            "1 dynamics mark other than pppp–ffff not played (1 sf): velocities change only "
            "at pppp–ffff marks",
            "2 trills, 1 mordent and 1 turn not kept: the song plays the notes as written, "
            "and a score written from it has none",
            "3 technical marks not kept (1 down bow, 1 fingering and 1 up bow): no bowings "
            "or fingerings in the song"):
        assert line in said, said
    # 120 BPM until the Allegro's 132: the Larghetto (no number) changes nothing.
    assert song.tempos == (TempoChange(0, 500_000), TempoChange(8 * P, round(60e6 / 132)))
