"""Pitch bends in the built-in synth: a guitarist's bend and vibrato sound without a
SoundFont, in the track's bend range, as the SoundFont path plays them."""

from __future__ import annotations

import numpy as np

from engine.render import make_synth
from engine.render.builtin import BuiltinSynth
from engine.render.events import bend_curve
from engine.score import DRUM_CHANNEL, ControlEvent, Note, Song, TempoChange, Track

SR = 44100
Q = 480  # a beat: 0.5 s at 120 BPM
ORGAN = 16  # a steady tone (no vibrato, no decay): its pitch reads cleanly
WHOLE_STEP = 4096  # half the wheel: 2 semitones in a 4-semitone range


def bend(tick: int, value: int) -> ControlEvent:
    return ControlEvent(tick, "pitchwheel", 0, value)


def cc(tick: int, number: int, value: int) -> ControlEvent:
    return ControlEvent(tick, "control_change", number, value)


def bend_range(semitones: int, cents: int = 0) -> tuple[ControlEvent, ...]:
    """RPN 0 (the pitch-bend range) set at tick 0, as a sequencer writes it."""
    return (cc(0, 101, 0), cc(0, 100, 0), cc(0, 6, semitones), cc(0, 38, cents))


def a4(controls: tuple[ControlEvent, ...], program: int = ORGAN, beats: int = 4) -> Song:
    """One A4 (440 Hz) held ``beats`` beats at 120 BPM, with ``controls``."""
    track = Track("Lead", program, notes=(Note(69, 0, beats * Q, 100),), controls=controls)
    return Song(tracks=(track,), ppq=Q, tempos=(TempoChange(0, 500_000),))


def mono(song: Song, synth=None) -> np.ndarray:
    synth = synth or BuiltinSynth(SR)
    return synth.render_track(song, song.tracks[0])[:, 0].astype(np.float64)


def pitch(x: np.ndarray, start_s: float, stop_s: float, near: float = 440.0) -> float:
    """The fundamental (Hz) between two times: the FFT's peak within a fifth of ``near``,
    refined by a parabola through the log magnitudes (a Hann window)."""
    part = x[int(start_s * SR):int(stop_s * SR)]
    size = 1 << 20
    spectrum = np.abs(np.fft.rfft(part * np.hanning(len(part)), size))
    hz = np.fft.rfftfreq(size, 1 / SR)
    band = np.flatnonzero((hz > near / 1.5) & (hz < near * 1.5))
    k = band[np.argmax(spectrum[band])]
    a, b, c = np.log(spectrum[k - 1:k + 2])
    return float(hz[k] + (a - c) / (2 * (a - 2 * b + c)) * (hz[1] - hz[0]))


def cents(f: float, g: float) -> float:
    return 1200 * np.log2(f / g)


def test_a_whole_step_bend_raises_the_note_two_semitones_and_lets_it_back_down():
    # Bent up on beat 2, released on beat 4: 440 → 493.88 → 440 Hz.
    x = mono(a4((*bend_range(4), bend(Q, WHOLE_STEP), bend(3 * Q, 0))))
    assert abs(cents(pitch(x, 0.05, 0.45), 440.0)) < 2
    assert abs(cents(pitch(x, 0.55, 1.45, 494), 440 * 2 ** (2 / 12))) < 2
    assert abs(cents(pitch(x, 1.55, 1.95), 440.0)) < 2


def test_without_rpn_the_range_is_two_semitones_and_the_wheel_reaches_it():
    # A full-scale wheel (8191) is the whole range, as TinySoundFont plays it.
    x = mono(a4((bend(0, 8191),)))
    assert abs(cents(pitch(x, 0.1, 1.9, 494), 440 * 2 ** (2 / 12))) < 2
    x = mono(a4((bend(0, -8192),)))
    assert abs(cents(pitch(x, 0.1, 1.9, 392), 440 * 2 ** (-2 / 12))) < 2


def test_an_octave_range_set_by_rpn_bends_an_octave():
    x = mono(a4((*bend_range(12), bend(0, 8191))))
    assert abs(cents(pitch(x, 0.1, 1.9, 880), 880.0)) < 2
    # Semitones and cents: 2.50 semitones full scale, half of it 1.25.
    x = mono(a4((*bend_range(2, 50), bend(0, WHOLE_STEP))))
    assert abs(cents(pitch(x, 0.1, 1.9, 473), 440 * 2 ** (1.25 / 12))) < 2


def test_vibrato_from_the_wheel_moves_the_pitch():
    # ±0.3 semitones at 5 Hz, a step every 10 ms, as a sequencer's vibrato.
    ticks = np.arange(0, 4 * Q, 10)  # (10 ticks: 10.4 ms)
    values = np.rint(0.3 / 2 * 8192 * np.sin(2 * np.pi * 5 * ticks / (2 * Q))).astype(int)
    x = mono(a4(tuple(bend(int(t), int(v)) for t, v in zip(ticks, values, strict=True))))
    # The pitch over 20 ms windows: it swings about ±30 cents around 440 Hz.
    heard = [cents(pitch(x, s, s + 0.02), 440.0) for s in np.arange(0.2, 1.8, 0.01)]
    assert max(heard) > 20 and min(heard) < -20
    assert max(heard) < 40 and min(heard) > -40


