"""Editing in mixed meters: quantize, nudge, duplicate, snap and the click count from each
bar line, whatever the bars' lengths (7/8 in quarters, pickups, bars cut short)."""

from __future__ import annotations

from itertools import pairwise

import pytest

from engine.render.clicks import with_metronome
from engine.score import Note, Song, TimeMap, TimeSignature, Track, add_notes
from engine.score.snap import snap_by_name, snap_tick

# 4/4 × 2, 3/4 × 2, 6/8 × 2, 7/8 × 2, 5/4 × 2 at 480 PPQ.
BARS = (0, 1920, 3840, 5280, 6720, 8160, 9600, 11280, 12960, 15360)
METERS = (TimeSignature(0, 4, 4), TimeSignature(3840, 3, 4), TimeSignature(6720, 6, 8),
          TimeSignature(9600, 7, 8), TimeSignature(12960, 5, 4))


def mixed_song() -> Song:
    bass = Track("Bass", 33, channel=1, notes=tuple(Note(40, b, 240) for b in BARS))
    return Song(tracks=(bass,), ppq=480, time_signatures=METERS, length=17760)


@pytest.fixture
def mixed(window):
    window.set_song(mixed_song())
    window.selection.set_tracks([window.document.song.tracks[0].id])
    return window


def starts(win) -> list[int]:
    return [n.start for n in win.document.song.tracks[0].notes]


def select(win, ticks) -> None:
    track = win.document.song.tracks[0]
    win.selection.set_notes((track.id, n.id) for n in track.notes if n.start in ticks)


def test_the_mixed_song_has_the_bars_a_musician_counts():
    tm = TimeMap.of(mixed_song())
    assert [tm.bar_to_tick(b) for b in range(10)] == list(BARS)


@pytest.mark.parametrize("snap", ["Bar", "1/2", "1/4", "1/8", "1/16", "1/4T", "Off"])
def test_quantize_leaves_downbeats_on_their_downbeats(mixed, snap):
    mixed.pianoroll.set_snap(snap_by_name(snap))
    mixed.quantize()
    assert starts(mixed) == list(BARS)


def test_quantize_pulls_a_note_to_the_nearest_line_of_its_own_bar(mixed):
    track = mixed.document.song.tracks[0]
    late = Note(50, 11200, 60)  # 7/8 bar 8 ends at 12960; bar 8 itself starts at 11280
    mixed.document.apply(add_notes(track.id, [late, Note(52, 11290, 60)]))
    select(mixed, {11200, 11290})
    mixed.pianoroll.set_snap(snap_by_name("1/4"))
    mixed.quantize()
    notes = {n.pitch: n.start for n in mixed.document.song.tracks[0].notes if n.pitch != 40}
    assert notes == {50: 11280, 52: 11280}  # the bar line, 80 ticks away, not 11040


def test_nudging_a_bar_lands_on_the_same_beat_of_the_bar_before_or_after(mixed):
    def moved(start: int, direction: int) -> int:
        track = mixed.document.song.tracks[0]
        note = next(n for n in track.notes if n.start == start)
        select(mixed, {start})
        mixed.nudge(direction, bar=True)
        after = next(n for n in mixed.document.song.tracks[0].notes if n.id == note.id)
        mixed.document.undo_stack.undo()
        return after.start

    assert moved(3840, -1) == 1920  # 3/4 bar 3 → 4/4 bar 2
    assert moved(12960, -1) == 11280  # 5/4 bar 9 → 7/8 bar 8, not two bars back
    assert moved(1920, 1) == 3840 and moved(5280, 1) == 6720
    assert moved(0, -1) == 0  # nothing before bar 1


def test_duplicating_whole_bars_puts_the_copy_on_the_next_free_downbeat(mixed):
    select(mixed, {1920, 3840})  # bars 2 (4/4) and 3 (3/4): 3,360 ticks, not two 4/4 bars
    mixed.pianoroll.set_snap(snap_by_name("Bar"))
    mixed.duplicate()
    # On bar 4's downbeat (5280), where the copy of bar 2's note takes the place of the
    # note of its pitch already there (one sounding note per pitch), and bar 3's after it.
    copies = sorted(n.start for n in mixed.document.song.tracks[0].notes
                    if (mixed.document.song.tracks[0].id, n.id) in mixed.selection.notes)
    assert copies == [5280, 7200] and starts(mixed).count(5280) == 1


def test_snap_takes_the_next_bar_line_when_it_is_nearer():
    tm = TimeMap.of(mixed_song())
    quarter, bar = snap_by_name("1/4"), snap_by_name("Bar")
    assert snap_tick(quarter, tm, 11200) == 11280 and snap_tick(quarter, tm, 11170) == 11280
    assert snap_tick(quarter, tm, 10900) == 11040  # the nearer of the two
    assert snap_tick(quarter, tm, 10700) == 10560  # still the quarter inside the 7/8 bar
    # A bar cut short by a meter change mid-bar (4/4, then 3/4 at 2400): bar 2 is 480 long.
    short = TimeMap(480, Song().tempos, (TimeSignature(0, 4, 4), TimeSignature(2400, 3, 4)))
    assert snap_tick(bar, short, 2350) == 2400 and snap_tick(bar, short, 2000) == 1920
    assert snap_tick(quarter, tm, 11200, "floor") == 11040


