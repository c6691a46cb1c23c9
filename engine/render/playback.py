"""Playing rendered audio through the sound card, if there is one.

``sounddevice`` (PortAudio) is imported only when needed. Without PortAudio or without
an output device nothing here raises: :func:`audio_available` says why playback is off
and :meth:`Player.play` returns ``False`` with the same reason in :attr:`Player.error`.
Rendering to files never needs any of this.

The player streams from a callback on PortAudio's own thread, so it can be driven from
any thread (the studio drives it off its GUI thread); :attr:`Player.position_frames` is
safe to poll for a playhead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import ModuleType

import numpy as np

OFF = "playback is off; rendering to files still works."
NO_DEVICE = f"No audio output device found: {OFF}"
NO_PORTAUDIO = f"The PortAudio library is missing (Debian: apt install libportaudio2): {OFF}"
NO_SOUNDDEVICE = f"The sounddevice package is not installed: {OFF}"


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

    # -- control -----------------------------------------------------------------------------
    def play(self, audio: np.ndarray, sample_rate: int, start_frame: int = 0,
             lead_in: np.ndarray | None = None) -> bool:
        """Start playing ``audio`` (``(n, 2)`` or mono ``(n,)``) from ``start_frame``.

        ``lead_in``: audio played first, running into ``start_frame`` without a gap (a
        recording's count-in). :attr:`position_frames` counts it as the frames just
        before ``start_frame``: below it (below 0 when the lead-in is the longer) until
        the lead-in has been heard.

        Returns ``False``, with the reason in :attr:`error`, when there is no way to play
        sound; never raises for a missing or failing audio device.
        """
        self.stop()
        sd, reason = _load()
        if sd is None:
            self.error = reason
            return False
        data, lead = _stereo(audio), _stereo(lead_in if lead_in is not None else ())
        with self._lock:
            self._audio, self._lead = data, lead
            self._start = int(np.clip(start_frame, 0, len(data)))
            self._pos = self._start - len(lead)
            self.sample_rate = int(sample_rate)
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
                self._playing = True
                stream.start()
            except Exception as e:  # no device, device busy, unsupported rate, ...
                self._playing = False
                if stream is not None:
                    _close(stream)
                ok, why = audio_available()
                self.error = why if not ok else f"Cannot play audio ({e}): {OFF}"
                return False
            self._stream = stream
            self.error = None
            return True

    def stop(self) -> None:
        """Stop playing (no-op when idle). The position stays where playback stopped."""
        with self._lock:
            stream, self._stream = self._stream, None
            was_playing = self._playing
        if stream is not None:
            _close(stream)
        if was_playing:  # resume from what was heard, not from what was buffered
            self._pos = max(self._first, self._pos - self._latency_frames)
        self._playing = False

    # -- state -------------------------------------------------------------------------------
    @property
    def is_playing(self) -> bool:
        return self._playing

    @property
    def _first(self) -> int:
        """The position playback started at: the lead-in's first frame."""
        return self._start - len(self._lead)

    @property
    def position_frames(self) -> int:
        """Frame being heard now: frames handed to the device minus its output latency
        (during a lead-in, below the start frame: :meth:`play`)."""
        pos = self._pos
        if self._playing:
            pos = max(self._first, pos - self._latency_frames)
        return max(min(0, self._first), min(pos, len(self._audio)))

    # -- audio thread ------------------------------------------------------------------------
    def _callback(self, outdata, frames, _time, _status) -> None:
        pos, n = self._pos, 0
        if pos < self._start:  # the lead-in, then on into the audio in the same block
            lead = self._lead[len(self._lead) - (self._start - pos):][:frames]
            n = len(lead)
            outdata[:n] = lead
            pos += n
        chunk = self._audio[pos : pos + frames - n] if n < frames else self._audio[:0]
        outdata[n : n + len(chunk)] = chunk
        n += len(chunk)
        self._pos = pos + len(chunk)
        if n < frames:
            outdata[n:] = 0
            raise _sounddevice().CallbackStop

    def _finished(self) -> None:
        self._playing = False
        if self.on_finished is not None:
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
