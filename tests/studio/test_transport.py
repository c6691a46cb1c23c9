"""Transport: rendering off the GUI thread, the playhead, loop, metronome, no-audio path."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest

from engine.render.clicks import count_in_clicks, with_metronome
from engine.render.live import LiveVoices
from engine.score import TimeMap, TimeSignature


class FakePlayer:
    """Plays nothing, but its position runs 10x faster than real time."""

    instances: list[FakePlayer] = []
    rate = 441000  # frames a second

    def __init__(self, on_finished=None) -> None:
        self.plays: list[tuple[int, int]] = []
        self.leads: list[int] = []  # the frames of each play's lead-in (a count-in)
        self.error = None
        self._start = 0
        self._t0 = 0.0
        self._len = 0
        self._on = False
        self.live = LiveVoices()  # (the MIDI keyboard's keys: never mixed, never heard)
        self.monitors = 0  # the streams asked for them
        FakePlayer.instances.append(self)

    def monitor(self, sample_rate) -> bool:
        self.monitors += 1
        return True

    def close(self) -> None:
        self._on = False

    def play(self, audio, sample_rate, start_frame=0, lead_in=None, loop=None,
             gain=1.0) -> bool:
        assert audio.dtype == np.float32 and audio.shape[1] == 2
        lead = 0 if lead_in is None else len(lead_in)
        self.plays.append((len(audio), start_frame))
        self.leads.append(lead)
        self.loop = loop
        self.gains = [gain]  # this play's, as set (the real one never raises it)
        # As the real one: the lead-in's frames count as those just before start_frame.
        self._start, self._t0, self._len, self._on = start_frame - lead, time.perf_counter(), len(
            audio), True
        return True

    def set_loop(self, loop) -> None:
        self.loop = loop

    def set_gain(self, gain) -> None:
        if gain != self.gains[-1]:
            self.gains.append(gain)

    def stop(self) -> None:
        self._on = False

    @property
    def position_frames(self) -> int:
        """As the real one's: round the loop (as if it had been set from the start)."""
        pos = self._start + int((time.perf_counter() - self._t0) * self.rate)
        loop = self.loop
        if loop is not None and pos >= loop.end > loop.start:
            return loop.start + (pos - loop.end) % (loop.end - loop.start)
        return min(self._len, pos)

    @property
    def is_playing(self) -> bool:
        return self._on and self.position_frames < self._len


@pytest.fixture
def fake_audio(monkeypatch):
    from engine import render
    from engine.render import playback

    threads: list[str] = []
    real_make = render.make_synth

    def make_synth(sample_rate, *a, **k):
        threads.append(threading.current_thread().name)
        return real_make(sample_rate, synth="builtin")

    monkeypatch.setattr(playback, "audio_available", lambda: (True, "Audio output: Fake"))
    monkeypatch.setattr(playback, "Player", FakePlayer)
    monkeypatch.setattr(render, "make_synth", make_synth)
    FakePlayer.instances.clear()
    return threads


def test_play_renders_off_the_gui_thread_and_the_playhead_moves(opened, qtbot, fake_audio,
                                                                monkeypatch):
    # In real time: at 10x the song's rest after beat 3 plays in 0.36 s, and a GUI thread
    # held up that long on a loaded machine next saw the play over, the playhead home.
    monkeypatch.setattr(FakePlayer, "rate", 44100)
    win = opened
    tr = win.transport
    tr.seek(480)
    win.actions.play.trigger()
    qtbot.waitUntil(lambda: tr.position > 960, timeout=5000)
    assert fake_audio and fake_audio[0] != threading.main_thread().name
    assert win.pianoroll.playhead == tr.position
    assert win.lcd_position.text() != "1.2.000"
    win.actions.play.trigger()  # space again: stop, back to where playback started
    assert not tr.is_playing
    assert tr.position == 480
    assert "Fake" in win.status_audio.text()


def test_the_player_loops_and_the_playhead_follows_it_round(opened, qtbot, fake_audio):
    # The wrap is the player's (in its audio callback): one play, never a restart.
    win = opened
    tr = win.transport
    tr.set_loop(0, 960, True)
    seen = []
    tr.positionChanged.connect(seen.append)
    tr.play()
    qtbot.waitUntil(lambda: any(b < a for a, b in pairwise(seen[2:])), timeout=5000)
    (player,) = FakePlayer.instances
    assert len(player.plays) == 1
    assert (player.loop.start, player.loop.end) == (0, round(1.2 * 44100))  # 2 beats
    assert max(seen) < 960
    tr.stop()


