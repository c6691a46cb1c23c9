"""A song's bars: a note-off a few ticks past a bar line, or a note held past a set
length, does not make another bar (QA: a DAW's 4-bar MIDI loop rendered as 5 bars)."""

from engine.score import (
    Marker,
    Note,
    Song,
    TimeMap,
    TimeSignature,
    Track,
    bars_end,
    held_past,
    last_bar_line,
    song_bars,
)
from engine.score.bar_end import overhang_ticks

BAR = 4 * 480


def song_of(*notes: Note, length: int = 0, **kw) -> Song:
    return Song(tracks=(Track("Keys", 0, notes=notes),), length=length, **kw)


def test_a_note_off_a_few_ticks_past_the_last_bar_line_makes_no_bar():
    daw = song_of(Note(60, 3 * BAR, BAR + 5))  # a DAW's note-off 5 ticks after bar 4
    assert daw.end == 4 * BAR + 5
    assert song_bars(daw) == 4 and last_bar_line(daw) == 4 * BAR
    assert overhang_ticks(480) == 120  # a 16th
    assert song_bars(song_of(Note(60, 3 * BAR, BAR + 120))) == 4
    assert song_bars(song_of(Note(60, 3 * BAR, BAR + 121))) == 5  # longer than a 16th


def test_a_note_struck_in_a_bar_counts_it_however_short():
    assert song_bars(song_of(Note(60, 0, BAR), Note(62, BAR, 60))) == 2  # a 32nd on 2's beat
    assert song_bars(song_of(Note(60, 0, 5))) == 1


def test_the_overhang_is_measured_from_the_bar_line_in_each_meter():
    waltz = song_of(Note(60, 0, 3 * 480 + 30), time_signatures=(TimeSignature(0, 3, 4),))
    assert song_bars(waltz) == 1 and bars_end(waltz) == 3 * 480


def test_a_set_length_ends_at_its_bar_line_whatever_is_held_past_it():
    """QA: a note held past an 8-bar project's set length made its loop 10 bars."""
    pad = Note(64, 6 * BAR, 4 * BAR)  # bars 7-10
    song = song_of(Note(60, 0, BAR), pad, length=8 * BAR)
    assert song.end == 10 * BAR
    assert song_bars(song) == 8 and last_bar_line(song) == 8 * BAR
    assert held_past(song, 8 * BAR) == {song.tracks[0].id: 1}
    struck_after = song_of(Note(60, 0, BAR), Note(67, 8 * BAR + 480, 480), length=8 * BAR)
    assert song_bars(struck_after) == 9  # a note struck in bar 9 is bar 9's


def test_a_locked_marker_still_ends_the_song_where_it_is():
    song = song_of(Note(60, 0, BAR), markers=(Marker(5 * BAR + 10, "hit", seconds=10.5),))
    assert bars_end(song) == 5 * BAR + 10 and song_bars(song) == 6


def test_without_notes_a_song_has_no_bars_unless_it_has_a_length():
    assert song_bars(Song()) == 0 and last_bar_line(Song()) == 0
    assert song_bars(Song(length=8 * BAR)) == 8
    assert TimeMap.of(Song()).bar_count(bars_end(Song())) == 1
