"""Progressive rendering for playback: windows of bars that sound like the whole song."""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf

from engine.io import load_song
from engine.render import make_synth, render_files, render_tracks
from engine.render.mixing import sum_tracks
from engine.render.progressive import ProgressiveRender, slice_song, synth_renderer
from engine.resources import shipped
from engine.score import (
    DRUM_CHANNEL,
    ControlEvent,
    Note,
    ProgramChange,
    Song,
    TempoChange,
    TimeMap,
    Track,
)

Q = 480
# What the player plays and mix.wav hold agree to 24-bit resolution: two steps of it at
# most (rounding where the drift is taken out of pieces rather than of whole tracks).
PCM_24 = 2.5 / 2 ** 23
BPM_97 = 618_557  # µs a beat: at 44.1 kHz a beat is 27,278.36 samples, not whole


def band() -> Song:
    """Two bars of piano (a program change in bar 2) and bass, 100 BPM."""
    piano = Track(name="Piano", program=0, notes=tuple(
        Note(p, i * Q, Q, 90) for i, p in enumerate((60, 62, 64, 65, 67, 69, 71, 72))),
        program_changes=(ProgramChange(6 * Q, 4),))
    bass = Track(name="Bass", program=33, channel=1,
                 notes=(Note(36, 0, 4 * Q, 100), Note(43, 4 * Q, 4 * Q, 100)))
    return Song(tracks=(piano, bass), ppq=Q, tempos=(TempoChange(0, 600_000),))


