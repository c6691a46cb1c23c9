"""Tempo marks from a song's tempo map (the MusicXML export's): a gradual change written as
"rit." or "accel." between two marks, not one mark per tempo change; a tempo that holds a
mark of its own."""

from __future__ import annotations

import mido

from engine.io import read_midi
from engine.io.tempo_marks import TempoMark, tempo_marks
from engine.score import Song, TempoChange, TimeMap, TimeSignature

P = 480
BAR = 4 * P
TM = TimeMap.of(Song(time_signatures=(TimeSignature(0, 4, 4),)))


def tempo(tick: int, bpm: float) -> TempoChange:
    return TempoChange(tick, round(mido.bpm2tempo(bpm)))


def written(marks: list[TempoMark]) -> list[tuple[int, int, str]]:
    return [(m.tick, m.shown, m.words) for m in marks if m.written]


def test_a_ritardando_is_a_mark_and_rit_where_it_starts_and_a_mark_where_it_settles():
    # 120 for four bars, then a beat at a time 2 slower down to 100, held; 120 again later.
    ramp = [tempo(4 * BAR + i * P, 118 - 2 * i) for i in range(10)]
    tempos = [tempo(0, 120), *ramp, tempo(8 * BAR, 120)]
    marks = tempo_marks(tempos, TM)
    assert written(marks) == [(0, 120, ""), (4 * BAR, 118, "rit."), (4 * BAR + 9 * P, 100, ""),
                              (8 * BAR, 120, "a tempo")]
    # The steps between are heard, not printed: every change is there, exactly.
    assert [(m.tick, m.bpm) for m in marks] == [(t.tick, t.bpm) for t in tempos]


def test_an_accelerando_and_a_ramp_that_turns_back():
    up = [tempo(BAR + i * P // 2, 100 + 3.3 * i) for i in range(7)]  # eighths apart
    down = [tempo(BAR + 3 * P + i * P, 119.8 - 5 * i) for i in range(1, 5)]
    marks = tempo_marks([tempo(0, 100), *up, *down], TM)
    # 100 restated where the ramp starts is no change; 119.8 prints as 120, and the
    # ramp down starts at the mark where the one up settles.
    assert written(marks) == [(0, 100, ""), (BAR + P // 2, 103, "accel."),
                              (BAR + 3 * P, 120, "rit."), (BAR + 7 * P, 100, "")]


def test_steady_tempos_and_single_steps_are_marks_of_their_own():
    # Held a bar or more each, even moving the same way: three marks, no ramp.
    bars = [tempo(0, 100), tempo(BAR, 96), tempo(3 * BAR, 92)]
    assert written(tempo_marks(bars, TM)) == [(0, 100, ""), (BAR, 96, ""), (3 * BAR, 92, "")]
    # One quick change (91 for a beat, then 96) is a new tempo, not a ramp; nor is a
    # tempo that wavers up and down.
    assert written(tempo_marks([tempo(0, 91), tempo(P, 96)], TM)) == [(0, 91, ""),
                                                                      (P, 96, "")]
    wavers = [tempo(i * P, 100 + 4 * (i % 2)) for i in range(4)]
    assert [m.words for m in tempo_marks(wavers, TM)] == ["", "", "", ""]
    assert tempo_marks([], TM) == []


def test_a_real_files_tempo_ramps(real_dir):
    # openmsx-2: 65 tempo changes — 120, an accelerando a quarter-beat at a time to 150,
    # and a ritardando back to 120 near the end.
    song = read_midi(real_dir / "openmsx-2.mid")
    assert len(song.tempos) == 65
    marks = tempo_marks(song.tempos, TimeMap.of(song))
    assert [(m.tick / song.ppq, m.shown, m.words) for m in marks if m.written] == [
        (0, 120, ""), (80.25, 121, "accel."), (88, 150, ""), (208.25, 149, "rit."),
        (216, 120, "")]
    # freedink-3: a written-out rit. (94, 92, 90, 88) and then the tempo before it.
    song = read_midi(real_dir / "freedink-3.mid")
    shown = [(m.tick / song.ppq, m.shown, m.words)
             for m in tempo_marks(song.tempos, TimeMap.of(song)) if m.written]
    assert shown[2:5] == [(130.5, 94, "rit."), (133.5, 88, ""), (136, 96, "a tempo")]
