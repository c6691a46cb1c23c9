"""Markers locked to their time: a tempo edit moves the bars under a film's hit point,
not the hit point; an unlocked marker moves with its bar. Each in the edit's undo step."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.io.project import song_from_json, song_to_json
from engine.score import (
    Marker,
    Note,
    Song,
    TempoChange,
    TimeMap,
    Track,
    delete_bars,
    insert_bars,
    remove_tempo_change,
    set_song_props,
    set_tempo_at,
    set_time_from_bar,
)
from engine.score.pickup import set_opening_time

Q = 480
BAR = 4 * Q
HIT = 5 * BAR + Q + 222  # 6.2.222: 10.731 s at 120 BPM
AT = HIT / Q / 2


def song() -> Song:
    """20 bars of 4/4 at 120 BPM, a hit point locked to its time and a section marker
    on the same tick, tied to its bar."""
    return Song(ppq=Q, length=20 * BAR,
                markers=(Marker(HIT, "Hit", AT), Marker(HIT, "Verse")))


def seconds(s: Song, text: str) -> float:
    [m] = [m for m in s.markers if m.text == text]
    return TimeMap.of(s).tick_to_seconds(m.tick)


def position(s: Song, text: str) -> str:
    [m] = [m for m in s.markers if m.text == text]
    return TimeMap.of(s).format_position(m.tick)


@pytest.mark.parametrize("edit", [
    lambda s: set_time_from_bar(s, 4, bpm=110),  # bar 5 at 110 BPM: Ctrl+K
    lambda s: set_time_from_bar(s, 0, bpm=96.5),  # the song's first tempo
    lambda s: set_tempo_at(s, 4 * BAR + 2 * Q, 78),  # a beat's tempo, before the hit
    lambda s: set_opening_time(s, 0, bpm=140),
])
def test_a_tempo_edit_keeps_a_locked_markers_time_and_moves_an_unlocked_one_with_its_bar(
        edit):
    before = song()
    e = edit(before)
    after = e.apply(before)
    assert after.tempos != before.tempos
    assert seconds(after, "Hit") == pytest.approx(seconds(before, "Hit"), abs=0.001)
    assert position(after, "Hit") != position(before, "Hit")
    assert position(after, "Verse") == "6.2.222"  # where it was in the music
    assert e.inverse().apply(after) == before  # undo restores the markers exactly
    assert [m.tick for m in after.markers] == sorted(m.tick for m in after.markers)


def test_removing_a_tempo_change_keeps_a_locked_markers_time():
    slower = set_time_from_bar(song(), 4, bpm=80).apply(song())
    e = remove_tempo_change(slower, 4 * BAR)
    after = e.apply(slower)
    assert seconds(after, "Hit") == pytest.approx(seconds(slower, "Hit"), abs=0.001)
    assert e.inverse().apply(after) == slower


def test_many_tempo_edits_keep_a_locked_marker_within_a_millisecond():
    s = song()
    at = seconds(s, "Hit")
    for bpm in (110, 97.3, 131, 60, 120, 88.8, 150, 72):
        s = set_time_from_bar(s, 3, bpm=bpm).apply(s)
    assert seconds(s, "Hit") == pytest.approx(at, abs=0.001)
    # Its time is kept, not rounded edit by edit: back at 120 BPM, it is where it was.
    s = set_time_from_bar(s, 3, bpm=120).apply(s)
    assert s == song()


def test_a_tempo_after_a_locked_marker_leaves_it_where_it_was():
    e = set_time_from_bar(song(), 10, bpm=60)
    assert dict(e.after).keys() == {"tempos"}  # no markers change in the undo step


def test_inserted_and_deleted_bars_leave_a_locked_marker_at_its_time():
    s = replace(song(), tempos=(TempoChange(0, 500_000), TempoChange(8 * BAR, 600_000)))
    inserted = insert_bars(s, 2, 2)
    after = inserted.apply(s)
    assert seconds(after, "Hit") == pytest.approx(seconds(s, "Hit"), abs=0.001)
    assert position(after, "Verse") == "8.2.222"  # moved with the music
    assert inserted.inverse().apply(after) == s
    # A locked marker in deleted bars is the picture's: it stays, at its time.
    deleted = delete_bars(s, 4, 3)
    after = deleted.apply(s)
    assert [m.text for m in after.markers] == ["Hit"]
    assert seconds(after, "Hit") == pytest.approx(seconds(s, "Hit"), abs=0.001)
    assert deleted.inverse().apply(after) == s


def test_a_markers_only_edit_keeps_their_ticks():
    s = song()
    renamed = (Marker(HIT, "Hit 2", AT), Marker(HIT, "Verse"))
    assert set_song_props(s, markers=renamed).apply(s).markers == renamed


def test_the_lock_is_kept_by_a_project_and_old_files_load_unlocked():
    doc = song_to_json(song())
    assert doc["markers"] == [{"tick": HIT, "text": "Hit", "seconds": AT},
                              {"tick": HIT, "text": "Verse"}]  # as before when unlocked
    assert song_from_json(doc) == song()
    del doc["markers"][0]["seconds"]
    assert not song_from_json(doc).markers[0].locked


def test_a_slower_tempo_pushing_a_hit_past_the_music_lengthens_the_song_to_it(tmp_path):
    from engine.io import load_song, save_song
    from engine.score import Note, Track, markers_pushed_past_music

    # Two bars of music and a hit on the last note's end (4 s); locked, then twice as fast.
    song = Song((Track(notes=(Note(60, 0, 2 * BAR),)),), ppq=Q,
                markers=(Marker(2 * BAR, "Hit", seconds=4.0), Marker(BAR, "Bar 2")))
    faster = set_tempo_at(song, 0, 240).apply(song)
    hit = next(m for m in faster.markers if m.text == "Hit")
    assert hit.tick == 4 * BAR and faster.notes_end == 2 * BAR  # the bars moved under it
    assert faster.end == 4 * BAR  # the song runs on to the hit, past its last note
    assert TimeMap.of(faster).tick_to_seconds(faster.end) == pytest.approx(4.0)
    assert markers_pushed_past_music(song, faster) == [hit]  # said; "Bar 2" moved with it
    assert markers_pushed_past_music(faster, faster) == []  # said once, by the edit
    # A MIDI file of it says the same length as the project.
    path = tmp_path / "cue.mid"
    save_song(faster, path)
    assert load_song(path).end == faster.end


def test_a_section_marker_past_the_notes_does_not_lengthen_the_song():
    """Only a hit point locked to its time does: the benchmark's demo cropped to 16 bars
    kept its "Outro" marker at bar 29 and its 16-bar regenerate ran over 29 bars."""
    notes = (Note(60, 0, 480),)
    song = Song(tracks=(Track("Piano", notes=notes),), markers=(Marker(9600, "Outro"),))
    assert song.end == 480
    locked = replace(song, markers=(Marker(9600, "Hit", 10.0),))
    assert locked.end == 9600
