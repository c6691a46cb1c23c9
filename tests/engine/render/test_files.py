"""Stem file names: numbered in track order, unique, safe on every file system."""

from engine.render.files import stem_names
from engine.score import Song, Track


def test_stem_names_are_numbered_safe_and_unique():
    tracks = (Track("Piano"), Track("Piano"), Track('Lead: "A/B" <1>?'), Track("  ..."),
              Track("", is_drum=True, channel=9), Track("Bass."))
    names = list(stem_names(Song(tracks=tracks)).values())
    assert names == ["01 - Piano.wav", "02 - Piano.wav", "03 - Lead_ _A_B_ _1_.wav",
                     "04 - Acoustic Grand Piano.wav", "05 - Drum Kit.wav", "06 - Bass.wav"]


def test_many_tracks_get_wider_numbers():
    names = list(stem_names(Song(tracks=tuple(Track(f"T{i}") for i in range(120)))).values())
    assert names[0] == "001 - T0.wav" and names[-1] == "120 - T119.wav"
