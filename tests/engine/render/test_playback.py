"""Playback: works through a (fake) sound card, and never raises without one."""

import itertools
import types

import numpy as np
import pytest

from engine.render import playback
from engine.render.playback import NO_DEVICE, Loop, Player, audio_available


class FakeStream:
    latency = 0.01

    def __init__(self, samplerate, channels, dtype, callback, finished_callback):
        self.samplerate, self.callback, self.finished = samplerate, callback, finished_callback
        self.started = self.closed = False

    def start(self):
        self.started = True

    def abort(self):
        self.finished()

    def close(self):
        self.closed = True


class CallbackStop(Exception):
    pass


def fake_sounddevice(streams: list, fail_open: bool = False, devices: bool = True):
    def output_stream(**kwargs):
        if fail_open:
            raise RuntimeError("Error opening OutputStream: Device unavailable")
        streams.append(FakeStream(**kwargs))
        return streams[-1]

    def query_devices(kind=None):
        if not devices:
            raise RuntimeError("Error querying device -1")
        return {"name": "Fake Speakers", "max_output_channels": 2}

    return types.SimpleNamespace(OutputStream=output_stream, CallbackStop=CallbackStop,
                                 query_devices=query_devices)


def played_out(player: Player) -> Player:
    """The player's clock a second on at each reading: every block handed over has been
    played out by the time the position is read."""
    player.clock = itertools.count(0.0, 1.0).__next__
    return player


def test_the_real_check_never_raises():
    ok, message = audio_available()
    assert isinstance(ok, bool) and message


@pytest.mark.parametrize("error, words", [(OSError("PortAudio library not found"), "PortAudio"),
                                          (ImportError("no sounddevice"), "sounddevice")])
def test_missing_portaudio_or_sounddevice_turns_playback_off(monkeypatch, error, words):
    def fail():
        raise error

    monkeypatch.setattr(playback, "_sounddevice", fail)
    ok, message = audio_available()
    assert not ok and words in message and "rendering to files still works" in message
    player = Player()
    assert player.play(np.zeros((100, 2), np.float32), 44100) is False
    assert player.error == message and not player.is_playing


def test_no_output_device_gives_the_clear_message(monkeypatch):
    monkeypatch.setattr(playback, "_sounddevice", lambda: fake_sounddevice([], devices=False))
    assert audio_available() == (False, NO_DEVICE)
    assert NO_DEVICE == ("No audio output device found: playback is off; rendering to files "
                         "still works.")


def test_a_device_that_fails_to_open_does_not_raise(monkeypatch):
    monkeypatch.setattr(playback, "_sounddevice", lambda: fake_sounddevice([], fail_open=True))
    player = Player()
    assert player.play(np.zeros((100, 2), np.float32), 44100) is False
    assert "Device unavailable" in player.error and "playback is off" in player.error
    player.stop()  # still safe


def test_player_streams_from_the_start_frame_to_the_end(monkeypatch):
    streams = []
    monkeypatch.setattr(playback, "_sounddevice", lambda: fake_sounddevice(streams))
    finished = []
    player = played_out(Player(on_finished=lambda: finished.append(True)))
    audio = np.arange(1000, dtype=np.float32) / 1000  # mono is played on both sides
    assert player.play(audio, 1000, start_frame=600) is True
    (stream,) = streams
    assert stream.started and player.is_playing and player.error is None
    out = np.ones((256, 2), np.float32)
    stream.callback(out, 256, None, None)
    np.testing.assert_array_equal(out[:, 0], audio[600:856])
    np.testing.assert_array_equal(out[:, 1], audio[600:856])
    assert player.position_frames == 856 - 10  # minus the 10 ms output latency
    with pytest.raises(CallbackStop):
        stream.callback(out, 256, None, None)  # only 144 frames left: pad and stop
    np.testing.assert_array_equal(out[144:], 0)
    stream.finished()
    assert not player.is_playing and finished == [True]
    assert player.position_frames == 1000


def test_stop_keeps_the_heard_position_and_play_replaces_the_stream(monkeypatch):
    streams = []
    monkeypatch.setattr(playback, "_sounddevice", lambda: fake_sounddevice(streams))
    player = played_out(Player())
    player.play(np.zeros((5000, 2), np.float32), 1000)
    streams[0].callback(np.zeros((512, 2), np.float32), 512, None, None)
    player.stop()
    assert streams[0].closed and not player.is_playing
    assert player.position_frames == 502
    player.play(np.zeros((5000, 2), np.float32), 1000, start_frame=player.position_frames)
    # Not before its start; until its first frame is heard, the latency before it.
    assert len(streams) == 2 and player.position_frames == 502 - 10


