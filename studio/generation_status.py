"""The status bar's word on the generation running: "Loading models…", "Loading model
partita-base…", then "Generating 3 takes: 40 % · about 5 s left", for as long as it
runs.

The composer's messages ("Compose: computing 3 takes with …") go after 8 s, and the
first request of a session is the long one (the model list imports torch, then the model
loads its weights before its first step): the status bar was blank through most of it
(QA). This label is one of the status bar's permanent widgets, shown only while a request
waits for the models or has jobs in flight, so a message over it never hides it.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from engine.jobs import JobCancelled, JobEvent, JobFailed, JobFinished, JobProgress, JobStarted
from engine.pace import time_left
from engine.score import plural

from .cocompose import CoComposer

REFRESH_S = 0.25  # a model reports up to hundreds of steps a second: four a second is read


def overall_fraction(batch: int, in_flight: int, running: list[float | None]) -> float:
    """How much of ``batch`` takes is done: those no longer in flight, whole, and the
    share each running one reports (None: not begun)."""
    done = max(0, batch - in_flight) + sum(f or 0.0 for f in running)
    return min(1.0, done / max(1, batch))


class GenerationStatus(QLabel):
    """What the generation in flight is doing, in the status bar; hidden when none is."""

    def __init__(self, composer: CoComposer, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.composer = composer
        # No accessible name: a label's text is its name then, and Qt says each new text
        # changed it (NameChanged). "Generation status" as its name hid "Loading models…"
        # and "Generating 3 takes: 40 %" from screen readers (QA); it says what the text is.
        self.setAccessibleDescription("Generation status")
        self.setStyleSheet("color:#e5c07b;")
        self._running: dict[int, tuple[str, float | None]] = {}  # job → model, fraction
        self._warm: set[str] = set()  # models that reported a step: their weights are in
        self._shown = 0.0
        # The takes of the requests in flight since the last time none was: the whole the
        # percentage is of (one take's own read 92 % then 17 % as the next began: QA).
        self._batch = 0
        bridge = composer.bridge
        for signal in (bridge.queued, bridge.started, bridge.finished, bridge.failed,
                       bridge.cancelled):
            signal.connect(self._event)
        bridge.progress.connect(self._progressed)
        # A request waiting for the models is set and dropped with takesChanged.
        composer.takesChanged.connect(self.refresh)
        composer.catalog.changed.connect(self.refresh)
        composer.catalog.failed.connect(self.refresh)
        self._tick = QTimer(self)  # the time left counts down between reports
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.refresh)
        self.hide()

    def _event(self, e: JobEvent) -> None:
        if isinstance(e, JobStarted):
            self._running[e.job_id] = (e.job.model_name, None)
        elif isinstance(e, (JobFinished, JobFailed, JobCancelled)):
            self._running.pop(e.job_id, None)
        self.refresh()

    def _progressed(self, e: JobProgress) -> None:
        name = e.job.model_name
        self._warm.add(name)
        self._running[e.job_id] = (name, e.fraction)
        now = time.monotonic()
        if now - self._shown >= REFRESH_S or e.step >= e.total:
            self.refresh()

    def text_now(self) -> str:
        """What the label says now; "" when nothing is being generated."""
        c = self.composer
        if c.deferred is not None:
            return "Loading models…"
        count = c.jobs_in_flight
        self._batch = max(self._batch, count) if count else 0
        if not count:
            return ""
        if not self._running:
            return f"{plural(count, 'take')} waiting for the model…"
        name, fraction = next(reversed(self._running.values()))  # the latest started
        if fraction is None and name not in self._warm:  # a session's first: the weights
            return f"Loading model {name}…"
        left = c.time_left()
        about = f" · about {time_left(max(1.0, left))} left" if left is not None else ""
        whole = overall_fraction(self._batch, count,
                                 [f for _, f in self._running.values()])
        done = f": {round(100 * whole)} %" if fraction is not None else "…"
        return f"Generating {plural(count, 'take')}{done}{about}"

    def refresh(self) -> None:
        self._shown = time.monotonic()
        text = self.text_now()
        if text != self.text():
            self.setText(text)
        self.setVisible(bool(text))
        if text and not self._tick.isActive():
            self._tick.start()
        elif not text:
            self._tick.stop()
