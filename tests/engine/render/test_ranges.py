"""Rendering a range of bars, as a DAW exports a loop range: the files start at the range's
first downbeat with what sounds there sounding, and end where ``end`` says."""

import numpy as np
import pytest
import soundfile as sf

from engine.render import render_files
from engine.render.ranges import range_frames, range_song
from engine.score import (
    DRUM_CHANNEL,
    ControlEvent,
    Note,
    ProgramChange,
    Song,
    TempoChange,
    TimeSignature,
    Track,
)

BAR = 4 * 480
BPM_124 = TempoChange(0, round(60_000_000 / 124))  # as MIDI stores 124 BPM
RATE = 48000
FOUR_BARS = int(4 * 4 * 60 / 124 * RATE)  # 371,612: the bar line's whole samples


def song_124() -> Song:
    """Eight bars at 124 BPM: a pad held from bar 1 to the end of bar 6, a chord stab on
    each downbeat, a bass note alone in bar 7 (after a range of bars 3–6), drums."""
    pad = Track("Pad", 89, notes=(Note(60, 0, 6 * BAR, 90),))
    stabs = Track("Stabs", 0, notes=tuple(Note(p, b * BAR, 240, 100) for b in range(8)
                                          for p in (67, 71)))
    bass = Track("Bass", 33, notes=(Note(36, 6 * BAR, BAR, 100),))
    drums = Track("Drums", 0, True, DRUM_CHANNEL, notes=tuple(
        Note(36 if i % 2 == 0 else 42, i * 480, 60, 90) for i in range(32)))
    return Song(tracks=(pad, stabs, bass, drums), tempos=(BPM_124,))


def read(path) -> np.ndarray:
    return sf.read(str(path), dtype="float64", always_2d=True)[0]


def render_range(tmp_path, end: str, span=(2 * BAR, 6 * BAR), song=None, **kw):
    folder = tmp_path / end
    return render_files(song or song_124(), folder / "mix.wav", folder / "stems",
                        sample_rate=RATE, synth="builtin", end=end, span=span,
                        bit_depth="32f", **kw)


@pytest.mark.parametrize("end", ["bar", "loop"])
def test_four_bars_at_124_bpm_are_the_bar_lines_whole_samples(tmp_path, end):
    report = render_range(tmp_path, end)
    assert [sf.info(str(p)).frames for p in report.paths] == [FOUR_BARS] * 5
    assert report.duration_seconds == FOUR_BARS / RATE and report.bars == 4
    assert report.span == (2 * BAR, 6 * BAR)


def test_a_range_with_its_tail_rings_on_past_its_end(tmp_path):
    report = render_range(tmp_path, "tail")
    frames = {sf.info(str(p)).frames for p in report.paths}
    assert len(frames) == 1 and frames.pop() > FOUR_BARS + RATE // 10


