"""Quantize with swing (an MPC's swing, Logic's Q-Swing) and a strength: the swung lines,
the notes' ends, undo, and the groove module reading the swing written back as the same amount."""

from __future__ import annotations

import random

import pytest

from engine.models.groove import song_grooves
from engine.score import (
    Mask,
    Note,
    Region,
    Song,
    TimeMap,
    TimeSignature,
    Track,
    quantize_notes,
    swing_notes,
)
from engine.score.grid_fit import grid_fit
from engine.score.snap import check_swing, quantize_line, snap_by_name, step_at

Q = 480


def played(step: int, count: int, ppq: int = Q, pitch=lambda i: 60 + i % 5,
           seed: int = 1) -> Track:
    """``count`` notes a ``step`` apart, each up to a 16th's sixth early or late."""
    rng = random.Random(seed)
    jitter = ppq // 24
    return Track("Keys", notes=tuple(
        Note(pitch(i), max(0, i * step + rng.randint(-jitter, jitter)), step * 3 // 4)
        for i in range(count)))


def swung(song: Song, grid: str, swing: float) -> Song:
    """``song``'s first track quantized to ``grid`` with ``swing``, as the studio and the
    command line do it (lines from each bar line)."""
    track, tm, snap = song.tracks[0], TimeMap.of(song), snap_by_name(grid)
    edit = swing_notes(track.id, track.notes, step_at(snap, tm, 0), swing,
                       line=quantize_line(snap, tm, song.end, swing),
                       end_limit=tm.whole_bars_end(song.end))
    return edit.apply(song)


def starts(song: Song) -> list[int]:
    return sorted(n.start for n in song.tracks[0].notes)


def test_every_second_line_moves_later_by_the_swing():
    eighths = Song(tracks=(played(Q // 2, 16),))
    assert starts(swung(eighths, "1/8", 0.62))[:4] == [0, 298, 480, 778]
    assert starts(swung(eighths, "1/8", 2 / 3))[:4] == [0, 320, 480, 800]  # 2:1, triplets
    assert starts(swung(eighths, "1/8", 0.75))[:4] == [0, 360, 480, 840]  # dotted 8th + 16th
    assert starts(swung(eighths, "1/8", 0.5)) == starts(
        quantize_notes(eighths.tracks[0].id, eighths.tracks[0].notes, Q // 2).apply(eighths))
    sixteenths = Song(tracks=(played(Q // 4, 16),))
    assert starts(swung(sixteenths, "1/16", 0.62))[:5] == [0, 149, 240, 389, 480]


def test_lines_count_from_each_bar_so_an_odd_meter_and_a_pickup_swing_on_the_beat():
    # 7/8: the bar's 7th 8th is on its own line and the next bar starts straight.
    seven = Song(time_signatures=(TimeSignature(0, 7, 8),),
                 tracks=(played(Q // 2, 14),))
    assert starts(swung(seven, "1/8", 2 / 3)) == [
        0, 320, 480, 800, 960, 1280, 1440,
        1680, 2000, 2160, 2480, 2640, 2960, 3120]
    # An 8th pickup is the "and" of 4: swung, as the full bar's last 8th.
    pickup = Song(time_signatures=(TimeSignature(0, 1, 8), TimeSignature(240, 4, 4)),
                  tracks=(Track("Lead", notes=(Note(67, 10, 200), Note(69, 250, 200),
                                               Note(71, 470, 200))),))
    assert TimeMap.of(pickup).pickup_shift(0) > 0
    assert starts(swung(pickup, "1/8", 2 / 3)) == [80, 240, 560]


def test_swinging_twice_or_after_a_different_swing_lands_on_the_swing_asked():
    song = Song(tracks=(played(Q // 2, 32),))
    once = swung(song, "1/8", 0.62)
    assert starts(swung(once, "1/8", 0.62)) == starts(once)  # Q twice: nothing moves
    assert starts(swung(once, "1/8", 2 / 3)) == starts(swung(song, "1/8", 2 / 3))
    assert starts(swung(once, "1/8", 0.5)) == starts(swung(song, "1/8", 0.5))


def test_lengths_are_kept_but_a_note_ends_where_the_next_of_its_pitch_starts():
    notes = (Note(60, 5, 240), Note(60, 235, 240), Note(64, 480, 240), Note(64, 700, 100))
    edit = swing_notes(1, notes, 240, 2 / 3)
    after = {n.id: (n.start, n.duration) for n in edit.added}
    assert [after[n.id] for n in notes] == [
        (0, 240),  # straight 8th: kept, the next C4 is at 320
        (320, 240),  # swung, its length kept: it ends past the beat, no C4 there
        (480, 240),  # cut: the next E4 swung to 800 starts after it ends
        (800, 100)]
    clipped = swing_notes(1, (Note(60, 0, 400), Note(60, 250, 200)), 240, 2 / 3)
    assert [(n.start, n.duration) for n in clipped.added] == [(0, 320), (320, 200)]
    assert clipped.label == "Quantize 2 notes with 66.7 % swing"


def test_hits_swung_onto_one_line_are_one_note_once_committed():
    """A 32nd hat roll swung to 1/16 at 60 %: the swing leaves the two hits that land on
    one line both whole (ending at the next hit's line would leave nothing), and
    make_room, through which the studio's and the command line's quantize are committed,
    makes them one, the longer kept, none zero-length."""
    from engine.score.overlaps import make_room

    roll = (Note(42, 120, 20, 80), Note(42, 150, 40, 100), Note(42, 240, 20, 90))
    song = Song(tracks=(Track("Hats", notes=roll),))
    tid = song.tracks[0].id
    edit = swing_notes(tid, roll, 120, 0.6)
    assert sorted((n.start, n.duration) for n in edit.added) == [(144, 20), (144, 40),
                                                                 (240, 20)]
    settled, trimmed = make_room(song, edit)
    assert trimmed == 1
    notes = settled.apply(song).tracks[0].notes
    assert [(n.start, n.duration, n.velocity) for n in notes] == [(144, 40, 100),
                                                                  (240, 20, 90)]


def test_the_edit_is_undone_exactly():
    song = Song(tracks=(played(Q // 4, 64),))
    track = song.tracks[0]
    edit = swing_notes(track.id, track.notes, Q // 4, 0.6)
    after = edit.apply(song)
    assert after != song
    assert edit.inverse().apply(after) == song
    assert [n.id for n in after.tracks[0].notes] != [] and \
        {n.id for n in after.tracks[0].notes} == {n.id for n in track.notes}


def test_no_note_is_swung_past_the_songs_last_bar():
    song = Song(tracks=(Track("Keys", notes=(Note(60, 0, 480), Note(62, 1900, 20))),))
    after = swung(song, "1/8", 0.75)
    assert starts(after) == [0, 1800]  # not 1920: the song stays one bar long
    assert TimeMap.of(after).whole_bars(after.end) == 1


@pytest.mark.parametrize(("swing", "grid"), [(0.4, "1/8"), (0.76, "1/8"), (0.62, "1/4"),
                                             (0.62, "1/8T"), (0.62, "Bar")])
def test_a_swing_outside_50_to_75_percent_or_off_8ths_and_16ths_is_refused(swing, grid):
    with pytest.raises(ValueError, match="swing"):
        check_swing(snap_by_name(grid), swing)
    with pytest.raises(ValueError, match="swing"):
        quantize_line(snap_by_name(grid), TimeMap.of(Song()), 1920, swing)


def test_a_strength_moves_each_note_that_share_of_the_way_to_its_line():
    """A pianist's played 8ths at 50 % strength (Logic's Q-Strength): each onset halfway
    to its line, straight or swung, so the played feel is kept in part."""
    notes = (Note(60, 30, 200), Note(62, 210, 200), Note(64, 520, 200), Note(65, 700, 200))
    half = quantize_notes(1, notes, 240, strength=0.5)
    assert [n.start for n in half.added] == [15, 225, 500, 710]  # lines 0 240 480 720
    assert half.label == "Quantize 4 notes at 50 %"
    swung_half = swing_notes(1, notes, 240, 2 / 3, strength=0.5)
    # The swung lines: 0, 320, 480, 800.
    assert [n.start for n in swung_half.added] == [15, 265, 500, 750]
    assert [n.duration for n in swung_half.added] == [200] * 4  # lengths as at 100 %
    assert swung_half.label == "Quantize 4 notes with 66.7 % swing at 50 %"
    full = swing_notes(1, notes, 240, 2 / 3)
    assert [n.start for n in full.added] == [0, 320, 480, 800]
    assert full.label == "Quantize 4 notes with 66.7 % swing"  # 100 %: not said


def test_a_swung_strength_still_ends_a_note_where_the_next_of_its_pitch_starts():
    notes = (Note(60, 0, 400), Note(60, 250, 200))
    edit = swing_notes(1, notes, 240, 2 / 3, strength=0.5)
    assert [(n.start, n.duration) for n in edit.added] == [(0, 285), (285, 200)]


@pytest.mark.parametrize("strength", [0, -0.5, 1.5, float("nan")])
def test_a_strength_outside_0_to_100_percent_is_refused(strength):
    notes = (Note(60, 30, 200),)
    with pytest.raises(ValueError, match="strength"):
        quantize_notes(1, notes, 240, strength=strength)
    with pytest.raises(ValueError, match="strength"):
        swing_notes(1, notes, 240, 0.6, strength=strength)


# What the groove module (the model's takes) and grid_fit (info, the studio) read of a
# swing written so. They read a position as swung from 1/8 of a 16th off its line, and a
# late off-beat 8th past the 4th 16th's line as swung 8ths down to 1/4 of a 16th before
# it (groove.EIGHTH_SWING_EARLY): 8th swing reads back from 54 % to 68 %, 16th swing from
# 57 % to 73 %. Outside, straight (a lighter swing) or the notes of a dotted rhythm.
@pytest.mark.parametrize("ppq", [Q, 96])
@pytest.mark.parametrize(("grid", "swing"), [
    ("1/8", 0.54), ("1/8", 0.58), ("1/8", 0.62), ("1/8", 2 / 3), ("1/8", 0.68),
    ("1/16", 0.58), ("1/16", 0.62), ("1/16", 2 / 3), ("1/16", 0.72)])
def test_the_groove_reads_the_swing_written_back_as_the_same_amount(ppq, grid, swing):
    step = ppq // 2 if grid == "1/8" else ppq // 4
    song = Song(ppq=ppq, tracks=(played(step, 8 * 4 * ppq // step, ppq),))
    after = swung(song, grid, swing)
    track = after.tracks[0]
    (groove,) = song_grooves(after, Mask.of(Region(frozenset({track.id}), 0,
                                                   after.end))).values()
    timing = grid_fit(after).by_id[track.id]
    assert timing.swing == groove.offsets  # the two readings agree
    if grid == "1/8":
        assert groove.offsets[0] == groove.offsets[1] == groove.offsets[3] == 0
        read = (ppq / 2 + groove.offsets[2]) / ppq
        assert timing.feel == "swung 8ths"
    else:
        assert groove.offsets[0] == groove.offsets[2] == 0
        assert groove.offsets[1] == groove.offsets[3]
        read = (ppq / 4 + groove.offsets[1]) / (ppq / 2)
        assert timing.feel == "swung 16ths"
    assert abs(read - swing) <= 0.5 / step  # within the half tick a line rounds to
    assert len(timing.swung) == len(track.notes) // 2  # every second note, no other kind
