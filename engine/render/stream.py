"""A track's audio handed on a chunk at a time as a synth makes it, not held whole.

A synth's ``render_into(song, track, sink)`` gives the track to ``sink`` in order, a
chunk at a time: a long song's track at 48 kHz is 150 MB of float32 held whole, and an
export kept three of them at once (the synth's, the cleaned copy, the levelled copy).
:class:`Frames` is the synth's side: a window of the track that notes are written or
added into; :func:`collect` turns the chunks back into one array where one is wanted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from engine.score import Song, Track

# Takes the track's next frames (float32 ``(n, 2)``): a view, valid during the call only.
Sink = Callable[[np.ndarray], object]
CHUNK = 1 << 16  # frames handed on at a time (1.4 s at 48 kHz, 512 KB)


class Frames:
    """The frames of a track on their way to ``sink``.

    A synth writes (or adds) into :meth:`view` anywhere from the frame it last
    :meth:`release`-d on; the frames before it are final and go to ``sink`` in order, a
    chunk at a time. The window grows to hold whatever is written past it (a long note of
    the built-in synth), so nothing is ever lost; its unwritten frames are silence.
    """

    def __init__(self, sink: Sink, chunk: int | None = None) -> None:
        self.sink, self.chunk = sink, chunk or CHUNK
        self._buf = np.zeros((2 * self.chunk, 2), np.float32)
        self._base = 0  # the frame _buf[0] holds
        self._top = 0  # frames of _buf written so far
        self._released = 0

    def view(self, start: int, stop: int) -> np.ndarray:
        """Frames ``start`` .. ``stop`` (not before the last release) to write into."""
        if start < self._released:
            raise ValueError(f"frame {start} was already handed on (up to {self._released})")
        if stop - self._base > len(self._buf):
            self._hand_on()
            if stop - self._base > len(self._buf):
                grown = np.zeros((max(stop - self._base, 2 * len(self._buf)), 2), np.float32)
                grown[: self._top] = self._buf[: self._top]
                self._buf = grown
        self._top = max(self._top, stop - self._base)
        return self._buf[start - self._base: stop - self._base]

    def release(self, upto: int) -> None:
        """Frames before ``upto`` are final: handed on once a chunk of them is waiting
        (any not written are silence)."""
        self.view(max(upto, self._released), upto)  # holds them, written or not
        self._released = max(self._released, upto)
        if self._released - self._base >= self.chunk:
            self._hand_on()

    def finish(self, end: int) -> int:
        """Hand on every frame before ``end`` (the track's length), which it returns."""
        self.release(end)
        self._hand_on()
        return end

    def _hand_on(self) -> None:
        done = self._released - self._base
        if done <= 0:
            return
        self.sink(self._buf[:done])
        left = max(0, self._top - done)
        self._buf[:left] = self._buf[done:done + left]
        self._buf[left:self._top] = 0
        self._base, self._top = self._released, left


def collect(render_into: Callable[[Sink], object]) -> np.ndarray:
    """The whole of what ``render_into`` hands its sink, as one float32 ``(n, 2)`` array."""
    parts: list[np.ndarray] = []
    render_into(lambda frames: parts.append(frames.copy()))
    return np.concatenate(parts) if parts else np.zeros((0, 2), np.float32)


class ChunkedSynth:
    """A synth that renders by :meth:`render_into`: the whole track, where one is wanted,
    is what it hands its sink (both synths share this)."""

    def render_into(self, song: Song, track: Track, sink: Sink,
                    progress: Callable[[float], None] | None = None) -> int:
        raise NotImplementedError

    def render_track(
        self,
        song: Song,
        track: Track,
        progress: Callable[[float], None] | None = None,
    ) -> np.ndarray:
        """The track alone as float32 stereo ``(frames, 2)`` from time 0, tail included."""
        return collect(lambda sink: self.render_into(song, track, sink, progress))
