"""New songs from a template (File ▸ New): the tracks, programs, drum channel, length and
time a musician set up front — a 4-bar loop is 4 bars, not 8 with 4 silent in every stem."""

from __future__ import annotations

import pytest

from engine.io import load_song, save_song
from engine.score import DRUM_CHANNEL, TimeMap
from engine.tasks import TEMPLATES, SongSetup, TaskError, new_song


def line_up(song):
    return [(t.name, t.program, t.is_drum) for t in song.tracks]


@pytest.mark.parametrize(("template", "tracks"), [
    ("Piano", [("Piano", 0, False)]),
    ("Band", [("Drums", 0, True), ("Bass", 33, False), ("Piano", 0, False),
              ("Lead", 80, False)]),
    # an 808 (Synth Bass 1), Pad 2 (warm), Lead 1 (square)
    ("Beat", [("Drums", 0, True), ("808", 38, False), ("Pad", 89, False),
              ("Lead", 80, False)]),
    # all four on Choir Aahs: the Bass is sung, not a bass guitar
    ("Choir SATB", [("Soprano", 52, False), ("Alto", 52, False), ("Tenor", 52, False),
                    ("Bass", 52, False)]),
    ("String quartet", [("Violin I", 40, False), ("Violin II", 40, False),
                        ("Viola", 41, False), ("Cello", 42, False)]),
    ("Empty", []),
])
def test_each_template_starts_its_line_up(template, tracks):
    song = new_song(template)
    assert line_up(song) == tracks
    # the kit on the GM drum channel, every other part on a channel of its own
    pitched = [t.channel for t in song.tracks if not t.is_drum]
    assert all(t.channel == DRUM_CHANNEL for t in song.tracks if t.is_drum)
    assert len(set(pitched)) == len(pitched) and DRUM_CHANNEL not in pitched
    assert len({t.colour for t in song.tracks}) == len(song.tracks)
    assert all(not t.notes for t in song.tracks)


def test_every_template_offered_is_tested():
    assert list(TEMPLATES) == ["Piano", "Band", "Beat", "Choir SATB", "String quartet",
                               "Empty"]


def test_the_default_is_what_file_new_gave_before():
    song = new_song()
    (piano,) = song.tracks
    assert (piano.name, piano.program, piano.channel, piano.colour) == ("Piano", 0, 0,
                                                                       "#61afef")
    assert song.tempos[0].bpm == 120 and song.time_signatures[0].text == "4/4"
    assert song.key_signatures == () and song.title == ""
    assert song.length == 8 * 4 * song.ppq
    assert line_up(SongSetup().song()) == line_up(song)


def test_length_meter_tempo_key_and_title_are_the_ones_asked_for():
    song = new_song("Beat", bars=4, tempo=92.5, meter="3+2+2/8", key="a minor",
                    title="  Loop  ")
    tm = TimeMap.of(song)
    assert tm.tick_to_bar(song.length) == 4 and tm.bar_to_tick(4) == song.length
    assert song.length == 4 * 7 * song.ppq // 2  # four bars of 7/8
    assert song.time_signatures[0].groups == (3, 2, 2)
    assert round(song.tempos[0].bpm, 3) == 92.5
    assert [k.key for k in song.key_signatures] == ["Am"]
    assert song.title == "Loop"
    assert song.end == song.length  # the empty bars are the song's: export covers them


def test_a_meter_is_read_as_the_time_dialog_reads_it():
    assert new_song(meter="6/8").time_signatures[0].meter == (6, 8, ())
    assert new_song(meter=(7, 8, (2, 2, 3))).time_signatures[0].text == "7/8"
    assert new_song(meter="3/4", bars=2).length == 2 * 3 * 480


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"template": "Orchestra"}, "unknown template"),
    ({"bars": 0}, "1..999 bars"),
    ({"tempo": 2000}, "outside"),
    ({"meter": "four"}, "time signature like 3/4"),
    ({"meter": "4/3"}, "4/3"),
    ({"key": "H major"}, "H"),
])
def test_what_does_not_fit_is_said(kwargs, says):
    with pytest.raises(TaskError, match=says):
        new_song(**kwargs)


def test_a_template_is_named_in_any_case():
    assert line_up(new_song("string QUARTET")) == line_up(new_song("String quartet"))


def test_a_new_song_saves_and_reads_back_as_set_up(tmp_path):
    path = tmp_path / "loop.partita"
    save_song(new_song("Band", bars=4, tempo=90, meter="3/4", key="Eb", title="Loop"), path)
    back = load_song(path)
    assert line_up(back) == line_up(new_song("Band"))
    assert round(back.tempos[0].bpm, 3) == 90 and back.time_signatures[0].text == "3/4"
    assert back.key_signatures[0].key == "Eb" and back.title == "Loop"


@pytest.mark.parametrize("template", ["String quartet", "Band"])
def test_a_new_songs_empty_parts_survive_a_midi_file(tmp_path, template):
    path = tmp_path / "parts.mid"
    save_song(new_song(template), path)
    assert line_up(load_song(path)) == line_up(new_song(template))
