"""Harmonize's chorale voices: the voice each part plays, whatever it is named."""

from __future__ import annotations

from engine.score import Song, Track
from engine.score.instruments import part_range
from engine.score.satb import harmonized_voices, voiced


def quartet(*parts: tuple[str, int]) -> Song:
    return Song(tracks=tuple(Track(name, program=program) for name, program in parts))


def test_harmonizes_instrument_named_parts_play_alto_tenor_and_bass():
    song = quartet(("Violin I", 40), ("Violin II", 40), ("Viola", 41), ("Cello", 42))
    ids = [t.id for t in song.tracks]
    assert harmonized_voices(song) == {ids[1]: "Alto", ids[2]: "Tenor", ids[3]: "Bass"}
    read = voiced(song)
    assert [t.name for t in read.tracks] == ["Violin I", "Alto", "Tenor", "Bass"]
    assert [t.id for t in read.tracks] == ids
    # The Violin II keeps to an alto's G3–D5, not the violin's G3–A7.
    assert part_range(read.tracks[1].name, 40) == (55, 74)
    assert [t.name for t in song.tracks][1:] == ["Violin II", "Viola", "Cello"]  # unchanged
    sax = quartet(("Alto Sax", 65), ("Alto Sax 2", 65), ("Tenor Sax", 66),
                  ("Baritone Sax", 67))
    assert list(harmonized_voices(sax).values()) == ["Alto", "Tenor", "Bass"]
    fiddle = quartet(("Fiddle", 110), ("violin", 40), ("Viola", 41), ("cello ", 42))
    assert list(harmonized_voices(fiddle).values()) == ["Alto", "Tenor", "Bass"]


def test_a_quartet_of_your_own_keeps_its_instruments_ranges():
    """Only the song harmonize leaves — the melody, then its three parts in order, on
    their instruments and under their names — is read by voices."""
    for song in (
        quartet(("1st Violin", 40), ("2nd Violin", 40), ("Viola", 41), ("Cello", 42)),
        quartet(("Violin", 40), ("Viola", 41), ("Violin II", 40), ("Cello", 42)),
        quartet(("Violin", 40), ("Violin II", 40), ("Viola", 41), ("Cello", 43)),
        quartet(("Violin", 40), ("Violin II", 40), ("Viola", 41), ("Cello", 42),
                ("Piano", 0)),
        quartet(("Violin II", 40), ("Viola", 41), ("Cello", 42)),
        # Named as voices already: read so by their names.
        quartet(("Soprano", 52), ("Alto", 52), ("Tenor", 52), ("Bass", 52)),
    ):
        assert harmonized_voices(song) == {}, [t.name for t in song.tracks]
        assert voiced(song) is song
