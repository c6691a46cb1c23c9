"""Files that end at the song's last bar line, cut or wrapped into a loop, for a DAW grid."""

import numpy as np
import pytest
import soundfile as sf

from engine.render import RenderError, bar_line_frames, render_files, render_tracks
from engine.render.renderer import BAR_END_FADE_SECONDS
from engine.score import DRUM_CHANNEL, Note, Song, TempoChange, TimeSignature, Track

BAR = 4 * 480
BPM_90 = TempoChange(0, 666_667)  # as MIDI stores 90 BPM


def loop_song(bars: int = 8, tempo: TempoChange = BPM_90) -> Song:
    """A ``bars``-bar loop whose last chord rings on to the bar line, and drums: every
    track sounds past the last bar line (the release tails)."""
    keys = Track("Keys", 0, notes=tuple(Note(p, b * BAR, BAR, 70) for b in range(bars)
                                        for p in (60, 64, 67)), volume=0.5)
    drums = Track("Drums", 0, True, DRUM_CHANNEL, notes=tuple(
        Note(36 if i % 2 == 0 else 49, i * 480, 60, 80) for i in range(4 * bars)))
    return Song(tracks=(keys, drums), tempos=(tempo,))


def frames(path) -> int:
    return sf.info(str(path)).frames


def read(path) -> np.ndarray:
    return sf.read(str(path), dtype="float64")[0]


def test_the_last_bar_line_falls_on_a_whole_sample():
    assert bar_line_frames(loop_song(), 48000) == 1_024_000  # 8 bars at 90 BPM
    assert bar_line_frames(loop_song(), 44100) == 940_800
    assert bar_line_frames(loop_song(tempo=TempoChange(0, 500_000)), 48000) == 768_000
    # A song that ends inside a bar ends at that bar's line; 3/4 bars are 3 beats.
    waltz = Song(tracks=(Track("P", 0, notes=(Note(60, 0, 480 * 4),)),),
                 time_signatures=(TimeSignature(0, 3, 4),), tempos=(TempoChange(0, 500_000),))
    assert bar_line_frames(waltz, 48000) == 2 * 3 * 24_000


@pytest.mark.parametrize("bpm", ["90", "97.5", "133.333", "87.65", "174.999", "123.457"])
@pytest.mark.parametrize("bars", [16, 64])
@pytest.mark.parametrize("rate", [48000, 44100])
def test_bar_lines_fall_on_the_grid_of_the_tempo_typed_not_on_midis_whole_microseconds(
        bpm, bars, rate):
    """Producer QA: 16 bars at 90 BPM, 48 kHz, were 2,048,001 frames: MIDI stores 90 BPM
    as 666,667 µs a beat (89.99996 BPM), 42.666688 s. A DAW's 90 BPM grid has the line at
    2,048,000; every bar line and note lands on that grid, and the file keeps 666,667."""
    from fractions import Fraction

    from engine.render.events import frames_of

    stored = round(60_000_000 / Fraction(bpm))
    song = loop_song(bars, TempoChange(0, stored))
    assert song.tempos[0].us_per_beat == stored  # what MIDI export writes: as it was
    beat = Fraction(60) / Fraction(bpm) * rate  # frames a beat on the DAW's grid
    assert bar_line_frames(song, rate) == int(4 * bars * beat)
    _, to_frames = frames_of(song, rate)
    lines = [b * BAR for b in range(bars + 1)]
    assert list(to_frames(lines)) == [round(4 * b * beat) for b in range(bars + 1)]


def test_a_tempo_no_short_bpm_rounds_to_keeps_its_microseconds():
    assert TempoChange(0, 500_001).nominal_us == 500_001  # 119.99976 BPM: as written
    assert TempoChange(0, 666_667).nominal_us == pytest.approx(60_000_000 / 90, abs=1e-9)
    assert TempoChange(0, 500_000).nominal_us == 500_000