def test_a_note_held_from_before_the_range_sounds_from_sample_0(tmp_path):
    report = render_range(tmp_path, "bar")
    pad = read(report.stem_paths[0])
    assert np.abs(pad[:RATE // 20]).max() > 0.01  # the first 50 ms: the pad, struck again
    assert np.abs(pad[:FOUR_BARS - RATE // 10]).min(axis=1).max() > 0  # held throughout


def test_a_note_after_the_range_is_not_heard(tmp_path):
    report = render_range(tmp_path, "tail")
    assert not read(report.stem_paths[2]).any()  # the bass plays only in bar 7


def test_stems_sum_to_the_mix(tmp_path):
    for end in ("tail", "bar", "loop"):
        report = render_range(tmp_path, end)
        total = sum(read(p) for p in report.stem_paths)
        assert np.abs(total - read(report.mix_path)).max() < 1e-5, end


def test_a_loop_has_its_release_wrapped_onto_its_start(tmp_path):
    cut, loop = (render_range(tmp_path, end) for end in ("bar", "loop"))
    a = read(cut.mix_path) / 10 ** (cut.gain_db / 20)  # each at unity
    b = read(loop.mix_path) / 10 ** (loop.gain_db / 20)
    assert np.abs(b[:RATE // 10] - a[:RATE // 10]).max() > 0.01  # the last bar's ring
    later = slice(4 * RATE, FOUR_BARS - RATE // 100)  # rung out by then; before the fade
    assert np.abs(b[later] - a[later]).max() < 1e-5


def test_past_the_chased_notes_a_range_is_the_songs_own_sound(tmp_path):
    """The notes land where the whole song's do, from the range's start (at 120 BPM a bar
    is a whole number of samples): the same samples there, each file at its own gain."""
    from dataclasses import replace

    song = replace(song_124(), tempos=(TempoChange(0, 500_000),))
    song = replace(song, tracks=tuple(t for t in song.tracks if t.name in ("Stabs", "Drums")))
    whole = render_files(song, tmp_path / "whole.wav", sample_rate=RATE, synth="builtin",
                         bit_depth="32f")
    part = render_range(tmp_path, "bar", span=(4 * BAR, 8 * BAR), song=song)
    a = read(whole.mix_path) / 10 ** (whole.gain_db / 20)
    b = read(part.mix_path) / 10 ** (part.gain_db / 20)
    at = 4 * 2 * RATE  # bar 5: 2 s a bar
    middle = slice(RATE, 6 * RATE)  # clear of the edges of the drift filter
    assert np.abs(a[at:][middle] - b[middle]).max() < 1e-3


def loud_then_quiet() -> Song:
    """120 BPM (a bar is 96,000 samples): two loud bars (the song's peak, which its
    export brings down to the ceiling), two of silence, then four quiet bars whose notes
    all end within them."""
    chords = tuple(Note(p, b * BAR + i * 480, 400, 127) for b in range(2) for i in range(4)
                   for p in (36, 43, 48, 52, 55, 60, 64, 67, 72, 76))
    quiet = Track("Strings", 48, notes=tuple(Note(p, b * BAR + i * 960, 800, 70)
                                             for b in range(4, 8) for i in range(2)
                                             for p in (60, 67)))
    drums = Track("Drums", 0, True, DRUM_CHANNEL, notes=tuple(
        Note(36 if i % 2 == 0 else 42, i * 480, 60, 100) for i in [*range(8), *range(16, 32)]))
    return Song(tracks=(Track("Piano", 0, notes=chords), Track("Brass", 61, notes=chords),
                        quiet, drums), tempos=(TempoChange(0, 500_000),))


def test_a_range_is_as_loud_as_its_bars_in_the_whole_songs_export(tmp_path):
    """Bars 5-8 rendered alone replace bars 5-8 of the song's export in a DAW: the same
    gain (the song's, from its loud bars 1-2, not the range's own), so the same samples.
    They had the range's own: 11.9 dB louder here. Only the first 125 ms (the reach of
    the drift filter, which saw the song's silence before bar 5) may differ, far down."""
    song = loud_then_quiet()
    whole = render_files(song, tmp_path / "whole" / "mix.wav", tmp_path / "whole" / "stems",
                         sample_rate=RATE, synth="builtin", bit_depth="32f")
    part = render_range(tmp_path, "tail", span=(4 * BAR, 8 * BAR), song=song)
    assert whole.gain_db < -6 and part.gain_db == whole.gain_db
    assert part.mix_gain_db == whole.mix_gain_db
    bars = 4 * 2 * RATE
    for a, b in zip(whole.paths, part.paths, strict=True):  # the mix, then each stem
        ours, theirs = read(b)[:bars], read(a)[bars:2 * bars]
        edge = RATE // 8
        assert np.array_equal(ours[edge:], theirs[edge:]), b.name
        assert np.abs(ours[:edge] - theirs[:edge]).max() < 1e-4, b.name  # under -80 dBFS


def test_a_range_that_would_clip_at_the_songs_gain_is_brought_down():
    from engine.render.mixing import CEILING, kept_gain

    assert kept_gain(0.5, 1.9) == 0.5  # 0.95: under full scale, the song's gain kept
    assert kept_gain(0.5, 2.5) == pytest.approx(CEILING / 2.5)  # 1.25 would clip
    assert kept_gain(1.0, 0.0) == 1.0


def test_range_song_chases_what_is_in_force_at_its_start():
    pedal = [ControlEvent(0, "control_change", 64, 127),
             ControlEvent(3 * BAR, "control_change", 64, 0)]
    bend_range = [ControlEvent(0, "control_change", n, v) for n, v in
                  ((101, 0), (100, 0), (6, 12), (38, 0), (101, 127), (100, 127))]
    keys = Track("Keys", 0, notes=(Note(60, 0, 240), Note(64, 2 * BAR, 240)),
                 program_changes=(ProgramChange(BAR // 2, 5),),
                 controls=(*bend_range, *pedal, ControlEvent(BAR, "pitchwheel", 0, 4096),
                           ControlEvent(BAR, "control_change", 11, 90),
                           ControlEvent(BAR + 1, "control_change", 11, 70),
                           ControlEvent(2 * BAR + 480, "pitchwheel", 0, 0)))
    song = Song(tracks=(keys,), tempos=(TempoChange(0, 500_000), TempoChange(BAR, 600_000)),
                time_signatures=(TimeSignature(0, 4, 4), TimeSignature(BAR, 3, 4)))
    part = range_song(song, BAR + 960, BAR + 960 + 3 * 1440)
    (t,) = part.tracks
    # The C the pedal rings on is struck at 0 until the pedal lifts; the E is in place.
    assert [(n.pitch, n.start, n.duration) for n in t.notes] == [
        (60, 0, 3 * BAR - (BAR + 960)), (64, 2 * BAR - (BAR + 960), 3 * BAR - 2 * BAR)]
    assert t.program == 5 and not t.program_changes
    assert not any(c.number == 64 for c in t.controls)  # written into the notes
    at_zero = [(c.kind, c.number, c.value) for c in t.controls if c.tick == 0]
    # The RPN sequence whole and in order (the bend range), then the last value of each.
    assert at_zero == [("control_change", n, v) for n, v in
                       ((101, 0), (100, 0), (6, 12), (38, 0), (101, 127), (100, 127))] + [
        ("pitchwheel", 0, 4096), ("control_change", 11, 70)]
    assert [(c.tick, c.value) for c in t.controls if c.tick > 0] == [(2 * BAR + 480 - BAR - 960, 0)]
    assert [(x.tick, x.us_per_beat) for x in part.tempos] == [(0, 600_000)]
    assert [(s.tick, s.numerator) for s in part.time_signatures] == [(0, 3)]
    assert part.length == 3 * 1440 and part.end == 3 * 1440


def test_notes_are_let_go_at_the_ranges_end_and_drums_not_struck_again():
    pad = Track("Pad", 89, notes=(Note(60, 0, 8 * BAR),))
    crash = Track("Drums", 0, True, DRUM_CHANNEL, notes=(Note(49, 0, 4 * BAR),))
    part = range_song(Song(tracks=(pad, crash)), 2 * BAR, 4 * BAR)
    assert [(n.start, n.duration) for n in part.tracks[0].notes] == [(0, 2 * BAR)]
    assert part.tracks[1].notes == ()
    assert range_frames(part, RATE) == 2 * 2 * RATE  # 120 BPM: 2 s a bar
