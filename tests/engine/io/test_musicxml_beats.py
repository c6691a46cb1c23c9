"""MusicXML export: a bar shows its beats, as a player reads them — eighths beamed by the
meter's groups (11/8 as 2+2+2+2+3, not eleven under one beam), rests split at each beat
or group, notes tied over a group line of an odd or compound meter and over the middle
of 4/4 where they start off a beat — and the score still reads back as the song."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from engine.io import load_song, save_song
from engine.io.musicxml import musicxml_bytes
from engine.score import Note, Song, TimeSignature, Track

music21 = pytest.importorskip("music21")

P = 480  # ticks per quarter
E = P // 2  # an eighth
S = P // 4  # a 16th


def one_bar(meter: TimeSignature, notes: list[Note]) -> Song:
    return Song(tracks=(Track("Flute", program=73, notes=tuple(notes)),),
                time_signatures=(meter,))


def beams(data: bytes, bar: int = 1) -> list[list[str]]:
    """The bar's beamed groups as the file writes them (each note's first <beam>):
    ``[["begin", "end"], ["begin", "continue", "end"]]``."""
    measure = ET.fromstring(data).find(f"part/measure[@number='{bar}']")
    groups: list[list[str]] = []
    for note in measure.iter("note"):
        beam = note.find("beam[@number='1']")
        if beam is None:
            continue
        if beam.text == "begin":
            groups.append([])
        groups[-1].append(beam.text)
    return groups


def written(data: bytes, bar: int = 1) -> list[tuple[str, Fraction, Fraction, str | None]]:
    """The bar's notes and rests as music21 reads them: ``(kind, offset, length, tie)``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = music21.converter.parse(data, format="musicxml")
    measure = score.parts[0].measure(bar)
    return [("rest" if n.isRest else "note", Fraction(n.offset).limit_denominator(12),
             Fraction(n.quarterLength).limit_denominator(12),
             n.tie.type if n.tie is not None else None)
            for n in measure.recurse().notesAndRests]


def rests(data: bytes, bar: int = 1) -> list[tuple[Fraction, Fraction]]:
    return [(at, length) for kind, at, length, _ in written(data, bar) if kind == "rest"]


def timing(song: Song) -> list[tuple[int, int, int]]:
    """The song's notes as ``(pitch, start, duration)``: what a score keeps of them."""
    return [(n.pitch, n.start, n.duration) for n in song.tracks[0].notes]


def pairs_then(last: int, count: int) -> list[list[str]]:
    """``count`` beamed pairs, then a group of ``last``."""
    return [["begin", "end"]] * count + [["begin", *["continue"] * (last - 2), "end"]]


def test_odd_meters_beam_by_their_groups():
    eighths = [Note(72, i * E, E) for i in range(11)]
    data = musicxml_bytes(one_bar(TimeSignature(0, 11, 8), eighths))[0]
    assert beams(data) == pairs_then(3, 4)  # 2+2+2+2+3, not one beam over eleven
    assert b"<beats>11</beats>" in data  # the meter itself is written as it was
    sixteenths = [Note(72, i * S, S) for i in range(13)]
    data = musicxml_bytes(one_bar(TimeSignature(0, 13, 16), sixteenths))[0]
    assert beams(data) == pairs_then(3, 5)  # 2+2+2+2+2+3 16ths
    # A chosen grouping beams as chosen; 7/8 and 6/8 as before.
    data = musicxml_bytes(one_bar(TimeSignature(0, 11, 8, (3, 3, 3, 2)), eighths))[0]
    assert beams(data) == [["begin", "continue", "end"]] * 3 + [["begin", "end"]]
    assert b"<beats>3+3+3+2</beats>" in data
    data = musicxml_bytes(one_bar(TimeSignature(0, 7, 8), eighths[:7]))[0]
    assert beams(data) == pairs_then(3, 2)
    data = musicxml_bytes(one_bar(TimeSignature(0, 6, 8), eighths[:6]))[0]
    assert beams(data) == [["begin", "continue", "end"]] * 2


def test_a_rest_is_split_at_each_group_line_of_an_odd_meter():
    # 3+2+2/8: a note of 2½ eighths, then silence to the last eighth (a double-dotted
    # quarter written as one rest crossed both group lines).
    song = one_bar(TimeSignature(0, 7, 8, (3, 2, 2)),
                   [Note(67, 0, 5 * S), Note(67, 6 * E, E)])
    data = musicxml_bytes(song)[0]
    assert rests(data) == [(Fraction(5, 4), Fraction(1, 4)),  # to the group line
                           (Fraction(3, 2), 1),  # the 2 group, whole
                           (Fraction(5, 2), Fraction(1, 2))]
    # A whole group's rest is one, dotted where the group is (6/8's beats).
    data = musicxml_bytes(one_bar(TimeSignature(0, 6, 8), [Note(67, 3 * E, 3 * E)]))[0]
    assert rests(data) == [(0, Fraction(3, 2))]


