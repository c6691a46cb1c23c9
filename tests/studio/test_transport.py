"""Transport: rendering off the GUI thread, the playhead, loop, metronome, no-audio path."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from engine.score import TimeMap
from studio.transport import with_metronome


class FakePlayer:
    """Plays nothing, but its position runs 10x faster than real time."""

    instances: list[FakePlayer] = []

    def __init__(self, on_finished=None) -> None:
        self.plays: list[tuple[int, int]] = []
        self.error = None
        self._start = 0
        self._t0 = 0.0
        self._len = 0
        self._on = False
        FakePlayer.instances.append(self)

    def play(self, audio, sample_rate, start_frame=0) -> bool:
        assert audio.dtype == np.float32 and audio.shape[1] == 2
        self.plays.append((len(audio), start_frame))
        self._start, self._t0, self._len, self._on = start_frame, time.perf_counter(), len(
            audio), True
        return True

    def stop(self) -> None:
        self._on = False

    @property
    def position_frames(self) -> int:
        return min(self._len, self._start + int((time.perf_counter() - self._t0) * 441000))

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
