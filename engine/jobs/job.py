"""A generation job: what is asked (:class:`JobRequest`) and how it is going (:class:`Job`)."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING

from engine.plugins.api import CancelToken, GenerateOptions, ModelPlugin
from engine.score import Edit, EditGroup, Mask, Song

if TYPE_CHECKING:
    from .take import Take

_job_ids = itertools.count(1)


class Priority(IntEnum):
    """Lower runs first; equal priorities run in submission order."""

    INTERACTIVE = 0  # the user is waiting: a repaint of the painted region
    NORMAL = 50
    BATCH = 100  # background variations


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"


class CancelReason(StrEnum):
    USER = "user"  # job.cancel() / queue.cancel()
    SUPERSEDED = "superseded"  # a newer request for the same region replaced it
    TIMEOUT = "timeout"  # it ran longer than its timeout
    SHUTDOWN = "shutdown"  # the queue shut down
    MODEL_REMOVED = "model-removed"  # its model was removed (JobQueue.cancel_model)


def region_key(task: str, mask: Mask) -> Hashable:
    """The usual ``supersede_key``: a new request for the same task and region replaces
    the queued one (masks are hashable values)."""
    return (task, mask)


@dataclass(frozen=True, slots=True)
class JobRequest:
    """Everything a generation needs; immutable so a worker can use it without locks.

    ``song`` is the immutable song the job computes from and ``revision`` the studio's
    revision number of it (kept on the take). ``model`` is a plugin or a registry name.
    ``timeout`` (seconds of running time) cancels the job as timed out. Queued jobs with
    the same non-``None`` ``supersede_key`` as a new request are cancelled as superseded;
    leave it ``None`` for a batch of variations that must all run.

    ``prep`` are preparatory edits the task needs before the model runs (new empty tracks
    for compose or harmonize, a longer song for continue). The model sees
    :attr:`prepared_song` and ``mask`` refers to it; the take's edit does the prep and the
    new notes as one undo step. With no prep the model sees ``song`` itself.

    ``group`` names the user request a job belongs to (the variations of one click share
    it): the registry counts the failures of one group as one, so a plugin that raises
    is not disabled by one request for three variations. ``None``: a request of its own.
    """

    song: Song
    mask: Mask
    model: ModelPlugin | str
    task: str = "repaint"
    options: GenerateOptions = field(default_factory=GenerateOptions)
    revision: int = 0
    priority: int = Priority.NORMAL
    timeout: float | None = None
    supersede_key: Hashable | None = None
    label: str = ""
    prep: tuple[Edit, ...] = ()
    group: Hashable | None = None
    # The options' key was found around the region (the Key box's Auto), not named: a
    # take off it is told "was to keep", not "was asked to keep".
    key_found: bool = False

    @property
    def prepared_song(self) -> Song:
        """``song`` after the preparatory edits (the song the model writes into)."""
        return EditGroup(self.prep).apply(self.song) if self.prep else self.song


class JobToken(CancelToken):
    """The cancel token of one job: also trips by itself when the job's deadline passes."""

    __slots__ = ("_deadline", "cancelled_at", "reason")

    def __init__(self) -> None:
        super().__init__()
        self._deadline: float | None = None
        self.reason: CancelReason | None = None
        self.cancelled_at: float | None = None  # monotonic time of the first cancel

    def start_clock(self, timeout: float | None) -> None:
        self._deadline = None if timeout is None else time.monotonic() + timeout

    def cancel(self, reason: CancelReason = CancelReason.USER) -> None:
        if self.reason is None:
            self.reason = reason
            self.cancelled_at = time.monotonic()
        super().cancel()

    @property
    def cancelled(self) -> bool:
        if not self._cancelled and self._deadline is not None and (
            time.monotonic() >= self._deadline
        ):
            self.cancel(CancelReason.TIMEOUT)
        return self._cancelled

    def raise_if_cancelled(self) -> None:
        if self.cancelled:
            super().raise_if_cancelled()


class Job:
    """A handle on a submitted job. Its fields are written by the queue only.

    ``state`` moves QUEUED → RUNNING → FINISHED | FAILED | CANCELLED (or QUEUED →
    CANCELLED). When it ends: ``take`` (finished), ``error`` and ``details`` (failed: the
    one-line message and the traceback text), ``cancel_reason`` (cancelled).
    """

    def __init__(self, request: JobRequest, model: ModelPlugin, seq: int,
                 cancel: Callable[[Job], bool], prepared_song: Song) -> None:
        self.id: int = next(_job_ids)
        self.request = request
        # The song the model writes into: the request's prep applied once, at submit.
        self.prepared_song = prepared_song
        self.model = model
        self.seq = seq
        self.state = JobState.QUEUED
        self.token = JobToken()
        self.take: Take | None = None
        self.error: str = ""
        self.details: str = ""
        self.cancel_reason: CancelReason | None = None
        # True when the model ignored a cancel and the queue stopped waiting for it.
        self.abandoned = False
        self.submitted = time.monotonic()
        self._cancel = cancel
        self._done = threading.Event()

    @property
    def model_name(self) -> str:
        return self.model.info.name

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def cancel(self) -> bool:
        """Ask the queue to cancel this job; False if it had already ended."""
        return self._cancel(self)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends (never call this on the GUI thread); True if it did.

        Its final event may still be on its way to listeners: see ``JobQueue.join``.
        """
        return self._done.wait(timeout)

    def _end(self, state: JobState) -> None:
        self.state = state
        self._done.set()

    def __lt__(self, other: Job) -> bool:  # heap order: priority, then submission order
        return (self.request.priority, self.seq) < (other.request.priority, other.seq)

    def __repr__(self) -> str:
        return (f"<Job {self.id} {self.request.task} by {self.model_name} "
                f"{self.state.value}>")
