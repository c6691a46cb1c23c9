"""A score's articulations and slurs (``Note.articulations``, ``Note.slurs``): kept from
MusicXML import through the project file and edits, written back by the export, and
played — a staccato note half its written length in the render and the MIDI export, an
accent louder (a copyist's QA: a round trip through Partita lost every dot, accent and
slur, and playback held staccato notes their whole written length)."""

from __future__ import annotations

import re
import warnings

import mido
import pytest

from engine.io import load_project, read_musicxml_with_report, save_project, write_midi
from engine.io.musicxml import musicxml_bytes
from engine.io.project import project_from_bytes
from engine.render.events import note_spans
from engine.render.progressive import bake_sustain
from engine.score import Note, Song, Track
from engine.score.articulations import performed, sounding
from engine.score.edits import duplicate_notes, join_notes, move_notes, split_notes

music21 = pytest.importorskip("music21")
from music21 import articulations, chord, meter, note, spanner, stream, tie  # noqa: E402

Q = 480
MARKS = ["staccato", "staccatissimo", "accent", "strong-accent", "tenuto", "detached-legato"]


def _score() -> stream.Score:
    """Bar 1: C D E F, each with one articulation, a slur from C to E; bar 2: a G–B
    chord with a tenuto and A with a detached-legato, under a slur to a half note B tied
    into bar 3 (the slur ends on the tie's last piece); bar 3 also has a slur over one
    D tied into bar 4 alone (a slur as some editors write a tie: no slur is left)."""
    part = stream.Part()
    m1, m2, m3, m4 = (stream.Measure(number=i) for i in (1, 2, 3, 4))
    m1.timeSignature = meter.TimeSignature("4/4")
    kinds = (articulations.Staccato, articulations.Staccatissimo, articulations.Accent,
             articulations.StrongAccent)
    bar1 = []
    for name, kind in zip(("C4", "D4", "E4", "F4"), kinds, strict=True):
        n = note.Note(name, quarterLength=1)
        n.articulations.append(kind())
        m1.append(n)
        bar1.append(n)
    g_b = chord.Chord(["G4", "B4"], quarterLength=1)
    g_b.articulations.append(articulations.Tenuto())
    a = note.Note("A4", quarterLength=1)
    a.articulations.append(articulations.DetachedLegato())
    b1 = note.Note("B4", quarterLength=2)
    b1.tie = tie.Tie("start")
    m2.append([g_b, a, b1])
    b2 = note.Note("B4", quarterLength=1)
    b2.tie = tie.Tie("stop")
    d1, d2 = note.Note("D5", quarterLength=2), note.Note("D5", quarterLength=1)
    d1.tie, d2.tie = tie.Tie("start"), tie.Tie("stop")
    m3.append([b2, note.Note("A4", quarterLength=0.5), note.Note("G4", quarterLength=0.5),
               d1])
    m4.append([d2, note.Rest(quarterLength=3)])
    part.append([m1, m2, m3, m4])
    part.insert(0, spanner.Slur(bar1[0], bar1[2]))
    part.insert(0, spanner.Slur(g_b, b2))
    part.insert(0, spanner.Slur(d1, d2))
    score = stream.Score()
    score.insert(0, part)
    return score


def _marks(track: Track) -> list[tuple[int, int, list[str], tuple]]:
    return [(n.start, n.pitch, sorted(n.articulations), n.slurs) for n in track.notes]


