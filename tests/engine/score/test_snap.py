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


def test_snapping_lands_on_the_drawn_lines_and_snapping_again_stays():
    """At any PPQ (100, 256, 25, 7) and grid, a line a note snaps to is a line the roll
    draws, and a tick on a line stays there: floor once fell back a whole 85⅓ step."""
    from engine.score.snap import SNAPS, grid_ticks

    for ppq in (7, 25, 100, 256, 480, 1000):
        tm = TimeMap.of(Song(ppq=ppq, time_signatures=(TimeSignature(0, 4, 4),
                                                       TimeSignature(4 * ppq * 4, 7, 8))))
        for snap in (s for s in SNAPS if s.division > 0):
            lines = set()
            for bar in range(6):
                start = tm.bar_to_tick(bar)
                lines |= set(grid_ticks(snap, tm, start, tm.bar_to_tick(bar + 1)))
                lines.add(tm.bar_to_tick(bar + 1))
            for tick in range(0, tm.bar_to_tick(6), max(1, ppq // 50)):
                floor = snap_tick(snap, tm, tick, "floor")
                assert floor <= tick and floor in lines, (ppq, snap.name, tick)
                assert snap_tick(snap, tm, floor, "floor") == floor
                assert snap_tick(snap, tm, tick) in lines, (ppq, snap.name, tick)


def test_a_grid_step_is_measured_between_drawn_lines():
    """Nudging by → five times at 256 PPQ, 1/8T went 1194, 1279 … (whole 85s) past the
    lines 1195, 1280 …; a note off the grid keeps its place against it."""
    from engine.score.snap import grid_shift, grid_ticks

    tm = TimeMap.of(Song(ppq=256))
    eighth_t = snap_by_name("1/8T")
    lines = set(grid_ticks(eighth_t, tm, 0, 1024)) | set(grid_ticks(eighth_t, tm, 1024, 2048))
    tick = 1109
    for _ in range(5):
        tick += grid_shift(eighth_t, tm, tick, 1)
        assert tick in lines
    assert tick == 1536
    assert grid_shift(eighth_t, tm, 1536, -1) == 1451 - 1536
    assert grid_shift(eighth_t, tm, 90, 1) == 171 - 85  # 5 ticks after a line: still so
    assert grid_shift(snap_by_name("Bar"), tm, 100, 1) == 1024


def test_quantize_never_ends_a_note_past_the_last_bar_line():
    from engine.score import quantize_notes

    ppq, bars = 480, 8
    last = bars * 4 * ppq
    late = Note(72, last - ppq - 30, ppq + 30)  # a little early, ending on the bar line
    song = Song(tracks=(Track("Lead", notes=(Note(60, 0, 480), late)),))
    tm = TimeMap.of(song)
    edit = quantize_notes(song.tracks[0].id, song.tracks[0].notes, ppq,
                          line=quantize_line(snap_by_name("1/4"), tm, song.end),
                          end_limit=last)
    after = edit.apply(song)
    moved = max(after.tracks[0].notes, key=lambda n: n.start)
    assert moved.start == last - ppq and moved.end == last
    assert TimeMap.of(after).whole_bars(after.end) == bars


def test_a_step_right_then_left_comes_back_in_odd_meters_and_after_a_pickup():
    from engine.score.snap import SNAPS, grid_shift, grid_ticks

    songs = (Song(time_signatures=(TimeSignature(0, 7, 8),)),
             Song(time_signatures=(TimeSignature(0, 3, 8), TimeSignature(720, 4, 4))),
             Song(ppq=256, time_signatures=(TimeSignature(0, 4, 4),)))
    for song in songs:
        tm = TimeMap.of(song)
        for snap in (s for s in SNAPS if s.division > 0):
            lines = sorted({t for bar in range(4) for t in grid_ticks(
                snap, tm, tm.bar_to_tick(bar), tm.bar_to_tick(bar + 1))})
            for i, tick in enumerate(lines[:-1]):
                ahead = tick + grid_shift(snap, tm, tick, 1)
                assert ahead == lines[i + 1], (snap.name, tick)  # no line skipped
                assert ahead + grid_shift(snap, tm, ahead, -1) == tick
    tm = TimeMap.of(songs[0])
    assert grid_shift(snap_by_name("1/4"), tm, 1680, -1) == 1440 - 1680  # 7/8: not 960


def test_lengths_are_named_as_musicians_name_them():
    from engine.score.snap import note_value_name

    names = [note_value_name(t, 480) for t in (1920, 720, 160, 840, 3840, 600, 62400, 37)]
    assert names == ["whole", "dotted 1/4", "1/8 triplet", "double dotted 1/4",
                     "2 whole notes", "1.25 beats", "130 beats", "37 ticks"]
    assert note_value_name(64, 96) == "1/4 triplet"  # at any PPQ



def _old_duplicate_shift(snap, tm, start: int, end: int) -> int:
    """Duplicate's search before grid_shift_past: k = 1, 2, 3 … steps, each call walking
    its k lines (quadratic: 3.3 s for a 64-bar selection)."""
    from engine.score.snap import grid_shift

    k = 1
    while start + grid_shift(snap, tm, start, k) < end:
        k += 1
    return grid_shift(snap, tm, start, k)


def test_the_fewest_grid_steps_past_a_span_are_the_old_searchs():
    import random

    from engine.score import TempoChange
    from engine.score.snap import SNAPS, grid_shift_past

    songs = (
        Song(time_signatures=(TimeSignature(0, 7, 8),)),
        Song(time_signatures=(TimeSignature(0, 3, 8), TimeSignature(720, 4, 4))),  # pickup
        Song(time_signatures=(TimeSignature(0, 1, 4), TimeSignature(480, 6, 8),
                              TimeSignature(480 + 2 * 1440, 5, 4))),
        Song(ppq=256, tempos=(TempoChange(0, 500_000), TempoChange(2048, 400_000)),
             time_signatures=(TimeSignature(0, 4, 4), TimeSignature(2048, 3, 4),
                              TimeSignature(2048 + 768, 7, 8, (2, 2, 3)))),
        Song(time_signatures=(TimeSignature(0, 4, 4), TimeSignature(2400, 3, 4))),  # cut short
    )
    rng = random.Random(7)
    for song in songs:
        tm = TimeMap.of(song)
        span = tm.bar_to_tick(6)
        for snap in SNAPS:
            for _ in range(15):  # up to a bar or so: the old search is slow past that
                start = rng.randrange(span)
                end = start + rng.choice((1, rng.randrange(1, song.ppq),
                                          rng.randrange(1, 5 * song.ppq)))
                assert grid_shift_past(snap, tm, start, end) == _old_duplicate_shift(
                    snap, tm, start, end), (snap.name, start, end)
            for bar in range(5):  # spans from a bar line to a bar line, or a beat
                start = tm.bar_to_tick(bar)
                for end in (tm.bar_to_tick(bar + 1), tm.bar_to_tick(bar + 1) - 1,
                            start + song.ppq):
                    assert grid_shift_past(snap, tm, start, end) == _old_duplicate_shift(
                        snap, tm, start, end), (snap.name, start, end)


def test_the_steps_past_a_200_bar_span_are_not_walked_one_by_one(monkeypatch):
    # Ctrl+D on a 200-bar selection blocked the studio 33 s: the search called grid_shift
    # for k = 1 … 3,200 sixteenths, each walking its k lines (5 million steps).
    from engine.score import snap as module
    from engine.score.snap import grid_shift_past

    walked = []
    step = module._next_line
    monkeypatch.setattr(module, "_next_line", lambda *a: walked.append(a) or step(*a))
    tm = TimeMap.of(Song(time_signatures=(TimeSignature(0, 4, 4), TimeSignature(1920, 3, 4))))
    end = tm.bar_to_tick(200) - 10  # the last note ends just before the bar line
    for name in ("1/16", "1/8T", "1/32"):
        walked.clear()
        assert grid_shift_past(snap_by_name(name), tm, 0, end) == tm.bar_to_tick(200)
        assert len(walked) <= 1
