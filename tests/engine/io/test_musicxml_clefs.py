"""MusicXML export: each part in the clef its player reads — its instrument's first (a
cello the bass clef however high or empty, a viola the alto clef), its register only for
an instrument with none — and a clef change for a passage out of that clef's reach, as
an engraver writes it (a cello's to the tenor clef, a viola's to the treble clef), not
for one stray note, back where the music comes down; the notes read back unchanged."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET

import pytest

from engine.io import load_song, save_song
from engine.io.musicxml import musicxml_bytes
from engine.score import Note, Song, Track

music21 = pytest.importorskip("music21")

P = 480  # ticks per quarter; every song here is in 4/4


def parse(data: bytes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return music21.converter.parse(data, format="musicxml")


def quarters(pitches, start: int = 0) -> tuple[Note, ...]:
    return tuple(Note(p, start + i * P, P) for i, p in enumerate(pitches))


def clefs(part) -> list[tuple[int, float, str]]:
    """``(bar, beat offset in it, clef)`` for every clef the part sets."""
    return [(m.number, float(c.getOffsetInHierarchy(m)), type(c).__name__)
            for m in part.getElementsByClass(music21.stream.Measure)
            for c in m.recurse().getElementsByClass(music21.clef.Clef)]


# The note each clef's sign stands for (G4, F3, middle C), as music21 numbers steps.
SIGN_STEPS = {"G": 33, "F": 25, "C": 29}


def staff_places(part) -> list[int]:
    """Each note's place on the staff in the clef in force where it stands: steps above
    the bottom line (0 the bottom line, 8 the top one; -4 and 12 two ledger lines out),
    from the clef's sign, line and octave (music21's octave-down bass clef puts its
    bottom line where the bass clef's is)."""
    places = []
    for n in part.recurse().notes:
        c = n.getContextByClass(music21.clef.Clef)
        bottom = SIGN_STEPS[c.sign] - 2 * (c.line - 1) + 7 * c.octaveChange
        places.append(n.pitch.diatonicNoteNum - bottom)
    return places


LOW = (48, 50, 52, 53, 55, 53, 52, 50)  # C3 … G3: the bass clef's staff
CLIMB = (62, 64, 65, 67, 69, 67, 65, 64)  # D4 … A4 and down: the tenor clef's


def test_an_instrument_reads_its_own_clef_empty_or_high():
    """A QA string quartet's cello lying at middle C and up (its median there) and an
    empty cello were written in the treble clef: a cello reads the bass clef, as a
    contrabass, bassoon, trombone, tuba and timpani do, whatever their notes; an empty
    viola the alto clef, a low violin the treble clef; a part of an instrument with no
    clef of its own (a piano, a pad) its register's, an empty one the treble clef."""
    high = quarters((60, 62, 64, 62, 60, 64, 62, 60))  # C4-E4, within the bass clef's reach
    song = Song(tracks=(
        Track("Cello", program=42, notes=high), Track("Cello 2", program=42),
        Track("Contrabass", program=43), Track("Viola", program=41),
        Track("Violin", program=40, notes=quarters((55, 57, 59, 57))),  # G3-B3
        Track("Bassoon", program=70, notes=high), Track("Trombone", program=57, notes=high),
        Track("Tuba", program=58), Track("Timpani", program=47, notes=quarters((53, 60))),
        Track("Pad", program=89, notes=quarters((45, 48, 52))), Track("Piano")))
    score = parse(musicxml_bytes(song)[0])
    assert [clefs(p) for p in score.parts] == [
        [(1, 0.0, c)] for c in ("BassClef", "BassClef", "BassClef", "AltoClef", "TrebleClef",
                                "BassClef", "BassClef", "BassClef", "BassClef", "BassClef",
                                "TrebleClef")]
    # The high cello's notes stand on ledger lines over the bass staff: C4 one, E4 two.
    assert staff_places(score.parts[0])[:3] == [10, 11, 12]


