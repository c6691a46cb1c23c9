"""Snapping to the grid: lines counted from each bar line, exact at any PPQ."""

from __future__ import annotations

from engine.score import Note, Song, TimeMap, TimeSignature, Track
from engine.score.snap import quantize_line, snap_by_name, snap_tick


def test_triplet_lines_stay_on_the_beat_at_a_ppq_not_divisible_by_3():
    tm = TimeMap.of(Song(ppq=256))  # an eighth triplet is 85⅓ ticks
    eighth_t = snap_by_name("1/8T")
    assert [snap_tick(eighth_t, tm, t) for t in (765, 768, 86, 170, 1023)] == [
        768, 768, 85, 171, 1024]  # beat 4 stays on beat 4; lines round to whole ticks
    assert snap_tick(eighth_t, tm, 767, "floor") == 683


def test_quantizing_never_moves_a_note_past_the_songs_last_bar():
    song = Song(time_signatures=(TimeSignature(0, 7, 8),),
                tracks=(Track("Bass", notes=(Note(40, 0, 240), Note(40, 3 * 1680 + 1500, 100))),))
    tm = TimeMap.of(song)
    line = quantize_line(snap_by_name("Bar"), tm, song.end)
    assert tm.whole_bars(song.end) == 4
    assert line(3 * 1680 + 1500) == 3 * 1680  # not 4 * 1680, a fifth bar
    assert line(1500) == 1680  # elsewhere the nearest line, the next bar's too