def test_no_audio_device_keeps_the_studio_working(opened, dialogs):
    win = opened
    win.transport.play()
    said = win.statusBar().currentMessage()
    win.transport.play()
    # Said in the status bar, not a modal box (QA): the warning is on screen already,
    # and its tooltip keeps the explanation.
    assert "show_notice" not in dialogs.names()
    assert said.startswith("No audio output") and "exporting audio work" in said
    assert "Export Audio & Stems" in win.status_audio.toolTip()
    assert not win.transport.is_playing
    win.transport.preview(60, win.document.song.tracks[0])  # silently nothing
    assert win.status_audio.text().startswith("⚠ No audio output")


def test_the_no_audio_message_says_each_thing_once(opened, monkeypatch):
    # QA: "…: playback is off; rendering to files still works. · editing, saving and
    # exporting audio work".
    from engine.render import playback

    monkeypatch.setattr(playback, "audio_available", lambda: (False, playback.NO_DEVICE))
    win = opened
    win.transport.audio_ok = None  # asked again, as at a start on this machine
    win.transport.play()
    assert win.statusBar().currentMessage() == (
        "No audio output device found: playback is off; editing, saving and exporting "
        "audio work")


def test_metronome_adds_a_click_per_beat(opened):
    song = opened.document.song
    clicked = with_metronome(song)
    click = clicked.tracks[-1]
    tm = TimeMap.of(song)
    assert click.is_drum and len(click.notes) == 4 * tm.bar_count(song.end)
    assert [n.pitch for n in click.notes[:4]] == [76, 77, 77, 77]


def test_the_end_of_a_render_clears_only_its_own_message(window):
    # Switching takes while one played left the status bar blank: the render's "" cleared
    # "Take B on screen…".
    win = window
    win.transport.status.emit("Rendering…")
    win.transport.status.emit("")
    assert win.statusBar().currentMessage() == ""
    win.statusBar().showMessage("Take B on screen (12 notes)")
    win.transport.status.emit("")
    assert win.statusBar().currentMessage() == "Take B on screen (12 notes)"


def test_a_count_in_is_bars_of_click_on_the_songs_beats_leading_to_the_playhead(opened):
    song = opened.document.song  # 4/4 at 100 BPM, 480 PPQ
    bar = 4 * 480
    lead = count_in_clicks(song, 2 * bar, 1)
    (click,) = lead.tracks
    assert lead.end == bar and lead.tempos[0].us_per_beat == 600_000  # a bar at 100 BPM
    assert [(n.start, n.pitch) for n in click.notes] == [(0, 76), (480, 77), (960, 77),
                                                         (1440, 77)]
    # From beat 3: it starts on a beat 3 and its downbeat is high; also before bar 1.
    lead = count_in_clicks(song, 2 * 480, 2)
    assert lead.end == 2 * bar
    assert [(n.start, n.pitch) for n in lead.tracks[0].notes] == [
        (i * 480, 76 if i in (2, 6) else 77) for i in range(8)]
    six_eight = replace(song, time_signatures=(TimeSignature(0, 6, 8),))  # 2 dotted beats
    lead = count_in_clicks(six_eight, 0, 1)
    assert lead.end == 1440 and [n.start for n in lead.tracks[0].notes] == [0, 720]


def test_a_count_in_plays_first_while_the_playhead_waits(opened, qtbot, fake_audio,
                                                         monkeypatch):
    monkeypatch.setattr(FakePlayer, "rate", 2 * 44100)  # the bar's count-in: 1.2 s
    win = opened
    tr = win.transport
    seen = []
    tr.positionChanged.connect(lambda t: seen.append((t, tr.counting_in, tr.count_in_left)))
    tr.seek(1920)
    tr.set_metronome(True)
    tr.play(count_in=1)
    assert tr.counting_in and tr.is_playing
    qtbot.waitUntil(lambda: tr.position > 1920, timeout=10000)
    (player,) = FakePlayer.instances
    assert player.leads == [round(2.4 * 44100)]  # a bar at 100 BPM, then the song
    assert player.plays[0][1] == round(2.4 * 44100)  # from the playhead's frame (2.4 s)
    counting = [(t, left) for t, on, left in seen[1:] if on]
    assert counting and all(t == 1920 and 0 < left <= 2.4 for t, left in counting)
    assert not tr.counting_in and tr.count_in_left == 0
    tr.stop()
    assert tr.position == 1920
    tr.play()  # an ordinary play: no count-in
    qtbot.waitUntil(lambda: len(player.plays) == 2, timeout=5000)
    assert player.leads[1] == 0 and not tr.counting_in
    tr.stop()


