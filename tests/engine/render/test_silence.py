"""Digital silence stays digital silence in every file, and the same song gives the same
bytes: what a DAW's strip-silence and a file comparison rely on (a mixing engineer's QA)."""

from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf

from engine.io import load_song
from engine.render import mixing, render_files, render_tracks
from engine.render.events import frames_of
from engine.render.files import tpdf_dither, write_wavs
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


def test_16_bit_dither_leaves_digital_silence_silent():
    """QA: every sample got ±1 step of dither, silent ones too: an empty track's stem and
    the rests were hiss at −96 dBFS RMS, which a DAW's strip-silence does not strip."""
    rng = np.random.default_rng(1)
    block = np.zeros((4000, 2), np.float32)
    block[1000:3000] = 0.25 * np.sin(np.arange(2000) / 7)[:, None]
    steps = tpdf_dither(block, rng)
    assert not steps[:1000].any() and not steps[3000:].any()
    assert np.count_nonzero(steps[1000:3000] - np.rint(block[1000:3000] * 32767)) > 500


def test_an_empty_tracks_16_bit_stem_is_all_zeros(tmp_path):
    keys = Track("Keys", 0, notes=(Note(60, 480, 480, 100),))
    song = Song(tracks=(keys, Track("Empty", 0)))
    report = render_files(song, tmp_path / "mix.wav", tmp_path / "stems", sample_rate=SR,
                          synth="builtin", bit_depth="16")
    keys_stem, empty = (sf.read(str(p), dtype="int16")[0] for p in report.stem_paths)
    assert len(empty) and not empty.any()
    at = onset(song, 480)
    mixed = sf.read(str(report.mix_path), dtype="int16")[0]
    for audio in (keys_stem, mixed):  # silent up to the note, sounding after it
        assert not audio[:at].any() and audio[at:].any()


def test_identical_renders_are_byte_identical_in_every_format(tmp_path):
    """QA: 32-bit float WAVs differed between two renders of one song: libsndfile writes
    a PEAK chunk holding the time it was written."""
    song = Song(tracks=(Track("Keys", 0, notes=(Note(60, 0, 480, 100),)),))
    for depth in ("16", "24", "32f"):
        a = render_files(song, tmp_path / depth / "a.wav", sample_rate=8000,
                         synth="builtin", bit_depth=depth)
        b = render_files(song, tmp_path / depth / "b.wav", sample_rate=8000,
                         synth="builtin", bit_depth=depth)
        assert a.mix_path.read_bytes() == b.mix_path.read_bytes()
        assert b"PEAK" not in a.mix_path.read_bytes()
    samples = np.full((100, 2), 0.5, np.float32)
    write_wavs([(tmp_path / "float.wav", samples)], 8000, "32f")
    data = (tmp_path / "float.wav").read_bytes()
    assert b"PEAK" not in data and sf.info(str(tmp_path / "float.wav")).subtype == "FLOAT"
    np.testing.assert_array_equal(sf.read(str(tmp_path / "float.wav"),
                                          dtype="float32")[0], samples)
