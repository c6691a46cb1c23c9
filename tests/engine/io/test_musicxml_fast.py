"""MusicXML export: fast figures on a finer grid where a beat needs one — a trap hi-hat
roll's 32nds and 16th-note sextuplets, a violin's run of 32nds —
written exactly (beamed, rests split, ties as for 16ths) and read back where they were;
slower beats stay on 16ths and eighth-note triplets, the file as before, byte for byte."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from engine.io import load_song, musicxml, save_song
from engine.io.musicxml import musicxml_bytes
from engine.score import Note, Song, TempoChange, TimeSignature, Track
from tests.engine.io.test_musicxml import hymn

music21 = pytest.importorskip("music21")

P = 480  # ticks per quarter
KICK, SNARE, CLAP, HAT = 36, 38, 39, 42
BAR = 4 * P


def parse(data: bytes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # music21's notes on what it guesses
        return music21.converter.parse(data, format="musicxml")


def trap_bar(bar: int, roll: int) -> list[Note]:
    """A trap bar at 140 BPM, as the drumkit plugin plays it: the kick on 1 and after the
    snare, snare and clap on 3, closed hats in 8ths, then over beat 4 a roll of ``roll``
    hits (8: 32nds, 6: 16th-note sextuplets), louder as it goes."""
    at = bar * BAR
    notes = [Note(KICK, at, 60, 112), Note(SNARE, at + 2 * P, 60, 104),
             Note(CLAP, at + 2 * P, 60, 110), Note(KICK, at + 5 * P // 2, 60, 96)]
    notes += [Note(HAT, at + k * P // 2, 60, 74) for k in range(6)]
    notes += [Note(HAT, at + 3 * P + k * P // roll, 30, 60 + 4 * k) for k in range(roll)]
    return notes


def trap_song() -> Song:
    notes = [n for bar, roll in enumerate((8, 6, 8, 6)) for n in trap_bar(bar, roll)]
    return Song(tracks=(Track("Drums", 25, is_drum=True, channel=9, notes=tuple(notes)),),
                tempos=(TempoChange(0, 428_571),))  # 140 BPM


def roll_beat(data: bytes, bar: int) -> list[ET.Element]:
    """The hat notes of beat 4 of ``bar`` (1-based), as the file writes them."""
    measure = ET.fromstring(data).find(f"part/measure[@number='{bar}']")
    at, out = Fraction(0), []
    divisions = Fraction(ET.fromstring(data).findtext(".//divisions"))
    for n in measure.iter("note"):
        if n.find("chord") is None and at >= 3 and n.find("rest") is None:
            out.append(n)
        if n.find("chord") is None:
            at += Fraction(n.findtext("duration")) / divisions
    return out


def test_a_trap_roll_is_written_hit_for_hit_and_reads_back_where_it_was(tmp_path):
    # Last session's QA: 10 of 134 hits of a trap part merged, its rolls' 32nds and
    # sextuplets squeezed onto 16ths and eighth-note triplets.
    song = trap_song()
    data, warned = musicxml_bytes(song)
    assert warned == []
    # music21 reads it: every hit, one unpitched note each (a chord's notes each).
    part = parse(data).parts[0]
    assert sum(len(getattr(n, "notes", [n])) for n in part.recurse().notes) == len(
        song.tracks[0].notes)
    # The rolls as a drummer reads them: eight 32nds under one beam (three beams deep),
    # six 16ths of a sextuplet (3 in the time of 2, bracketed).
    thirty_seconds, sextuplet = roll_beat(data, 1), roll_beat(data, 2)
    assert [len(thirty_seconds), len(sextuplet)] == [8, 6]
    assert {n.findtext("type") for n in thirty_seconds} == {"32nd"}
    assert [b.text for b in thirty_seconds[0].findall("beam")] == ["begin"] * 3
    assert [b.text for b in thirty_seconds[-1].findall("beam")] == ["end"] * 3
    assert thirty_seconds[0].find("time-modification") is None
    assert {n.findtext("type") for n in sextuplet} == {"16th"}
    assert {(n.findtext("time-modification/actual-notes"),
             n.findtext("time-modification/normal-notes")) for n in sextuplet} == {("3", "2")}
    assert [b.text for b in sextuplet[0].findall("beam")] == ["begin"] * 2
    assert b'<tuplet bracket="yes"' in data
    # Read back: every hit at its tick, the roll's too.
    save_song(song, tmp_path / "trap.musicxml")
    back = load_song(tmp_path / "trap.musicxml")
    assert sorted((n.start, n.pitch) for n in back.tracks[0].notes) == sorted(
        (n.start, n.pitch) for n in song.tracks[0].notes)


def test_a_played_roll_a_few_ticks_off_its_32nds_is_written_on_them(tmp_path):
    # A drummer's roll is a few ticks either side of each 32nd (60 ticks apart).
    jitter = (0, 7, -6, 4, -8, 5, -3, 9)
    roll = [Note(HAT, 3 * P + k * P // 8 + jitter[k], 30) for k in range(8)]
    song = Song(tracks=(Track("Drums", is_drum=True, channel=9, notes=(
        Note(KICK, 0, 60), Note(SNARE, 2 * P, 60), *roll)),))
    assert musicxml_bytes(song)[1] == []
    save_song(song, tmp_path / "roll.musicxml")
    back = load_song(tmp_path / "roll.musicxml")
    assert sorted(n.start for n in back.tracks[0].notes if n.pitch == HAT) == [
        3 * P + k * P // 8 for k in range(8)]


def test_a_violins_run_of_32nds_is_written_in_32nds_with_rests_and_ties_as_for_16ths(
        tmp_path):
    # Beat 1 a quarter; beat 2 a run of eight 32nds (played: a few ticks off); beat 3 a
    # dotted 16th and a 32nd, then an eighth; beat 4 a 32nd rest, three 32nds, and an
    # eighth tied over the bar line.
    T, X = P // 8, P // 6  # a 32nd, a sextuplet's 16th
    run = [Note(67 + k, P + k * T + (3, -4, 5, -2, 0, 4, -5, 2)[k], T) for k in range(8)]
    notes = [Note(67, 0, P), *run, Note(76, 2 * P, 3 * T), Note(74, 2 * P + 3 * T, T),
             Note(72, 2 * P + 4 * T, 4 * T), *[Note(71 - k, 3 * P + (k + 1) * T, T)
                                               for k in range(3)],
             Note(67, 3 * P + 4 * T, P),
             # bar 2, beat 2: a sextuplet run, its last note held to the next beat's end
             # (tied at the beat), then a quarter
             *[Note(72 + k, 5 * P + k * X, X) for k in range(5)],
             Note(77, 5 * P + 5 * X, X + P), Note(72, 7 * P, P)]
    song = Song(tracks=(Track("Violin", program=40, notes=tuple(notes)),),
                time_signatures=(TimeSignature(0, 4, 4),))
    data, warned = musicxml_bytes(song)
    assert warned == []
    bar = parse(data).parts[0].measure(1)
    written = [("rest" if n.isRest else n.pitch.midi, Fraction(n.offset),
                Fraction(n.quarterLength), n.tie.type if n.tie else None)
               for n in bar.recurse().notesAndRests]
    eighth32 = Fraction(1, 8)
    assert written == [
        (67, 0, 1, None),
        *[(67 + k, 1 + k * eighth32, eighth32, None) for k in range(8)],
        (76, 2, 3 * eighth32, None), (74, 2 + 3 * eighth32, eighth32, None),
        (72, Fraction(5, 2), Fraction(1, 2), None),
        ("rest", 3, eighth32, None),
        *[(71 - k, 3 + (k + 1) * eighth32, eighth32, None) for k in range(3)],
        (67, Fraction(7, 2), Fraction(1, 2), "start")]
    root = ET.fromstring(data)
    types = [n.findtext("type") for n in root.find("part/measure[@number='1']").iter("note")]
    assert types.count("32nd") == 8 + 1 + 1 + 3 and "16th" in types  # and the dotted 16th
    sixth = Fraction(1, 6)
    second = [(n.pitch.midi, Fraction(n.offset).limit_denominator(6),
               Fraction(n.quarterLength).limit_denominator(6), n.tie.type if n.tie else None)
              for n in parse(data).parts[0].measure(2).recurse().notes]
    assert second == [(67, 0, Fraction(1, 2), "stop"),
                      *[(72 + k, 1 + k * sixth, sixth, None) for k in range(5)],
                      (77, 1 + 5 * sixth, sixth, "start"), (77, 2, 1, "stop"),
                      (72, 3, 1, None)]
    # Read back at the 32nds (and sextuplets) they were written on, each as long as it
    # was.
    save_song(song, tmp_path / "run.musicxml")
    back = load_song(tmp_path / "run.musicxml")
    assert [(n.pitch, n.start, n.duration) for n in back.tracks[0].notes] == [
        (n.pitch, round(n.start / T) * T if n.start < 4 * P else n.start, n.duration)
        for n in notes]


def test_a_strum_and_a_flam_stay_on_16ths():
    # A guitar's chord strummed over 20 ticks is one chord; a flam 25 ticks before the
    # snare is one hit, as before (a fine grid only where the onsets sit on one).
    strum = Song(tracks=(Track("Guitar", program=24, notes=tuple(
        Note(p, 10 * k, P) for k, p in enumerate((52, 55, 59, 64)))),))
    data, warned = musicxml_bytes(strum)
    assert warned == []
    assert b"<type>32nd</type>" not in data and data.count(b"<chord />") == 3
    flam = Song(tracks=(Track("Drums", is_drum=True, channel=9, notes=(
        Note(SNARE, P - 25, 30), Note(SNARE, P, 60))),))
    data, warned = musicxml_bytes(flam)
    assert warned and "1 note of 'Drums'" in warned[0]


def test_ordinary_music_is_written_as_before_byte_for_byte(monkeypatch):
    # The hymn (a pickup, 6/8, 3+2+2/8, a choir, a trumpet, drums) and a bar of played
    # 16ths and triplets: the same file as with no fine grids, 16ths' plain values and
    # the drum values the export had before them.
    played = [Note(60, 9, P - 30), Note(62, P - 12, P + 20), Note(64, 2 * P + 25, P // 2),
              Note(65, 3 * P, P // 3 + 7), Note(67, 3 * P + P // 3 - 5, P // 3),
              Note(69, 3 * P + 2 * P // 3, P // 3 - 4)]
    kit = [Note(k, i * P // 3, 10) for i, k in enumerate((36, 42, 38) * 4)]
    songs = (hymn(), Song(tracks=(Track("Flute", program=73, notes=tuple(played)),
                                  Track("Drums", is_drum=True, channel=9,
                                        notes=tuple(kit)))))
    now = [musicxml_bytes(song)[0] for song in songs]
    monkeypatch.setattr(musicxml, "FINE_DIVISORS", ())
    monkeypatch.setattr(musicxml, "DRUM_VALUES", tuple(
        Fraction(v) for v in ("1", "3/4", "2/3", "1/2", "1/3", "1/4", "1/6", "1/12")))
    monkeypatch.setattr(musicxml, "_on_plain_values",
                        lambda offset: (offset * 4).denominator == 1)
    assert now == [musicxml_bytes(song)[0] for song in songs]