def test_the_synth_loads_on_the_worker_once_the_window_shows_not_at_the_first_play(
        opened, qtbot, fake_audio):
    # Loading a GM SoundFont holds Python's GIL ~0.5 s (TinySoundFont's loader): at the
    # first Play the window froze 0.26–0.52 s. partita studio prepares it once the window
    # shows (studio.app), on the render worker.
    tr = opened.transport
    tr.prepare()
    qtbot.waitUntil(lambda: tr._synth_obj is not None, timeout=5000)
    assert fake_audio and fake_audio[0] != threading.main_thread().name
    tr.prepare()  # once
    tr.play()
    qtbot.waitUntil(lambda: tr._timer.isActive(), timeout=5000)
    tr.stop()
    assert len(fake_audio) == 1


def test_without_audio_nothing_is_loaded_in_advance(opened, monkeypatch):
    from engine import render

    made = []
    monkeypatch.setattr(render, "make_synth", lambda *a, **k: made.append(a))
    opened.transport.prepare()
    opened.transport._render_worker.wait(5000)
    assert made == [] and opened.transport._synth_obj is None
    assert opened.status_audio.text().startswith("⚠ No audio output")


@pytest.fixture
def stand_in_output(monkeypatch):
    """The real player on a stand-in sound card with 20 ms of output latency; its stream
    plays only when the test calls its callback, so the frames heard are the test's."""
    from engine import render
    from engine.render import playback
    from tests.engine.render.test_playback import FakeStream, fake_sounddevice

    streams: list = []
    real_make = render.make_synth
    monkeypatch.setattr(FakeStream, "latency", 0.02)
    monkeypatch.setattr(playback, "_sounddevice", lambda: fake_sounddevice(streams))
    monkeypatch.setattr(playback, "audio_available", lambda: (True, "Audio output: Stand-in"))
    monkeypatch.setattr(render, "make_synth",
                        lambda sr, *a, **k: real_make(sr, synth="builtin"))
    return streams


