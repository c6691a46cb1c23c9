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
        self._pos = self._start = 0
        self._latency_frames = 0
        self._playing = False

    # -- control -----------------------------------------------------------------------------
    def play(self, audio: np.ndarray, sample_rate: int, start_frame: int = 0) -> bool:
        """Start playing ``audio`` (``(n, 2)`` or mono ``(n,)``) from ``start_frame``.

        Returns ``False``, with the reason in :attr:`error`, when there is no way to play
        sound; never raises for a missing or failing audio device.
        """
        self.stop()
        sd, reason = _load()
        if sd is None:
            self.error = reason
            return False
        data = np.asarray(audio, dtype=np.float32)
        if data.ndim == 1:
            data = np.repeat(data[:, None], 2, axis=1)
        data = np.ascontiguousarray(data[:, :2])
        with self._lock:
            self._audio = data
            self._pos = self._start = int(np.clip(start_frame, 0, len(data)))
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
            self._pos = max(self._start, self._pos - self._latency_frames)
        self._playing = False

    # -- state -------------------------------------------------------------------------------
    @property
    def is_playing(self) -> bool:
        return self._playing

    @property
    def position_frames(self) -> int:
        """Frame being heard now: frames handed to the device minus its output latency."""
        pos = self._pos
        if self._playing:
            pos = max(self._start, pos - self._latency_frames)
        return max(0, min(pos, len(self._audio)))

    # -- audio thread ------------------------------------------------------------------------
    def _callback(self, outdata, frames, _time, _status) -> None:
        pos = self._pos
        chunk = self._audio[pos : pos + frames]
        n = len(chunk)
        outdata[:n] = chunk
        self._pos = pos + n
        if n < frames:
            outdata[n:] = 0
            raise _sounddevice().CallbackStop

    def _finished(self) -> None:
        self._playing = False
        if self.on_finished is not None:
            self.on_finished()


def _close(stream) -> None:
    try:
        stream.abort()
        stream.close()
    except Exception:  # a device that vanished mid-play must not crash the app
        pass
