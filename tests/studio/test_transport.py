"""Transport: rendering off the GUI thread, the playhead, loop, metronome, no-audio path."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import numpy as np
import pytest

from engine.score import TimeMap, TimeSignature
from studio.transport import count_in_clicks, with_metronome


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
        FakePlayer.instances.append(self)

    def play(self, audio, sample_rate, start_frame=0, lead_in=None) -> bool:
        assert audio.dtype == np.float32 and audio.shape[1] == 2
        lead = 0 if lead_in is None else len(lead_in)
        self.plays.append((len(audio), start_frame))
        self.leads.append(lead)
        # As the real one: the lead-in's frames count as those just before start_frame.
        self._start, self._t0, self._len, self._on = start_frame - lead, time.perf_counter(), len(
            audio), True
        return True

    def stop(self) -> None:
        self._on = False

    @property
    def position_frames(self) -> int:
        return min(self._len, self._start + int((time.perf_counter() - self._t0) * self.rate))

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


def test_play_renders_off_the_gui_thread_and_the_playhead_moves(opened, qtbot, fake_audio):
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


def test_loop_wraps_to_the_loop_start(opened, qtbot, fake_audio):
    win = opened
    tr = win.transport
    tr.set_loop(0, 960, True)
    tr.play()
    qtbot.waitUntil(lambda: bool(FakePlayer.instances)
                    and len(FakePlayer.instances[0].plays) >= 2, timeout=5000)
    assert FakePlayer.instances[0].plays[1][1] == 0
    tr.stop()


def test_no_audio_device_keeps_the_studio_working(opened, dialogs):
    win = opened
    win.transport.play()
    win.transport.play()
    assert dialogs.names().count("show_notice") == 1
    assert not win.transport.is_playing
    win.transport.preview(60, win.document.song.tracks[0])  # silently nothing
    assert win.status_audio.text().startswith("⚠ No audio output")


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