def test_a_part_written_an_octave_up_reads_the_plain_clef_a_concert_one_the_octave_clef(
        tmp_path):
    """A contrabass is written an octave above where it sounds (its <transpose>), in the
    bass clef; a bass guitar, written at the pitch it sounds, reads the bass clef an
    octave down — both show E1 where a bassist reads it, on E2's line under the staff;
    a choir's Tenor reads the octave treble clef, a trombone named Tenor its own."""
    riff = quarters((28, 33, 38, 43))  # E1 A1 D2 G2: the open strings
    song = Song(tracks=(Track("Contrabass", program=43, notes=riff),
                        Track("Bass", program=33, notes=riff),
                        Track("Tenor", program=52, notes=quarters((55, 57, 59, 60))),
                        Track("Tenor", program=57, notes=quarters((55, 57, 59, 60)))))
    data = musicxml_bytes(song)[0]
    score = parse(data)
    assert [clefs(p)[0][2] for p in score.parts] == [
        "BassClef", "Bass8vbClef", "Treble8vbClef", "BassClef"]
    assert staff_places(score.parts[0]) == staff_places(score.parts[1]) == [-2, 1, 4, 7]
    assert [[p.midi for p in part.toSoundingPitch().pitches] for part in score.parts[:2]] == [
        [28, 33, 38, 43]] * 2
    # Read back, each sounds where it did: the octave clef moves no note.
    save_song(song, tmp_path / "band.musicxml")
    assert [[n.pitch for n in t.notes] for t in load_song(tmp_path / "band.musicxml").tracks
            ] == [[n.pitch for n in t.notes] for t in song.tracks]


def test_a_cello_climbing_to_a4_for_two_bars_reads_the_tenor_clef_and_comes_back(tmp_path):
    """Two bars of a cello up to A4 are written in the tenor clef, from the bar line where
    the climb leaves the bass staff to the bar where it is back on it; every note then
    stands within two ledger lines of its staff, and the score reads back the same notes."""
    cello = Track("Cello", program=42,
                  notes=quarters(LOW + CLIMB + LOW))
    song = Song(tracks=(cello,))
    part = parse(musicxml_bytes(song)[0]).parts[0]
    assert clefs(part) == [(1, 0.0, "BassClef"), (3, 0.0, "TenorClef"), (5, 0.0, "BassClef")]
    places = staff_places(part)
    assert all(-4 <= p <= 12 for p in places)
    assert places[8:12] == [7, 8, 9, 10]  # D4 … G4 on the tenor staff, not 11-14 over the bass
    path = tmp_path / "quartet.musicxml"
    save_song(song, path)
    back = load_song(path).tracks[0]
    assert [(n.pitch, n.start) for n in back.notes] == [(n.pitch, n.start) for n in cello.notes]


def test_a_viola_up_to_g5_changes_to_the_treble_clef_mid_bar_before_the_note():
    """A viola's climb to G5 is written in the treble clef from its first note past the
    alto staff's first ledger line (C5) — mid-bar, an <attributes> holding the <clef>
    just before that <note>, as MuseScore writes a change — and back to the alto clef
    at the next bar, where it is back on the staff."""
    viola = Track("Viola", program=41, notes=quarters(
        (60, 62, 64, 65, 67, 69, 71, 72, 74, 76, 77, 79, 77, 76, 74, 72, 67, 65, 64, 62)))
    data = musicxml_bytes(Song(tracks=(viola,)))[0]
    part = parse(data).parts[0]
    assert clefs(part) == [(1, 0.0, "AltoClef"), (2, 3.0, "TrebleClef"), (5, 0.0, "AltoClef")]
    assert all(-4 <= p <= 12 for p in staff_places(part))
    bar = ET.fromstring(data).find("part/measure[@number='2']")
    children = list(bar)
    change = next(i for i, e in enumerate(children) if e.tag == "attributes")
    assert [c.tag for c in children[change]] == ["clef"]
    assert [children[change].findtext(f"clef/{t}") for t in ("sign", "line")] == ["G", "2"]
    assert children[change - 1].tag == children[change + 1].tag == "note"
    assert children[change + 1].findtext("pitch/step") + children[change + 1].findtext(
        "pitch/octave") == "C5"
    assert [p.midi for p in part.pitches] == [n.pitch for n in viola.notes]


