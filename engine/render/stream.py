"""A track's audio handed on a chunk at a time as a synth makes it, not held whole.

A synth's ``render_into(song, track, sink)`` gives the track to ``sink`` in order, a
chunk at a time: a long song's track at 48 kHz is 150 MB of float32 held whole, and an
export kept three of them at once (the synth's, the cleaned copy, the levelled copy).
:class:`Frames` is the synth's side: a window of the track that notes are written or
added into; :func:`collect` turns the chunks back into one array where one is wanted.

A synth makes a track in *steps* (:data:`Steps`), each releasing the frames it made
final; an export runs them to the end, playback (:class:`TrackStream`) only as far as the
window of bars it is rendering, then on from there for the next window: the same steps,
so the same samples, with the synth's state (the notes still sounding) carried across.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from engine.score import Song, Track

# Takes the track's next frames (float32 ``(n, 2)``): a view, valid during the call only.
Sink = Callable[[np.ndarray], object]
CHUNK = 1 << 16  # frames handed on at a time (1.4 s at 48 kHz, 512 KB)
# A track being made into a Frames, a step at a time: each step releases the frames it
# made final; the last returns the track's length.
Steps = Generator[None, None, int]
# Silence is released this many frames a step (playback asks for no more than it needs:
# a track that comes in at the end of a song is not made of silence all at once).
SILENT_STEP = 1 << 14


class Frames:
    """The frames of a track on their way to ``sink``.

    A synth writes (or adds) into :meth:`view` anywhere from the frame it last
    :meth:`release`-d on; the frames before it are final and go to ``sink`` in order, a
    chunk at a time. The window grows to hold whatever is written past it (a long note of
    the built-in synth), so nothing is ever lost; its unwritten frames are silence.
    ``origin``: the first frame wanted (playback from the middle of a song); the silence
    before it is never handed on.
    """

    def __init__(self, sink: Sink, chunk: int | None = None, origin: int = 0) -> None:
        self.sink, self.chunk = sink, chunk or CHUNK
        self._buf = np.zeros((2 * self.chunk, 2), np.float32)
        self._base = origin  # the frame _buf[0] holds
        self._top = 0  # frames of _buf written so far
        self._released = origin

    @property
    def released(self) -> int:
        """The frames before it are final (from ``origin``)."""
        return self._released

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
        self.flush()
        return end

    def flush(self) -> None:
        """Hand on every frame released, however few."""
        self._hand_on()

    def _hand_on(self) -> None:
        done = self._released - self._base
        if done <= 0:
            return
        self.sink(self._buf[:done])
        left = max(0, self._top - done)
        self._buf[:left] = self._buf[done:done + left]
        self._buf[left:self._top] = 0
        self._base, self._top = self._released, left


def finish_steps(steps: Steps) -> int:
    """Run a track's steps to its end; returns its length."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


class TrackStream:
    """A track made as ``render_into`` makes it, as far as it is asked for: playback asks
    for each window of bars in turn, and the synth goes on from where it stopped, its
    notes still sounding, so the frames are those of the track made whole.

    ``steps`` makes it into the :class:`Frames` it is given (from ``origin``).
    """

    def __init__(self, steps: Callable[[Frames], Steps], origin: int = 0) -> None:
        self._parts: list[np.ndarray] = []
        self._out = Frames(lambda frames: self._parts.append(frames.copy()), origin=origin)
        self._steps = steps(self._out)
        self.handed = origin  # the frames before it were handed out
        self.end: int | None = None  # its length, once made to the end

    @property
    def final(self) -> int:
        """Nothing made later changes the frames before it."""
        return self._out.released

    @property
    def finished(self) -> bool:
        """Made to its end, and every frame handed out."""
        return self.end is not None and self.handed >= self.end

    def advance(self, upto: int | None) -> tuple[int, np.ndarray]:
        """Its frames made final since the last call, made at least to frame ``upto``
        (``None``: to its end), and the frame they start at."""
        while self.end is None and (upto is None or self.final < upto):
            try:
                next(self._steps)
            except StopIteration as stop:
                self.end = self._out.finish(max(stop.value, self.final))
        self._out.flush()
        at = self.handed
        audio = (np.concatenate(self._parts) if len(self._parts) > 1 else self._parts[0]
                 if self._parts else np.zeros((0, 2), np.float32))
        self._parts.clear()
        self.handed += len(audio)
        return at, audio


def collect(render_into: Callable[[Sink], object]) -> np.ndarray:
    """The whole of what ``render_into`` hands its sink, as one float32 ``(n, 2)`` array."""
    parts: list[np.ndarray] = []
    render_into(lambda frames: parts.append(frames.copy()))
    return np.concatenate(parts) if parts else np.zeros((0, 2), np.float32)


class ChunkedSynth:
    """A synth that renders by :meth:`steps`: an export's :meth:`render_into` runs them to
    the end, playback's :meth:`stream` as far as it asks (both synths share this)."""

    def steps(self, song: Song, track: Track, out: Frames,
              progress: Callable[[float], None] | None = None) -> Steps:
        """Make ``track`` into ``out``, a step at a time (:data:`Steps`)."""
        raise NotImplementedError

    def render_into(self, song: Song, track: Track, sink: Sink,
                    progress: Callable[[float], None] | None = None) -> int:
        """The track alone, as :meth:`render_track` gives it, handed to ``sink`` a chunk
        at a time; returns its length in frames."""
        out = Frames(sink)
        return out.finish(finish_steps(self.steps(song, track, out, progress)))

    def stream(self, song: Song, track: Track, origin: int = 0) -> TrackStream:
        """The track made as far as it is asked for (:class:`TrackStream`), from frame
        ``origin`` (none of its notes before it)."""
        return TrackStream(lambda out: self.steps(song, track, out), origin)

    def render_track(
        self,
        song: Song,
        track: Track,
        progress: Callable[[float], None] | None = None,
    ) -> np.ndarray:
        """The track alone as float32 stereo ``(frames, 2)`` from time 0, tail included."""
        return collect(lambda sink: self.render_into(song, track, sink, progress))