def test_the_click_counts_compound_meters_in_dotted_beats_and_short_bars_short():
    song = mixed_song()
    click = with_metronome(song).tracks[-1]
    six = [(n.start, n.pitch) for n in click.notes if 6720 <= n.start < 9600]
    assert six == [(6720, 76), (7440, 77), (8160, 76), (8880, 77)]  # two beats a bar
    seven = [(n.start, n.pitch) for n in click.notes if 9600 <= n.start < 11280]
    assert seven == [(9600, 76), (10080, 77), (10560, 77)]  # 2+2+3 eighths
    short = Song(ppq=480, time_signatures=(TimeSignature(0, 4, 4), TimeSignature(2400, 3, 4)),
                 length=3840)
    ticks = [n.start for n in with_metronome(short).tracks[-1].notes]
    assert ticks[:6] == [0, 480, 960, 1440, 1920, 2400]  # bar 2 (480 long) clicks once
    assert len(ticks) == len(set(ticks))  # no tick clicks twice
    # A pickup (1/4, then 4/4) is the last beat of a bar: a low click, the downbeat after.
    pickup = Song(ppq=480, time_signatures=(TimeSignature(0, 1, 4), TimeSignature(480, 4, 4)),
                  length=2400)
    clicks = [(n.start, n.pitch) for n in with_metronome(pickup).tracks[-1].notes][:3]
    assert clicks == [(0, 77), (480, 76), (960, 77)]


def test_the_piano_roll_draws_6_8_in_dotted_beats_with_eighths_between(qapp):
    from studio.pianoroll.gridlines import grid_lines
    from studio.pianoroll.viewport import Viewport

    tm = TimeMap.of(mixed_song())
    vp = Viewport(480)
    vp.width, vp.left, vp.px_per_beat = 2000, 6720.0, 96.0  # bar 5 (6/8) and on
    lines = grid_lines(tm, vp, snap_by_name("1/8"))
    ticks = [round(vp.left + x / vp.px_per_tick) for x in lines.beats]
    assert ticks[:3] == [7440, 8880, 10080]  # bar 5's and 6's second dotted beat, 7/8's 2+2
    subs = [round(vp.left + x / vp.px_per_tick) for x in lines.subs]
    assert [t for t in subs if t < 8160] == [6960, 7200, 7680, 7920]  # the other eighths


KALAMATIANOS = Song(ppq=480, time_signatures=(TimeSignature(0, 7, 8, (3, 2, 2)),),
                   length=2 * 1680)


def test_the_click_counts_a_grouped_meter_as_grouped():
    clicks = [(n.start, n.pitch) for n in with_metronome(KALAMATIANOS).tracks[-1].notes]
    assert clicks[:3] == [(0, 76), (720, 77), (1200, 77)]  # eighths 0, 3, 5: 3+2+2
    assert clicks[3] == (1680, 76)


def test_the_piano_roll_draws_a_grouped_meters_beats_on_its_groups(qapp):
    from studio.pianoroll.gridlines import grid_lines
    from studio.pianoroll.viewport import Viewport

    vp = Viewport(480)
    vp.width, vp.left, vp.px_per_beat = 2000, 0.0, 96.0
    lines = grid_lines(TimeMap.of(KALAMATIANOS), vp, snap_by_name("1/8"))
    ticks = [round(vp.left + x / vp.px_per_tick) for x in lines.beats]
    assert ticks[:4] == [720, 1200, 1680 + 720, 1680 + 1200]
    subs = [round(vp.left + x / vp.px_per_tick) for x in lines.subs]
    assert [t for t in subs if t < 1680] == [240, 480, 960, 1440]  # the other eighths


def test_a_short_pickup_at_the_left_edge_does_not_thin_the_bar_lines(qapp):
    from studio.pianoroll.gridlines import grid_lines
    from studio.pianoroll.viewport import Viewport

    song = Song(ppq=480, time_signatures=(TimeSignature(0, 1, 4), TimeSignature(480, 4, 4)),
                length=480 + 40 * 1920)
    tm = TimeMap.of(song)
    vp = Viewport(480)
    vp.width, vp.left, vp.px_per_beat = 1200, 0.0, 12.0  # 48 px a 4/4 bar
    lines = grid_lines(tm, vp, snap_by_name("1/4"))
    assert lines.label_every == 1
    assert [bar for _, bar in lines.bars[:4]] == [0, 1, 2, 3] and lines.beats


def test_a_mask_click_in_an_eighth_note_pickup_stops_at_its_bar_line():
    from studio.mask.tool import snap_span

    tm = TimeMap(480, Song().tempos, (TimeSignature(0, 4, 4), TimeSignature(240, 4, 4)))
    assert snap_span(tm, 100, 100, bars=False) == (0, 240)  # not bar 2's downbeat
    assert snap_span(tm, 300, 300, bars=False) == (240, 720)