def test_a_one_bar_loop_goes_round_sample_exactly_on_the_stand_in_output(
        opened, qtbot, stand_in_output):
    """QA heard 7–65 ms past a 1-bar loop's end at each wrap, then a 5–13 ms gap: the GUI
    timer restarted the stream. Now the frames handed over at the loop's end are the loop
    start's, in the same block, with the release of the notes let go at the end mixed in
    (and nothing else: the second pass is the first one's audio, no note left hanging);
    the playhead follows what is heard."""
    win = opened
    tr = win.transport
    bar = 4 * 480
    tr.set_loop(0, bar, True)
    seen: list[int] = []
    tr.positionChanged.connect(seen.append)
    tr.play()
    qtbot.waitUntil(lambda: tr._job is not None and tr._job.done and tr._timer.isActive(),
                    timeout=10000)
    player = tr._player
    qtbot.waitUntil(lambda: player.loop is not None and player.loop.release is not None,
                    timeout=5000)  # the release, rendered after the first bar: told
    (stream,) = stand_in_output
    job = tr._job
    end = job.frame_of(bar)  # 2.4 s at 100 BPM
    release = player.loop.release
    assert (player.loop.start, player.loop.end) == (0, end) and len(release) == 2 * 44100
    blocks = []
    for _ in range(2 * end // 512 + 8):  # two passes and a bit
        block = np.full((512, 2), 9.0, np.float32)
        stream.callback(block, 512, None, None)
        blocks.append(block)
    heard = np.concatenate(blocks)
    audio = job.buffer
    np.testing.assert_array_equal(heard[:end], audio[:end])
    second = np.clip(audio[:end] + np.pad(release, ((0, end - len(release)), (0, 0))), -1, 1)
    np.testing.assert_array_equal(heard[end:2 * end], second)
    np.testing.assert_array_equal(heard[2 * end:], second[:len(heard) - 2 * end])
    assert len(stand_in_output) == 1 and player.wraps == 2  # one stream, never restarted
    # The notes on the loop's first beat sound again at each wrap (piano C4, bass, kick).
    attack = heard[end:end + 2205]
    assert np.sqrt(np.mean(attack ** 2)) > 0.5 * np.sqrt(np.mean(heard[:2205] ** 2)) > 0.01
    # The GUI follows: 2 passes and 4096 frames handed over, 882 (20 ms) not heard yet.
    qtbot.waitUntil(lambda: tr.position == win.document.time_map.seconds_to_tick(
        (len(heard) - 2 * end - 882) / 44100), timeout=2000)
    assert tr.is_playing and tr.position < 480
    tr.stop()
    assert tr.position == 0 and not tr.is_playing


def test_a_loop_moved_while_playing_goes_to_the_player_with_its_own_release(
        opened, qtbot, stand_in_output):
    tr = opened.transport
    tr.set_loop(0, 4 * 480, True)
    tr.play()
    qtbot.waitUntil(lambda: tr._job is not None and tr._job.done and tr._timer.isActive(),
                    timeout=10000)
    player, job = tr._player, tr._job
    tr.set_loop(0, 2 * 480)  # the end dragged along the ruler: no new render, no restart
    assert (player.loop.start, player.loop.end) == (0, job.frame_of(960))
    qtbot.waitUntil(lambda: player.loop.release is not None, timeout=5000)
    assert len(player.loop.release) == job.frame_of(960)  # no longer than the loop
    assert tr._job is job and len(stand_in_output) == 1
    tr.set_loop_enabled(False)  # off: plays on
    assert player.loop is None and tr.is_playing
    tr.stop()


def loud_song():
    """The test song with a loud pad chord over both bars: its mix peaks past -1 dBFS, so
    the export's headroom gain brings it down (-2.8 dB with the built-in synth)."""
    from engine.score import Note, Track
    from tests.studio.conftest import make_song

    song = make_song()
    pad = Track("Pad", 89, channel=2, notes=tuple(Note(p, 0, 8 * 480, 127)
                                                 for p in (36, 48, 52, 55, 60, 64, 67, 72)))
    return replace(song, tracks=(*song.tracks, pad))


def test_the_studio_plays_the_song_at_the_level_the_export_writes_it(
        window, qtbot, stand_in_output, tmp_path):
    """QA: the studio played the mix at unity gain, clipped (the export brings it down to
    -1 dBFS), and muting the drums made the rest louder. Now what the sound card gets is
    the exported mix.wav, sample for sample, and stays so with a track muted."""
    import soundfile as sf

    from engine.io import save_song
    from engine.render import render_files

    save_song(loud_song(), tmp_path / "loud.mid")
    assert window.open_path(tmp_path / "loud.mid")
    tr, doc = window.transport, window.document

    def export() -> np.ndarray:
        render_files(doc.song, tmp_path / "mix.wav", synth="builtin")
        return sf.read(tmp_path / "mix.wav", dtype="float32")[0]

    def heard(stream, frames: int) -> np.ndarray:
        blocks = []
        for _ in range(-(-frames // 512)):
            block = np.zeros((512, 2), np.float32)
            stream.callback(block, 512, None, None)
            blocks.append(block)
        return np.concatenate(blocks)[:frames]

    def played() -> None:
        tr.play()
        qtbot.waitUntil(lambda: tr._job is not None and tr._job.done and tr.is_playing
                        and not tr._pending, timeout=10000)

    played()  # the first play: the gain comes down as the render finds the loud bars
    job, player = tr._job, tr._player
    qtbot.waitUntil(lambda: player.gain == job.gain, timeout=2000)
    assert job.level is not None and job.gain < 0.8
    tr.stop()
    wav = export()
    played()  # again: the same render, at the export's gain from its first sample
    assert tr._job is job and len(stand_in_output) == 2
    np.testing.assert_allclose(heard(stand_in_output[-1], len(wav)), wav, rtol=0, atol=2e-7)
    tr.stop()
    drums = [t.name for t in doc.song.tracks].index("Drums")
    window.tracklist.headers[drums].mute.click()  # an edit: a new render, the level kept
    played()
    assert tr._job is not job and tr._job.gain == job.gain
    np.testing.assert_allclose(heard(stand_in_output[-1], len(wav)), export(), rtol=0,
                               atol=2e-7)
    tr.stop()


def test_played_from_its_middle_the_song_is_measured_and_its_level_kept(
        window, qtbot, fake_audio, tmp_path, monkeypatch):
    """From bar 2 the render has not met bar 1: after its audio, the whole song is
    rendered again for its peaks (on the render worker) and its gain, only ever lowered
    while playing, lands on the export's; the next play starts there. A metronome click
    leaves it alone."""
    from engine.io import save_song

    # The playhead stands still: the play outlasts the measuring however loaded the
    # machine (at 10x it could end first, and no tick was left to lower the gain).
    monkeypatch.setattr(FakePlayer, "rate", 0)
    save_song(loud_song(), tmp_path / "loud.mid")
    assert window.open_path(tmp_path / "loud.mid")
    tr = window.transport
    tr.seek(4 * 480 + 240)
    tr.play()
    qtbot.waitUntil(lambda: tr._level is not None, timeout=10000)
    (player,) = FakePlayer.instances
    level = tr._level[-1]
    qtbot.waitUntil(lambda: player.gains[-1] == level.mix_gain, timeout=10000)
    assert player.gains == sorted(player.gains, reverse=True)
    tr.stop()
    tr.set_metronome(True)
    tr.seek(4 * 480 + 240)
    tr.play()
    # Rendered is not yet played: the render thread can finish before the GUI thread
    # starts the player (CI saw the first play's gains here, on a loaded machine).
    qtbot.waitUntil(lambda: tr._job is not None and tr._job.done and len(player.plays) == 2
                    and not tr._pending, timeout=10000)
    assert player.gains == [level.mix_gain] and tr._job.gain == level.mix_gain
    tr.stop()


def test_a_note_played_alone_sounds_at_the_songs_level(window, qtbot, fake_audio, tmp_path,
                                                       monkeypatch):
    """A note under the mouse played at full scale, louder than the song around it (whose
    mix the headroom gain brings down) and deaf to the track's volume: it takes the stems'
    gain of the song's level, once known, and the track's volume and pan."""
    from engine import render
    from engine.io import save_song
    from engine.render.mixing import apply_volume_pan
    from engine.score import Note, Song, Track

    save_song(loud_song(), tmp_path / "loud.mid")
    assert window.open_path(tmp_path / "loud.mid")
    tr = window.transport
    assert tr.preview_gain() == 1.0  # no level known yet
    tr.play()
    qtbot.waitUntil(lambda: tr._level is not None and tr._job.done, timeout=10000)
    tr.stop()
    gain = tr.preview_gain()
    assert gain < 0.8
    heard = []
    real_play = FakePlayer.play

    def play(self, audio, *a, **k):
        heard.append(audio)
        return real_play(self, audio, *a, **k)

    monkeypatch.setattr(FakePlayer, "play", play)
    track = replace(window.document.song.tracks[0], volume=0.5, pan=-0.5)
    tr.preview(60, track)
    qtbot.waitUntil(lambda: bool(heard), timeout=5000)
    alone = Track(program=track.program, notes=(Note(60, 0, 240, 100),), volume=0.5, pan=-0.5)
    synth = render.make_synth(44100, synth="builtin")
    full = apply_volume_pan(synth.render_track(Song(tracks=(alone,)), alone), alone)
    np.testing.assert_allclose(heard[0], full * gain, rtol=0, atol=1e-6)


BAR = 4 * 480  # 2.4 s at the test songs' 100 BPM


def rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.mean(a ** 2)))


def held_pad_song(pad_bars: int):
    """A pad held from bar 1 for ``pad_bars`` bars, a crash on bar 1 (rung out by bar 3)
    and a kick on bar 5, at 100 BPM."""
    from engine.score import DRUM_CHANNEL, Note, Song, TempoChange, Track

    pad = Track("Pad", 89, channel=2, notes=(Note(60, 0, pad_bars * BAR, 100),))
    drums = Track("Drums", is_drum=True, channel=DRUM_CHANNEL,
                  notes=(Note(49, 0, 120, 127), Note(36, 4 * BAR, 120, 110)))
    return Song(tracks=(pad, drums), tempos=(TempoChange(0, 600_000),))


def test_played_from_bar_3_a_pad_held_from_bar_1_sounds_at_once_and_the_crash_does_not(
        window, qtbot, fake_audio, tmp_path):
    """As a DAW chases notes: the pad is struck again at the playhead for the rest of its
    length (it was silent until its next note), the crash struck on bar 1 is not; a take
    auditioned from there plays the same way."""
    from engine.io import save_song
    from engine.render import make_synth
    from engine.render.progressive import ProgressiveRender, synth_renderer

    song = held_pad_song(4)
    save_song(song, tmp_path / "pad.mid")
    assert window.open_path(tmp_path / "pad.mid")
    tr = window.transport
    synth = synth_renderer(make_synth(44100, synth="builtin"))
    pad = replace(window.document.song, tracks=window.document.song.tracks[:1])
    from_bar_1, pad_alone = (ProgressiveRender(pad, 44100, s) for s in (0, 2 * BAR))
    for job in (from_bar_1, pad_alone):
        job.run(lambda: None, render=synth)
    attack = rms(from_bar_1.buffer[:4410])  # its first 100 ms, played from bar 1

    def played_from_bar_3() -> np.ndarray:
        qtbot.waitUntil(lambda: tr._job is not None and tr._job.done and not tr._pending,
                        timeout=10000)
        job, player = tr._job, FakePlayer.instances[-1]
        at = job.frame_of(2 * BAR)
        assert player.plays[-1] == (len(job.buffer), tr._frame_of(2 * BAR))
        assert not job.buffer[:at].any()
        assert rms(job.buffer[at:at + 4410]) > 0.8 * attack > 0.005  # at once
        # Until the kick on bar 5 (its drift filter reads 0.26 s ahead): the pad alone.
        upto = job.frame_of(4 * BAR) - 44100 // 2
        np.testing.assert_array_equal(job.buffer[at:upto], pad_alone.buffer[at:upto])
        tr.stop()
        return job.buffer

    tr.seek(2 * BAR)
    tr.play()
    heard = played_from_bar_3()
    tr.audition(replace(window.document.song, title="a take"), 2 * BAR)
    assert played_from_bar_3() is not heard


def test_a_loop_starting_inside_a_held_pad_sounds_it_on_every_pass(opened, qtbot,
                                                                   stand_in_output, tmp_path):
    """The loop bar 2–3 inside a pad held from bar 1: played from the middle of the loop,
    the pad sounds on the first pass and at each wrap (struck again at the loop's start),
    and is let go at the loop's end with its release, not cut."""
    from engine.io import save_song

    save_song(held_pad_song(8), tmp_path / "pad.mid")
    assert opened.open_path(tmp_path / "pad.mid")
    tr = opened.transport
    tr.set_loop(BAR, 2 * BAR, True)
    tr.seek(BAR + 480)
    tr.play()
    qtbot.waitUntil(lambda: tr._job is not None and tr._job.done and tr._timer.isActive(),
                    timeout=10000)
    player = tr._player
    qtbot.waitUntil(lambda: player.loop is not None and player.loop.release is not None,
                    timeout=5000)
    assert rms(player.loop.release[:4410]) > 0.005  # the pad let go at the loop's end
    job = tr._job
    start, end = job.frame_of(BAR), job.frame_of(2 * BAR)
    first = end - tr._frame_of(BAR + 480)  # the first pass: from the playhead
    (stream,) = stand_in_output
    blocks = []
    for _ in range((first + 3 * (end - start)) // 512):
        block = np.zeros((512, 2), np.float32)
        stream.callback(block, 512, None, None)
        blocks.append(block)
    heard = np.concatenate(blocks)
    passes = [heard[:first], *(heard[first + i * (end - start):][:end - start]
                               for i in range(2))]
    assert player.wraps >= 2
    for audio in passes:
        assert rms(audio[:4410]) > 0.005 and rms(audio[-4410:]) > 0.005
    tr.stop()