def test_bar_and_loop_files_are_the_songs_bars_long_to_the_sample(tmp_path):
    song = loop_song()
    tail = render_files(song, tmp_path / "tail" / "mix.wav", tmp_path / "tail" / "stems",
                        sample_rate=48000, synth="builtin")
    assert frames(tail.mix_path) > 1_024_000 + 48000  # the default keeps the release tails
    for end in ("bar", "loop"):
        report = render_files(song, tmp_path / end / "mix.wav", tmp_path / end / "stems",
                              sample_rate=48000, synth="builtin", end=end)
        assert [frames(p) for p in report.paths] == [1_024_000] * 3, end
        assert report.duration_seconds == 1_024_000 / 48000 and report.end == end
        assert report.bars == 8


def test_bar_cuts_the_stems_at_the_line_and_loop_adds_the_tail_onto_the_start(tmp_path):
    # 1 bar at 240 BPM (1 s) with a 3-4 s release: the tail wraps round several times.
    song = loop_song(bars=1, tempo=TempoChange(0, 250_000))
    sr, n = 8000, 8000
    tracks = render_tracks(song, sr, synth="builtin")  # the default stems, unscaled
    assert all(len(a) > 3 * n for a in tracks.values())
    folded = {}
    for tid, audio in tracks.items():
        loop = np.zeros((n, 2), np.float32)
        for start in range(0, len(audio), n):
            part = audio[start:start + n]
            loop[:len(part)] += part
        folded[tid] = loop
    bar = render_files(song, tmp_path / "bar.wav", tmp_path / "bar", sample_rate=sr,
                       synth="builtin", end="bar")
    loop = render_files(song, tmp_path / "loop.wav", tmp_path / "loop", sample_rate=sr,
                        synth="builtin", end="loop")
    assert bar.gain_db == loop.gain_db == 0  # a quiet song: no headroom gain to undo
    lsb = 2.0 ** -23
    fade = round(BAR_END_FADE_SECONDS * sr)  # the cut's last frames, faded out
    faded = np.ones((n, 1))
    faded[n - fade:, 0] = np.linspace(1, 0, fade)
    for t, cut, looped in zip(song.tracks, bar.stem_paths, loop.stem_paths, strict=True):
        np.testing.assert_allclose(read(cut), tracks[t.id][:n] * faded, rtol=0, atol=lsb)
        np.testing.assert_allclose(read(looped), folded[t.id], rtol=0, atol=lsb)
        # Played round, the loop goes on as the default stem does once its tails ring.
        assert np.abs(read(looped)[:200] - read(cut)[:200]).max() > 0.01
    for report in (bar, loop):  # the mix is its stems summed, as always
        summed = sum(read(p) for p in report.stem_paths)
        np.testing.assert_allclose(read(report.mix_path), summed, rtol=0, atol=3 * lsb)


