"""Playing rendered audio through the sound card, if there is one.

``sounddevice`` (PortAudio) is imported only when needed. Without PortAudio or without
an output device nothing here raises: :func:`audio_available` says why playback is off
and :meth:`Player.play` returns ``False`` with the same reason in :attr:`Player.error`.
Rendering to files never needs any of this.

The player streams from a callback on PortAudio's own thread, so it can be driven from
any thread (the studio drives it off its GUI thread); :attr:`Player.position_frames` is
safe to poll for a playhead. A :class:`Loop` is played in that callback too: the frame
after its last is its first, in the same block, as a DAW's loop — the stream is never
restarted, so nothing past the loop's end is heard and there is no gap.

What it plays is scaled by a gain (:meth:`Player.play`'s ``gain``: the studio gives the
export's headroom gain, ``engine.render.progressive.ProgressiveRender.gain``), applied in
the callback, so a gain lowered while playing (:meth:`Player.set_gain`: the render ahead
found a louder bar) applies to what was rendered before it too. It is never raised while
playing, and lowered over :data:`GAIN_RAMP_SECONDS`, not in a step; what would still
pass full scale is clipped.

The keys a MIDI keyboard plays (:mod:`engine.render.live`) are mixed into the output by
the same callback, after the song's gain (they come at their own level): :attr:`Player.live`.
While no song plays, :meth:`Player.monitor` opens a stream of them alone (silence between
them), which closes itself after :data:`LIVE_IDLE_S` with none sounding; a song started
meanwhile takes the keys sounding on, and one that stops or ends hands them back to a
stream of their own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from .live import LiveVoices

OFF = "playback is off; rendering to files still works."
NO_DEVICE = f"No audio output device found: {OFF}"
NO_PORTAUDIO = f"The PortAudio library is missing (Debian: apt install libportaudio2): {OFF}"
NO_SOUNDDEVICE = f"The sounddevice package is not installed: {OFF}"
LOOP_FADE_SECONDS = 0.01  # a loop's end without a release, or a start amid sound: faded
SEGMENTS_KEPT = 8  # the wraps remembered for the position (more than the latency holds)
GAIN_RAMP_SECONDS = 0.05  # a gain lowered while playing gets there over this long
LIVE_IDLE_S = 30.0  # a stream of live keys alone closes after this long with none sounding


def _sounddevice() -> ModuleType:
    """Import sounddevice lazily: importing it loads PortAudio, which may be absent."""
    import sounddevice

    return sounddevice


def _load() -> tuple[ModuleType | None, str]:
    try:
        return _sounddevice(), ""
    except ImportError:
        return None, NO_SOUNDDEVICE
    except OSError:  # sounddevice raises OSError when libportaudio cannot be loaded
        return None, NO_PORTAUDIO


def audio_available() -> tuple[bool, str]:
    """Whether audio can be played; the text names the device, or says why not."""
    sd, reason = _load()
    if sd is None:
        return False, reason
    try:
        device = sd.query_devices(kind="output")
    except Exception:  # PortAudioError, or any odd host-API failure
        return False, NO_DEVICE
    if not device or device.get("max_output_channels", 0) < 1:
        return False, NO_DEVICE
    return True, f"Audio output: {device.get('name', 'default device')}"


@dataclass(frozen=True, eq=False)  # (compared by identity: it holds an array)
class Loop:
    """Frames ``start`` to ``end`` played round and round, wrapped in the audio callback.

    ``release``: what the loop's notes sound past its end when they are let go there
    (``engine.render.progressive.loop_release``), mixed in from each wrap on, as a DAW
    sends note-offs at its loop's end; without it the last :data:`LOOP_FADE_SECONDS`
    before the end are faded out instead, so a note sounding across it does not click.
    ``fade_in``: the audio at ``start`` may be sounding already (rendered from before the
    loop): each pass fades in over :data:`LOOP_FADE_SECONDS`.
    """

    start: int
    end: int
    release: np.ndarray | None = None
    fade_in: bool = False


class Player:
    """Plays one stereo buffer at a time; ``play`` again replaces what is playing.

    ``on_finished`` is called (on the audio thread) when playback reaches the end or
    is stopped.
    """

    def __init__(self, on_finished: Callable[[], None] | None = None) -> None:
        self.on_finished = on_finished
        self.error: str | None = None
        self.sample_rate = 44100
        self._lock = threading.Lock()
        self._stream = None
        self._audio = np.zeros((0, 2), np.float32)
        self._lead = np.zeros((0, 2), np.float32)
        self._pos = self._start = 0
        self._latency_frames = 0
        self._playing = False
        self._loop: Loop | None = None
        # The position is kept as runs of frames: (frames handed to the device when the
        # run began, its first frame); a loop's wrap starts a run.
        self._delivered = 0
        self._runs: tuple[tuple[int, int], ...] = ((0, 0),)
        # (clock at the last callback's entry, frames handed over before it): the device
        # plays that block out over the block's time, so the frame heard moves on between
        # callbacks (counting the block as heard when handed over put a note recorded on
        # the beat up to a block late: 12 ms at 512 frames, 46 ms at 2048).
        self.clock = time.monotonic  # the clock of the MIDI notes' times (tests set it)
        self._stamp: tuple[float, int] | None = None
        self._ring = np.zeros((0, 2), np.float32)  # the release being mixed in
        self._ring_at = 0
        self._faded = False  # this pass's end was faded (its release is not mixed in)
        self.wraps = 0  # the loop's wraps since play
        self._gain = self._gain_to = 1.0  # the gain now, and where a ramp is going
        self._ramp = (1.0, 0.0)  # the ramp under way: its target, and its step a frame
        self.live = LiveVoices()  # the MIDI keyboard's keys, mixed into whatever plays
        self._live_only = False  # the stream plays the live keys alone (no song)
        self._running = False  # a stream is open and running (song or live keys)
        self._idle = 0  # frames the live-only stream has played with no key sounding

    # -- control -----------------------------------------------------------------------------
    def play(self, audio: np.ndarray, sample_rate: int, start_frame: int = 0,
             lead_in: np.ndarray | None = None, loop: Loop | None = None,
             gain: float = 1.0) -> bool:
        """Start playing ``audio`` (``(n, 2)`` or mono ``(n,)``) from ``start_frame``.

        ``lead_in``: audio played first, running into ``start_frame`` without a gap (a
        recording's count-in). :attr:`position_frames` counts it as the frames just
        before ``start_frame``: below it (below 0 when the lead-in is the longer) until
        the lead-in has been heard. ``loop``: as :meth:`set_loop`. ``gain``: what all of
        it (lead-in and a loop's release too) is scaled by, until :meth:`set_gain`.

        Returns ``False``, with the reason in :attr:`error`, when there is no way to play
        sound; never raises for a missing or failing audio device.
        """
        self._stop_song()
        self._close_stream()  # (a stream of the live keys alone: they go on in this one)
        sd, reason = _load()
        if sd is None:
            self.error = reason
            return False
        data, lead = _stereo(audio), _stereo(lead_in if lead_in is not None else ())
        with self._lock:
            self._live_only = False
            self._audio, self._lead = data, lead
            self._start = int(np.clip(start_frame, 0, len(data)))
            self._pos = self._start - len(lead)
            self._loop = loop
            self._delivered, self._runs, self._stamp = 0, ((0, self._pos),), None
            self._ring, self._ring_at, self._faded, self.wraps = self._ring[:0], 0, False, 0
            self._gain = self._gain_to = float(gain)
            self._ramp = (self._gain, 0.0)
            self.sample_rate = int(sample_rate)
            return self._open(sd)

    def monitor(self, sample_rate: int) -> bool:
        """Make sure :attr:`live` is heard: a song playing mixes it in already, else a
        stream of the live keys alone is opened (kept until :data:`LIVE_IDLE_S` with none
        sounding). ``False``, said why in :attr:`error`, without a sound card."""
        if self._running and self._stream is not None:
            return True
        self._close_stream()
        sd, reason = _load()
        if sd is None:
            self.error = reason
            return False
        with self._lock:
            self._audio = self._lead = np.zeros((0, 2), np.float32)
            self._pos = self._start = 0
            self._loop = None
            self._live_only, self._idle = True, 0
            self._delivered, self._runs, self._stamp = 0, ((0, 0),), None
            self._ring, self._ring_at = self._ring[:0], 0
            self.sample_rate = int(sample_rate)
            return self._open(sd)

    def _open(self, sd: ModuleType) -> bool:
        """Open and start the stream (under the lock)."""
        stream = None
        try:
            stream = sd.OutputStream(
                samplerate=self.sample_rate,
                channels=2,
                dtype="float32",
                callback=self._callback,
                finished_callback=self._finished,
            )
            self._latency_frames = int(float(stream.latency or 0) * self.sample_rate)
            self._playing = not self._live_only
            self._running = True
            stream.start()
        except Exception as e:  # no device, device busy, unsupported rate, ...
            self._playing = self._running = False
            if stream is not None:
                _close(stream)
            ok, why = audio_available()
            self.error = why if not ok else f"Cannot play audio ({e}): {OFF}"
            return False
        self._stream = stream
        self.error = None
        return True

    def _close_stream(self) -> None:
        """Close whatever stream is open (the live keys' own, or one that ended)."""
        with self._lock:
            stream, self._stream = self._stream, None
            self._running = False
        if stream is not None:
            _close(stream)

    def stop(self) -> None:
        """Stop playing (no-op when idle). The position stays where playback stopped.
        Live keys still sounding go on in a stream of their own (:meth:`monitor`)."""
        if self._stop_song() and self.live.busy:
            pos = self._pos
            self.monitor(self.sample_rate)
            self._pos = pos  # (where the song stopped, for the position)

    def _stop_song(self) -> bool:
        """Close the song's stream; whether there was one."""
        with self._lock:
            if self._live_only:  # no song playing: the live keys' stream plays on
                return False
            stream, self._stream = self._stream, None
            was_playing = self._playing
            self._running = False
        if stream is not None:
            _close(stream)
        if was_playing:  # resume from what was heard, not from what was buffered
            self._pos = self._heard(early=False)
        self._playing = False
        return stream is not None

    def close(self) -> None:
        """Stop every sound, the live keys' too (the window closing)."""
        self.stop()
        self._close_stream()

    def set_gain(self, gain: float) -> None:
        """Lower the gain to ``gain`` from now on, over :data:`GAIN_RAMP_SECONDS`; safe
        while playing. A higher one is ignored until the next :meth:`play`: the level never
        rises under the musician's ears."""
        self._gain_to = min(self._gain_to, float(gain))

    @property
    def gain(self) -> float:
        """The gain being applied now (the end of a ramp under way: :meth:`set_gain`)."""
        return self._gain_to

    def set_loop(self, loop: Loop | None) -> None:
        """Loop ``loop`` from now on (``None``: play on); safe while playing. A playhead
        past the new loop's end goes round at once; one before its start plays into it."""
        self._loop = loop

    # -- state -------------------------------------------------------------------------------
    @property
    def is_playing(self) -> bool:
        return self._playing

    @property
    def _first(self) -> int:
        """The position playback started at: the lead-in's first frame."""
        return self._start - len(self._lead)

    @property
    def loop(self) -> Loop | None:
        return self._loop

    @property
    def position_frames(self) -> int:
        """Frame being heard now: frames handed to the device minus its output latency,
        the last block counted as played out over the time since its callback (during a
        lead-in, below the start frame: :meth:`play`; until the first frame is heard, up
        to the latency before it); after a loop's wrap, the loop's end until the latency
        has passed, then on from its start."""
        pos = self._heard() if self._playing else self._pos
        top = len(self._audio) if self._loop is None else max(len(self._audio), self._loop.end)
        return max(min(0, self._first - self._latency_frames), min(pos, top))

    def _heard(self, early: bool = True) -> int:
        """The frame at the speaker now: the last callback's first frame plus the time
        since it was called (no further than what was handed over), less the latency.
        Before the first frame is heard: that long before it (``early``), else it."""
        stamp, delivered = self._stamp, self._delivered  # read before the runs: a run
        if stamp is None:                                 # begun since is not heard yet
            played = delivered
        else:
            at, before = stamp
            played = min(delivered, before + int((self.clock() - at) * self.sample_rate))
        heard = played - self._latency_frames
        for at, frame in reversed(self._runs):
            if at <= heard:
                return frame + heard - at
        at, frame = self._runs[0]
        return frame + heard - at if early else frame

    # -- audio thread ------------------------------------------------------------------------
    def _callback(self, outdata, frames, _time, _status) -> None:
        self._stamp = (self.clock(), self._delivered)
        pos, n = self._pos, 0
        if pos < self._start:  # the lead-in, then on into the audio in the same block
            lead = self._lead[len(self._lead) - (self._start - pos):][:frames]
            n = len(lead)
            outdata[:n] = lead
            pos += n
        while n < frames:
            loop = self._loop
            if loop is not None and loop.end > loop.start and pos >= loop.end:
                pos = self._wrap(loop, self._delivered + n)
            end = loop.end if loop is not None and pos < loop.end else len(self._audio)
            take = max(0, min(frames - n, end - pos))
            if take == 0:  # the end of the audio, not looping
                break
            chunk = self._audio[pos:pos + take]
            out = outdata[n:n + take]
            out[:len(chunk)] = chunk
            out[len(chunk):] = 0  # a loop reaching past the audio: silence to its end
            if loop is not None and pos < loop.end:
                self._shape(out, pos, loop)
            self._mix_ring(out)
            pos += take
            n += take
        self._pos = pos
        self._delivered += n
        self._level(outdata[:n])
        if n < frames:
            outdata[n:] = 0
        if self.live.mix_into(outdata):  # at their own level, after the song's gain
            self._idle = 0
        else:
            self._idle += frames
        np.clip(outdata, -1.0, 1.0, out=outdata)
        if n < frames:
            if self._live_only:  # the live keys' own stream: closed when long silent
                if self._idle >= LIVE_IDLE_S * self.sample_rate:
                    raise _sounddevice().CallbackStop
            elif self.live.busy:  # the song ended under keys held: they sound on
                self._live_only, self._playing, self._idle = True, False, 0
                if self.on_finished is not None:
                    self.on_finished()
            else:
                raise _sounddevice().CallbackStop

    def _level(self, out: np.ndarray) -> None:
        """Scale ``out`` by the gain, ramping down to a lower one, and clip it."""
        to, gain = self._gain_to, self._gain
        if to < gain:
            if self._ramp[0] != to:  # a new target: get there in GAIN_RAMP_SECONDS
                self._ramp = (to, (gain - to) / max(1.0, GAIN_RAMP_SECONDS * self.sample_rate))
            ramp = np.maximum(gain - self._ramp[1] * np.arange(1, len(out) + 1), to)
            out *= ramp.astype(np.float32)[:, None]
            self._gain = float(ramp[-1]) if len(ramp) else gain
        elif gain != 1.0:
            out *= np.float32(gain)
        np.clip(out, -1.0, 1.0, out=out)

    def _wrap(self, loop: Loop, delivered: int) -> int:
        """Go round: the next frame handed over (the ``delivered``-th) is the loop's first,
        and its release (unless this pass's end was faded) rings on from there."""
        self._runs = (*self._runs[-SEGMENTS_KEPT + 1:], (delivered, loop.start))
        ring = loop.release if loop.release is not None and not self._faded else None
        self._ring = ring if ring is not None else self._ring[:0]
        self._ring_at, self._faded = 0, False
        self.wraps += 1
        return loop.start

    def _shape(self, out: np.ndarray, pos: int, loop: Loop) -> None:
        """Fades of a loop's frames ``pos``… in ``out``: in at its start (``fade_in``),
        out before its end when it has no release."""
        fade = max(1, round(LOOP_FADE_SECONDS * self.sample_rate))
        frames = np.arange(pos, pos + len(out))
        gain = None
        if loop.fade_in and self.wraps and loop.start <= pos < loop.start + fade:
            gain = np.clip((frames - loop.start + 1) / fade, 0.0, 1.0)
        if loop.release is None and pos + len(out) > loop.end - fade:
            self._faded = True
            out_gain = np.clip((loop.end - frames) / fade, 0.0, 1.0)
            gain = out_gain if gain is None else gain * out_gain
        if gain is not None:
            out *= gain[:, None].astype(np.float32)

    def _mix_ring(self, out: np.ndarray) -> None:
        ring = self._ring[self._ring_at:self._ring_at + len(out)]
        if len(ring):
            out[:len(ring)] += ring  # (levelled and clipped with the rest: _level)
            self._ring_at += len(ring)

    def _finished(self) -> None:
        was = self._playing
        self._playing = self._running = False
        if was and self.on_finished is not None:
            self.on_finished()


def _stereo(audio: object) -> np.ndarray:
    """``audio`` as contiguous ``(n, 2)`` float32 frames (mono is played on both sides)."""
    data = np.asarray(audio, dtype=np.float32)
    if data.ndim == 1:
        data = np.repeat(data[:, None], 2, axis=1)
    return np.ascontiguousarray(data[:, :2])


def _close(stream) -> None:
    try:
        stream.abort()
        stream.close()
    except Exception:  # a device that vanished mid-play must not crash the app
        pass
