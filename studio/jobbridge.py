"""The one bridge from the engine's job queue to the GUI thread.

:class:`engine.jobs.JobQueue` calls its listeners on its own event thread. The bridge
is a listener that only re-emits each event as a Qt signal; the bridge lives on the GUI
thread, so Qt queues the signal and every slot runs on the GUI thread, in event order.
Nothing else in the studio touches the queue's threads.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from engine.jobs import (
    JobCancelled,
    JobEvent,
    JobFailed,
    JobFinished,
    JobPartial,
    JobProgress,
    JobQueue,
    JobQueued,
    JobStarted,
)


class JobBridge(QObject):
    """Re-emits :mod:`engine.jobs.events` as signals (each carries the event object).

    ``event`` fires for every event; the typed signals fire for their kind as well.
    """

    event = Signal(object)
    queued = Signal(object)
    started = Signal(object)
    progress = Signal(object)
    partial = Signal(object)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal(object)

    def __init__(self, queue: JobQueue, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._typed = {
            JobQueued: self.queued, JobStarted: self.started, JobProgress: self.progress,
            JobPartial: self.partial, JobFinished: self.finished, JobFailed: self.failed,
            JobCancelled: self.cancelled,
        }
        self.event.connect(self._dispatch)  # queued: runs on the GUI thread
        self._remove: Callable[[], None] | None = queue.add_listener(self.event.emit)

    def _dispatch(self, e: JobEvent) -> None:
        signal = self._typed.get(type(e))
        if signal is not None:
            signal.emit(e)

    def detach(self) -> None:
        """Stop listening (before the queue shuts down and the window goes)."""
        if self._remove is not None:
            self._remove()
            self._remove = None