def test_a_lead_in_plays_first_and_runs_into_the_start_frame(monkeypatch):
    """A recording's count-in: no gap between it and the song, and the position counts
    it as the frames just before the start frame (below 0 near the song's start)."""
    streams = []
    monkeypatch.setattr(playback, "_sounddevice", lambda: fake_sounddevice(streams))
    player = played_out(Player())
    audio = np.arange(1000, dtype=np.float32) / 1000
    lead = -np.arange(1, 301, dtype=np.float32) / 1000  # 300 frames
    assert player.play(audio, 1000, start_frame=100, lead_in=lead)
    (stream,) = streams
    assert player.position_frames == -200 - 10  # the 10 ms latency before it is heard
    out = np.ones((256, 2), np.float32)
    stream.callback(out, 256, None, None)
    np.testing.assert_array_equal(out[:, 0], lead[:256])
    assert player.position_frames == -200 + 256 - 10  # minus the 10 ms output latency
    stream.callback(out, 256, None, None)  # the lead-in's last 44 frames, then the song
    np.testing.assert_array_equal(out[:44, 1], lead[256:])
    np.testing.assert_array_equal(out[44:, 1], audio[100:312])
    assert player.position_frames == 312 - 10
    player.stop()
    assert player.position_frames == 302
    player.play(audio, 1000, start_frame=400)  # no lead-in: from the start frame, as before
    assert player.position_frames == 400 - 10


def _played(stream, blocks: int, size: int = 256) -> np.ndarray:
    out = []
    for _ in range(blocks):
        block = np.full((size, 2), 9.0, np.float32)  # anything not written shows
        stream.callback(block, size, None, None)
        out.append(block)
    return np.concatenate(out)


@pytest.mark.parametrize("block", [512, 2048])
def test_the_frame_heard_moves_on_between_callbacks(monkeypatch, block):
    """Pianist QA: a note recorded on the beat heard landed up to a block late (0 to
    +12.5 ms at 512 frames, +2.5 to +28.8 ms at 2048): the block handed over was counted
    as heard at once. The device plays it out over the block's time: the frame heard at
    any moment is the last callback's first frame plus the time since, less the latency."""
    streams = []
    monkeypatch.setattr(playback, "_sounddevice", lambda: fake_sounddevice(streams))
    player = Player()
    now = [50.0]
    player.clock = lambda: now[0]
    sr = 44100
    player.play(np.zeros((sr * 2, 2), np.float32), sr)
    latency = round(0.01 * sr)
    for k in range(4):  # callbacks on time, each as the block before has played out
        now[0] = 50.0 + k * block / sr
        streams[0].callback(np.zeros((block, 2), np.float32), block, None, None)
        for part in (0.0, 0.25, 0.5, 0.99):
            now[0] = 50.0 + (k + part) * block / sr
            assert abs(player.position_frames - ((k + part) * block - latency)) <= 1
    now[0] += 1.0  # a callback late: no further than what was handed over
    assert player.position_frames == 4 * block - latency


def test_a_loop_goes_round_in_the_callback_sample_exactly(monkeypatch):
    """The frame after the loop's last is its first, in the same block; one stream."""
    streams = []
    monkeypatch.setattr(playback, "_sounddevice", lambda: fake_sounddevice(streams))
    player = played_out(Player())
    audio = np.arange(2000, dtype=np.float32) / 4000
    assert player.play(audio, 1000, start_frame=500, loop=Loop(300, 700, release=audio[:0]))
    out = _played(streams[0], 4)[:, 0]
    expected = np.concatenate([audio[500:700], *[audio[300:700]] * 3])[:1024]
    np.testing.assert_array_equal(out, expected)
    assert len(streams) == 1 and player.wraps == 3
    # The playhead: 1024 frames handed over, 10 of them not heard yet.
    assert player.position_frames == 300 + (1024 - 10 - 1000)
    player.stop()
    assert player.position_frames == 314


def test_the_playhead_stays_before_the_wrap_until_the_wrap_is_heard(monkeypatch):
    streams = []
    monkeypatch.setattr(playback, "_sounddevice", lambda: fake_sounddevice(streams))
    player = played_out(Player())
    player.play(np.zeros((2000, 2), np.float32), 1000, start_frame=600, loop=Loop(300, 700))
    streams[0].callback(np.zeros((105, 2), np.float32), 105, None, None)  # 5 past the end
    assert player.position_frames == 695  # the 10 ms latency: frame 695 is heard
    streams[0].callback(np.zeros((10, 2), np.float32), 10, None, None)
    assert player.position_frames == 305


