"""Time left in a job, from the pace between its progress reports, and said as words.

One reading for every place that shows it (the job queue's ``JobProgress.eta``, the
command line's bar and log lines, the studio's jobs panel and takes bar). The pace is
taken from the first report on, not from the start: a model that loads for seconds and
then steps quickly read minutes, and one that says "step 1" at once and then works read
"< 1 s left". A leaf module (no numpy, no engine imports): ``partita --help`` loads it.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class Pace:
    """Seconds left of ``total`` steps, from the reports :meth:`seen` so far. With
    ``settle`` there is no estimate until that many seconds after the start (the command
    line's: a first step done at once said "02:00" left for a job that took 3.2 s)."""

    def __init__(self, total: int, clock: Callable[[], float] = time.monotonic,
                 settle: float = 0.0) -> None:
        self.total = max(1, total)
        self.clock = clock
        self.settle = settle
        self.start = clock()
        self.first: tuple[float, int] | None = None  # (time, done) of the first report

    def seen(self, done: int) -> None:
        """A progress report: ``done`` steps so far."""
        if self.first is None:
            self.first = (self.clock(), done)

    def eta(self, done: int, total: int | None = None) -> float | None:
        """Seconds left at ``done`` of ``total`` (the pace's own total when None): 0 when
        done, None until there is something to go on (a second report past the first)."""
        total = self.total if total is None else max(1, total)
        if done >= total:
            return 0.0
        now = self.clock()
        if self.first is None or now - self.start < self.settle:
            return None
        t0, n0 = self.first
        if done <= n0 or now <= t0:
            return None
        return (now - t0) / (done - n0) * (total - done)


def time_left(seconds: float) -> str:
    """An estimate as words, rounded as one: ``"< 1 s"``, ``"12 s"``, ``"3 min"``."""
    if seconds < 1:
        return "< 1 s"
    if seconds < 90:
        return f"{round(seconds)} s"
    return f"{round(seconds / 60)} min"
