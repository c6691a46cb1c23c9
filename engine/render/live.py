"""Live monitoring: the keys a MIDI keyboard plays, heard while they are played.

A controller keyboard has no sound of its own, so each key struck is synthesized with the
track's instrument and mixed into the sound card's output until it is let go, then faded
out over :data:`RELEASE_S`, as a DAW monitors its armed track.

Two threads share the work, and neither waits on the other:

- a :class:`Monitor` thread of its own runs the synth (never the audio callback, never
  two threads on one synth): a key struck is made as a note held :data:`HELD_S` long, its
  first block (23 ms of a SoundFont's, 0.37 s of the built-in synth's: both synths make a
  long note a step at a time, not whole first) at once, the rest kept :data:`AHEAD_S`
  ahead of what has been heard while the key is held;
- the player's audio callback (``engine.render.playback.Player.live``) mixes the
  :class:`LiveVoices` into whatever it plays — the song, a count-in, or silence when idle.

The hand-over takes no lock: a voice's blocks are appended to a list by the monitor
thread and read by the callback, new voices come through a deque, and the callback alone
keeps the list of voices sounding (appends and pops are atomic in Python).
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from engine.score import DRUM_CHANNEL, Note, Song, TimeMap, Track

from .mixing import apply_volume_pan

HELD_S = 30.0  # how long a key held sounds at most (a sustained pad or organ note)
AHEAD_S = 0.3  # how far the synth keeps ahead of what the callback has played
RELEASE_S = 0.12  # a key let go fades out over this long
STEP_FRAMES = 1024  # what the monitor makes of a voice at a time (a SoundFont's step)


class Voice:
    """One key's sound: blocks appended by the monitor thread, played by the callback."""

    def __init__(self, release_frames: int, one_shot: bool = False) -> None:
        self.blocks: list[np.ndarray] = []  # appended by the monitor (atomic)
        self.made = 0  # frames made so far (the monitor's)
        self.finished = False  # the monitor made its last block (the note's tail ended)
        self.letting_go = False  # the key was let go: fade out (not for a drum: one_shot)
        self.one_shot = one_shot
        self.release_frames = max(1, release_frames)
        # The callback's side:
        self.played = 0
        self.over = False
        self._block = self._at = 0
        self._fade_left: int | None = None

    def add(self, audio: np.ndarray) -> None:
        if len(audio):
            self.blocks.append(np.ascontiguousarray(audio, dtype=np.float32))
            self.made += len(audio)

    def let_go(self) -> None:
        if not self.one_shot:
            self.letting_go = True

    def mix_into(self, out: np.ndarray) -> None:
        """Add the voice's next frames to ``out`` (the audio thread); a voice whose blocks
        are not made yet adds what there is and goes on from there next time."""
        n, done = len(out), 0
        if self.letting_go and self._fade_left is None:
            self._fade_left = self.release_frames
        while done < n and self._block < len(self.blocks):
            block = self.blocks[self._block]
            take = min(n - done, len(block) - self._at)
            piece = block[self._at:self._at + take]
            if self._fade_left is not None:
                take = min(take, self._fade_left)
                gain = (self._fade_left - np.arange(take, dtype=np.float32)) / self.release_frames
                out[done:done + take] += piece[:take] * gain[:, None]
                self._fade_left -= take
            else:
                out[done:done + take] += piece
            done += take
            self.played += take
            self._at += take
            if self._at >= len(block):
                self._block, self._at = self._block + 1, 0
            if self._fade_left is not None and self._fade_left <= 0:
                break
        if (self._fade_left is not None and self._fade_left <= 0) or (
                self.finished and self._block >= len(self.blocks)):
            self.over = True


class LiveVoices:
    """The voices the audio callback mixes in: :meth:`add` from any thread, :meth:`mix_into`
    from the callback only."""

    def __init__(self) -> None:
        self._new: deque[Voice] = deque()
        self._sounding: list[Voice] = []  # the callback's own

    def add(self, voice: Voice) -> None:
        self._new.append(voice)

    @property
    def busy(self) -> bool:
        """A voice is sounding or about to (the stream must run on for it)."""
        return bool(self._new) or bool(self._sounding)

    def mix_into(self, out: np.ndarray) -> bool:
        """Add every voice's next frames to ``out``; whether any sounded."""
        while self._new:
            self._sounding.append(self._new.popleft())
        if not self._sounding:
            return False
        for voice in self._sounding:
            voice.mix_into(out)
        self._sounding = [v for v in self._sounding if not v.over]
        return True


