"""The Jobs dock: every generation request as a row with progress, ETA and a cancel button.

Rows follow the engine job events (through the :class:`~studio.jobbridge.JobBridge`):
queued → running (progress bar, steps, time left) → done / failed (red, the message,
the traceback as tooltip) / cancelled. Finished rows stay until "Clear finished".

The rows still to run are on top, in the order they run (a request's variations 1/3, 2/3,
3/3: the running one first, where the eye starts), the finished ones below them, the
latest first. A row fits the panel's width: long titles and regions end in "…" (the
whole text in the tooltip), so ✕ is always in sight and the list never scrolls sideways.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.jobs import (
    JobCancelled,
    JobEvent,
    JobFailed,
    JobFinished,
    JobProgress,
    JobQueued,
    JobStarted,
)
from engine.pace import time_left
from engine.plugins.result import progress_message
from engine.score import plural
from engine.score.mask_geometry import describe

from . import actions
from .elided_label import ElidedLabel
from .jobbridge import JobBridge
from .number_entry import number_text


def eta_text(seconds: float | None) -> str:
    return "estimating…" if seconds is None else f"{time_left(seconds)} left"


PROGRESS_INTERVAL_S = 0.1


class JobRow(QFrame):
    """One job."""

    def __init__(self, event: JobQueued, cancel: Callable[[int], bool],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        job = event.job
        self.job_id = job.id
        self.running = False  # started, not ended
        self.done = False
        self.started = time.monotonic()
        self._shown = 0.0  # when progress was last drawn
        self.setObjectName("JobRow")
        self.title = ElidedLabel(job.request.label or job.request.task, self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.model = ElidedLabel(job.model_name, self)
        self.model.setStyleSheet("color: #8b929c;")
        self.model.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # Where it writes: two Repaints of different regions were two identical rows. In
        # the song as the job prepares it: a Compose's new tracks read "2 deleted tracks".
        self.region = ElidedLabel(describe(job.request.mask, job.request.prepared_song), self)
        self.region.setStyleSheet("color: #8b929c;")
        self.status = QLabel("queued", self)
        self.status.setStyleSheet("color: #8b929c;")
        # Wrapped, never wider than the row: a failure's message is read whole.
        self.status.setWordWrap(True)
        self.bar = QProgressBar(self)
        # Empty while queued; a busy bar once it starts, until the first progress report.
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(6)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText("✕")
        self.cancel_button.setToolTip("Cancel this job")
        self.cancel_button.setAccessibleName("Cancel this job")
        # Reached with Tab, pressed with Space (studio.keys); a click leaves Space to Play.
        self.cancel_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.cancel_button.clicked.connect(lambda: cancel(self.job_id))
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 5, 6, 5)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(3)
        grid.addWidget(self.title, 0, 0)
        grid.addWidget(self.model, 0, 1)
        grid.addWidget(self.cancel_button, 0, 2, 2, 1)
        grid.addWidget(self.region, 1, 0, 1, 2)
        grid.addWidget(self.bar, 2, 0, 1, 2)
        grid.addWidget(self.status, 3, 0, 1, 3)
        # Both elide: the title takes twice the model's share of what is left.
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 1)

    def update_from(self, e: JobEvent) -> None:
        if isinstance(e, JobStarted):
            self.running = True
            self.started = time.monotonic()
            self.status.setText("running…")
            self.bar.setRange(0, 0)
        elif isinstance(e, JobProgress):
            # A long job reports hundreds of steps; QProgressBar repaints at once on each
            # value, and ten a second is all an eye follows.
            now = time.monotonic()
            if now - self._shown < PROGRESS_INTERVAL_S and e.step < e.total:
                return
            self._shown = now
            self.bar.setRange(0, max(1, e.total))
            self.bar.setValue(e.step)
            # The model's own word on where it is ("bar 5", "voice leading"), one short
            # line; the whole message in the tooltip.
            said = progress_message(e.message)
            self.status.setText(f"step {e.step}/{e.total}" + (f" · {said}" if said else "")
                                + f" · {eta_text(e.eta)}")
            self.status.setToolTip(str(e.message or "").strip())
        elif isinstance(e, JobFinished):
            self._end(f"done in {number_text(time.monotonic() - self.started, 1)} s · "
                      f"{plural(e.take.note_count, 'note')}", "#98c379")
            self.bar.setRange(0, 1)
            self.bar.setValue(1)
        elif isinstance(e, JobFailed):
            self._end(f"failed: {e.message}", "#ff6b6b")
            self.status.setToolTip(e.details or e.message)
        elif isinstance(e, JobCancelled):
            self._end(e.message or "cancelled", "#e5a13b")

    def _end(self, text: str, colour: str) -> None:
        self.done = True
        self.running = False
        self.status.setToolTip("")  # the last progress message is no longer so
        if self.bar.maximum() == 0:
            self.bar.setRange(0, 1)
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};")
        self.cancel_button.setEnabled(False)
        self.cancel_button.hide()


NO_JOBS = "No jobs yet. Paint a mask (M), then Repaint (Ctrl+R)."
# Finished rows kept in the list (the oldest go first): an afternoon's 600 rows were
# 8,000 widgets, and every job event walked them all.
KEEP_FINISHED = 100


class JobsPanel(QWidget):
    """All jobs of the session: those to run first, in run order, then the finished ones,
    newest first."""

    def __init__(self, bridge: JobBridge, cancel: Callable[[int], bool],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cancel = cancel
        self.rows: dict[int, JobRow] = {}
        self._waiting: str | None = None
        self._leaving: set[int] = set()  # the last song's jobs, stopping: gone once ended
        # Made in their order on screen (above the rows, Cancel All on the left), which
        # Tab follows.
        self.summary = QLabel("", self)
        self.summary.setStyleSheet("color: #8b929c;")
        self.cancel_all_button = cancel_all = QPushButton("Cancel All", self)
        cancel_all.setToolTip(actions.spec("cancel_jobs").tooltip)  # "… (Ctrl+.)"
        cancel_all.clicked.connect(self.cancel_all)
        self.clear_button = clear = QPushButton("Clear Finished", self)
        clear.setToolTip("Remove the finished, failed and cancelled jobs from this list")
        clear.clicked.connect(self.clear_finished)
        self.empty = QLabel(NO_JOBS, self)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #8b929c; padding: 8px;")
        self.list = QWidget(self)
        self.rows_layout = QVBoxLayout(self.list)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.setSpacing(1)
        self.rows_layout.addWidget(self.empty)
        self.rows_layout.addStretch(1)
        self.scroll = scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        # The rows fit its width (their texts elide): no sideways scrolling, ✕ in sight.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no Tab stop where no key works
        scroll.setWidget(self.list)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(cancel_all)
        top.addWidget(clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        bridge.event.connect(self.on_event)

    def on_event(self, e: JobEvent) -> None:
        if isinstance(e, JobQueued):
            row = JobRow(e, self.cancel, self.list)
            self.rows[e.job_id] = row
            self._place(row)
            self.empty.hide()
        row = self.rows.get(e.job_id)
        if row is not None:
            row.update_from(e)
            if row.done and e.job_id in self._leaving:
                self._leaving.discard(e.job_id)
                self.rows.pop(e.job_id).deleteLater()
                self.empty.setVisible(not self.rows)
                row = None
        if row is not None:
            if isinstance(e, JobStarted) or row.done:
                self._place(row)
            if row.done:
                self._forget_oldest()
        self._summarise()

    def _place(self, row: JobRow) -> None:
        """Put ``row`` where it belongs: the running jobs first, then the queued ones in
        the order they were asked for (a request's variations read 1/3, 2/3, 3/3), then
        the finished ones, newest first. New rows went on top: the latest request's 3/3
        and 2/3 filled the panel, and the running 1/3 was below the fold."""
        others = [r for r in self.rows.values() if r is not row]
        if row.running:
            index = sum(r.running for r in others)
        else:  # queued: after every job still to run; finished: first of the rest
            index = sum(not r.done for r in others)
        if self.rows_layout.indexOf(row) >= 0:
            self.rows_layout.removeWidget(row)
        self.rows_layout.insertWidget(index, row)

    def _forget_oldest(self) -> None:
        finished = [jid for jid, r in self.rows.items() if r.done]  # oldest first
        for jid in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            self.rows.pop(jid).deleteLater()

    def running(self) -> list[int]:
        return [jid for jid, r in self.rows.items() if not r.done]

    def cancel_all(self) -> None:
        for jid in self.running():
            self.cancel(jid)

    def clear_finished(self) -> None:
        for jid in [j for j, r in self.rows.items() if r.done]:
            self.rows.pop(jid).deleteLater()
        self.empty.setVisible(not self.rows)
        self._summarise()

    def forget_song(self) -> None:
        """Another song is open (File ▸ New, Open): the last song's jobs leave the list,
        the finished ones now and those still stopping (their song is gone, so they are
        cancelled) once they end. The list kept the previous song's jobs."""
        self._leaving.update(self.running())
        self.clear_finished()

    def set_waiting(self, what: str | None) -> None:
        """A request waiting for the models (``"Repaint"``), or None: said where its jobs
        will appear (this read "No jobs yet. Paint a mask…" to a user who just had)."""
        self._waiting = what
        self.empty.setText(NO_JOBS if what is None else
                           f"{what} waits for the models to load; it starts by itself "
                           "(Ctrl+. cancels).")
        self._summarise()

    def _summarise(self) -> None:
        n = len(self.running())
        self.summary.setText(f"{n} running or queued" if n else
                             "Loading models…" if self._waiting else "Idle")
