"""The built-in synth's kit: every named drum has a voice of its own."""

from __future__ import annotations

import numpy as np

from engine.render.drums import _other, drum_sound
from engine.score.instruments import GM_DRUMS, drum_name

SR = 22050


def fallback(key: int) -> np.ndarray:
    """What a key without a voice plays: the click :func:`drum_sound` falls back to."""
    maker, length_s, _pan = _other(key)
    return maker(np.arange(int(length_s * SR)) / SR, SR, key)


def test_general_midi_2_drums_are_named():
    assert [drum_name(k) for k in (27, 34, 82, 85, 87)] == [
        "High Q", "Metronome Bell", "Shaker", "Castanets", "Open Surdo"]
    assert drum_name(86, short=True) == "Mute Surdo" and drum_name(26) is drum_name(88) is None
    # GM2's Orchestra kit (program 48) plays timpani, concert drums and cymbals there
    orchestra = [drum_name(k, kit=48) for k in (27, 36, 38, 41, 48, 53, 54, 57, 59, 88)]
    assert orchestra == ["Closed Hi-Hat 2", "Concert Bass Drum 1", "Concert Snare Drum",
                         "Timpani F2", "Timpani C3", "Timpani F3", "Tambourine",
                         "Concert Cymbal 2", "Concert Cymbal 1", "Applause"]
    assert drum_name(41, short=True, kit=48) == "Timp F2"
    assert drum_name(41, kit=25) == drum_name(41, kit=0) == drum_name(41) == "Low Floor Tom"
    assert all(len(short) <= 10 for _name, short in GM_DRUMS.values())  # the key column


def test_every_named_drum_sounds_as_itself_not_as_the_fallback_click():
    # Guitarist QA: a GM2 shaker part played as a row of generic clicks.
    for key in GM_DRUMS:
        sound = drum_sound(key, SR)
        mono = sound.sum(axis=1)
        click = fallback(key)
        assert len(mono) != len(click) or not np.allclose(
            mono / np.abs(mono).max(), click / np.abs(click).max(), atol=1e-3), key
    # A shaker is noise, a surdo a low drum: most of the surdo's energy lies below 150 Hz.
    surdo = drum_sound(87, SR).sum(axis=1)
    spectrum = np.abs(np.fft.rfft(surdo)) ** 2
    freqs = np.fft.rfftfreq(len(surdo), 1 / SR)
    assert spectrum[freqs < 150].sum() > 0.5 * spectrum.sum()
    shaker = np.abs(np.fft.rfft(drum_sound(82, SR).sum(axis=1))) ** 2
    assert shaker[np.fft.rfftfreq(len(drum_sound(82, SR)), 1 / SR) > 4000].sum() > (
        0.9 * shaker.sum())
