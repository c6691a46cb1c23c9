"""What a first-time user following the README met (a QA pass in the real studio): the
status bar's counts, the Save changes? box's keys, the Help menu, where Save As
suggests saving the shipped demo, the no-audio wording and settings kept from an earlier
session."""

from __future__ import annotations

from engine.io import save_song
from engine.score import Note, Song, Track


def test_opening_a_one_track_song_says_1_track(window, tmp_path):
    path = tmp_path / "mytune.partita"
    save_song(Song(tracks=(Track("Lead", notes=tuple(Note(60 + i, i * 480, 480)
                                                     for i in range(10))),)), path)
    assert window.open_path(path)
    assert "mytune.partita: 1 track, 10 notes" in window.statusBar().currentMessage()