def test_a_loops_release_rings_on_past_the_wrap_and_without_one_its_end_is_faded(
        monkeypatch):
    streams = []
    monkeypatch.setattr(playback, "_sounddevice", lambda: fake_sounddevice(streams))
    player = Player()
    audio = np.full((2000, 2), 0.25, np.float32)
    release = np.linspace(0.5, 0.0, 50, dtype=np.float32)[:, None].repeat(2, axis=1)
    player.play(audio, 1000, start_frame=300, loop=Loop(300, 700, release=release))
    out = _played(streams[0], 2)
    np.testing.assert_array_equal(out[:400], audio[300:700])  # no fade: the release goes on
    np.testing.assert_array_equal(out[400:450], audio[300:350] + release)
    np.testing.assert_array_equal(out[450:], audio[350:412])
    # No release (not rendered yet): the last 10 ms before the end fade out, no ring.
    player.play(audio, 1000, start_frame=600, loop=Loop(300, 700))
    out = _played(streams[1], 1)
    np.testing.assert_array_equal(out[:90], audio[600:690])
    np.testing.assert_allclose(out[90:100, 0], 0.25 * np.arange(10, 0, -1) / 10)
    np.testing.assert_array_equal(out[100:], audio[300:456])


def test_a_loop_changed_or_ended_while_playing(monkeypatch):
    streams = []
    monkeypatch.setattr(playback, "_sounddevice", lambda: fake_sounddevice(streams))
    player = Player()
    audio = np.arange(3000, dtype=np.float32) / 4000
    player.play(audio, 1000, start_frame=0, loop=Loop(0, 200, release=audio[:0]))
    player.set_loop(None)  # the loop turned off: on past its end
    np.testing.assert_array_equal(_played(streams[0], 1)[:, 0], audio[:256])
    player.set_loop(Loop(100, 200, release=audio[:0]))  # past its end: round at once
    np.testing.assert_array_equal(_played(streams[0], 1)[:, 0],
                                  np.concatenate([audio[100:200]] * 3)[:256])
    # A loop started amid sound (audio rendered from before it) fades in at each wrap.
    player.set_loop(Loop(100, 200, release=audio[:0], fade_in=True))
    out = _played(streams[0], 1)[:, 0]  # frames 156..199, then round
    np.testing.assert_array_equal(out[:44], audio[156:200])
    np.testing.assert_allclose(out[44:54], audio[100:110] * np.arange(1, 11) / 10)


def test_the_gain_scales_all_it_plays_and_only_comes_down_smoothly(monkeypatch):
    """The studio plays at the export's headroom gain, found lower as the render runs
    ahead: lowered while playing, it ramps down over 50 ms (no click); it never rises
    until the next play; the count-in and a loop's release are levelled alike, and what
    would still pass full scale is clipped."""
    streams = []
    monkeypatch.setattr(playback, "_sounddevice", lambda: fake_sounddevice(streams))
    player = Player()
    audio = np.full((3000, 2), 0.5, np.float32)
    lead = np.full((100, 2), -0.5, np.float32)
    release = np.full((10, 2), 0.25, np.float32)
    player.play(audio, 1000, start_frame=200, lead_in=lead,
                loop=Loop(200, 600, release=release), gain=0.8)
    out = _played(streams[0], 2)[:, 0]
    np.testing.assert_allclose(out[:100], -0.4)  # the count-in
    np.testing.assert_allclose(out[100:500], 0.4)
    np.testing.assert_allclose(out[500:510], 0.6)  # the wrap: the release rings in
    np.testing.assert_allclose(out[510:], 0.4)
    player.set_gain(0.4)
    player.set_gain(0.9)  # higher: not now
    assert player.gain == 0.4
    out = _played(streams[0], 1, size=100)[:, 0] / 0.5  # frames 312.. (no release now)
    steps = np.diff(np.concatenate([[0.8], out]))
    assert np.all(steps <= 0) and steps.min() == pytest.approx(-0.4 / 50, abs=1e-6)
    np.testing.assert_allclose(out[:50], 0.8 - 0.4 * np.arange(1, 51) / 50, atol=1e-6)
    np.testing.assert_allclose(out[50:], 0.4)
    player.play(audio * 4, 1000, gain=0.9)  # the next play starts at its own
    np.testing.assert_allclose(_played(streams[1], 1)[:, 0], 1.0)  # 1.8 clipped
