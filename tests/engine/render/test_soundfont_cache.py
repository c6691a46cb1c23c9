"""Loaded SoundFonts are kept per sample rate: an export at 48 kHz no longer evicts the
studio's playback synth (the first Play after it loaded FluidR3 again, ~0.5 s of GIL)."""

from collections import OrderedDict

import numpy as np
import pytest

from engine.render import render_files
from engine.render import soundfont as sf_module
from engine.render.soundfont import SoundFontSynth

from .conftest import small_song


@pytest.fixture
def loads(monkeypatch):
    """The file loads made (path, sample rate), from an empty cache."""
    monkeypatch.setattr(sf_module, "_cached", OrderedDict())
    made: list[tuple[str, int]] = []
    real = sf_module._load

    def load(path, sample_rate):
        made.append((path.name, sample_rate))
        return real(path, sample_rate)

    monkeypatch.setattr(sf_module, "_load", load)
    return made


def test_an_export_at_another_rate_keeps_the_playback_synth(soundfont, loads, tmp_path):
    song = small_song()
    play = SoundFontSynth(soundfont, 44100)
    play.render_track(song, song.tracks[0])
    render_files(song, tmp_path / "mix.wav", sample_rate=48000, soundfont=soundfont)
    play.render_track(song, song.tracks[0])  # the next Play
    # Loaded once: the 48 kHz synth shares the loaded font's samples.
    assert loads == [(soundfont.name, 44100)]
    assert [k[2] for k in sf_module._cached] == [48000, 44100]


def test_a_synth_sharing_a_loaded_font_plays_as_one_loaded_at_its_rate(soundfont, loads):
    song = small_song()
    SoundFontSynth(soundfont, 22050).check()
    shared = SoundFontSynth(soundfont, 16000)
    tracks = [shared.render_track(song, t) for t in song.tracks]
    assert len(loads) == 1
    sf_module._cached.clear()
    alone = [shared.render_track(song, t) for t in song.tracks]  # the file loaded at 16 kHz
    assert loads == [(soundfont.name, 22050), (soundfont.name, 16000)]
    assert all(np.array_equal(a, b) for a, b in zip(tracks, alone, strict=True))


def test_two_synths_are_kept_the_least_recently_used_goes(soundfont, loads):
    for rate in (44100, 48000, 44100, 96000):  # 48 kHz is now the one used longest ago
        SoundFontSynth(soundfont, rate).check()
    assert [k[2] for k in sf_module._cached] == [44100, 96000]
    assert sf_module.CACHE_SIZE == 2 and len(loads) == 1
    sf_module._cached.clear()  # nothing left to share: the file is loaded again
    SoundFontSynth(soundfont, 48000).check()
    assert loads[-1] == (soundfont.name, 48000)


def test_without_copies_in_the_binding_the_file_is_loaded_again(soundfont, loads, monkeypatch):
    monkeypatch.setattr(sf_module, "_synth_sharing", lambda loaded, rate: None)
    SoundFontSynth(soundfont, 44100).check()
    SoundFontSynth(soundfont, 48000).check()
    assert loads == [(soundfont.name, 44100), (soundfont.name, 48000)]
    assert len(sf_module._cached) == 2