def test_one_stray_note_or_a_short_flick_keeps_the_clef():
    """One high note — a whole bar's A4, or two 8ths — is read on ledger lines: a clef
    changes for a passage of a bar or more, not for a note."""
    stray = (*LOW[:4], 69, *LOW[4:])
    flick = (Note(69, 4 * P, P // 2), Note(71, 4 * P + P // 2, P // 2))
    song = Song(tracks=(
        Track("Cello", program=42, notes=(*quarters(LOW), Note(69, 8 * P, 4 * P))),
        Track("Cello 2", program=42, notes=quarters(stray)),
        Track("Cello 3", program=42, notes=quarters(LOW[:4]) + flick
              + quarters(LOW[:4], 5 * P))))
    assert [clefs(p) for p in parse(musicxml_bytes(song)[0]).parts] == [
        [(1, 0.0, "BassClef")]] * 3


def test_each_instrument_changes_to_the_clef_its_players_read_up_there():
    """A cello's passage past the tenor clef (to E5) reads the treble clef; a bassoon's
    and a trombone's up to A4 the tenor clef; a bass-clef part of an instrument with no
    clef of its own the treble clef, and a treble-clef one going low the bass clef; a
    tuba and a choir's Bass keep theirs; a pad's chords are in the clef that reads
    most of them, with no change for a chord that neither clef reads."""
    very_high = (*LOW, 67, 69, 71, 72, 74, 76, 74, 72, *LOW)
    dips = (72, 71, 69, 67) * 2 + (48, 47, 45, 43) * 2 + (72, 71, 69, 67) * 2
    song = Song(tracks=(
        Track("Cello", program=42, notes=quarters(very_high)),
        Track("Bassoon", program=70, notes=quarters(LOW + CLIMB + LOW)),
        Track("Trombone", program=57, notes=quarters(LOW + CLIMB + LOW)),
        Track("Strings", program=48, notes=quarters(LOW * 2 + very_high[8:16])),
        Track("Strings 2", program=48, notes=quarters(dips)),
        Track("Tuba", program=58, notes=quarters(LOW + CLIMB + LOW)),
        Track("Bass", program=52, notes=quarters(LOW + CLIMB + LOW)),
        # A synth pad's chords F3-Eb4 and G3-F4 (a game's MIDI file): their median
        # middle C, but the bass clef reads them all within two ledger lines but the F4s,
        # the treble clef not one F3 or G3 — and no clef the G3-F4 chord.
        Track("Pad", program=90, notes=tuple(
            Note(p, bar * 4 * P, 4 * P) for bar in range(6)
            for p in ((53, 57, 60, 63), (55, 58, 62, 65))[bar % 2]))))
    assert [clefs(p) for p in parse(musicxml_bytes(song)[0]).parts] == [
        [(1, 0.0, "BassClef"), (3, 0.0, "TrebleClef"), (5, 0.0, "BassClef")],
        [(1, 0.0, "BassClef"), (3, 0.0, "TenorClef"), (5, 0.0, "BassClef")],
        [(1, 0.0, "BassClef"), (3, 0.0, "TenorClef"), (5, 0.0, "BassClef")],
        [(1, 0.0, "BassClef"), (5, 0.0, "TrebleClef")],  # the song ends up there
        [(1, 0.0, "TrebleClef"), (3, 0.0, "BassClef"), (5, 0.0, "TrebleClef")],
        [(1, 0.0, "BassClef")],
        [(1, 0.0, "BassClef")],
        [(1, 0.0, "BassClef")]]


def test_a_horn_reads_the_treble_clef_and_changes_to_the_bass_clef_for_a_low_passage():
    """A QA orchestrator's horns in F, their parts written D3-F4, were all in the bass
    clef, as their register chose: a horn player reads the treble clef, a low passage (two
    bars written D3-G3) in the bass clef, back at the bar where the part comes up again.
    A part lying low throughout (written D3-F4) opens in the bass clef for its low notes
    and comes back to the treble clef at middle C."""
    middle = (65, 67, 69, 70, 69, 67, 65, 64)  # F4-B♭4 sounding: C5-F5 written
    low = (43, 45, 47, 48, 50, 48, 47, 45)  # G2-D3 sounding: D3-A3 written
    song = Song(tracks=(
        Track("Horn in F 1", program=60, notes=quarters(middle + low + middle)),
        Track("Horn in F 2", program=60, notes=quarters(  # written D3-G3, A3-D4, E4-F4
            (43, 45, 46, 48, 50, 52, 53, 55, 57, 58, 57, 55)))))
    score = parse(musicxml_bytes(song)[0])
    assert [clefs(p) for p in score.parts] == [
        [(1, 0.0, "TrebleClef"), (3, 0.0, "BassClef"), (5, 0.0, "TrebleClef")],
        [(1, 0.0, "BassClef"), (2, 2.0, "TrebleClef")]]  # back at C4, as a cello at D4
    assert all(-4 <= p <= 12 for part in score.parts for p in staff_places(part))
    assert [p.midi for p in score.parts[0].toSoundingPitch().pitches] == [
        *middle, *low, *middle]
