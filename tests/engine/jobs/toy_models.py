"""Tiny deterministic models implementing the real ModelPlugin protocol, for queue tests."""

from __future__ import annotations

import threading
import time

from engine.plugins.api import CancelToken, GenerateOptions, ModelInfo, Progress
from engine.score import Mask, Note, Song, Track


def toy_song() -> tuple[Song, Track, Track]:
    """Two tracks, four 4/4 bars at 480 PPQ, a note per beat on each."""
    piano = Track("Piano", notes=tuple(Note(60 + b % 5, b * 480, 240) for b in range(16)))
    bass = Track("Bass", program=33, notes=tuple(Note(36, b * 960, 480) for b in range(8)))
    return Song((piano, bass)), piano, bass


class StepModel:
    """Writes one note per masked track at the region start, after ``steps`` short steps.

    ``gate``: each step waits until the event is set (still checking the cancel token),
    so tests can hold a job in the running state. ``fail_at``: raise at that step.
    ``outside``: return a note outside the mask (an invalid result). ``ignore_cancel``:
    a badly behaved model that never looks at the token.
    """

    def __init__(self, name: str = "stepper", steps: int = 3, delay: float = 0.0,
                 gate: threading.Event | None = None, fail_at: int | None = None,
                 outside: bool = False, partial: bool = False) -> None:
        self.info = ModelInfo(name=name, version="1.0", tasks=("repaint", "compose"))
        self.steps, self.delay, self.gate = steps, delay, gate
        self.fail_at, self.outside, self.partial = fail_at, outside, partial
        self.calls = 0
        self.steps_after_cancel = 0

    def generate(self, song: Song, mask: Mask, options: GenerateOptions, progress,
                 cancel: CancelToken) -> dict[int, tuple[Note, ...]]:
        self.calls += 1
        start, end = mask.span
        pitch = 64 + (options.seed or 0) % 12
        out = {tid: (Note(pitch, start, max(1, (end - start) // 2)),) for tid in mask.track_ids}
        for i in range(self.steps):
            if cancel.cancelled:
                self.steps_after_cancel += 1
            cancel.raise_if_cancelled()
            if self.gate is not None:
                while not self.gate.wait(0.002):
                    cancel.raise_if_cancelled()
            if self.delay:
                time.sleep(self.delay)
            if self.fail_at == i:
                raise RuntimeError(f"{self.info.name} blew up at step {i}")
            progress(Progress(i + 1, self.steps, f"step {i + 1}",
                              partial=out if self.partial else None))
        if self.outside:
            tid = next(iter(mask.track_ids))
            out[tid] = (*out[tid], Note(pitch, end + 10, 10))
        return out


class Answers:
    """A model whose ``generate`` returns (or raises) ``answer(song, mask)``: a test asks
    for exactly the result (or failure) it checks."""

    def __init__(self, answer, name: str = "qa") -> None:
        self.info = ModelInfo(name, "0")
        self.answer = answer

    def generate(self, song, mask, options, progress, cancel):
        return self.answer(song, mask)
