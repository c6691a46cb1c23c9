"""Live monitoring: a key struck reaches the (stand-in) sound card within a bounded number
of frames, idle or over a song playing, and stops after its release once let go."""

from __future__ import annotations

import time

import numpy as np
import pytest

from engine.render import make_synth, playback
from engine.render.builtin import NOTE_STEP
from engine.render.live import RELEASE_S, STEP_FRAMES, Monitor, held_note
from engine.render.playback import Player
from engine.score import Track
from tests.engine.render.test_playback import fake_sounddevice

SR = 44100
BLOCK = 256  # frames a callback (5.8 ms: a low-latency sound card's buffer)
# Frames from a key struck to its first sample, at most: the first block made on the
# monitor's thread and handed to the next callback; measured 1-2 callbacks here (the
# built-in synth's first step of a held note: 1-7 ms of numpy), bounded loosely for a
# loaded CI machine. (A string pad took 250-490 ms when its 30 s note was made whole.)
MAX_LATENCY_FRAMES = int(0.25 * SR)
PROGRAMS = [0, 19, 33, 48, 73]  # piano, organ, bass, strings, flute


@pytest.fixture
def streams(monkeypatch):
    made: list = []
    monkeypatch.setattr(playback, "_sounddevice", lambda: fake_sounddevice(made))
    return made


@pytest.fixture
def monitored(streams):
    player = Player()
    monitor = Monitor(player.live, lambda: make_synth(SR, synth="builtin"), SR)
    monitor.prepare()
    yield player, monitor
    monitor.close()
    player.close()


class Output:
    """A stream's callback driven in real time, a block at a time, as a sound card does."""

    def __init__(self, stream) -> None:
        self.stream, self.frames, self.t0 = stream, 0, time.perf_counter()

    def block(self) -> np.ndarray:
        wait = self.t0 + self.frames / SR - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        out = np.zeros((BLOCK, 2), np.float32)
        self.stream.callback(out, BLOCK, None, None)
        self.frames += BLOCK
        return out

    def until_heard(self, limit: int = SR) -> int:
        """Frames played until the first sample that is not silence."""
        start = self.frames
        while self.frames - start < limit:
            out = self.block()
            loud = np.flatnonzero(np.abs(out).max(axis=1) > 0)
            if len(loud):
                return self.frames - BLOCK + int(loud[0]) - start
        raise AssertionError("never heard")

    def until_silent(self, limit: int = SR) -> int:
        start = self.frames
        while self.frames - start < limit:
            if not self.block().any():
                return self.frames - start
        raise AssertionError("still sounding")

    def peak(self, frames: int) -> float:
        return max(float(np.abs(self.block()).max()) for _ in range(frames // BLOCK))


def test_a_key_struck_while_idle_is_heard_at_once_and_stops_after_its_release(
        monitored, streams):
    player, monitor = monitored
    assert player.monitor(SR) and not player.is_playing  # a stream of the keys alone
    (stream,) = streams
    out = Output(stream)
    monitor.note_on(60, 100, Track(program=0))
    latency = out.until_heard()
    assert latency <= MAX_LATENCY_FRAMES
    assert out.peak(SR // 4) > 0.05  # a held key sounds on
    monitor.note_off(60)
    # Let go: silent within its release (and the callback or two the note-off takes).
    assert out.until_silent() <= RELEASE_S * SR + 0.1 * SR
    assert not player.live.busy
    assert player.monitor(SR) and len(streams) == 1  # the same stream for the next key


@pytest.mark.parametrize("program", PROGRAMS)
def test_a_sustained_instruments_key_is_heard_as_soon_as_a_pianos(monitored, streams, program):
    player, monitor = monitored
    player.monitor(SR)
    out = Output(streams[0])
    monitor.note_on(60, 100, Track(program=program))
    assert out.until_heard() <= MAX_LATENCY_FRAMES
    monitor.note_off(60)
    out.until_silent()


@pytest.mark.parametrize("program", PROGRAMS)
def test_the_built_in_synth_makes_a_held_key_a_step_at_a_time_as_the_note_made_whole(
        program):
    """A key is a note held 30 s: its first block is one step of it, not the whole note
    made first, and the steps joined are the note an export makes, sample for sample."""
    synth = make_synth(SR, synth="builtin")
    song, track = held_note(Track(program=program), 60, 100)
    made = synth.stream(song, track)
    at, first = made.advance(STEP_FRAMES)
    assert at == 0 and STEP_FRAMES <= len(first) <= NOTE_STEP and not made.finished
    assert first.any()
    song, track = held_note(Track(program=program), 60, 100, seconds=2.0)  # (quicker whole)
    made, pieces = synth.stream(song, track), []
    while not made.finished:
        pieces.append(made.advance(made.handed + STEP_FRAMES)[1])
    assert np.array_equal(np.concatenate(pieces), synth.render_track(song, track))


def test_a_key_struck_while_the_song_plays_is_mixed_into_it_at_its_own_level(
        monitored, streams):
    player, monitor = monitored
    song = np.zeros((10 * SR, 2), np.float32)  # a silent song: what is heard is the key
    assert player.play(song, SR, gain=0.01)
    assert player.monitor(SR) and len(streams) == 1  # mixed into the song's stream
    out = Output(streams[0])
    monitor.note_on(64, 100, Track(program=0))
    assert out.until_heard() <= MAX_LATENCY_FRAMES
    assert out.peak(SR // 4) > 0.05  # not brought down by the song's gain
    assert player.is_playing and player.position_frames > 0
    monitor.note_off(64)
    assert out.until_silent() <= RELEASE_S * SR + 0.1 * SR
    assert player.is_playing  # the song plays on


def test_a_key_held_when_the_song_stops_sounds_on_in_a_stream_of_its_own(monitored, streams):
    player, monitor = monitored
    assert player.play(np.zeros((10 * SR, 2), np.float32), SR)
    out = Output(streams[0])
    monitor.note_on(60, 100, Track(program=0))
    out.until_heard()
    player.stop()
    assert not player.is_playing and len(streams) == 2
    out = Output(streams[1])
    assert out.peak(SR // 10) > 0.05
    monitor.note_off(60)
    out.until_silent()


def test_the_velocity_sets_the_level(monitored, streams):
    player, monitor = monitored
    player.monitor(SR)
    out = Output(streams[0])
    peaks = []
    for velocity in (30, 120):
        monitor.note_on(60, velocity, Track(program=0))
        out.until_heard()
        peaks.append(out.peak(SR // 5))
        monitor.note_off(60)
        out.until_silent()
    assert peaks[1] > 2 * peaks[0]


def test_the_tracks_volume_and_pan_and_the_gain_given_are_applied(monitored, streams):
    player, monitor = monitored
    player.monitor(SR)
    out = Output(streams[0])
    monitor.note_on(60, 100, Track(program=0, volume=0.5, pan=-1.0), gain=0.5)
    out.until_heard()
    heard = np.concatenate([out.block() for _ in range(20)])
    monitor.note_off(60)
    assert np.abs(heard[:, 0]).max() > 0.01 and not heard[:, 1].any()  # hard left


def test_without_a_sound_card_monitoring_says_why_and_raises_nothing(monkeypatch):
    monkeypatch.setattr(playback, "_sounddevice", lambda: fake_sounddevice([], devices=False,
                                                                          fail_open=True))
    player = Player()
    assert player.monitor(SR) is False and "playback is off" in player.error
