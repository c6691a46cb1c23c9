"""Fixtures for the render tests: a small song and a General MIDI SoundFont."""

from pathlib import Path

import pytest

from engine.render.soundfont import STANDARD_LOCATIONS, tinysoundfont_available
from engine.score import DRUM_CHANNEL, Note, Song, TempoChange, Track

BAR = 4 * 480


def small_song(tempo_change: bool = True) -> Song:
    """Two bars at 120 BPM then 90 BPM: piano, bass, drums, one note at the start of bar 2."""
    tempos = (TempoChange(0, 500_000),) + ((TempoChange(BAR // 2, 666_667),) if tempo_change
                                           else ())
    piano = Track("Piano", 0, notes=(Note(60, BAR, 480, 100), Note(64, BAR, 480, 90)))
    bass = Track("Bass", 33, notes=(Note(40, 0, 960, 100),))
    drums = Track("Drums", 0, True, DRUM_CHANNEL, notes=tuple(
        Note(k, i * 240, 60, 110) for i, k in enumerate((36, 42, 38, 42, 36, 42, 38, 46))))
    return Song(tracks=(piano, bass, drums), tempos=tempos)


@pytest.fixture
def song() -> Song:
    return small_song()


@pytest.fixture(scope="session")
def soundfont() -> Path:
    """A General MIDI SoundFont, the small one when both are installed."""
    if not tinysoundfont_available():
        pytest.skip("tinysoundfont is not installed")
    for path in sorted(STANDARD_LOCATIONS, key=lambda p: "TimGM" not in p.name):
        if path.is_file():
            return path
    pytest.skip("no General MIDI SoundFont installed")