def loud_band() -> Song:
    """Twelve bars at 100 BPM that need the headroom gain (-2 dB at 44.1 kHz): bass all
    along, drums, a piano from bar 5, a pad panned left only in bars 8 and 11 (a track
    that starts late and stops early), its loudest moment in bar 11."""
    bass = Track("Bass", 33, channel=1, notes=tuple(
        Note(36 + i % 5, i * Q, Q, 100) for i in range(48)))
    drums = Track("Drums", is_drum=True, channel=DRUM_CHANNEL, notes=tuple(
        Note(k, i * Q // 2, Q // 8, 120) for i, k in enumerate([36, 42, 38, 46] * 24)))
    piano = Track("Piano", 0, notes=tuple(
        Note(60 + i % 7, 16 * Q + i * Q // 2, Q, 110) for i in range(16)))
    pad = Track("Pad", 89, channel=2, volume=0.7, pan=-0.5, notes=(
        Note(48, 28 * Q, 2 * Q, 127), Note(55, 28 * Q, 2 * Q, 127),
        *(Note(p, 40 * Q, 4 * Q, 127) for p in (48, 52, 55, 60))))
    return Song(tracks=(bass, drums, piano, pad), ppq=Q, tempos=(TempoChange(0, 600_000),))


def builtin_synth(sr: int = 44100):
    return synth_renderer(make_synth(sr, synth="builtin"))


def played(song: Song, sr: int = 44100, start: int = 0,
           render=None) -> tuple[ProgressiveRender, np.ndarray]:
    """The studio's render of ``song`` from ``start``, and what the player makes of it
    (its buffer at its gain, before the player's clip)."""
    job = ProgressiveRender(song, sr, start)
    job.run(lambda: None, render=render or builtin_synth(sr))
    return job, job.buffer * np.float32(job.gain)


def exported(song: Song, tmp_path, sr: int = 44100, **kw):
    kw.setdefault("synth", "builtin")
    report = render_files(song, tmp_path / "mix.wav", sample_rate=sr, **kw)
    return report, sf.read(tmp_path / "mix.wav", dtype="float32")[0]


def assert_plays_the_export(heard: np.ndarray, wav: np.ndarray) -> None:
    n = len(wav)
    assert len(heard) >= n and not heard[n:].any()  # silence after the tails
    np.testing.assert_allclose(heard[:n], wav, rtol=0, atol=PCM_24)


@pytest.mark.parametrize("sr", [44100, 22050])
def test_playback_plays_the_exported_mix_sample_for_sample(tmp_path, sr):
    """What the studio plays is the WAV the export writes (to its 24-bit resolution): the
    same tracks cleaned of drift, the same headroom gain, though rendered a window of bars
    at a time, every track at once, and its gain decided as it went."""
    song = loud_band()
    job, heard = played(song, sr)
    report, wav = exported(song, tmp_path, sr)
    assert report.mix_gain_db < -1.5  # the rule at work: the mix peaks past -1 dBFS
    assert job.gain == pytest.approx(10 ** (report.mix_gain_db / 20), abs=1e-6)
    assert_plays_the_export(heard, wav)


def test_where_a_beat_is_not_a_whole_number_of_samples_notes_sound_where_they_export(tmp_path):
    """At 97 BPM a note's sample is rounded from the song's time, in playback as in the
    export (a window placed its notes from its own first sample: one sample off)."""
    song = replace(loud_band(), tempos=(TempoChange(0, BPM_97),))
    beats = TimeMap.of(song).ticks_to_seconds(np.arange(48) * Q) * 44100
    assert np.abs(beats - np.rint(beats)).max() > 0.3  # bars start between two samples
    _, heard = played(song)
    _, wav = exported(song, tmp_path)
    assert_plays_the_export(heard, wav)
    # Played from bar 3, the notes from there sound on the same samples (at unity gain
    # here: the export of those notes alone).
    later = replace(song, tracks=tuple(replace(t, notes=tuple(n for n in t.notes
                                                              if n.start >= 8 * Q))
                                       for t in song.tracks))
    job = ProgressiveRender(song, 44100, 8 * Q)
    job.run(lambda: None, render=builtin_synth())
    alone = sum_tracks(render_tracks(later, synth="builtin"), later)
    at = job.frame_of(8 * Q)  # (the buffer holds nothing before: the drift's lead-up)
    np.testing.assert_allclose(job.buffer[at:len(alone)], alone[at:], rtol=0, atol=PCM_24)


def test_with_a_soundfont_the_demo_plays_as_it_exports(soundfont, tmp_path):
    """The shipped demo with a General MIDI SoundFont: 104 BPM (beats between samples),
    notes held and ringing across windows, closed hi-hats choking open ones. Each window
    rendered apart from the one before, playback differed from mix.wav by up to 0.47."""
    song = load_song(shipped("assets", "demo", "demo.mid"))
    sr = 22050
    job, heard = played(song, sr, render=synth_renderer(make_synth(sr, soundfont)))
    report, wav = exported(song, tmp_path, sr, soundfont=soundfont, synth="soundfont")
    assert job.gain == pytest.approx(10 ** (report.mix_gain_db / 20), abs=1e-6)
    assert_plays_the_export(heard, wav)


def hats(*notes: Note) -> Song:
    kit = Track("Drums", is_drum=True, channel=DRUM_CHANNEL, notes=notes)
    return Song(tracks=(kit,), ppq=Q, tempos=(TempoChange(0, 600_000),))


def test_a_closed_hat_chokes_the_open_hat_struck_in_the_window_before(soundfont, tmp_path):
    """An open hi-hat on the last eighth of bar 1, a closed one on bar 2's downbeat: the
    closed hat cuts the open one off (an exclusive class in a GM SoundFont's kit), though
    bar 1 and bar 2 are rendered as two windows, as it does in the export."""
    sr = 22050
    open_hat, closed_hat = Note(46, 3 * Q + Q // 2, Q // 4, 110), Note(42, 4 * Q, Q // 4, 90)
    song = hats(open_hat, closed_hat)
    job, heard = played(song, sr, render=synth_renderer(make_synth(sr, soundfont)))
    assert job.windows()[1][0] == closed_hat.start  # the closed hat opens window 2
    _, wav = exported(song, tmp_path, sr, soundfont=soundfont, synth="soundfont")
    assert_plays_the_export(heard, wav)
    (ringing,) = render_tracks(hats(open_hat), sr, soundfont, synth="soundfont").values()
    at = job.frame_of(closed_hat.start)
    later = slice(at + sr // 10, at + sr // 4)  # 0.1-0.25 s after the closed hat

    def rms(a):
        return float(np.sqrt(np.mean(a ** 2)))

    assert rms(ringing[later]) > 0.001  # alone, the open hat rings on there
    assert rms(heard[later]) < 0.25 * rms(ringing[later] * np.float32(job.gain))


def test_muting_a_track_leaves_the_others_at_their_level(tmp_path):
    song = loud_band()
    drums_muted = replace(song, tracks=tuple(replace(t, mute=t.name == "Drums")
                                             for t in song.tracks))
    job, _ = played(song)
    muted, heard = played(drums_muted)
    assert muted.gain == job.gain  # the drums' peaks still count: the others stay put
    render_files(song, stems_dir=tmp_path / "stems", sample_rate=44100, synth="builtin")
    others = sum(sf.read(path, dtype="float32")[0]
                 for path in sorted((tmp_path / "stems").iterdir()) if "Drums" not in path.name)
    np.testing.assert_allclose(heard[:len(others)], others, rtol=0, atol=1e-6)
    # As the export of the song with the drums muted writes its mix.
    _, wav = exported(drums_muted, tmp_path)
    np.testing.assert_allclose(heard[:len(wav)], wav, rtol=0, atol=2e-7)


def test_played_from_past_the_loudest_bar_the_whole_songs_level_is_measured(tmp_path):
    """From bar 12 the render alone has not met bar 11's pad: its gain until measure()
    has rendered the song from the start for its peaks is higher; then it is the
    export's. Given that level (the studio keeps it), a render has it from the start."""
    song = loud_band()
    report, _ = exported(song, tmp_path)
    job, _ = played(song, start=44 * Q)
    assert job.level is None and job.gain > 10 ** (report.mix_gain_db / 20) + 0.01
    assert job.measure(builtin_synth())
    assert job.gain == pytest.approx(10 ** (report.mix_gain_db / 20), abs=1e-6)
    again = ProgressiveRender(song, 44100, 44 * Q, level=job.level)
    assert again.gain == job.gain
    cancelled = threading.Event()
    cancelled.set()
    assert not ProgressiveRender(song, 44100, 44 * Q).measure(builtin_synth(), cancelled)


def test_until_its_level_is_known_the_gain_is_no_higher_than_the_floor():
    song = loud_band()
    job, _ = played(song)
    quieter = replace(song, tracks=(replace(song.tracks[0], volume=0.5),))  # the bass
    alone, _ = played(quieter)
    assert alone.gain == 1.0  # alone, it needs no headroom gain
    later = ProgressiveRender(quieter, 44100, 4 * Q, floor=job.level.unheard())
    later.run(lambda: None, render=builtin_synth())
    assert later.gain == job.gain  # the level before the edit, until its own is found
    assert later.measure(builtin_synth()) and later.gain == 1.0


def test_the_click_is_heard_but_leaves_the_level_alone():
    song = loud_band()
    click = Track("Metronome", is_drum=True, channel=DRUM_CHANNEL, volume=0.8,
                  notes=tuple(Note(76, i * Q, Q // 2, 127) for i in range(48)))
    job, heard = played(song)
    clicked = ProgressiveRender(replace(song, tracks=(*song.tracks, click)), 44100,
                                monitor=frozenset({click.id}))
    clicked.run(lambda: None, render=builtin_synth())
    assert clicked.gain == job.gain
    alone, _ = played(Song((click,), ppq=Q, tempos=song.tempos))
    n = len(alone.buffer)
    np.testing.assert_allclose(clicked.buffer[:n] * job.gain, heard[:n]
                               + alone.buffer * np.float32(job.gain), atol=1e-6)


def test_a_slice_starts_at_zero_with_the_program_in_force():
    song = band()
    part = slice_song(song, 2 * Q, 4 * Q)
    assert [n.start for n in part.tracks[0].notes] == [0, Q]
    later = slice_song(song, 7 * Q, 8 * Q)
    assert later.tracks[0].program == 4 and later.tracks[0].program_changes == ()
    early = slice_song(song, 0, 4 * Q)
    assert early.tracks[0].program == 0
    assert early.tracks[0].program_changes == (ProgramChange(6 * Q, 4),)


def test_a_slice_keeps_the_slowest_tempo_a_midi_file_can_hold():
    from engine.score.song import MAX_TEMPO_US

    song = Song(band().tracks, ppq=Q, tempos=(TempoChange(0, MAX_TEMPO_US),))
    assert slice_song(song, 2 * Q, 4 * Q).tempos[0].us_per_beat == MAX_TEMPO_US


def test_a_lead_in_is_rendered_first_exactly_as_long_as_it_is():
    """A recording's count-in: the clicks of a bar, for the player to play before start."""
    click = Track(name="Metronome", is_drum=True, channel=9,
                  notes=tuple(Note(76, i * Q, Q // 2, 110) for i in range(4)))
    lead = Song((click,), ppq=Q, tempos=(TempoChange(0, 600_000),), length=4 * Q)
    job = ProgressiveRender(band(), 22050, start=4 * Q, lead_in=lead)
    assert len(job.lead_audio) == 0  # until it runs
    ready = []
    job.run(lambda: ready.append(len(job.lead_audio)), render=builtin_synth(22050))
    assert ready == [round(2.4 * 22050)]  # in before the first bar: a bar at 100 BPM
    assert np.abs(job.lead_audio[:2000]).max() > 0.01  # the first click sounds at once
    assert not job.buffer[: job.frame_of(4 * Q)].any()  # the song is not played into it


builtin = builtin_synth(22050)


def test_a_loops_release_lets_go_of_its_notes_at_its_end_and_rings_out():
    """What the player mixes in at each wrap: the notes held across the loop's end stop
    there and ring out from exactly where the loop's audio left off (no click), fading to
    nothing before the next pass ends; the song past the end (bar 2's notes) is not in it."""
    sr = 22050
    strings = Track(name="Strings", program=48, notes=(Note(60, 2 * Q, 4 * Q, 100),))
    later = Track(name="Bass", program=33, channel=1, notes=(Note(36, 4 * Q, Q, 127),))
    song = Song(tracks=(strings, later), ppq=Q, tempos=(TempoChange(0, 600_000),))
    job = ProgressiveRender(song, sr, loop=(0, 4 * Q))
    job.run(lambda: None, render=builtin)
    release = job.releases[(0, 4 * Q)]
    assert len(release) == 2 * sr  # RELEASE_SECONDS: shorter than the 2.4 s loop
    end = job.frame_of(4 * Q)
    before = job.buffer[end - 200:end, 0]
    step = np.abs(np.diff(before)).max()
    assert np.abs(before).max() > 0.01  # the note sounds up to the end
    assert abs(release[0, 0] - before[-1]) <= 2 * step  # and goes on from there
    assert np.all(release[-1] == 0)

    def rms(a):
        return float(np.sqrt(np.mean(a ** 2)))

    # Let go at the end: a second on it has died away (-20 dB), where the note held on
    # (and bar 2's bass) still sound in the song past the loop.
    assert rms(release[sr:sr + sr // 10]) < 0.1 * rms(release[:sr // 20])
    assert rms(job.buffer[end + sr // 2:end + sr]) > 5 * rms(release[sr // 2:sr])


def test_a_loop_whose_notes_have_rung_out_by_its_end_has_no_release():
    sr = 22050
    song = Song(tracks=(Track(name="Piano", notes=(Note(60, 0, Q, 90),)),), ppq=Q,
                tempos=(TempoChange(0, 600_000),))  # the note ends 4.2 s before the end
    job = ProgressiveRender(song, sr, loop=(0, 8 * Q))
    job.render_release(builtin)
    assert len(job.releases[(0, 8 * Q)]) == 0


def rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.mean(a ** 2)))


def test_played_from_the_middle_a_held_note_sounds_at_once_for_the_rest_of_its_length():
    """As a DAW chases notes: a pad held from bar 1 is struck again at bar 2's playhead and
    let go where it ends in the song (bar 3), not a whole note later; the crash struck on
    bar 1 is not played again (the render is the pad's alone)."""
    sr = 22050
    pad = Track("Pad", 89, channel=2, notes=(Note(60, 0, 8 * Q, 100),))
    crash = Track("Drums", is_drum=True, channel=DRUM_CHANNEL, notes=(Note(49, 0, Q, 127),))
    song = Song(tracks=(pad, crash), ppq=Q, tempos=(TempoChange(0, 600_000),))
    job = ProgressiveRender(song, sr, start=4 * Q)
    job.run(lambda: None, render=builtin)
    at, end = job.frame_of(4 * Q), job.frame_of(8 * Q)
    assert not job.buffer[:at].any()
    from_bar_1 = ProgressiveRender(replace(song, tracks=(pad,)), sr)
    from_bar_1.run(lambda: None, render=builtin)
    attack = rms(from_bar_1.buffer[:sr // 10])  # the pad's first 100 ms, from bar 1
    assert rms(job.buffer[at:at + sr // 10]) > 0.8 * attack > 0.005
    held = rms(job.buffer[end - sr:end])  # its last second, then its release dies away
    assert held > 0.01 and rms(job.buffer[end + 3 * sr // 4:end + 3 * sr // 2]) < 0.3 * held
    alone = ProgressiveRender(replace(song, tracks=(pad,)), sr, start=4 * Q)
    alone.run(lambda: None, render=builtin)
    np.testing.assert_array_equal(job.buffer, alone.buffer)


def test_a_loop_starting_inside_a_held_note_strikes_it_and_lets_it_go_at_its_end():
    """The loop's audio is rendered from its start with the pad held into it struck there
    (each wrap plays it again), and its release lets the pad go at the loop's end."""
    sr = 22050
    pad = Track("Pad", 89, channel=2, notes=(Note(60, 0, 16 * Q, 100),))
    song = Song(tracks=(pad,), ppq=Q, tempos=(TempoChange(0, 600_000),))
    job = ProgressiveRender(song, sr, start=4 * Q, loop=(4 * Q, 8 * Q))
    job.run(lambda: None, render=builtin)
    at, end = job.frame_of(4 * Q), job.frame_of(8 * Q)
    assert rms(job.buffer[at:at + sr // 10]) > 0.005
    release = job.releases[(4 * Q, 8 * Q)]
    assert len(release) == 2 * sr and rms(release[:sr // 20]) > 0.01
    step = np.abs(np.diff(job.buffer[end - 200:end, 0])).max()
    assert abs(release[0, 0] - job.buffer[end - 1, 0]) <= 2 * step  # on from the loop's end


def test_a_slice_keeps_the_bend_ranges_rpn_whole_and_in_order():
    """RPN 101/100 then data entry 6/38 set the bend range: the last value of each alone,
    in first-seen order, would set it on a parameter closed again (127/127) or another."""
    rpn = [(101, 0), (100, 0), (6, 12), (38, 0), (101, 127), (100, 127)]
    keys = Track("Keys", 0, notes=(Note(60, 4 * Q, Q),), controls=(
        *(ControlEvent(0, "control_change", n, v) for n, v in rpn),
        ControlEvent(Q, "pitchwheel", 0, 4096), ControlEvent(5 * Q, "pitchwheel", 0, 0)))
    part = slice_song(Song(tracks=(keys,), ppq=Q), 4 * Q, 8 * Q)
    assert [(c.tick, c.kind, c.number, c.value) for c in part.tracks[0].controls] == [
        *((0, "control_change", n, v) for n, v in rpn), (0, "pitchwheel", 0, 4096),
        (Q, "pitchwheel", 0, 0)]
