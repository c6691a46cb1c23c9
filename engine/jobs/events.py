"""What the job queue tells its listeners.

Every event carries the :class:`~engine.jobs.job.Job` it is about. For one job, events
arrive in this order: :class:`JobQueued`, :class:`JobStarted`, any number of
:class:`JobProgress` / :class:`JobPartial`, then exactly one of :class:`JobFinished`,
:class:`JobFailed` or :class:`JobCancelled` (a job cancelled while queued goes straight
from queued to cancelled).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.score import Note

from .job import CancelReason, Job
from .take import Take


@dataclass(frozen=True, slots=True)
class JobEvent:
    job: Job

    @property
    def job_id(self) -> int:
        return self.job.id


@dataclass(frozen=True, slots=True)
class JobQueued(JobEvent):
    pass


@dataclass(frozen=True, slots=True)
class JobStarted(JobEvent):
    pass


@dataclass(frozen=True, slots=True)
class JobProgress(JobEvent):
    """Step ``step`` of ``total`` done; ``eta`` seconds left (``None`` until known)."""

    step: int
    total: int
    eta: float | None
    message: str = ""

    @property
    def fraction(self) -> float:
        return min(1.0, self.step / self.total) if self.total > 0 else 0.0


@dataclass(frozen=True, slots=True)
class JobPartial(JobEvent):
    """A draft the model offered mid-way (notes inside the mask only); not a take."""

    notes: Mapping[int, tuple[Note, ...]]


@dataclass(frozen=True, slots=True)
class JobFinished(JobEvent):
    take: Take


@dataclass(frozen=True, slots=True)
class JobFailed(JobEvent):
    """``message`` is one line for the status bar; ``details`` the traceback text."""

    message: str
    details: str = ""


@dataclass(frozen=True, slots=True)
class JobCancelled(JobEvent):
    reason: CancelReason
    message: str = ""


TERMINAL_EVENTS = (JobFinished, JobFailed, JobCancelled)