def test_a_bend_step_does_not_click():
    # The phase runs on through a step of the wheel: no sample jumps further than the
    # wave itself moves (a restarted phase jumps by up to the whole wave's height).
    x = mono(a4((bend(Q, 8191), bend(2 * Q, -8192), bend(3 * Q, 0))))
    steepest = np.abs(np.diff(x[int(0.1 * SR):int(0.45 * SR)])).max()
    for at in (Q, 2 * Q, 3 * Q):
        frame = at * SR // (2 * Q)
        around = np.abs(np.diff(x[frame - 200:frame + 200])).max()
        assert around < 1.3 * steepest  # (up a whole step: the wave 12 % steeper)


def test_a_bend_held_into_the_release_bends_it_too():
    # The note ends on beat 2, the wheel moves on beat 2.5, in the release: the tail is
    # bent, as a SoundFont synth bends a releasing voice.
    song = a4((bend(Q + Q // 2, 8191),), program=120, beats=1)  # a soft, long release
    x = mono(song)
    assert abs(cents(pitch(x, 0.8, 1.1, 494), 440 * 2 ** (2 / 12))) < 5


def test_no_bend_is_the_same_audio_as_before():
    # A centred wheel leaves every note alone: the same samples as with no wheel at all.
    plain = a4(())
    centred = a4((bend(0, 0), bend(Q, 0), *bend_range(12)))
    assert bend_curve(centred, centred.tracks[0], SR) is None
    assert np.array_equal(mono(plain), mono(centred))
    # Notes outside a bend are played as without it (bent one, then back to centre).
    notes = (Note(69, 0, Q, 100), Note(72, 4 * Q, Q, 100))
    song = Song(tracks=(Track("Lead", ORGAN, notes=notes,
                              controls=(bend(Q // 4, 8191), bend(2 * Q, 0))),),
                ppq=Q, tempos=(TempoChange(0, 500_000),))
    unbent = Song(tracks=(Track("Lead", ORGAN, notes=notes),), ppq=Q,
                  tempos=(TempoChange(0, 500_000),))
    later = 4 * Q * SR // (2 * Q)
    assert np.array_equal(mono(song)[later:], mono(unbent)[later:])
    assert not np.array_equal(mono(song)[:later], mono(unbent)[:later])


def test_drums_are_not_bent():
    kit = Track("Drums", 0, True, DRUM_CHANNEL, notes=(Note(38, 0, 60, 110),),
                controls=(bend(0, 8191),))
    plain = Track("Drums", 0, True, DRUM_CHANNEL, notes=(Note(38, 0, 60, 110),))
    synth = BuiltinSynth(SR)
    assert np.array_equal(synth.render_track(Song(tracks=(kit,)), kit),
                          synth.render_track(Song(tracks=(plain,)), plain))


def test_both_synths_bend_alike(soundfont):
    # The same bends and range, with and without a SoundFont: the same pitches.
    song = a4((*bend_range(7), bend(Q, -4096), bend(3 * Q, 8191)))
    sf = make_synth(SR, soundfont=soundfont)
    builtin, font = mono(song), mono(song, sf)
    for start, stop, semitones in ((0.1, 0.45, 0.0), (0.6, 1.45, -3.5), (1.6, 1.95, 7.0)):
        want = 440 * 2 ** (semitones / 12)
        assert abs(cents(pitch(builtin, start, stop, want), want)) < 3
        assert abs(cents(pitch(font, start, stop, want), want)) < 10


def test_playback_plays_a_bend_across_windows_as_the_export(tmp_path):
    # A wheel moving all through six bars (the playback's windows are bars): the studio
    # plays the exported mix, and the track made a piece at a time is the track whole.
    import soundfile as sf

    from engine.render import render_files
    from engine.render.progressive import ProgressiveRender, synth_renderer

    ticks = np.arange(0, 24 * Q, 15)
    lead = Track("Lead", 29, notes=tuple(Note(64 + i % 3, i * 2 * Q, 2 * Q, 100)
                                         for i in range(12)),
                 controls=(*bend_range(2),
                           *(bend(int(t), int(4000 * np.sin(t / 200))) for t in ticks)))
    song = Song(tracks=(lead,), ppq=Q, tempos=(TempoChange(0, 500_000),))
    synth = make_synth(SR, synth="builtin")
    job = ProgressiveRender(song, SR)
    job.run(lambda: None, render=synth_renderer(synth))
    render_files(song, tmp_path / "mix.wav", sample_rate=SR, synth="builtin")
    wav = sf.read(tmp_path / "mix.wav", dtype="float32")[0]
    heard = job.buffer * np.float32(job.gain)
    assert not heard[len(wav):].any()
    np.testing.assert_allclose(heard[:len(wav)], wav, rtol=0, atol=2.5 / 2 ** 23)

    whole = synth.render_track(song, lead)
    stream = synth.stream(song, lead)
    pieces = [stream.advance(frame)[1] for frame in range(1000, 12 * SR, 17_000)]
    pieces.append(stream.advance(None)[1])
    assert np.array_equal(np.concatenate(pieces), whole)


def test_the_bend_range_over_time_is_read_as_the_synths_read_it():
    """The piano roll's bend lane labels its scale from this: 2 semitones until RPN 0 sets
    another, a data entry without RPN 0 chosen (an NRPN) changes nothing."""
    from engine.score.bend_range import bend_ranges

    assert bend_ranges(a4(()).tracks[0]) == [(0, 2.0)]
    assert bend_ranges(a4(bend_range(12)).tracks[0]) == [(0, 12.0)]
    later = (*bend_range(5, 50), cc(960, 99, 1), cc(960, 98, 2), cc(960, 6, 9),
             cc(1920, 101, 0), cc(1920, 100, 0), cc(1920, 6, 7), cc(1920, 38, 0))
    assert bend_ranges(a4(later).tracks[0]) == [(0, 5.5), (1920, 7.0)]
