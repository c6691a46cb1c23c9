"""Progressive rendering for playback: windows of bars that sound like the whole song."""

from __future__ import annotations

import numpy as np

from engine.render import render_tracks
from engine.render.mixing import sum_tracks
from engine.render.progressive import ProgressiveRender, slice_song
from engine.score import Note, ProgramChange, Song, TempoChange, Track

Q = 480


def band() -> Song:
    """Two bars of piano (a program change in bar 2) and bass, 100 BPM."""
    piano = Track(name="Piano", program=0, notes=tuple(
        Note(p, i * Q, Q, 90) for i, p in enumerate((60, 62, 64, 65, 67, 69, 71, 72))),
        program_changes=(ProgramChange(6 * Q, 4),))
    bass = Track(name="Bass", program=33, channel=1,
                 notes=(Note(36, 0, 4 * Q, 100), Note(43, 4 * Q, 4 * Q, 100)))
    return Song(tracks=(piano, bass), ppq=Q, tempos=(TempoChange(0, 600_000),))


def test_window_slices_sound_like_the_whole_song():
    song = band()
    job = ProgressiveRender(song, 22050)
    job.run(lambda: None, render=lambda s, sr: render_tracks(s, sr, synth="builtin"))
    whole = np.clip(sum_tracks(render_tracks(song, 22050, synth="builtin"), song), -1, 1)
    n = min(len(whole), len(job.buffer))
    err = np.sqrt(np.mean((whole[:n] - job.buffer[:n]) ** 2))
    assert err < 0.1 * np.sqrt(np.mean(whole[:n] ** 2))


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
    job.run(lambda: ready.append(len(job.lead_audio)),
            render=lambda s, sr: render_tracks(s, sr, synth="builtin"))
    assert ready == [round(2.4 * 22050)]  # in before the first bar: a bar at 100 BPM
    assert np.abs(job.lead_audio[:2000]).max() > 0.01  # the first click sounds at once
    assert not job.buffer[: job.frame_of(4 * Q)].any()  # the song is not played into it


def builtin(song: Song, sr: int) -> dict:
    return render_tracks(song, sr, synth="builtin")


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
    assert rms(job.buffer[end + sr // 2:end + sr]) > 10 * rms(release[sr // 2:sr])


def test_a_loop_whose_notes_have_rung_out_by_its_end_has_no_release():
    sr = 22050
    song = Song(tracks=(Track(name="Piano", notes=(Note(60, 0, Q, 90),)),), ppq=Q,
                tempos=(TempoChange(0, 600_000),))  # the note ends 4.2 s before the end
    job = ProgressiveRender(song, sr, loop=(0, 8 * Q))
    job.render_release(builtin)
    assert len(job.releases[(0, 8 * Q)]) == 0