def test_a_rest_in_4_4_shows_the_beats_and_the_middle_of_the_bar():
    # An eighth, then silence from the off-beat to beat 3's off-beat: not a half rest
    # across the middle of the bar, but an eighth, a quarter and an eighth.
    song = one_bar(TimeSignature(0, 4, 4), [Note(60, 0, E), Note(62, 5 * E, 3 * E)])
    data = musicxml_bytes(song)[0]
    assert rests(data) == [(Fraction(1, 2), Fraction(1, 2)), (1, 1), (2, Fraction(1, 2))]
    # Silence after a 16th: a 16th rest and an eighth to the beat, not a dotted eighth;
    # beats 2–4: a quarter, then the half of the bar's second half.
    song = one_bar(TimeSignature(0, 4, 4), [Note(60, 0, S)])
    assert rests(musicxml_bytes(song)[0]) == [(Fraction(1, 4), Fraction(1, 4)),
                                              (Fraction(1, 2), Fraction(1, 2)), (1, 1), (2, 2)]
    # 3/4: each beat its rest.
    song = one_bar(TimeSignature(0, 3, 4), [Note(60, 2 * P, P)])
    assert rests(musicxml_bytes(song)[0]) == [(0, 1), (1, 1)]


def test_an_empty_bar_is_one_rest_in_any_meter():
    for meter in (TimeSignature(0, 11, 8), TimeSignature(0, 7, 8, (3, 2, 2)),
                  TimeSignature(0, 4, 4)):
        song = Song(tracks=(Track("Flute", program=73, notes=(Note(60, 0, P),)),),
                    time_signatures=(meter,), length=2 * meter.numerator * P * 4
                    // meter.denominator)
        assert len(rests(musicxml_bytes(song)[0], bar=2)) == 1


def test_a_note_over_a_group_line_is_tied_there_and_reads_back_as_one(tmp_path):
    # 11/8: a whole note from the second eighth (written untied: nothing showed the
    # groups); 4/4: a note from beat 2's off-beat to the end of the bar.
    whole = one_bar(TimeSignature(0, 11, 8), [Note(64, E, 8 * E)])
    data = musicxml_bytes(whole)[0]
    assert written(data) == [
        ("rest", 0, Fraction(1, 2), None),
        ("note", Fraction(1, 2), Fraction(1, 2), "start"),  # to the first group line
        ("note", 1, 3, "continue"),  # three whole groups: a dotted half
        ("note", 4, Fraction(1, 2), "stop"),
        # the rest of the last group: its eighths, as a dotted group shows them
        ("rest", Fraction(9, 2), Fraction(1, 2), None), ("rest", 5, Fraction(1, 2), None)]
    late = one_bar(TimeSignature(0, 4, 4), [Note(64, 3 * E, 5 * E)])
    assert [w for w in written(musicxml_bytes(late)[0]) if w[0] == "note"] == [
        ("note", Fraction(3, 2), Fraction(1, 2), "start"), ("note", 2, 2, "stop")]
    for song in (whole, late):
        save_song(song, tmp_path / "bar.musicxml")
        assert timing(load_song(tmp_path / "bar.musicxml")) == timing(song)


def test_whole_groups_and_common_syncopations_stay_one_note():
    # 7/8: a whole bar is a double-dotted half; 2+2 a half. 6/8: a whole bar a dotted half.
    for meter, notes, lengths in (
            (TimeSignature(0, 7, 8), [Note(60, 0, 7 * E)], [Fraction(7, 2)]),
            (TimeSignature(0, 7, 8), [Note(60, 0, 4 * E), Note(62, 4 * E, 3 * E)], [2, 1.5]),
            (TimeSignature(0, 6, 8), [Note(60, 0, 6 * E)], [3]),
            # 4/4: a quarter on the off-beat, a half on beat 2: read as they are.
            (TimeSignature(0, 4, 4), [Note(60, 0, E), Note(62, E, P), Note(64, 3 * E, E),
                                      Note(67, 2 * P, 2 * P)],
             [Fraction(1, 2), 1, Fraction(1, 2), 2]),
            (TimeSignature(0, 4, 4), [Note(60, 0, P), Note(62, P, 2 * P),
                                      Note(64, 3 * P, P)], [1, 2, 1])):
        notes_written = [w for w in written(musicxml_bytes(one_bar(meter, notes))[0])
                         if w[0] == "note"]
        assert [w[2] for w in notes_written] == lengths
        assert all(w[3] is None for w in notes_written)
    # 6/8: a quarter from the third eighth crosses the beat: two tied eighths.
    song = one_bar(TimeSignature(0, 6, 8), [Note(60, 2 * E, 2 * E)])
    assert [w for w in written(musicxml_bytes(song)[0]) if w[0] == "note"] == [
        ("note", 1, Fraction(1, 2), "start"), ("note", Fraction(3, 2), Fraction(1, 2), "stop")]


def test_every_note_reads_back_at_its_place_in_odd_and_compound_meters(tmp_path):
    # Syncopated lines over 11/8, 3+2+2/8, 6/8, 13/16 and 4/4 bars, a pickup before
    # them: music21 reads every note's head back at its place, and Partita every note
    # as it was, its tied pieces joined.
    meters = (TimeSignature(0, 1, 8), TimeSignature(E, 11, 8),
              TimeSignature(E + 11 * E, 7, 8, (3, 2, 2)), TimeSignature(E + 18 * E, 6, 8),
              TimeSignature(E + 24 * E, 13, 16), TimeSignature(E + 24 * E + 13 * S, 4, 4))
    end = E + 24 * E + 13 * S + 4 * P
    notes, at, i = [], 0, 0
    while at < end:
        length = (3 * E, E + S, 5 * E, S, 2 * E, 7 * S)[i % 6]
        notes.append(Note(60 + i % 12, at, min(length, end - at)))
        at += length + (S if i % 4 == 3 else 0)
        i += 1
    song = Song(tracks=(Track("Lead", program=81, notes=tuple(notes)),),
                time_signatures=meters)
    data, warned = musicxml_bytes(song)
    assert warned == []
    assert data.count(b'<tie type="start"') > 10  # over group lines, not only bar lines
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        part = music21.converter.parse(data, format="musicxml").parts[0]
    heads = [n for n in part.recurse().notes if n.tie is None or n.tie.type == "start"]
    assert [(Fraction(n.getOffsetInHierarchy(part)).limit_denominator(12), n.pitch.midi)
            for n in heads] == [(Fraction(n.start, P), n.pitch) for n in notes]
    save_song(song, tmp_path / "odd.musicxml")
    back = load_song(tmp_path / "odd.musicxml")
    assert timing(back) == timing(song)
    assert [s.meter for s in back.time_signatures] == [s.meter for s in meters]


def test_each_beat_is_written_on_one_grid_16ths_or_triplets(tmp_path):
    # A played flute line that mixes the grids within a beat: D5 starts on a triplet
    # and lasts a 16th; F5 starts on the beat and lasts a triplet 16th too long for a
    # 16th. Quantized start and length apart, beat 2 read "triplet-8th rest, D5 16th,
    # triplet-32nd rest, triplet-16th rest": every note now starts and ends on its
    # beat's one grid, and no value is shorter than a 16th.
    song = one_bar(TimeSignature(0, 4, 4), [
        Note(72, 0, P), Note(74, 4 * P // 3, S), Note(76, 2 * P, P),
        Note(77, 3 * P, P // 3), Note(79, 4 * P, 4 * P)])
    data, warned = musicxml_bytes(song)
    assert warned == []
    root = ET.fromstring(data)
    assert {n.findtext("type") for n in root.iter("note")} <= {
        "whole", "half", "quarter", "eighth", "16th"}
    bar = written(data)
    for beat in range(4):  # each beat's notes and rests: all on 16ths, or all on triplets
        edges = {edge for _, at, length, _ in bar if beat <= at < beat + 1
                 for edge in (at - beat, at + length - beat)}
        assert all((e * 4).denominator == 1 for e in edges) or \
            all((e * 3).denominator == 1 for e in edges), (beat, edges)
    third = Fraction(1, 3)
    assert [w for w in bar if w[0] == "note"] == [
        ("note", 0, 1, None), ("note", 1 + third, third, None), ("note", 2, 1, None),
        ("note", 3, third, None)]
    # Every note reads back where it was written.
    save_song(song, tmp_path / "grid.musicxml")
    assert timing(load_song(tmp_path / "grid.musicxml")) == [
        (72, 0, P), (74, 4 * P // 3, P // 3), (76, 2 * P, P), (77, 3 * P, P // 3),
        (79, 4 * P, 4 * P)]


def test_a_note_crossing_from_a_beat_of_16ths_into_one_of_triplets_is_tied_at_the_beat():
    # From beat 1's off-beat to beat 2's second triplet: an eighth tied to a triplet
    # quarter, not a note of 7/6 of a quarter written as an eighth and triplet bits.
    song = one_bar(TimeSignature(0, 4, 4), [
        Note(60, 0, E), Note(62, E, E + 2 * P // 3), Note(64, P + 2 * P // 3, P // 3),
        Note(65, 2 * P, 2 * P)])
    notes = [w for w in written(musicxml_bytes(song)[0]) if w[0] == "note"]
    assert notes[1:3] == [("note", Fraction(1, 2), Fraction(1, 2), "start"),
                          ("note", 1, Fraction(2, 3), "stop")]


def test_a_note_from_a_16th_off_beat_is_tied_at_the_next_beat(tmp_path):
    # As Behind Bars sets it, at the 16th level the beat stays seen: G4 a 16th, then F4
    # for a dotted quarter from the "e" of beat 1 is a dotted 8th tied to a dotted 8th
    # (a dotted quarter hid beat 2); from the "a", a 16th tied on.
    four = one_bar(TimeSignature(0, 4, 4), [Note(67, 0, S), Note(65, S, 3 * E),
                                           Note(64, 2 * P, P)])
    assert [w for w in written(musicxml_bytes(four)[0]) if w[0] == "note"] == [
        ("note", 0, Fraction(1, 4), None),
        ("note", Fraction(1, 4), Fraction(3, 4), "start"),
        ("note", 1, Fraction(3, 4), "stop"),
        ("note", 2, 1, None)]
    late = one_bar(TimeSignature(0, 4, 4), [Note(67, 0, 3 * S), Note(65, 3 * S, 3 * S)])
    assert [w for w in written(musicxml_bytes(late)[0]) if w[0] == "note"][1:] == [
        ("note", Fraction(3, 4), Fraction(1, 4), "start"),
        ("note", 1, Fraction(1, 2), "stop")]
    # 3/4, 2/2 and 5/4: a half from the second 16th is tied at the next beat too.
    for meter in ((3, 4), (2, 2), (5, 4)):
        song = one_bar(TimeSignature(0, *meter), [Note(65, 0, S), Note(69, S, 2 * P)])
        pieces = [w for w in written(musicxml_bytes(song)[0]) if w[0] == "note"]
        assert pieces[1] == ("note", Fraction(1, 4), Fraction(3, 4), "start"), meter
        assert [w[3] for w in pieces[2:]][-1] == "stop", meter
        assert sum(w[2] for w in pieces[1:]) == 2, meter
    # An 8th-level syncopation stays one note (8-4-8), and each reads back as one.
    eighth = one_bar(TimeSignature(0, 4, 4), [Note(60, 0, E), Note(62, E, P),
                                             Note(64, 3 * E, E), Note(65, 2 * P, 2 * P)])
    assert [w[3] for w in written(musicxml_bytes(eighth)[0]) if w[0] == "note"] == [None] * 4
    for song in (four, late, eighth):
        save_song(song, tmp_path / "tied.musicxml")
        assert timing(load_song(tmp_path / "tied.musicxml")) == timing(song)


def test_a_syncopation_no_one_value_says_is_written_short_value_first(tmp_path):
    """A choir director's QA: an alto's C#4 from the "and" of 1 to the end of a 3/4 bar
    was written as a half from off the beat tied to an eighth; a copyist writes
    eighth~half, tied at the beat, the short value first."""
    song = one_bar(TimeSignature(0, 3, 4), [Note(60, 0, E), Note(61, E, 5 * E)])
    assert [w for w in written(musicxml_bytes(song)[0]) if w[0] == "note"] == [
        ("note", 0, Fraction(1, 2), None),
        ("note", Fraction(1, 2), Fraction(1, 2), "start"),
        ("note", 1, 2, "stop")]
    # 2/4 and 4/4 too: from the "and" of 1, an eighth tied to what is left (a dotted
    # quarter's 1.5 and 4/4's off-beat dotted quarter to the middle are one value: kept).
    two = one_bar(TimeSignature(0, 2, 4), [Note(60, 0, E), Note(61, E, 3 * E)])
    assert [w[2] for w in written(musicxml_bytes(two)[0]) if w[0] == "note"] == [
        Fraction(1, 2), Fraction(3, 2)]
    five = one_bar(TimeSignature(0, 5, 4), [Note(60, 0, E), Note(61, E, 9 * E)])
    assert [w[2] for w in written(musicxml_bytes(five)[0]) if w[0] == "note"] == [
        Fraction(1, 2), Fraction(1, 2), 4]
    for s in (song, two, five):
        save_song(s, tmp_path / "sync.musicxml")
        assert timing(load_song(tmp_path / "sync.musicxml")) == timing(s)
