"""MusicXML export: what a score editor reads back, parsed again with music21 — the parts
with their names and instruments, every note (tied pieces counted once), meters and
meter changes, the pickup, key signatures, tempo marks, drums on a percussion staff, a
piano on a grand staff — and what is approximated: timing quantized to 16ths and
triplets, overlaps as chords and voices, a grand staff's notes split at middle C."""

from __future__ import annotations

import re
import warnings
import zipfile
from dataclasses import replace
from fractions import Fraction
from xml.etree import ElementTree as ET

import pytest

from engine.io import FileFormatError, load_song, save_song
from engine.io.musicxml import musicxml_bytes, write_musicxml
from engine.score import (
    KeySignature,
    Marker,
    Note,
    Song,
    TempoChange,
    TimeSignature,
    Track,
)
from engine.score.instruments import instrument_range

music21 = pytest.importorskip("music21")

P = 480  # ticks per quarter


def parse(data: bytes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # music21's notes on what it guesses
        return music21.converter.parse(data, format="musicxml")


def heads(part) -> list:
    """The notes a player plays: a tied note's continuations are not new notes; a chord
    counts each of its notes."""
    out = []
    for n in part.recurse().notes:
        if n.tie is not None and n.tie.type in ("stop", "continue"):
            continue
        out.extend(n.notes if n.isChord or hasattr(n, "notes") else [n])
    return out


def players(score) -> list[list]:
    """The score's parts as players read them: a grand staff's two staves (PartStaffs
    that a brace joins) one instrument, any other part one alone."""
    braced = {id(s): g for g in score.getElementsByClass(music21.layout.StaffGroup)
              if g.symbol == "brace" for s in g.getSpannedElements()}
    out, seen = [], set()
    for part in score.parts:
        group = braced.get(id(part))
        if group is None:
            out.append([part])
        elif id(group) not in seen:
            seen.add(id(group))
            out.append(list(group.getSpannedElements()))
    return out


def counts(score) -> list[int]:
    """Notes per instrument (tied pieces once)."""
    return [sum(len(heads(staff)) for staff in staves) for staves in players(score)]


def hymn() -> Song:
    """A quarter pickup in 4/4 (written as MIDI does: 1/4, then 4/4), F major then D minor
    from a 6/8 bar, a 3+2+2/8 bar, a tempo change; a choir part, a B♭ trumpet, drums."""
    tune = [Note(72, 0, P)]  # the pickup: C5
    tune += [Note(p, P + i * P, P) for i, p in enumerate([70, 69, 67, 65, 62, 64, 65, 67])]
    tune += [Note(62, 9 * P, 3 * P // 2), Note(65, 9 * P, 3 * P // 2)]  # a 6/8 chord
    tune += [Note(69, 12 * P + i * P // 2, P // 2) for i in range(7)]  # 7 eighths in 7/8
    return Song(
        tracks=(Track("Soprano", program=52, notes=tuple(tune)),
                Track("Trumpet", program=56, notes=(Note(60, P, 4 * P),)),
                Track("Kit", is_drum=True, channel=9,
                      notes=(Note(36, P, 10), Note(42, P, 10), Note(38, 2 * P, 10)))),
        time_signatures=(TimeSignature(0, 1, 4), TimeSignature(P, 4, 4),
                         TimeSignature(9 * P, 6, 8), TimeSignature(12 * P, 7, 8, (3, 2, 2))),
        key_signatures=(KeySignature(0, "F"), KeySignature(9 * P, "Dm")),
        tempos=(TempoChange(0, 600_000), TempoChange(9 * P, 500_000)),
        title="Hymn")


def test_a_score_keeps_the_parts_meters_pickup_keys_tempos_and_every_note():
    song = hymn()
    data, warned = musicxml_bytes(song)
    assert warned == []
    score = parse(data)
    assert score.metadata.bestTitle == "Hymn"
    soprano, trumpet, kit = score.parts
    assert [p.partName for p in score.parts] == ["Soprano", "Trumpet", "Kit"]
    assert isinstance(soprano.getInstrument(), music21.instrument.Choir)
    assert isinstance(trumpet.getInstrument(), music21.instrument.Trumpet)
    # Every note, once: the song's count, part by part.
    assert [len(heads(p)) for p in score.parts] == [len(t.notes) for t in song.tracks]
    # The pickup is bar 0 of the 4/4 it leads into: three beats short, not a 1/4 bar.
    for part in score.parts:
        measures = part.getElementsByClass(music21.stream.Measure)
        assert measures[0].number == 0 and measures[0].paddingLeft == 3.0
        assert measures[0].duration.quarterLength == 1.0
        assert [m.number for m in measures] == [0, 1, 2, 3, 4]
        assert [ts.ratioString for ts in part.recurse().getElementsByClass("TimeSignature")
                ] == ["4/4", "6/8", "3/8+2/8+2/8"]  # 3+2+2/8, as music21 spells it
    # Key signatures, in the trumpet's part written a tone up (it sounds a tone lower).
    keys = {p.partName: [str(k) for k in p.recurse().getElementsByClass("KeySignature")]
            for p in score.parts}
    assert keys == {"Soprano": ["F major", "d minor"], "Trumpet": ["G major", "e minor"],
                    "Kit": []}  # a drum staff has no key
    # Sounding pitches and places as in the song; B♭ spelt as F major writes it.
    sounding = score.toSoundingPitch()
    got = [(float(n.getOffsetInHierarchy(sounding.parts[0])), p.midi)
           for n in sounding.parts[0].recurse().notes for p in n.pitches]
    want = [(n.start / P, n.pitch) for n in song.tracks[0].notes]
    assert sorted(got) == sorted(want)
    assert "B-4" in [p.nameWithOctave for p in soprano.pitches]
    assert [p.midi for p in sounding.parts[1].pitches] == [60]
    # Tempo marks on the top staff: 100 quarters, then 120 quarters in 6/8 = 80 dotted.
    marks = soprano.recurse().getElementsByClass("MetronomeMark")
    assert [(m.number, m.referent.quarterLength) for m in marks] == [(100, 1.0), (80, 1.5)]
    # Drums: unpitched notes on a percussion staff (kick low, hi-hat above with an x).
    hits = heads(kit)
    assert all(isinstance(h, music21.note.Unpitched) for h in hits)
    assert isinstance(kit.recurse().getElementsByClass("Clef")[0], music21.clef.PercussionClef)
    assert {h.displayName: h.notehead for h in hits} == {"F4": "normal", "G5": "x",
                                                         "C5": "normal"}


def test_a_ritardando_is_rit_between_two_marks_and_plays_every_step():
    # 120, then over two bars a step a beat, each 2.4 slower, to 100.8; then 120 again.
    ramp = tuple(TempoChange(4 * P + i * P, round(60_000_000 / (117.6 - 2.4 * i)))
                 for i in range(8))
    tempos = (TempoChange(0, 500_000), *ramp, TempoChange(16 * P, 500_000))
    song = Song(tracks=(Track("Lead", notes=tuple(Note(60, i * P, P) for i in range(20))),),
                tempos=tempos)
    data, _ = musicxml_bytes(song)
    lead = parse(data).parts[0]
    # Printed: whole numbers where the ramp starts and settles, the word over it.
    printed = [(float(m.getOffsetInHierarchy(lead)), m.number)
               for m in lead.recurse().getElementsByClass("MetronomeMark") if m.number]
    assert printed == [(0.0, 120), (4.0, 118), (11.0, 101), (16.0, 120)]
    words = [(float(w.getOffsetInHierarchy(lead)), w.content)
             for w in lead.recurse().getElementsByClass("TextExpression") if w.content]
    assert words == [(4.0, "rit."), (16.0, "a tempo")]
    # Heard: every change, to 1/100 of a beat a minute.
    sound = [float(t) for t in re.findall(rb'<sound tempo="([0-9.]+)"', data)]
    assert sound == pytest.approx([t.bpm for t in tempos], abs=0.005)


def test_a_choirs_voice_parts_are_bracketed_and_every_part_has_a_short_name():
    def line(name, low, program=52, drums=False):
        return Track(name, program=program, is_drum=drums, channel=9 if drums else 0,
                     notes=tuple(Note(low + 2 * i, i * P, P) for i in range(4)))

    song = Song(tracks=(
        line("Soprano", 67), line("Alto", 62), line("Tenor", 55), line("Bass", 43),
        Track("Piano", 0, notes=(Note(40, 0, P), Note(76, P, P))),  # a grand staff
        line("Violin 2", 67, program=40), line("", 55, program=42), line("Flute", 72, 73),
        line("Drums", 36, drums=True), line("Melody", 64, 80),
        line("Bass", 33, program=33),  # a bass guitar: no voice part
    ))
    data = musicxml_bytes(song)[0]
    score = parse(data)
    groups = [(g.symbol, [p.partName for p in g.getSpannedElements()], g.barTogether)
              for g in score.getElementsByClass(music21.layout.StaffGroup)]
    # A choir's bar lines stop at each staff (words); the strings' (Violin 2 and the
    # unnamed cello) go through the section.
    assert sorted(groups, key=str) == sorted([
        ("bracket", ["Soprano", "Alto", "Tenor", "Bass"], False),
        ("brace", ["Piano", "Piano"], True),
        ("bracket", ["Violin 2", "Cello"], True)], key=str)
    shorts = [p.partAbbreviation for p in score.parts]
    # The piano's two staves are one part: both carry its short name.
    assert shorts == ["S.", "A.", "T.", "B.", "Pno.", "Pno.", "Vln. 2", "Vc.", "Fl.", "Dr.",
                      "Mel.", "Bass"]
    assert data.count(b"<part-abbreviation>Pno.</part-abbreviation>") == 1  # one <part>
    # A lone voice part is not bracketed; two apart are not one group either.
    duet = Song(tracks=(line("Soprano", 67), line("Piano", 60, program=0), line("Alto", 62)))
    assert not [g for g in parse(musicxml_bytes(duet)[0]).getElementsByClass(
        music21.layout.StaffGroup) if g.symbol == "bracket"]


def test_each_part_gets_the_clef_a_player_reads_and_a_short_name_of_its_own():
    def line(name, low, program=52):
        return Track(name, program=program,
                     notes=tuple(Note(low + i, i * P, P) for i in range(4)))

    song = Song(tracks=(line("Soprano", 67), line("Tenor", 52), line("Bass", 43),
                        line("Guitar", 52, program=25)))
    score = parse(musicxml_bytes(song)[0])
    clefs = [type(p.recurse().getElementsByClass("Clef")[0]).__name__ for p in score.parts]
    assert clefs == ["TrebleClef", "Treble8vbClef", "BassClef", "Treble8vbClef"]
    assert [p.partAbbreviation for p in score.parts] == ["S.", "T.", "B.", "Gtr."]
    # The octave clef is a way of writing: the notes sound where the song has them.
    assert [n.pitch.midi for n in heads(score.parts[1])] == [52, 53, 54, 55]
    # A choir's tenor reads it however high it lies (a choir director's exports gave 14
    # of 24 hymn tenors, their median at C4–E4, the treble clef), abbreviated or not.
    high = Song(tracks=(line("Tenor", 60), line("Ten.", 62)))
    assert [type(p.recurse().getElementsByClass("Clef")[0]).__name__
            for p in parse(musicxml_bytes(high)[0]).parts] == ["Treble8vbClef"] * 2
    # Every voice part reads its voice's clef, not its notes' (a choir director's Bass
    # lying G#3-E4 was printed in the treble clef), on a piano's program too ...
    lying = Song(tracks=(line("Soprano", 55), line("Alto", 52, program=0),
                         line("Bass", 56), line("B.", 61, program=0)))
    assert [type(p.recurse().getElementsByClass("Clef")[0]).__name__
            for p in parse(musicxml_bytes(lying)[0]).parts] == [
        "TrebleClef", "TrebleClef", "BassClef", "BassClef"]
    # ... but a transposed part is written as its player reads it: a baritone sax's Bass
    # an octave and a sixth up, in the treble clef; a bass guitar named Bass is no voice,
    # and reads its instrument's clef (the bass clef an octave down) however high it lies.
    band = Song(tracks=(line("Bass", 40, program=67), line("Bass", 64, program=33)))
    assert [type(p.recurse().getElementsByClass("Clef")[0]).__name__
            for p in parse(musicxml_bytes(band)[0]).parts] == ["TrebleClef", "Bass8vbClef"]


def test_a_part_written_an_octave_up_already_is_not_put_under_an_octave_clef():
    """A guitar whose part is stored written an octave up (a MusicXML score's (-7, -12)),
    and a low tenor sax (a ninth up), are in the treble clef: the octave-down clef would
    show them an octave above where a player reads them. A guitar at concert pitch keeps
    its octave clef; both guitars show E2 on the same line, and sound E2."""
    riff = tuple(Note(p, i * P, P) for i, p in enumerate((40, 42, 44, 45)))  # E2 F#2 G#2 A2
    song = Song(tracks=(Track("Guitar", program=25, notes=riff),
                        Track("Guitar 2", program=25, notes=riff, transposition=(-7, -12)),
                        Track("Tenor Sax", program=66,
                              notes=tuple(Note(n.pitch + 5, n.start, P) for n in riff))),
                key_signatures=(KeySignature(0, "E"),))  # G#, not no key's Ab
    score = parse(musicxml_bytes(song)[0])
    clefs = [p.recurse().getElementsByClass("Clef")[0] for p in score.parts]
    assert [type(c).__name__ for c in clefs] == ["Treble8vbClef", "TrebleClef", "TrebleClef"]
    # Where each note sits on the staff: steps above the bottom line.
    lines = [[n.pitch.diatonicNoteNum - c.lowestLine for n in heads(p)]
             for p, c in zip(score.parts, clefs, strict=True)]
    assert lines[0] == lines[1] == [-7, -6, -5, -4]  # E2 three ledger lines below
    assert lines[2] == [-3, -2, -1, 0]  # A2 … written a ninth up: B3 C#4 D#4 E4
    sounding = [[n.pitch.midi for n in heads(p.toSoundingPitch())] for p in score.parts]
    assert sounding == [[40, 42, 44, 45], [40, 42, 44, 45], [45, 47, 49, 50]]


def test_a_transposing_instrument_with_none_stored_is_written_as_usual():
    """A clarinet, a trumpet, a tenor sax from MIDI (no transposition stored) are in B♭,
    an alto sax in E♭, a horn in F — and a stored one wins: a clarinet in A, one at
    concert pitch. Each part is written in its own key, its clef the written notes'."""
    tune = tuple(Note(p, i * P, P) for i, p in enumerate((65, 67, 69, 70)))  # F G A B♭
    low = tuple(Note(n.pitch - 12, n.start, P) for n in tune)
    song = Song(tracks=(Track("Clarinet", program=71, notes=tune),
                        Track("Trumpet", program=56, notes=tune),
                        Track("Alto Sax", program=65, notes=tune),
                        Track("Tenor Sax", program=66, notes=low),
                        Track("Horn", program=60, notes=low),
                        Track("Clarinet in A", program=71, notes=tune, transposition=(-2, -3)),
                        Track("Clarinet in C", program=71, notes=tune, transposition=(0, 0)),
                        Track("Flute", program=73, notes=tune)),
                key_signatures=(KeySignature(0, "F"),))
    score = parse(musicxml_bytes(song)[0])
    written = [(str(p.recurse().getElementsByClass("KeySignature")[0]),
                " ".join(x.nameWithOctave for x in p.pitches),
                type(p.recurse().getElementsByClass("Clef")[0]).__name__) for p in score.parts]
    assert written == [("G major", "G4 A4 B4 C5", "TrebleClef"),
                       ("G major", "G4 A4 B4 C5", "TrebleClef"),
                       ("D major", "D5 E5 F#5 G5", "TrebleClef"),
                       ("G major", "G4 A4 B4 C5", "TrebleClef"),  # a ninth over F3
                       ("C major", "C4 D4 E4 F4", "TrebleClef"),
                       ("A- major", "A-4 B-4 C5 D-5", "TrebleClef"),
                       ("F major", "F4 G4 A4 B-4", "TrebleClef"),
                       ("F major", "F4 G4 A4 B-4", "TrebleClef")]
    xml = musicxml_bytes(song)[0].decode()
    assert xml.count("<transpose>") == 6  # not the clarinet in C's, nor the flute's


def test_a_part_named_in_a_key_is_written_in_it():
    """A film composer's MIDI had "Clarinet in A", "Trumpet in C", "Horn in Eb": the
    copyist's parts came back in B♭, B♭ and F. The name's key counts when none is stored
    (in the octave nearest the instrument's usual one); a piano "in A minor" is no part."""
    from engine.score.instruments import named_transposition

    tune = tuple(Note(p, i * P, P) for i, p in enumerate((65, 67, 69, 70)))  # F G A B♭
    song = Song(tracks=(Track("Clarinet in A", program=71, notes=tune),
                        Track("Trumpet in C", program=56, notes=tune),
                        Track("Horn in Eb", program=60, notes=tune),
                        Track("Piano in A minor", program=0, notes=tune)),
                key_signatures=(KeySignature(0, "F"),))
    score = parse(musicxml_bytes(song)[0])
    assert [" ".join(x.nameWithOctave for x in p.pitches) for p in score.parts] == [
        "A-4 B-4 C5 D-5", "F4 G4 A4 B-4", "D5 E5 F#5 G5", "F4 G4 A4 B-4"]
    assert [named_transposition(n, p) for n, p in (
        ("Clarinet in Eb", 71), ("Tenor Sax in Bb", 66), ("Horn in F", 60))] == [
        (2, 3), (-8, -14), (-4, -7)]


def test_played_timing_is_written_on_16ths_and_triplets():
    # A phrase played a little early and late, and a triplet figure.
    played = [Note(60, 0 + 9, P - 30), Note(62, P - 12, P + 20), Note(64, 2 * P + 25, P // 2),
              Note(65, 3 * P, P // 3 + 7), Note(67, 3 * P + P // 3 - 5, P // 3),
              Note(69, 3 * P + 2 * P // 3, P // 3 - 4)]
    score = parse(musicxml_bytes(Song(tracks=(Track("Flute", program=73,
                                                    notes=tuple(played)),)))[0])
    notes = heads(score.parts[0])
    assert [Fraction(n.getOffsetInHierarchy(score.parts[0])).limit_denominator(12)
            for n in notes] == [0, 1, 2, 3, Fraction(10, 3), Fraction(11, 3)]
    assert [Fraction(n.quarterLength).limit_denominator(12) for n in notes] == [
        1, 1, Fraction(1, 2), Fraction(1, 3), Fraction(1, 3), Fraction(1, 3)]
    assert all(n.duration.tuplets for n in notes[3:])  # an eighth-note triplet


def test_overlapping_notes_become_chords_and_voices_and_long_notes_ties():
    # A held C major chord under a melody of quarters, and a note over the bar line.
    chord = [Note(p, 0, 4 * P) for p in (48, 52, 55)]
    tune = [Note(p, i * P, P) for i, p in enumerate((72, 74, 76, 77))]
    over = [Note(79, 4 * P + 3 * P, 2 * P)]
    song = Song(tracks=(Track("Strings", program=48, notes=(*chord, *tune, *over)),))
    score = parse(musicxml_bytes(song)[0])
    part = score.parts[0]
    first = part.getElementsByClass(music21.stream.Measure)[0]
    assert len(first.voices) == 2  # the tune above, the chord below
    upper, lower = first.voices
    assert [n.pitch.midi for n in upper.notes] == [72, 74, 76, 77]
    assert [p.midi for p in lower.notes[0].pitches] == [48, 52, 55]
    assert len(heads(part)) == song.note_count
    tied = [n for n in part.recurse().notes if n.tie is not None]
    assert [n.tie.type for n in tied] == ["start", "stop"]  # G5 over the bar line


def test_a_piano_is_one_part_on_a_grand_staff_split_at_middle_c():
    # A left hand below middle C and a right hand above it (with a chord across the
    # split, two lines in the right hand, one note held over the bar line): written on
    # one staff it was all ledger lines.
    left = [Note(p, i * P, P) for i, p in enumerate((36, 43, 48, 43, 41, 48, 53, 48))]
    right = [Note(p, i * P, P) for i, p in enumerate((72, 71, 72, 74, 76))]
    across = [Note(p, 5 * P, 3 * P) for p in (55, 60, 64)]  # G3 below, C4 E4 above
    held = [Note(67, 0, 3 * P)]  # an inner line in the right hand
    tenor = Track("Tenor", notes=(Note(55, 0, 4 * P),))  # harmonize's line on a piano
    song = Song(tracks=(Track("Piano", notes=(*left, *right, *across, *held)),
                        Track("Flute", program=73, notes=(Note(72, 0, P),)), tenor),
                key_signatures=(KeySignature(0, "C#m"),), tempos=(TempoChange(0, 600_000),))
    data, warned = musicxml_bytes(song)
    assert warned == []
    xml = data.decode()
    # One <part> of two staves for the piano, as a score editor writes (and reads) one
    # instrument; the flute and the sung line keep one staff.
    assert re.findall(r'<score-part id="(P\d)">', xml) == ["P1", "P2", "P3"]
    assert re.findall(r'<part id="(P\d)">', xml) == ["P1", "P2", "P3"]
    assert xml.count("<staves>2</staves>") == 1 and xml.index("<staves>") < xml.index(
        '<part id="P2">')
    score = parse(data)
    piano, flute, sung = players(score)
    assert [type(s).__name__ for s in piano] == ["PartStaff", "PartStaff"]
    (brace,) = score.getElementsByClass(music21.layout.StaffGroup)
    assert brace.symbol == "brace" and brace.barTogether is True
    assert [[s.partName for s in staves] for staves in (piano, flute, sung)] == [
        ["Piano", "Piano"], ["Flute"], ["Tenor"]]
    assert all(isinstance(s.getInstrument(), music21.instrument.Piano) for s in piano)
    upper, lower = piano
    assert [type(c).__name__ for staff in piano
            for c in staff.recurse().getElementsByClass("Clef")] == ["TrebleClef", "BassClef"]
    # Middle C and above on the upper staff, the rest below; every note once, in place.
    assert {p.midi >= 60 for n in heads(upper) for p in n.pitches} == {True}
    assert {p.midi < 60 for n in heads(lower) for p in n.pitches} == {True}
    assert counts(score) == [len(t.notes) for t in song.tracks]
    got = sorted((float(n.getOffsetInHierarchy(staff)), p.midi) for staff in piano
                 for n in staff.recurse().notes for p in n.pitches
                 if n.tie is None or n.tie.type == "start")
    assert got == sorted((n.start / P, n.pitch) for n in song.tracks[0].notes)
    # The upper staff has two lines in bar 1; each staff's bars add up (rests filled).
    assert len(upper.getElementsByClass(music21.stream.Measure)[0].voices) == 2
    for staff in piano:
        assert [m.duration.quarterLength for m in staff.getElementsByClass(
            music21.stream.Measure)] == [4.0, 4.0]
    # Both staves in C# minor (4 sharps); the tempo mark once, over the upper staff.
    assert [k.sharps for staff in piano
            for k in staff.recurse().getElementsByClass("KeySignature")] == [4, 4]
    assert [len(s.recurse().getElementsByClass("MetronomeMark")) for s in piano] == [1, 0]
    # The sung line stays on one staff, in the clef of its range.
    assert isinstance(sung[0].recurse().getElementsByClass("Clef")[0],
                      music21.clef.Treble8vbClef)


def test_a_keyboard_part_one_staff_reads_is_written_on_it():
    # A piano's hands on tracks of their own (as real files have them: openmsx-1's "Piano
    # LH", 29–52): each within two ledger lines of one staff, so that staff alone; an
    # organ melody down to A3 reads on a treble staff; an empty piano is a staff of rests.
    left = Track("Piano LH", notes=tuple(Note(p, i * P, P) for i, p in enumerate((29, 52, 64))))
    right = Track("Piano RH", notes=tuple(Note(p, i * P, P) for i, p in enumerate((57, 67, 96))))
    organ = Track("Organ", program=19, notes=(Note(57, 0, P), Note(79, P, P)))
    song = Song(tracks=(left, right, organ, Track("Piano")))
    data = musicxml_bytes(song)[0]
    assert b"<staves>" not in data
    score = parse(data)
    assert [type(p.recurse().getElementsByClass("Clef")[0]).__name__ for p in score.parts] == [
        "BassClef", "TrebleClef", "TrebleClef", "TrebleClef"]
    # One note past that reach on each side is a grand staff.
    reach = Song(tracks=(Track("Piano", notes=(Note(56, 0, P), Note(65, P, P))),))
    assert [type(p).__name__ for p in parse(musicxml_bytes(reach)[0]).parts] == [
        "PartStaff", "PartStaff"]


def test_a_drum_hit_is_one_stroke_never_tied_notes():
    # Hits whose gaps no single note fills (7/12 of a quarter, from a beat in 16ths into
    # one in triplets: a 16th and an eighth-triplet rest) and one held over the bar line:
    # each is one unpitched note, at most a quarter.
    kit = Track("Drums", is_drum=True, channel=9, notes=(
        Note(36, 0, 5), Note(38, 3 * P // 4, 5), Note(42, P + P // 3, 5), Note(36, 2 * P, 5),
        Note(49, 3 * P + 3 * P // 4, 5 * P), Note(36, 4 * P + P // 2, 5)))
    score = parse(musicxml_bytes(Song(tracks=(kit,)))[0])
    part = score.parts[0]
    assert [n.tie for n in part.recurse().notes] == [None] * 6
    assert len(heads(part)) == 6
    lengths = [Fraction(n.quarterLength).limit_denominator(12) for n in part.recurse().notes]
    assert lengths == [Fraction(3, 4), Fraction(1, 2), Fraction(2, 3), 1, Fraction(1, 4), 1]


# A kit a drummer reads: kick, snare, closed / pedal / open hi-hat, crash, ride, toms, a
# second crash where the first is written, and GM2's shaker (on the middle line).
KIT_KEYS = (36, 38, 42, 44, 46, 49, 51, 50, 47, 43, 57, 82)


def test_a_kits_drums_are_named_instruments_that_play_their_general_midi_sound():
    from xml.etree import ElementTree as ET

    hits = [Note(k, i * P // 2, 5) for i, k in enumerate(KIT_KEYS)]
    kit = Track("Drums", is_drum=True, channel=9, notes=(*hits, Note(42, 0, 5)))
    data, _ = musicxml_bytes(Song(tracks=(Track("Bass", 33), kit)))
    root = ET.fromstring(data)
    score_part = root.find("part-list/score-part[@id='P2']")
    # One instrument a drum, named as General MIDI names it, on channel 10, its sound the
    # key + 1 (MusicXML counts from 1), ids as MuseScore numbers them.
    named = {e.get("id"): e.findtext("instrument-name")
             for e in score_part.findall("score-instrument")}
    sounds = {e.get("id"): (e.findtext("midi-channel"), e.findtext("midi-unpitched"))
              for e in score_part.findall("midi-instrument")}
    assert named["P2-I37"] == "Bass Drum 1" and named["P2-I83"] == "Shaker"
    assert named["P2-I47"] == "Open Hi-Hat" and named["P2-I58"] == "Crash Cymbal 2"
    assert sorted(sounds.values()) == sorted(("10", str(k + 1)) for k in set(KIT_KEYS))
    assert set(named) == set(sounds)
    # Every <score-instrument> before the first <midi-instrument>, as the schema has it.
    tags = [e.tag for e in score_part if e.tag.endswith("-instrument")]
    assert tags == sorted(tags, key=lambda t: t != "score-instrument")
    # Each note names its drum; the notes are the song's, hit for hit.
    notes = [n for n in root.findall("part[@id='P2']/measure/note")
             if n.find("rest") is None]
    played = [int(sounds[n.find("instrument").get("id")][1]) - 1
              for n in notes]
    assert sorted(played) == sorted(n.pitch for n in kit.notes)
    assert all(n.get("id") is None for n in root.iter("note"))  # the tags are gone
    # Noteheads: x for cymbals and hi-hats, normal for the drums; the open hi-hat's "o".
    head = {int(sounds[n.find("instrument").get("id")][1]) - 1:
            (n.findtext("notehead") or "normal") for n in notes}
    assert [head[k] for k in (36, 38, 50, 47, 43)] == ["normal"] * 5
    assert [head[k] for k in (42, 44, 46, 49, 51, 57)] == ["x"] * 6
    opened = [n for n in notes if n.find("notations/technical/open") is not None]
    assert [n.find("instrument").get("id") for n in opened] == ["P2-I47"]
    # music21 reads the part as unpitched percussion: its (first) drum's sound, its notes
    # unpitched, and each drum's sound one it knows (the kick a bass drum …).
    part = parse(data).parts[1]
    first = part.getInstrument()
    assert isinstance(first, music21.instrument.UnpitchedPercussion)
    assert first.percMapPitch == 36
    assert all(isinstance(h, music21.note.Unpitched) for h in heads(part))
    from music21.midi.percussion import PercussionMapper

    mapper = PercussionMapper()
    assert [type(mapper.midiPitchToInstrument(int(unpitched) - 1)).__name__
            for _, unpitched in sorted(sounds.values(), key=lambda s: int(s[1]))
            if int(unpitched) - 1 in (36, 38, 42, 49, 50)] == [
        "BassDrum", "SnareDrum", "HiHatCymbal", "CrashCymbals", "TomTom"]


@pytest.mark.parametrize("kit", [0, 25, 40])  # standard, TR-808, brushes
def test_a_kit_is_written_and_read_back_as_its_general_midi_2_kit(tmp_path, kit):
    # A trap beat's TR-808 came back from MusicXML as the standard kit (program 0).
    from xml.etree import ElementTree as ET

    beat = Track("Beat", kit, is_drum=True, channel=9, notes=(Note(36, 0, 5), Note(38, P, 5)))
    data, _ = musicxml_bytes(Song(tracks=(beat,)))
    programs = {e.findtext("midi-program") for e in ET.fromstring(data).iter("midi-instrument")}
    assert programs == {str(kit + 1)}  # 1-based, as MuseScore writes a drum set's
    path = tmp_path / "beat.musicxml"
    path.write_bytes(data)
    assert [(t.program, t.is_drum) for t in load_song(path).tracks] == [(kit, True)]


@pytest.fixture(scope="module")
def every_program(tmp_path_factory) -> list[int]:
    """A score of 128 parts, one per General MIDI program (each named as GM names it),
    written and read back once: the programs the parts came back with."""
    song = Song(tracks=tuple(Track("", p, channel=p % 9, notes=(Note(60, 0, P),))
                             for p in range(128)))
    path = tmp_path_factory.mktemp("gm") / "gm.musicxml"
    save_song(song, path)
    return [t.program for t in load_song(path).tracks]


@pytest.mark.parametrize("program", range(128))
def test_every_general_midi_program_comes_back_from_a_score(every_program, program):
    # Electric Piano 1 and 2 (written <midi-program>5 and 6 under the instrument name
    # "Electric Piano") came back as Electric Grand Piano: music21's program for the name.
    assert every_program[program] == program


def test_an_empty_kit_keeps_one_drum_set():
    from xml.etree import ElementTree as ET

    data, _ = musicxml_bytes(Song(tracks=(Track("Drums", is_drum=True, channel=9),),
                                  length=4 * P))
    score_part = ET.fromstring(data).find("part-list/score-part")
    assert [e.findtext("instrument-name") for e in score_part.iter("score-instrument")] == [
        "Drum Set"]


def test_notes_that_quantize_onto_one_another_are_merged_and_said():
    song = Song(tracks=(Track("Lead", notes=(Note(60, 0, P), Note(60, 10, P))),))
    data, warned = musicxml_bytes(song)
    assert warned == ["1 note of 'Lead': fell on a note of the same pitch once quantized "
                      "to 16ths and triplets, and became one with it"]
    assert len(heads(parse(data).parts[0])) == 1


def test_an_empty_song_is_a_staff_of_empty_bars_and_an_empty_track_an_empty_staff():
    song = Song(length=8 * P)
    score = parse(musicxml_bytes(song)[0])
    assert len(score.parts) == 1
    assert len(score.parts[0].getElementsByClass(music21.stream.Measure)) == 2
    song = Song(tracks=(Track("Alto"), Track("Kit", is_drum=True, channel=9),
                        Track("Tune", notes=(Note(60, 0, 8 * P),))))
    score = parse(musicxml_bytes(song)[0])
    assert [p.partName for p in score.parts] == ["Alto", "Kit", "Tune"]
    assert [len(p.getElementsByClass(music21.stream.Measure)) for p in score.parts] == [2] * 3


def test_markers_are_rehearsal_marks_on_the_top_staff_and_come_back_at_their_ticks(
        tmp_path):
    # On the pickup, on bar lines (after the pickup, a 6/8 bar), mid-bar on a beat, and
    # off every grid: a section marker is not quantized.
    markers = (Marker(0, "Intro"), Marker(P, "Verse"), Marker(3 * P, "Lift"),
               Marker(7 * P + 100, "Hit"), Marker(9 * P, "Chorus"))
    song = replace(hymn(), markers=markers)
    score = parse(musicxml_bytes(song)[0])
    marks = [[m.content for m in p.recurse().getElementsByClass("RehearsalMark")]
             for p in score.parts]
    assert marks == [["Intro", "Verse", "Lift", "Hit", "Chorus"], [], []]
    for name in ("hymn.musicxml", "hymn.mxl"):
        save_song(song, tmp_path / name)
        assert load_song(tmp_path / name).markers == markers


def test_mxl_is_the_compressed_score_and_save_song_writes_by_extension(tmp_path):
    song = hymn()
    for name in ("hymn.musicxml", "hymn.xml", "hymn.mxl"):
        assert save_song(song, tmp_path / name) == []
    assert zipfile.is_zipfile(tmp_path / "hymn.mxl")
    assert (tmp_path / "hymn.xml").read_bytes() == (tmp_path / "hymn.musicxml").read_bytes()
    score = music21.converter.parse(tmp_path / "hymn.mxl")
    assert [len(heads(p)) for p in score.parts] == [len(t.notes) for t in song.tracks]
    # Partita reads them back too (tests/engine/io/test_musicxml_import.py), whichever form.
    assert load_song(tmp_path / "hymn.mxl").note_count == song.note_count


def test_a_failed_export_names_the_file_and_leaves_nothing(tmp_path, monkeypatch):
    import engine.io.musicxml as module

    def broken(song, step=None):
        raise ValueError("no such duration")

    monkeypatch.setattr(module, "song_to_score", broken)
    target = tmp_path / "x.musicxml"
    with pytest.raises(FileFormatError, match=r"^x\.musicxml: cannot write MusicXML: no such"):
        write_musicxml(hymn(), target)
    assert list(tmp_path.iterdir()) == []


def test_an_export_says_how_far_it_is_and_stops_when_told(tmp_path):
    """The studio's progress dialog follows these reports, and its Cancel raises in one:
    the exception comes back as it was raised, and nothing is written."""
    seen = []
    target = tmp_path / "hymn.musicxml"
    write_musicxml(hymn(), target, progress=lambda f, what: seen.append((f, what)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(seen) >= 3
    assert seen[0][1].startswith("Notating ") and seen[-1][1] == "Writing the file"
    target.unlink()

    class Stop(Exception):
        pass

    def stop_at_the_second(f, what):
        if len(seen) > 1:
            raise Stop
        seen.append(f)

    seen.clear()
    with pytest.raises(Stop):
        write_musicxml(hymn(), target, progress=stop_at_the_second)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_an_os_error_naming_the_file(tmp_path):
    target = tmp_path / "missing" / "x.musicxml"
    with pytest.raises(OSError) as caught:
        write_musicxml(hymn(), target)
    assert caught.value.filename == str(target)


def test_a_real_file_with_meter_changes_keeps_every_note(real_dir):
    song = load_song(real_dir / "freedink-3.mid")  # 4/4, a bar of 3/4 at 75, 4/4 again
    data, warned = musicxml_bytes(song)
    assert warned == []
    score = parse(data)
    assert counts(score) == [len(t.notes) for t in song.tracks]
    measures = score.parts[0].getElementsByClass(music21.stream.Measure)
    meters = {m.number: m.timeSignature.ratioString for m in measures if m.timeSignature}
    assert meters == {1: "4/4", 75: "3/4", 76: "4/4"}


def test_the_faster_notation_writes_what_music21s_own_passes_write(monkeypatch):
    # The export completes tuplets and points beamed stems itself, line by line with the
    # part's clef (music21 looked every note's neighbour and clef up through the whole
    # part): the same file as music21's makeNotation passes give, byte for byte. Triplet
    # notes that need splitting to complete their tuplet, voices, a tie over the bar line,
    # a grand staff, a transposing part and drums.
    from music21.stream import makeNotation

    from engine.io import musicxml

    t = P // 3  # an eighth-note triplet
    tune = [Note(67, t, P), Note(69, 2 * P, t), Note(71, 3 * P + 2 * t, 2 * P),
            Note(72, 6 * P, 2 * t), Note(74, 6 * P + 2 * t, 5 * t), Note(76, 9 * P + t, 2 * t)]
    held = [Note(p, t, 3 * P) for p in (60, 64)] + [Note(62, 5 * P + 2 * t, 4 * P)]
    arpeggio = [Note(p, i * t, t) for i, p in enumerate((43, 55, 60, 64, 67, 72) * 4)]
    sax = [Note(p, i * P // 2 + (i % 3) * 20, P // 2) for i, p in enumerate(range(60, 76))]
    kit = [Note(k, i * t, 10) for i, k in enumerate((36, 42, 38) * 8)]
    # A cello's 8ths in the tenor clef for a bar and a half (G3 F3 there: stems up; down
    # in the bass clef, where they stand above its middle line).
    cello = [Note(p, i * P // 2, P // 2) for i, p in enumerate(
        (48, 50, 52, 53) * 2 + (69, 67, 69, 71) * 2 + (55, 53, 55, 53, 69, 67, 69, 67)
        + (55, 53, 55, 53) * 2)]
    song = Song(tracks=(Track("Violin", program=40, notes=(*tune, *held)),
                        Track("Cello", program=42, notes=tuple(cello)),
                        Track("Piano", notes=tuple(arpeggio)),
                        Track("Alto Sax", program=65, notes=tuple(sax)),
                        Track("Drums", is_drum=True, channel=9, notes=tuple(kit))),
                time_signatures=(TimeSignature(0, 4, 4), TimeSignature(8 * P, 6, 8)),
                key_signatures=(KeySignature(0, "Bb"),))
    fast, _ = musicxml_bytes(song)

    def music21s_tuplets(m):
        makeNotation.splitElementsToCompleteTuplets(m, recurse=True, addTies=True)
        makeNotation.consolidateCompletedTuplets(m, recurse=True, onlyIfTied=True)

    monkeypatch.setattr(musicxml, "_complete_tuplets", music21s_tuplets)
    monkeypatch.setattr(musicxml, "_stems",
                        lambda part, clef: makeNotation.setStemDirectionForBeamGroups(part))
    assert fast.count(b"<tuplet ") > 10 and b"<stem>down" in fast and b"<stem>up" in fast
    assert fast.count(b"<sign>C</sign>") == 1  # the cello's tenor clef
    assert fast == musicxml_bytes(song)[0]


def swung_tune(jitter: bool = True) -> Song:
    """A tenor sax playing swung 8ths, as a jazz player records them: each off-beat 8th
    64 % into the beat (±6 ticks), the on-beat 8th held up to it; bar 2 opens with a
    quarter-note triplet, and bar 3's third beat is an eighth-note triplet."""
    notes, pitches = [], [62, 65, 67, 70, 72, 70, 67, 65]
    for bar in range(4):
        for beat in range(4):
            at = (bar * 4 + beat) * P
            if bar == 1 and beat < 2:
                if beat == 0:  # a quarter-note triplet over two beats
                    notes += [Note(60 + 2 * k, at + k * 2 * P // 3, 2 * P // 3 - 10)
                              for k in range(3)]
                continue
            if bar == 2 and beat == 2:  # an eighth-note triplet
                notes += [Note(72 - k, at + k * P // 3, P // 3 - 10) for k in range(3)]
                continue
            wobble = (-6, 0, 6, 0)[(bar + beat) % 4] if jitter else 0
            off = at + round(0.64 * P) + wobble
            notes += [Note(pitches[beat * 2 % 8], at, off - at - 8),
                      Note(pitches[(beat * 2 + 1) % 8], off, at + P - off - 8)]
    return Song(tracks=(Track("Tenor Sax", program=66, notes=tuple(notes)),))


def test_swung_8ths_are_written_straight_under_a_swing_mark_and_triplets_stay():
    # A jazz arranger's QA: every swung pair had become a quarter-and-eighth triplet
    # (153 notes with <time-modification>), and nothing said "Swing".
    data, _ = musicxml_bytes(swung_tune())
    root = ET.fromstring(data)
    marks = [d for d in root.iterfind("part/measure/direction")
             if d.findtext("direction-type/words") == "Swing"]
    assert len(marks) == 1 and marks[0] in list(root.find("part/measure"))  # bar 1
    direction = marks[0]
    assert direction.get("placement") == "above"
    swing = direction.find("sound/swing")
    assert (swing.findtext("first"), swing.findtext("second"),
            swing.findtext("swing-type")) == ("16", "9", "eighth")  # 64 %
    score = parse(data)
    part = score.parts[0]
    notes = heads(part)
    tuplets = [(Fraction(n.getOffsetInHierarchy(part)).limit_denominator(12),
                Fraction(n.quarterLength).limit_denominator(12))
               for n in notes if n.duration.tuplets]
    third = Fraction(1, 3)
    # Only the real triplets: the quarter-note triplet of bar 2, bar 3's eighth-note one.
    assert tuplets == [(4, 2 * third), (4 + 2 * third, 2 * third), (4 + 4 * third, 2 * third),
                       (10, third), (10 + third, third), (10 + 2 * third, third)]
    straight = [n for n in notes if not n.duration.tuplets]
    assert {Fraction(n.getOffsetInHierarchy(part)) % 1 for n in straight} == {0, Fraction(1, 2)}
    assert {n.quarterLength for n in straight} == {0.5}
    assert len(straight) == 2 * (16 - 3)


def test_a_quantized_swing_is_written_at_its_ratio_and_a_triplet_swing_as_2_to_1():
    # tracks --quantize 'Tenor Sax=1/8' --swing 62: every pair had been written a triplet.
    def at(share: float) -> Song:
        notes = [Note(60 + i % 5, i * P // 2 + (round(share * P) - P // 2) * (i % 2),
                      P // 2) for i in range(32)]
        return Song(tracks=(Track("Alto Sax", program=65, notes=tuple(notes)),))

    for share, ratio in ((0.62, ("31", "19")), (2 / 3, ("2", "1"))):
        data, _ = musicxml_bytes(at(share))
        swing = ET.fromstring(data).find("part/measure/direction/sound/swing")
        assert (swing.findtext("first"), swing.findtext("second")) == ratio
        assert b"<time-modification>" not in data


def test_a_straight_part_beside_a_swung_one_comes_back_straight(tmp_path):
    # Docs QA: a swung sax over a straight piano and bass: the mark in the top part alone
    # was read back as every part's, and the piano and bass came back swung.
    sax = swung_tune(jitter=False).tracks[0]
    piano = Track("Piano", channel=1, notes=tuple(Note(48 + i % 5, i * P // 2, P // 2 - 10)
                                                  for i in range(32)))
    data, _ = musicxml_bytes(Song(tracks=(sax, piano)))
    root = ET.fromstring(data)
    first = root.find("part[@id='P2']/measure")
    assert [s.find("swing/straight") is not None for s in first.findall("sound")] == [True]
    path = tmp_path / "combo.musicxml"
    path.write_bytes(data)
    back = load_song(path)
    assert [n.start for n in back.tracks[1].notes] == [n.start for n in piano.notes]


def test_a_straight_song_is_written_as_before_with_no_swing_mark(monkeypatch):
    # A played straight phrase (notes a little early and late, a triplet) and the hymn:
    # nothing reads as swung, and the file is the one written without any swing reading.
    from engine.io import musicxml

    played = [Note(60 + i % 7, P + i * P // 2 + (-9, 12, 4, -15)[i % 4], P // 2 - 20)
              for i in range(40)] + [Note(72, 20 * P + k * P // 3, P // 3) for k in range(3)]
    songs = [hymn(), Song(tracks=(Track("Flute", program=73, notes=tuple(played)),))]
    written = [musicxml_bytes(song)[0] for song in songs]
    assert all(musicxml.part_swings(song) == {} for song in songs)
    assert not any(b"swing" in data.lower() for data in written)
    monkeypatch.setattr(musicxml, "part_swings", lambda song: {})
    assert written == [musicxml_bytes(song)[0] for song in songs]


def _fermata_bars(data: bytes) -> dict[str, list[str]]:
    """Per part name, the numbers of the measures with a fermata on a note."""
    root = ET.fromstring(data)
    names = {p.get("id"): p.findtext("part-name") for p in root.iter("score-part")}
    return {names[part.get("id")]: [m.get("number") for m in part.iter("measure")
                                    for n in m.iter("note") if n.find(".//fermata") is not None]
            for part in root.iter("part")}


def test_a_note_held_on_past_a_fermata_has_it_where_the_sopranos_is():
    """A choir director's QA: bwv269's bass held its G3 from bar 7 into bar 9, through the
    soprano's fermata; the export put the bass's fermata on its last tied note, in bar 9,
    while S, A and T had theirs in bar 7."""
    bar = 1920
    soprano = Track("Soprano", program=52, notes=(
        Note(67, 0, bar, fermata=True), Note(69, bar, bar), Note(71, 2 * bar, bar)))
    alto = Track("Alto", program=52, notes=(Note(62, 0, bar), Note(64, bar, 2 * bar)))
    bass = Track("Bass", program=52, notes=(Note(43, 0, 3 * bar),))  # held to bar 3
    song = Song((soprano, alto, bass), ppq=480)
    bars = _fermata_bars(musicxml_bytes(song)[0])
    assert bars == {"Soprano": ["1"], "Alto": ["1"], "Bass": ["1"]}


def test_a_score_of_too_many_bars_is_refused_before_it_is_made(tmp_path):
    from engine.io.musicxml import MAX_SCORE_BARS

    far = Song(tracks=(Track("Piano", 0, notes=(Note(60, 0, 480), Note(60, 10**12, 480))),))
    with pytest.raises(FileFormatError) as info:  # music21 grew to many GB, then said ""
        write_musicxml(far, tmp_path / "far.musicxml")
    assert str(info.value) == (
        "far.musicxml: cannot write MusicXML: the song is 520,833,334 bars long (12,056 "
        f"days 7 h): a score holds at most {MAX_SCORE_BARS:,} bars")
    assert not (tmp_path / "far.musicxml").exists()


def test_a_memory_error_is_said_in_words(tmp_path, monkeypatch):
    import engine.io.musicxml as musicxml

    def out_of_memory(*args, **kwargs):
        raise MemoryError  # its text is empty
    monkeypatch.setattr(musicxml, "musicxml_bytes", out_of_memory)
    song = Song(tracks=(Track("Piano", 0, notes=(Note(60, 0, 480),)),))
    with pytest.raises(FileFormatError, match=r"cannot write MusicXML: out of memory \(the "
                       r"score of 1 bar does not fit\)$"):
        write_musicxml(song, tmp_path / "x.musicxml")


# A QA orchestrator's score order (partita compose --tracks ...): 22 pitched parts and
# a kit, more than MIDI's 15 pitched channels.
ORCHESTRA = (("Piccolo", 72), ("Flute 1", 73), ("Flute 2", 73), ("Oboe 1", 68),
             ("Oboe 2", 68), ("Clarinet in Bb 1", 71), ("Clarinet in Bb 2", 71),
             ("Bassoon 1", 70), ("Bassoon 2", 70), ("Horn in F 1", 60), ("Horn in F 2", 60),
             ("Trumpet in Bb 1", 56), ("Trumpet in Bb 2", 56), ("Trombone", 57), ("Tuba", 58),
             ("Timpani", 47), ("Percussion", None), ("Harp", 46), ("Violin I", 40),
             ("Violin II", 40), ("Viola", 41), ("Cello", 42), ("Contrabass", 43))


def orchestra() -> Song:
    def part(name, program):
        if program is None:
            return Track(name, program=48, is_drum=True, channel=9,
                         notes=tuple(Note(k, i * P, P) for i, k in enumerate((36, 38, 49))))
        low, high = instrument_range(program)
        middle = (low + high) // 2
        return Track(name, program=program,
                     notes=tuple(Note(middle + d, i * P, P) for i, d in enumerate((0, 2, 4))))

    return Song(tracks=tuple(part(n, p) for n, p in ORCHESTRA))


def test_an_orchestras_parts_play_on_the_channels_its_midi_file_gives_them(capfd):
    """A QA orchestrator's 23-part score printed music21's "we are out of midi channels!
    help!" seven times and put the timpani, harp and strings on channel 1 with the
    piccolo: each part's <midi-channel> is the one the MIDI export writes its track on
    (identical instruments share one, the kit is on 10, instruments of a family share
    past 16), and nothing is printed."""
    from engine.io.midi_export import export_channels

    song = orchestra()
    data = musicxml_bytes(song)[0]
    assert "out of midi channels" not in "".join(capfd.readouterr())
    root = ET.fromstring(data)
    channels = [{m.findtext("midi-channel") for m in sp.findall("midi-instrument")}
                for sp in root.iterfind("part-list/score-part")]
    assert channels == [{str(c + 1)} for c in export_channels(song.tracks)]
    by_name = {n: c for (n, _), (c,) in zip(ORCHESTRA, channels, strict=True)}
    assert by_name["Flute 1"] == by_name["Flute 2"] != by_name["Piccolo"]
    assert by_name["Percussion"] == "10"
    assert len({by_name[n] for n in ("Timpani", "Harp", "Violin I", "Viola", "Cello",
                                     "Contrabass", "Piccolo")}) == 7
    # An empty part that no MIDI channel is left for shares its instrument's.
    silent = replace(song, tracks=(*song.tracks, Track("Violin III", program=40)))
    root = ET.fromstring(musicxml_bytes(silent)[0])
    assert root.findtext("part-list/score-part[@id='P24']/midi-instrument/midi-channel") \
        == by_name["Violin I"]


def test_a_glockenspiel_is_written_two_octaves_down_a_celesta_and_a_xylophone_one(tmp_path):
    """A QA orchestrator's glockenspiel stood on ledger lines over the staff, written at
    the pitch it sounds: as orchestral scores write them, a glockenspiel's part is two
    octaves under its sound, a celesta's and a xylophone's one (<transpose> with an
    <octave-change>, which score editors play at sounding pitch), and read back the song
    sounds where it did, each part's transposition kept."""
    bells = tuple(Note(p, i * P, P) for i, p in enumerate((84, 88, 91, 96, 100)))  # C6-E7
    wide = (*bells, Note(53, 5 * P, P), Note(48, 6 * P, P))  # down to C3: two staves
    song = Song(tracks=(Track("Glockenspiel", program=9, notes=bells),
                        Track("Xylophone", program=13, notes=bells),
                        Track("Celesta", program=8, notes=bells),
                        Track("Celesta 2", program=8, notes=wide)))
    data = musicxml_bytes(song)[0]
    root = ET.fromstring(data)
    assert [[(t.findtext("diatonic"), t.findtext("chromatic"), t.findtext("octave-change"))
             for t in part.iter("transpose")] for part in root.iter("part")] == [
        [("0", "0", "2")], [("0", "0", "1")], [("0", "0", "1")], [("0", "0", "1")]]
    score = parse(data)
    written = [[n.pitch.nameWithOctave for n in heads(p)] for p in score.parts[:3]]
    assert written == [["C4", "E4", "G4", "C5", "E5"]] + [["C5", "E5", "G5", "C6", "E6"]] * 2
    # The celesta's grand staff is split at a written middle C: its sounding C4 and up
    # on the treble staff, written from C4.
    upper, lower = score.parts[3], score.parts[4]
    assert [n.pitch.nameWithOctave for n in heads(upper)] == ["C5", "E5", "G5", "C6", "E6"]
    assert [n.pitch.nameWithOctave for n in heads(lower)] == ["F2", "C2"]
    path = tmp_path / "bells.musicxml"
    save_song(song, path)
    back = load_song(path)
    assert [[n.pitch for n in t.notes] for t in back.tracks] == [
        [n.pitch for n in t.notes] for t in song.tracks]
    assert [t.transposition for t in back.tracks] == [(14, 24), (7, 12), (7, 12), (7, 12)]


def test_an_orchestras_sections_are_bracketed_in_score_order():
    """A QA orchestrator's score had no brackets (only a choir's were written): the
    woodwinds, the brass, the percussion (timpani and the kit) and the strings are each
    joined by a bracket (<part-group> of <group-symbol>bracket), their bar lines through
    the section, where two or more of their parts stand in a row; the harp between is
    none's, and a lone part of a section (a flute beside a piano) is not bracketed."""
    root = ET.fromstring(musicxml_bytes(orchestra())[0])
    sections, open_group = [], None
    for e in root.find("part-list"):
        if e.tag == "score-part":
            if open_group is not None:
                open_group[1].append(e.findtext("part-name"))
        elif e.tag == "part-group" and e.get("type") == "start":
            open_group = ((e.findtext("group-symbol"), e.findtext("group-barline")), [])
        elif e.tag == "part-group" and e.get("type") == "stop":
            sections.append(open_group)
            open_group = None
    names = [n for n, _ in ORCHESTRA]
    assert sections == [
        (("bracket", "yes"), names[0:9]), (("bracket", "yes"), names[9:15]),
        (("bracket", "yes"), ["Timpani", "Percussion"]), (("bracket", "yes"), names[18:])]
    duo = Song(tracks=(Track("Flute", program=73, notes=(Note(72, 0, P),)),
                       Track("Piano", notes=(Note(60, 0, P),)),
                       Track("Violin", program=40, notes=(Note(67, 0, P),))))
    assert b"<part-group" not in musicxml_bytes(duo)[0]