def held_note(track: Track, pitch: int, velocity: int,
              seconds: float = HELD_S) -> tuple[Song, Track]:
    """A song of the one note a key plays, held ``seconds``, with ``track``'s instrument."""
    song = Song(tracks=(), ppq=480)
    ticks = TimeMap.of(song).seconds_to_tick(seconds)
    drum = track.is_drum
    note_track = Track(program=track.program, is_drum=drum,
                       channel=DRUM_CHANNEL if drum else 0,
                       notes=(Note(pitch, 0, max(1, ticks), velocity),),
                       volume=track.volume, pan=track.pan)
    return Song(tracks=(note_track,), ppq=480), note_track


class _Making:
    """A voice being made: its synth stream and what its blocks are scaled by."""

    def __init__(self, voice: Voice, stream: Any, track: Track, gain: float) -> None:
        self.voice, self.stream, self.track, self.gain = voice, stream, track, gain

    def step(self) -> None:
        voice = self.voice
        _at, audio = self.stream.advance(voice.made + STEP_FRAMES)
        if len(audio):
            voice.add(apply_volume_pan(audio, self.track) * np.float32(self.gain))
        if self.stream.finished:
            voice.finished = True


class Monitor:
    """Makes the voices of the keys played, on a thread of its own with a synth of its own
    (``make_synth``, called on that thread: a SoundFont's is a copy sharing the loaded
    samples, a few hundred KB), into ``voices``."""

    def __init__(self, voices: LiveVoices, make_synth: Callable[[], Any],
                 sample_rate: int) -> None:
        self.voices = voices
        self.sample_rate = sample_rate
        self._make_synth = make_synth
        self._synth: Any = None
        self._queue: queue.SimpleQueue[tuple] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.error: str | None = None  # why the last key could not be made

    # -- from any thread ------------------------------------------------------------------------
    def note_on(self, pitch: int, velocity: int, track: Track, gain: float = 1.0) -> None:
        """Sound ``pitch`` at ``velocity`` with ``track``'s instrument (its program, kit,
        volume and pan), scaled by ``gain``, until :meth:`note_off`."""
        self._put(("on", pitch, velocity, track, gain))

    def note_off(self, pitch: int) -> None:
        self._put(("off", pitch))

    def all_off(self) -> None:
        """Let go of every key sounding (monitoring turned off)."""
        self._put(("all_off",))

    def prepare(self) -> None:
        """Start the thread and make its synth now, before the first key."""
        self._put(("prepare",))

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(("quit",))
            thread.join(5)

    def _put(self, command: tuple) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="partita-monitor",
                                                daemon=True)
                self._thread.start()
        self._queue.put(command)

    # -- the monitor's thread -------------------------------------------------------------------
    def _run(self) -> None:
        held: dict[int, _Making] = {}
        making: list[_Making] = []
        ahead = int(AHEAD_S * self.sample_rate)
        while True:
            hungry = [m for m in making
                      if not m.voice.over and m.voice.made - m.voice.played < ahead]
            try:  # wait for a key; while voices are held, only as long as a step lasts
                command = self._queue.get(timeout=None if not making else
                                          0 if hungry else STEP_FRAMES / self.sample_rate / 4)
            except queue.Empty:
                command = None
            while command is not None:
                if command[0] == "quit":
                    return
                self._handle(command, held, making)
                try:
                    command = self._queue.get_nowait()
                except queue.Empty:
                    command = None
            making[:] = [m for m in making if not m.voice.over and not m.voice.finished]
            for m in making:  # (a key struck since waits at most one step of each)
                if m.voice.made - m.voice.played < ahead:
                    self._step(m)

    def _handle(self, command: tuple, held: dict[int, _Making],
                making: list[_Making]) -> None:
        kind = command[0]
        if kind == "prepare":
            self._synth_obj()
        elif kind == "on":
            _kind, pitch, velocity, track, gain = command
            if pitch in held:  # struck again without a note-off: the first one goes
                held.pop(pitch).voice.let_go()
            started = self._start(pitch, velocity, track, gain)
            if started is not None:
                held[pitch] = started
                making.append(started)
                self._step(started)  # its first block at once
        elif kind == "off":
            m = held.pop(command[1], None)
            if m is not None:
                m.voice.let_go()
        elif kind == "all_off":
            for m in held.values():
                m.voice.let_go()
            held.clear()

    def _start(self, pitch: int, velocity: int, track: Track, gain: float) -> _Making | None:
        try:
            synth = self._synth_obj()
            song, note_track = held_note(track, pitch, velocity)
            stream = synth.stream(song, note_track)
        except Exception as e:  # a damaged SoundFont: no sound, the studio goes on
            self.error = str(e)
            return None
        voice = Voice(int(RELEASE_S * self.sample_rate), one_shot=track.is_drum)
        self.voices.add(voice)
        return _Making(voice, stream, note_track, gain)

    def _step(self, m: _Making) -> None:
        try:
            m.step()
        except Exception as e:
            self.error = str(e)
            m.voice.finished = True

    def _synth_obj(self) -> Any:
        if self._synth is None:
            self._synth = self._make_synth()
        return self._synth
