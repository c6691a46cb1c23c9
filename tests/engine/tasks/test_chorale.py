"""Four-part chorale writing: when a request is one (Auto then runs the chorale model)."""

from __future__ import annotations

from engine.score import Song, Track
from engine.tasks import writes_chorale_voices


def song_of(*names: str) -> Song:
    return Song(tuple(Track(name) for name in names))


def ids(song: Song, *names: str) -> list[int]:
    return [song.find_track(n).id for n in names]


def test_the_voices_of_a_chorale_are_chorale_writing():
    satb = song_of("Soprano", "Alto", "Tenor", "Bass")
    assert writes_chorale_voices(satb, ids(satb, "Alto"))
    # One other instrument and it is a song with a choir in it, not a chorale.
    band = song_of("Soprano", "Alto", "Tenor", "Bass", "Piano")
    assert not writes_chorale_voices(band, ids(band, "Alto"))


def test_alto_tenor_and_bass_added_under_a_lone_melody_are_chorale_writing():
    song = song_of("Violin", "Alto", "Tenor", "Bass")
    voices = ids(song, "Alto", "Tenor", "Bass")
    assert writes_chorale_voices(song, voices, ("Alto", "Tenor", "Bass"))
    assert not writes_chorale_voices(song, voices)  # the user's own tracks of those names
    assert not writes_chorale_voices(song_of("Violin", "Piano", "Bass"),
                                     [], ("Piano", "Bass"))
    # Under a melody with company, they are instruments the user asked for.
    crowd = song_of("Violin", "Drums", "Alto", "Tenor", "Bass")
    assert not writes_chorale_voices(crowd, ids(crowd, "Alto", "Tenor", "Bass"),
                                     ("Alto", "Tenor", "Bass"))


def test_a_violins_quartet_added_by_harmonize_is_chorale_writing():
    """Under a lone violin harmonize adds Violin II, Viola and Cello (named after their
    instruments): still its four-part voices."""
    song = Song((Track("Violin I", program=40), Track("Violin II", program=40),
                 Track("Viola", program=41), Track("Cello", program=42)))
    voices = ids(song, "Violin II", "Viola", "Cello")
    assert writes_chorale_voices(song, voices, ("Violin II", "Viola", "Cello"))
    assert not writes_chorale_voices(song, voices, ("Viola", "Cello", "Violin II"))
