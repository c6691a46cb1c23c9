"""Run a function off the GUI thread and get its result back on the GUI thread."""

from __future__ import annotations

import contextlib
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, SignalInstance


class _Signals(QObject):
    # Results travel wrapped in a 1-tuple: PySide 6.12 miscounts references to a bare
    # None sent through a queued ``Signal(object)`` (a crash at interpreter exit).
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(float)
    stage = Signal(str)  # before the progress it goes with: one object, so in order
    ended = Signal()  # last of all, also for a cancelled task: the worker lets go of it


class Task(QRunnable):
    """A function run on a thread pool. ``fn`` may take a ``progress`` callback: the
    fraction done (0..1), and optionally what is being done now (shown with it)."""

    def __init__(self, fn: Callable[..., Any], with_progress: bool = False) -> None:
        super().__init__()
        self.fn = fn
        self.with_progress = with_progress
        self.signals = _Signals()
        self.cancelled = False
        self.setAutoDelete(False)  # we hold it until its signals have been delivered

    def run(self) -> None:
        try:
            self._run()
        finally:
            self._emit(self.signals.ended)

    def _run(self) -> None:
        try:
            if self.with_progress:
                result = self.fn(self._report)
            else:
                result = self.fn()
        except BaseException as e:  # delivered to the GUI thread, never lost on a worker
            e.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            if not self.cancelled:
                self._emit(self.signals.failed, e)
            return
        if not self.cancelled:
            self._emit(self.signals.done, (result,))

    def _report(self, fraction: float, stage: str | None = None) -> None:
        if stage is not None:
            self._emit(self.signals.stage, stage)
        self._emit(self.signals.progress, fraction)

    def _emit(self, signal: SignalInstance, *args: Any) -> None:
        """Send ``signal`` unless its object is gone: a task outlives its window when the
        studio closes mid-work (a model list still importing torch), and the result has
        nobody left to go to (QA: "Signal source has been deleted" printed at close)."""
        if not shiboken6.isValid(self.signals):
            return
        with contextlib.suppress(RuntimeError):  # deleted between the check and the emit
            signal.emit(*args)

    def release(self) -> None:
        """Drop the function and every slot: a slot capturing the task made a cycle
        through Qt's connections that Python's collector cannot see, so each task kept
        all it held for ever (a playback's whole audio buffer: +26 MB a play, a soak
        test's afternoon went from 330 MB to over 1 GB)."""
        self.fn = None
        for signal in (self.signals.done, self.signals.failed, self.signals.progress,
                       self.signals.stage, self.signals.ended):
            with warnings.catch_warnings():  # one with no slot left says so: fine here
                warnings.simplefilter("ignore", RuntimeWarning)
                with contextlib.suppress(RuntimeError, TypeError):
                    signal.disconnect()


class Worker(QObject):
    """A small pool of background threads; keeps tasks alive until they report."""

    def __init__(self, threads: int = 1, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._tasks: set[Task] = set()

    def start(
        self,
        fn: Callable[..., Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[float], None] | None = None,
        on_stage: Callable[[str], None] | None = None,
    ) -> Task:
        task = Task(fn, with_progress=on_progress is not None)
        self._tasks.add(task)

        def finish() -> None:  # after done/failed were delivered (queued in order)
            self._tasks.discard(task)
            task.release()

        if on_done:
            task.signals.done.connect(lambda boxed: on_done(boxed[0]))
        if on_error:
            task.signals.failed.connect(on_error)
        if on_progress:
            task.signals.progress.connect(on_progress)
        if on_stage:
            task.signals.stage.connect(on_stage)
        task.signals.ended.connect(finish)
        self.pool.start(task)
        return task

    def cancel_all(self) -> None:
        """Results of running tasks are dropped (the work itself runs to its end)."""
        for t in self._tasks:
            t.cancelled = True

    def wait(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)