def test_a_note_ringing_across_the_bar_line_is_faded_out_not_clicked_off(tmp_path):
    # An organ chord held through the bar line: full level up to the last sample, cut.
    held = Track("Organ", 19, notes=tuple(Note(p, 0, 2 * BAR, 100) for p in (60, 64, 67)))
    song = Song(tracks=(held, Track("Beat", 0, notes=(Note(72, 0, BAR // 2, 90),))),
                tempos=(BPM_90,))  # 2 bars: the chord rings up to the last line
    sr, n = 48000, 2 * 128_000  # 2 bars at 90 BPM
    bar = render_files(song, tmp_path / "bar.wav", tmp_path / "bar", sample_rate=sr,
                       synth="builtin", end="bar")
    tail = render_files(song, tmp_path / "tail.wav", tmp_path / "tail", sample_rate=sr,
                        synth="builtin")
    fade = round(BAR_END_FADE_SECONDS * sr)
    for cut, whole in zip(bar.paths, tail.paths, strict=True):
        audio, rung = read(cut), read(whole)
        assert len(audio) == n  # still the bar line, to the sample
        assert np.abs(audio[-1]).max() < 2.0 ** -20  # silent where the file is cut
        # Before the fade, the same samples as the default's, which rings on unfaded.
        np.testing.assert_allclose(audio[:n - fade], rung[:n - fade], rtol=0, atol=2.0 ** -22)
    organ, mix = read(bar.stem_paths[0]), read(bar.mix_path)
    for audio in (organ, mix):  # loud up to the fade, then faded down through it
        assert np.abs(audio[n - fade - 100:n - fade]).max() > 0.05
        assert np.abs(audio[n - 10:]).max() < np.abs(audio[n - fade - 100:n - fade]).max() / 20
    assert np.abs(read(tail.mix_path)[n - 200:n + 200]).max() > 0.01  # --end tail rings on


def test_a_loop_takes_its_gain_from_what_it_holds(tmp_path):
    # A loud one-bar loop whose tail, wrapped onto its start, makes the start louder.
    chords = tuple(Note(p, 0, BAR, 127) for p in (48, 55, 60, 64))
    song = Song(tracks=tuple(Track(f"Pad {i}", 89, notes=chords) for i in range(4)),
                tempos=(TempoChange(0, 250_000),))
    report = render_files(song, tmp_path / "mix.wav", sample_rate=8000, synth="builtin",
                          end="loop")
    assert report.gain_db < 0
    assert read(report.mix_path).max() <= 10 ** (-1 / 20) + 2.0 ** -23
    assert report.peak_dbfs == pytest.approx(-1.0, abs=1e-4)


def test_a_song_without_bars_cannot_end_at_its_bar_line(tmp_path):
    with pytest.raises(RenderError, match="no bars"):
        render_files(Song(tracks=(Track("Empty", 0),)), tmp_path / "mix.wav", end="bar")
    with pytest.raises(ValueError, match="unknown end"):
        render_files(loop_song(1), tmp_path / "mix.wav", end="loops")


def test_a_note_off_a_few_ticks_past_the_last_bar_line_loops_at_that_line(tmp_path):
    """QA: a DAW's 4-bar MIDI loop, its last note-off 5 ticks past bar 4, rendered
    `--end loop` as 5 bars (almost one of silence); the 5 ticks ring onto the start."""
    from engine.render.held_past import held_past_note

    song = loop_song(bars=4, tempo=TempoChange(0, 500_000))
    keys = song.tracks[0]
    last = tuple(n for n in keys.notes if n.start == 3 * BAR)
    late = keys.notes[:-3] + tuple(Note(n.pitch, n.start, BAR + 5, n.velocity) for n in last)
    song = song.replace_track(Track("Keys", 0, notes=late, id=keys.id))
    assert song.end == 4 * BAR + 5
    assert bar_line_frames(song, 8000) == 4 * 2 * 8000  # 4 bars of 2 s at 120 BPM
    report = render_files(song, tmp_path / "mix.wav", sample_rate=8000, synth="builtin",
                          end="loop")
    assert report.bars == 4 and frames(report.mix_path) == 64_000
    assert held_past_note(song, "loop") == ("3 notes ring past the loop's end (the end of "
                                            "bar 4) and are wrapped onto its start: Keys (3)")
    assert held_past_note(song, "bar").endswith("and are cut there: Keys (3)")
    assert held_past_note(song, "tail") is None and held_past_note(loop_song(), "loop") is None


def test_a_set_length_loops_at_its_bar_line_with_the_note_held_past_it_wrapped(tmp_path):
    """QA: in a project of 8 bars, a pad held on past the set length made the loop 10."""
    tempo = TempoChange(0, 250_000)  # a bar a second
    pad = Track("Pad", 89, notes=(Note(60, 6 * BAR, 3 * BAR, 100),))
    beat = Track("Beat", 0, notes=tuple(Note(72, b * BAR, 240, 90) for b in range(8)))
    song = Song(tracks=(pad, beat), tempos=(tempo,), length=8 * BAR)
    report = render_files(song, tmp_path / "mix.wav", tmp_path / "stems", sample_rate=8000,
                          synth="builtin", end="loop")
    assert report.bars == 8 and [frames(p) for p in report.paths] == [64_000] * 3
    held = read(report.stem_paths[0])
    assert np.abs(held[:7000]).max() > 0.05  # the pad's 9th bar sounds at the loop's start
    whole = render_tracks(song, 8000, synth="builtin")[pad.id]  # to the end of its tail
    folded = np.zeros((64_000, 2))
    for start in range(0, len(whole), 64_000):
        part = whole[start:start + 64_000]
        folded[:len(part)] += part
    np.testing.assert_allclose(held, folded * 10 ** (report.gain_db / 20), rtol=0,
                               atol=2.0 ** -20)


def riff_chunks(path) -> dict[bytes, bytes]:
    """The chunks of a RIFF WAVE file, by id, read as any WAV reader walks them."""
    import struct

    data = path.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8  # the RIFF size is the file's
    chunks, at = {}, 12
    while at + 8 <= len(data):
        cid, size = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        chunks[cid] = data[at + 8:at + 8 + size]
        at += 8 + size + size % 2
    assert at == len(data)
    return chunks


def smpl_loops(path) -> list[tuple[int, int, int, int]]:
    """The ``smpl`` chunk's loops: (type, start, end, play count)."""
    import struct

    chunk = riff_chunks(path)[b"smpl"]
    *_, count, _extra = struct.unpack("<9I", chunk[:36])
    assert len(chunk) == 36 + 24 * count
    loops = [struct.unpack("<6I", chunk[36 + 24 * i:60 + 24 * i]) for i in range(count)]
    return [(kind, start, end, plays) for _cue, kind, start, end, _frac, plays in loops]


@pytest.mark.parametrize("bit_depth", ["16", "24", "32f"])
def test_a_loop_wav_carries_a_sampler_loop_over_the_whole_file(tmp_path, bit_depth):
    """A game composer's loop loads into FMOD, Wwise or Kontakt looping: a RIFF "smpl"
    chunk, one forward loop from sample 0 to the last, played for ever."""
    song = loop_song(bars=1, tempo=TempoChange(0, 500_000))  # 2 s
    report = render_files(song, tmp_path / "mix.wav", tmp_path / "stems", sample_rate=8000,
                          synth="builtin", end="loop", bit_depth=bit_depth)
    for path in report.paths:
        assert smpl_loops(path) == [(0, 0, 15_999, 0)], path.name
        info = sf.info(str(path))
        assert info.frames == 16_000  # the audio as it was: the chunk comes after it
        period = int.from_bytes(riff_chunks(path)[b"smpl"][8:12], "little")
        assert period == 125_000  # ns a sample at 8 kHz
    plain = render_files(song, tmp_path / "bar.wav", sample_rate=8000, synth="builtin",
                         end="bar", bit_depth=bit_depth)
    assert b"smpl" not in riff_chunks(plain.mix_path)  # only a loop says it loops
    # The samples are the same bytes as without the chunk: only a chunk is added.
    data = riff_chunks(report.mix_path)[b"data"]
    assert len(data) == 16_000 * 2 * {"16": 2, "24": 3, "32f": 4}[bit_depth]


def test_a_rehearsal_loop_loops_its_music_after_the_count_in(tmp_path):
    song = loop_song(bars=1, tempo=TempoChange(0, 500_000))
    report = render_files(song, tmp_path / "mix.wav", rehearsal_dir=tmp_path / "learn",
                          sample_rate=8000, synth="builtin", end="loop", count_in=1)
    (learn,) = report.rehearsal_paths
    frames_ = sf.info(str(learn)).frames
    lead = round(report.count_in_seconds * 8000)
    assert lead == 16_000 and frames_ == 32_000
    assert smpl_loops(learn) == [(0, lead, frames_ - 1, 0)]  # the click played once
    assert smpl_loops(report.mix_path) == [(0, 0, 15_999, 0)]