def test_a_pickup_shorter_than_a_beat_plays_with_the_click_and_snaps_on_its_beats():
    jig = Song(ppq=480, time_signatures=(TimeSignature(0, 1, 8), TimeSignature(240, 6, 8)),
               length=240 + 2 * 1440)
    clicks = [n.start for n in with_metronome(jig).tracks[-1].notes]
    assert clicks[:2] == [240, 960]  # no beat in the eighth pickup: the first bar's two
    # A dotted-quarter pickup (4/4 restated at 720): its quarter lines are the full bar's.
    tm = TimeMap(480, Song().tempos, (TimeSignature(0, 4, 4), TimeSignature(720, 4, 4)))
    quarter = snap_by_name("1/4")
    assert snap_tick(quarter, tm, 200) == 240 and snap_tick(quarter, tm, 600) == 720
    assert snap_tick(quarter, tm, 100) == 0  # the pickup's own start is a line too


def test_the_ruler_numbers_every_bar_beside_a_short_pickup(qapp):
    from studio.pianoroll.ruler import bar_label_rects

    tm = TimeMap(480, (), (TimeSignature(0, 1, 4), TimeSignature(480, 4, 4)))
    bars = [(0.0, 0), (12.0, 1)] + [(12.0 + 48 * k, 1 + k) for k in range(1, 10)]
    labels = [text for _rect, text in bar_label_rects(bars, lambda t: 7.0 * len(t),
                                                      tm.bar_number)]
    # The pickup is bar 0, as in a score; its "0" would touch the first full bar's "1",
    # so it gives way: the first full bar is always named, and every bar after it.
    assert labels[:5] == ["1", "2", "3", "4", "5"]
    wide = [(0.0, 0), (40.0, 1)] + [(40.0 + 160 * k, 1 + k) for k in range(1, 10)]
    labels = [text for _rect, text in bar_label_rects(wide, lambda t: 7.0 * len(t),
                                                      tm.bar_number)]
    assert labels[:3] == ["0", "1", "2"]  # with room for both


def test_duplicating_a_200_bar_selection_does_not_walk_the_grid_step_by_step(
        window, monkeypatch):
    # Ctrl+D on a whole 200-bar song blocked the studio 33 s: the search for the copy's
    # place called grid_shift for k = 1, 2 … 3,200 sixteenths, each walking k lines.
    from engine.score import snap as module

    walked = []
    step = module._next_line

    def counted(*args):
        walked.append(args)
        assert len(walked) <= 10, "the grid walked line by line"
        return step(*args)

    bars = 200
    tm = TimeMap.of(Song(time_signatures=METERS))
    notes = tuple(Note(40 + b % 12, tm.bar_to_tick(b), 470) for b in range(bars))
    window.set_song(Song(tracks=(Track("Bass", 33, channel=1, notes=notes),), ppq=480,
                         time_signatures=METERS))
    window.selection.set_tracks([window.document.song.tracks[0].id])
    window.select_all()
    window.pianoroll.set_snap(snap_by_name("1/16"))
    monkeypatch.setattr(module, "_next_line", counted)
    window.duplicate()
    assert len(walked) <= 1
    copies = [window.document.song.tracks[0].note_by_id(nid) for _, nid in window.selection.notes]
    assert sorted(n.start for n in copies) == [tm.bar_to_tick(bars - 1) + 480 + n.start
                                               for n in notes]


@pytest.mark.parametrize("ticks", [
    BARS,  # a note on every downbeat: one clip
    (0, 1919, 3840 + 1439, 6720, 8160 - 1, 12960, 15360),  # last ticks of bars, gaps
    (9600 + 240, 11280 + 1, 15360 + 2399),  # inside 7/8 bars and the last 5/4 bar
    (0, 12960 + 2400 * 1000, 12960 + 2400 * 1001),  # two notes a thousand bars away
])
def test_the_arrangements_clips_cover_the_bars_whose_notes_start_there(ticks):
    from studio.arrangement import clips

    song = mixed_song()
    tm = TimeMap.of(song)
    track = Track("Piano", 0, notes=tuple(Note(60, t, 1) for t in ticks))
    bars = {tm.tick_to_bar(t) for t in ticks}
    covered = {b for first, last in clips(track, tm) for b in range(first, last)}
    assert covered == bars
    runs = clips(track, tm)
    assert all(a[1] < b[0] for a, b in pairwise(runs))  # separate runs
    assert clips(Track("Empty", 0), tm) == []


def test_a_note_ringing_on_is_inside_its_clip():
    # Prog QA: a closing chord held over the next bars was drawn outside its clip.
    from studio.arrangement import clips

    tm = TimeMap.of(Song())
    held = Track("Piano", 0, notes=(Note(60, 0, 480), Note(64, 3 * 1920, 3 * 1920 + 10),
                                    Note(67, 20 * 1920, 0)))  # a silent one: its bar
    assert clips(held, tm) == [(0, 1), (3, 7), (20, 21)]
