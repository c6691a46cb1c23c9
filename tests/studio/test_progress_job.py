"""A worker job behind a progress dialog (studio.dialogs.progress.ProgressJob): what the
exports and File ▸ Open rely on when the user presses Cancel or the job fails."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QPushButton, QWidget
from shiboken6 import isValid

from studio.dialogs.progress import ProgressJob
from studio.worker import Worker


class Outcome:
    """Whatever the job reported, by callback."""

    def __init__(self) -> None:
        self.done: list[object] = []
        self.errors: list[str] = []
        self.dropped: list[object] = []
        self.cancels = 0

    def cancel(self) -> None:
        self.cancels += 1

    def error(self, e: BaseException) -> None:
        self.errors.append(str(e))


@pytest.fixture
def parent(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def press_cancel(job: ProgressJob) -> None:
    [button] = job.dialog.findChildren(QPushButton)
    assert button.text() == "Cancel"
    button.click()


def settle(worker: Worker, qtbot) -> None:
    """The work is over and all it sent was delivered: the worker lets go of a task
    only after its result (not a fixed wait, which a loaded machine can outlast)."""
    assert worker.wait(10000)
    qtbot.waitUntil(lambda: not worker._tasks, timeout=5000)


def test_cancel_while_the_work_runs_stops_it_and_reports_nothing(parent, qtbot):
    worker, outcome = Worker(), Outcome()
    job = ProgressJob(parent, "Export", "Working…", on_cancel=outcome.cancel)
    started, go = threading.Event(), threading.Event()
    reached: list[int] = []

    def run(progress):
        for i in range(3):
            started.set()
            assert go.wait(10)
            job.raise_if_cancelled()  # where the work can stop
            reached.append(i)
            progress((i + 1) / 3, f"Step {i + 1}")
        return "written"

    dlg = job.start(worker, run, outcome.done.append, outcome.error,
                    on_cancelled_result=outcome.dropped.append)
    assert dlg is job.dialog and dlg.isVisible()  # shown at once (show_after_ms 0)
    assert started.wait(10)
    press_cancel(job)
    assert outcome.cancels == 1 and job.cancelled()  # told at once, the work still running
    go.set()
    settle(worker, qtbot)
    assert reached == []  # stopped at its first check
    qtbot.waitUntil(lambda: not isValid(dlg), timeout=5000)  # closed and deleted
    assert (outcome.done, outcome.errors, outcome.dropped) == ([], [], [])
    assert outcome.cancels == 1  # closing the dialog at the end is not another Cancel


def test_a_cancel_once_the_work_is_done_hands_its_result_to_on_cancelled_result(parent,
                                                                             qtbot):
    """The audio export's case: the staged files are removed, nothing is installed."""
    worker, outcome = Worker(), Outcome()
    job = ProgressJob(parent, "Export", "Working…")
    job.start(worker, lambda progress: "staged", outcome.done.append, outcome.error,
              on_cancelled_result=outcome.dropped.append)
    assert worker.wait(10000)  # its result waits in the event queue
    press_cancel(job)
    settle(worker, qtbot)
    assert outcome.dropped == ["staged"] and outcome.done == [] and outcome.errors == []
    # Without on_cancelled_result the result is dropped.
    plain = ProgressJob(parent, "Export", "Working…")
    plain.start(worker, lambda progress: "staged", outcome.done.append, outcome.error)
    assert worker.wait(10000)
    press_cancel(plain)
    settle(worker, qtbot)
    assert outcome.done == [] and outcome.dropped == ["staged"]


def test_a_failure_closes_the_dialog_and_reports_the_error_once(parent, qtbot):
    worker, outcome = Worker(), Outcome()
    job = ProgressJob(parent, "Open", "Reading song.mid…", maximum=0, show_after_ms=500,
                      on_cancel=outcome.cancel)

    def run():  # a busy bar: no progress callback
        raise OSError("the disk is gone")

    dlg = job.start(worker, run, outcome.done.append, outcome.error)
    assert not dlg.isVisible()  # it waits show_after_ms
    settle(worker, qtbot)
    assert outcome.errors == ["the disk is gone"] and outcome.done == []
    qtbot.waitUntil(lambda: not isValid(dlg), timeout=5000)
    assert outcome.cancels == 0 and not job.cancelled()


def test_a_failure_after_cancel_is_not_reported(parent, qtbot):
    worker, outcome = Worker(), Outcome()
    job = ProgressJob(parent, "Open", "Reading song.mid…", maximum=0,
                      on_cancel=outcome.cancel)
    go = threading.Event()

    def run():  # music21 cannot be stopped: it runs on and fails
        assert go.wait(10)
        raise ValueError("not a score")

    job.start(worker, run, outcome.done.append, outcome.error)
    press_cancel(job)
    go.set()
    settle(worker, qtbot)
    assert outcome.errors == [] and outcome.done == [] and outcome.cancels == 1


def test_the_worker_cancelling_its_jobs_stops_the_work(parent, qtbot):
    """The main window closing (``cancel_all``) cancels the job as Cancel does, without
    ``on_cancel`` (the user did not press it)."""
    worker, outcome = Worker(), Outcome()
    job = ProgressJob(parent, "Export", "Working…", on_cancel=outcome.cancel)
    started, go, stopped = threading.Event(), threading.Event(), threading.Event()

    def run(progress):
        started.set()
        assert go.wait(10)
        try:
            job.raise_if_cancelled()
        finally:
            stopped.set()
        return "written"

    job.start(worker, run, outcome.done.append, outcome.error)
    assert started.wait(10)
    worker.cancel_all()
    assert job.cancelled()
    go.set()
    settle(worker, qtbot)
    assert stopped.is_set() and outcome.done == [] and outcome.errors == []
    assert outcome.cancels == 0


def test_progress_moves_the_bar_and_names_the_stage(parent, qtbot):
    worker, outcome = Worker(), Outcome()
    job = ProgressJob(parent, "Export", "Working…")

    def run(progress):
        progress(0.25, "Mixing")
        return "written"

    shown = []  # (text, value) as the bar moved
    dlg, original = job.dialog, job.dialog.setValue
    dlg.setValue = lambda v: shown.append((dlg.labelText(), v)) or original(v)
    job.start(worker, run, outcome.done.append, outcome.error)
    qtbot.waitUntil(lambda: outcome.done == ["written"], timeout=10000)
    assert shown == [("Mixing…", 250)]  # the stage first, then the value it goes with
