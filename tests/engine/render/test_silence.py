"""Digital silence stays digital silence in every file: what a DAW's strip-silence relies
on (a mixing engineer's QA)."""

from dataclasses import replace

import numpy as np
import pytest

from engine.io import load_song
from engine.render import mixing, render_tracks
from engine.render.events import frames_of
from engine.resources import shipped
from engine.score import Note, Song, Track

SR = 44100


@pytest.fixture(params=["builtin", "soundfont"])
def synth_kwargs(request):
    if request.param == "builtin":
        return {"synth": "builtin"}
    return {"synth": "soundfont", "soundfont": request.getfixturevalue("soundfont")}


def onset(song: Song, tick: int) -> int:
    return int(frames_of(song, SR)[1]([tick])[0])


def test_the_demos_drums_are_silent_to_the_sample_before_the_first_kick(synth_kwargs):
    """QA: the drift removal left a ramp (to −287 steps of 24-bit) in the 5 ms block
    holding the first kick, drawn up to 203 samples ahead of its transient."""
    song = load_song(shipped("assets", "demo", "demo.mid"))
    drums = next(t for t in song.tracks if t.is_drum)
    first = min(n.start for n in drums.notes)
    bars = tuple(n for n in drums.notes if n.start < first + 2 * 4 * song.ppq)
    short = replace(song, tracks=(replace(drums, notes=bars),))  # two bars: enough
    audio = render_tracks(short, SR, **synth_kwargs)[drums.id]
    at = onset(short, first)
    assert at % mixing.dc_block(SR)  # the kick is inside a block, not on its edge
    assert not audio[:at].any()
    assert audio[at:at + 64].any()


def test_a_note_after_a_rest_starts_from_exact_silence(synth_kwargs):
    bass = Track("Bass", 33, notes=(Note(40, 0, 120, 100), Note(47, 5 * 480 + 77, 240, 100)))
    song = Song(tracks=(bass,))
    audio = render_tracks(song, SR, **synth_kwargs)[bass.id]
    at = onset(song, 5 * 480 + 77)
    block = mixing.dc_block(SR)
    assert not audio[at - 4 * block:at].any()  # the first note's release long gone
    assert audio[at:at + block].any()


def test_removing_dc_keeps_exact_zeros_on_both_sides_of_a_note():
    """The ramp to 0 is taken within the note, from its first sample to its last."""
    t = np.arange(SR) / SR
    tone = (0.3 * np.sin(2 * np.pi * 440 * t + 1) + 0.05).astype(np.float32)  # an offset
    audio = np.zeros((3 * SR, 2), np.float32)
    start = SR + 123  # inside a block, as a note's onset usually is
    audio[start:start + SR] = tone[:, None]
    clean = mixing.remove_dc(audio, SR)
    assert not clean[:start].any() and not clean[start + SR:].any()
    assert np.all(clean[start:start + SR] != 0)
    assert abs(clean[start + SR // 4:start + 3 * SR // 4, 0].mean()) < 1e-3  # offset gone