EXPECTED = [
    (0, 60, ["staccato"], (("start", 1),)),
    (Q, 62, ["staccatissimo"], ()),
    (2 * Q, 64, ["accent"], (("stop", 1),)),
    (3 * Q, 65, ["strong-accent"], ()),
    (4 * Q, 67, ["tenuto"], ()),  # a chord's articulation on each of its notes
    (4 * Q, 71, ["tenuto"], (("start", 2),)),  # its slur on the top note
    (5 * Q, 69, ["detached-legato"], ()),
    (6 * Q, 71, [], (("stop", 2),)),  # the tied B, three quarters: the slur's end
    (9 * Q, 69, [], ()),
    (9 * Q + Q // 2, 67, [], ()),
    (10 * Q, 74, [], ()),  # tied into bar 4 under its own slur: none left
]


@pytest.fixture
def scored(tmp_path):
    path = tmp_path / "articulations.musicxml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _score().write("musicxml", fp=str(path))
    return path


def test_musicxml_keeps_each_articulation_and_slur_and_writes_them_back(scored, tmp_path):
    song, report = read_musicxml_with_report(scored)
    melody = song.tracks[0]
    assert _marks(melody) == EXPECTED
    assert melody.notes[7].duration == melody.notes[-1].duration == 3 * Q  # ties: one note
    assert not any("articulation" in line for line in report.approximated)
    xml = musicxml_bytes(song)[0].decode()
    written = re.findall(r"<(staccato|staccatissimo|accent|strong-accent|tenuto|"
                         r"detached-legato)\b", xml)
    assert sorted(written) == sorted(MARKS)  # the chord's tenuto once
    assert len(re.findall(r'<slur [^>]*type="start"', xml)) == 2
    assert len(re.findall(r'<slur [^>]*type="stop"', xml)) == 2
    out = tmp_path / "again.musicxml"
    out.write_text(xml)
    again = read_musicxml_with_report(out)[0].tracks[0]
    assert [(s, p, a, tuple(k for k, _ in sl)) for s, p, a, sl in _marks(again)] == [
        (s, p, a, tuple(k for k, _ in sl)) for s, p, a, sl in EXPECTED]
    # paired as they were: each start with the stop of its number, later
    opened = {num: start for start, _, _, slurs in _marks(again)
              for kind, num in slurs if kind == "start"}
    assert sorted((opened[num], stop) for stop, _, _, slurs in _marks(again)
                  for kind, num in slurs if kind == "stop") == [(0, 2 * Q), (4 * Q, 6 * Q)]


def test_other_articulations_are_said_not_kept(tmp_path):
    n = note.Note("C4", quarterLength=4)
    n.articulations.append(articulations.Spiccato())
    n.articulations.append(articulations.Staccato())
    m = stream.Measure(number=1)
    m.append(n)
    part = stream.Part()
    part.append(m)
    path = tmp_path / "spiccato.musicxml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stream.Score([part]).write("musicxml", fp=str(path))
    song, report = read_musicxml_with_report(path)
    assert song.tracks[0].notes[0].articulations == {"staccato"}
    assert any(line.startswith("1 articulation not kept (spiccato)")
               for line in report.approximated)


def test_a_dynamics_accent_is_not_written_twice_over_the_notes_own():
    """The export writes an accent on a loud short note (its velocity): on a note with
    an accent or a strong accent of its own, that one is all the score shows."""
    notes = ([Note(60 + i % 5, i * Q, Q, 80) for i in range(8)]
             + [Note(67, 8 * Q, Q // 2, 100, articulations={"accent"}),
                Note(65, 8 * Q + Q // 2, Q // 2, 80)]
             + [Note(64, 9 * Q + i * Q, Q, 80) for i in range(3)]
             + [Note(67, 12 * Q, Q // 2, 100, articulations={"strong-accent"}),
                Note(65, 12 * Q + Q // 2, Q // 2, 80)]
             + [Note(64, 13 * Q + i * Q, Q, 80) for i in range(3)])
    xml = musicxml_bytes(Song(tracks=(Track("Flute", program=73, notes=tuple(notes)),)))[0]
    assert re.findall(rb"<(accent|strong-accent)\b", xml) == [b"accent", b"strong-accent"]


def test_a_project_keeps_articulations_and_slurs_and_older_files_load_unchanged(
        scored, tmp_path):
    song = read_musicxml_with_report(scored)[0]
    path = tmp_path / "marked.partita"
    save_project(song, path)
    text = path.read_text()
    assert '"articulations"' in text and '"slurs"' in text
    assert _marks(load_project(path).song.tracks[0]) == EXPECTED
    old = (b'{"format": "partita", "version": 1, "song": {"ppq": 480, "tracks": '
           b'[{"notes": [[70, 0, 480, 90, 7]], "fermatas": [7]}]}}')
    plain = project_from_bytes(old).song.tracks[0].notes[0]
    assert (plain.articulations, plain.slurs, plain.fermata, plain.duration) == (
        frozenset(), (), True, 480)
    assert "articulations" not in save_and_read(project_from_bytes(old).song, tmp_path)
    # Only notation: a name this Partita does not know, a row that is not one, skipped.
    odd = old.replace(b'"fermatas"', b'"articulations": [[7, "staccato", "flageolet"], '
                                     b'["7"], 3], "slurs": [[7, "start", 1], [7, "begin", 2], '
                                     b'[7, "stop", 99]], "fermatas"')
    note_ = project_from_bytes(odd).song.tracks[0].notes[0]
    assert note_.articulations == {"staccato"} and note_.slurs == (("start", 1),)


def save_and_read(song: Song, tmp_path) -> str:
    path = tmp_path / "plain.partita"
    save_project(song, path)
    return path.read_text()


def test_the_midi_export_and_the_render_play_the_sounding_lengths(tmp_path):
    """A staccato quarter sounds an eighth, a staccatissimo a third of it, a tenuto all
    of it, an accent 20 % louder; the song keeps what is written."""
    notes = (Note(60, 0, Q, 80, articulations={"staccato"}),
             Note(62, Q, Q, 80, articulations={"staccatissimo"}),
             Note(64, 2 * Q, Q, 80, articulations={"tenuto"}),
             Note(65, 3 * Q, Q, 80, articulations={"accent"}),
             Note(67, 4 * Q, Q, 80, articulations={"strong-accent", "tenuto"}),
             Note(69, 5 * Q, Q, 80))
    song = Song(tracks=(Track("Violin", program=40, notes=notes),))
    path = tmp_path / "played.mid"
    write_midi(song, path)
    at, ons, played = 0, {}, []
    for msg in mido.MidiFile(path).tracks[1]:
        at += msg.time
        if msg.type == "note_on" and msg.velocity:
            ons[msg.note] = (at, msg.velocity)
        elif msg.type in ("note_off", "note_on"):
            start, velocity = ons.pop(msg.note)
            played.append((msg.note, start, at - start, velocity))
    assert played == [(60, 0, 240, 80), (62, Q, 160, 80), (64, 2 * Q, Q, 80),
                      (65, 3 * Q, Q, 96), (67, 4 * Q, Q, 96), (69, 5 * Q, Q, 80)]
    assert [n.duration for n in song.tracks[0].notes] == [Q] * 6  # written, kept
    spans = note_spans(song, song.tracks[0], 48_000)  # 120 BPM: a quarter is 24,000
    assert [s.off - s.on for s in spans] == [12_000, 8_000, 24_000, 24_000, 24_000, 24_000]
    assert [s.velocity for s in spans] == [80, 80, 80, 96, 96, 80]
    # Played once: the playback's baked song sounds the same, not shortened again.
    baked = bake_sustain(song)
    assert [(s.on, s.off, s.velocity) for s in note_spans(baked, baked.tracks[0], 48_000)] \
        == [(s.on, s.off, s.velocity) for s in spans]
    assert performed(performed(notes)) == performed(notes)
    assert sounding(Note(60, 0, 1, articulations={"staccatissimo"})) == (1, 96)


def test_edits_keep_the_marks_on_the_note():
    c = Note(60, 0, 2 * Q, articulations={"staccato", "accent"}, slurs=[("start", 1)])
    moved = move_notes(1, [c], Q, 2).added[0]
    assert moved.articulations == c.articulations and moved.slurs == c.slurs
    copy = duplicate_notes(1, [c], 4 * Q).added[0]
    assert copy.articulations == c.articulations and copy.slurs == c.slurs
    head, tail = sorted(split_notes(1, [c], Q).added, key=lambda n: n.start)
    assert (head.articulations, head.slurs) == (c.articulations, c.slurs)
    assert (tail.articulations, tail.slurs) == (frozenset(), ())  # on the attack only
    # A join of a run whose slur was over it alone leaves no slur.
    run = [Note(60, 0, Q, slurs=[("start", 2)]), Note(60, Q, Q, slurs=[("stop", 2)])]
    assert join_notes(1, run).added[0].slurs == ()
    with pytest.raises(ValueError, match="not one of"):
        Note(60, 0, Q, articulations={"flageolet"})
    with pytest.raises(ValueError, match="slur"):
        Note(60, 0, Q, slurs=[("begin", 1)])
