"""The progress window of a long job the studio runs on a worker (an export, a read), and
the job behind it: what Cancel and the job's end do to each other."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from ..worker import Task, Worker
from .focus import focus_now


def progress_dialog(parent: QWidget | None, title: str, text: str, *, maximum: int = 1000,
                    show_after_ms: int = 0) -> QProgressDialog:
    """Window-modal, with Cancel, in thousandths (``maximum`` 0: a busy bar), shown
    ``show_after_ms`` after it is made (0: at once), and left open at the end (the job
    closes it when its work is in place)."""
    dlg = QProgressDialog(text, "Cancel", 0, maximum, parent)
    dlg.setWindowTitle(title)
    dlg.setWindowModality(Qt.WindowModality.WindowModal)
    dlg.setMinimumDuration(show_after_ms)
    dlg.setAutoClose(False)
    dlg.setAutoReset(False)
    dlg.setValue(0)  # starts the timer that shows it after show_after_ms
    return dlg


class Cancelled(Exception):
    """Raised inside a job's work to stop it once it was cancelled
    (:meth:`ProgressJob.raise_if_cancelled`); the job reports nothing."""


class ProgressJob:
    """A job run on a worker behind a :func:`progress_dialog` (``dialog``).

    Cancel (the user's, or the worker's ``cancel_all``) marks the job cancelled unless it
    has finished. When it finishes, the dialog closes and its result goes to ``on_done``
    or its error to ``on_error`` only if it was not cancelled; a cancelled job's result
    goes to ``on_cancelled_result`` (when given) and its error nowhere; then the dialog
    is deleted (a caller holding it lets go in those callbacks). The user's Cancel
    also calls ``on_cancel`` at once (the work itself may run on to its end).
    """

    def __init__(self, parent: QWidget | None, title: str, text: str, *,
                 maximum: int = 1000, show_after_ms: int = 0,
                 on_cancel: Callable[[], None] | None = None) -> None:
        self._focus_back = focus_now(parent)  # where the keys go back when it closes
        self.dialog = progress_dialog(parent, title, text, maximum=maximum,
                                      show_after_ms=show_after_ms)
        self._show_at_once = show_after_ms == 0
        self._cancelled = False  # by the user
        self._finished = False
        self._task: Task | None = None

        # A function, not a bound method: PySide holds a method's object weakly, and the
        # dialog's Cancel must still reach this job once the worker has let go of it.
        def cancel() -> None:
            if not self._finished:
                self._cancelled = True
                if on_cancel is not None:
                    on_cancel()

        self.dialog.canceled.connect(cancel)

    def cancelled(self) -> bool:
        """By the user, or by the main window closing (the worker's ``cancel_all``);
        safe to ask from the worker's thread."""
        return self._cancelled or (self._task is not None and self._task.cancelled)

    def raise_if_cancelled(self) -> None:
        """For the work itself, at the points where it can stop."""
        if self.cancelled():
            raise Cancelled

    def start(self, worker: Worker, run: Callable[..., Any],
              on_done: Callable[[Any], None], on_error: Callable[[BaseException], None],
              *, on_cancelled_result: Callable[[Any], None] | None = None) -> QProgressDialog:
        """Run ``run`` on ``worker``: with a bar in thousandths it takes the worker's
        ``progress`` callback, whose fraction moves the bar and whose stage ("Mixing")
        becomes its text ("Mixing…"); a busy bar's ``run`` takes nothing. Returns the
        dialog, shown now unless it waits ``show_after_ms``."""
        def done(result: Any) -> None:
            try:
                if not self._finish():
                    on_done(result)
                elif on_cancelled_result is not None:
                    on_cancelled_result(result)
            finally:
                self._dispose()

        def failed(error: BaseException) -> None:
            try:
                if not self._finish() and not isinstance(error, Cancelled):
                    on_error(error)
            finally:
                self._dispose()

        dlg = self.dialog
        if dlg.maximum() > 0:
            self._task = worker.start(
                run, on_done=done, on_error=failed,
                on_progress=lambda f: dlg.setValue(int(f * dlg.maximum())),
                on_stage=lambda what: dlg.setLabelText(f"{what}…"))
        else:
            self._task = worker.start(run, on_done=done, on_error=failed)
        if self._show_at_once:
            dlg.show()
        return dlg

    def _finish(self) -> bool:
        """Close the dialog; whether the job was cancelled (read first: closing a
        QProgressDialog marks it cancelled)."""
        was_cancelled = self.cancelled() or self.dialog.wasCanceled()
        self._finished = True
        self.dialog.close()
        self._focus_back()  # the keys where they were (QA: none had them after an export)
        return was_cancelled

    def _dispose(self) -> None:
        """Delete the closed dialog, once the callbacks have run (they let go of it: the
        window's ``_open_dialog``). Closed only, each open and export left one behind,
        a child of the window for as long as it was open."""
        self.dialog.deleteLater()
