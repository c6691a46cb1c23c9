"""Positions as a musician types them: bar.beat.tick or a time (Go To, --from-bar 6.3)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from engine.score import (
    Song,
    TempoChange,
    TimeMap,
    TimeSignature,
    beat_start,
    parse_go_to,
    parse_position,
    parse_seconds,
    position_text,
)

Q = 480


def cue() -> Song:
    """A 1/4 pickup, 4/4 bars 1–2, 7/8 from bar 3; 120 BPM, 60 from bar 2."""
    return Song((), ppq=Q, length=Q + 8 * Q + 7 * Q // 2,
                tempos=(TempoChange(0, 500_000), TempoChange(5 * Q, 1_000_000)),
                time_signatures=(TimeSignature(0, 1, 4), TimeSignature(Q, 4, 4),
                                 TimeSignature(9 * Q, 7, 8)))


def test_bar_beat_and_tick_as_the_read_out_shows_them():
    tm = TimeMap.of(cue())
    assert parse_position(tm, "0", 4) == 0  # the pickup
    assert parse_position(tm, "1", 4) == Q
    assert parse_position(tm, "1.3", 4) == 3 * Q
    assert parse_position(tm, "1.3.120", 4) == 3 * Q + 120
    assert parse_position(tm, "3.7", 4) == 9 * Q + 6 * Q // 2  # 7/8: beats are eighths
    assert parse_position(tm, " 2,2 ", 4) == 6 * Q  # a decimal comma separates too
    assert parse_position(tm, "4", 4) == tm.bar_to_tick(4)  # the song's end
    assert parse_position(tm, "4.1", 4) == tm.bar_to_tick(4)
    for text, why in (("0.2", "bar 0 (the pickup) has only beat 1"),
                      ("1.5", "bar 1 has beats 1–4"),
                      # A time typed without its "s": how to type it is said.
                      ("3.48", "bar 3 has beats 1–7; for a time, type 0:03.48 or 3.48s"),
                      ("2,9", "for a time, type 0:02,9 or 2,9s"),
                      # The song's end is a bar's downbeat: its beats are after the end.
                      ("4.2", "bar 4 is the song's end: type 4 for it, or a beat of bar 3"),
                      ("4.1.10", "bar 4 is the song's end"),
                      ("9", "bar 9 is not in the song (bars 0–3)"),
                      ("1.1.480", "ticks 0–479"), ("x", "give a bar")):
        with pytest.raises(ValueError, match=re.escape(why)):
            parse_position(tm, text, 4)


def test_times_as_a_clock_or_seconds_in_any_locale():
    assert parse_seconds("0:12.480") == pytest.approx(12.48)
    assert parse_seconds("0:12,480") == pytest.approx(12.48)
    assert parse_seconds("12.48s") == pytest.approx(12.48)
    assert parse_seconds("12,48 s") == pytest.approx(12.48)
    assert parse_seconds("1:02") == 62
    assert parse_seconds("1:00:05") == 3605
    assert parse_seconds("12") is None  # a bar
    assert parse_seconds("6.3") is None
    with pytest.raises(ValueError, match="59"):
        parse_seconds("1:75")


def test_go_to_reads_a_time_through_the_tempo_map_and_stops_at_the_end():
    song = cue()
    tm = TimeMap.of(song)
    bars = tm.whole_bars(song.end)
    assert parse_go_to(tm, "0:01", bars, song.end) == 2 * Q  # 120 BPM: two beats a second
    assert parse_go_to(tm, "3.5s", bars, song.end) == 5 * Q + Q  # 2.5 s to bar 2, then 60
    assert parse_go_to(tm, "2.2", bars, song.end) == 6 * Q
    with pytest.raises(ValueError, match="after the song's end"):
        parse_go_to(tm, "1:00", bars, song.end)
    # A last bar cut short (a song ending on bar 3's fifth eighth): the bar after it is
    # the end, not past it.
    short = replace(song, length=song.length - 2 * (Q // 2))
    tm = TimeMap.of(short)
    assert tm.whole_bars(short.end) == bars
    assert parse_go_to(tm, "4", bars, short.end) == short.end < tm.bar_to_tick(4)


def test_a_beats_start_and_its_shortest_text():
    tm = TimeMap.of(cue())
    assert beat_start(tm, 3 * Q + 200) == 3 * Q
    assert beat_start(tm, 9 * Q + 300) == 9 * Q + 240  # an eighth in 7/8
    assert position_text(tm, 3 * Q) == "1.3"
    assert position_text(tm, 3 * Q + 120) == "1.3.120"


def test_clock_text_reads_as_the_time_read_out():
    from engine.score import clock_text

    assert clock_text(12.48) == "0:12.480"
    assert clock_text(59.9996) == "1:00.000"  # not 0:60.000
    assert clock_text(754.0) == "12:34.000"


@pytest.mark.parametrize("seconds, text", [
    (0, "0 s"), (45.4, "45 s"), (200, "3 min 20 s"), (180, "3 min"), (12_000, "3 h 20 min"),
    (86_400, "1 day"), (16 * 86_400 + 4 * 3600 + 59, "16 days 4 h"),
    (10_046 * 86_400, "10,046 days"),
])
def test_a_long_time_is_said_to_two_units(seconds, text):
    from engine.score import duration_text

    assert duration_text(seconds) == text
