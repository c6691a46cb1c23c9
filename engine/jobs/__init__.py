"""The in-process job queue and takes (no Qt).

- :mod:`engine.jobs.job`    — :class:`JobRequest`, the :class:`Job` handle, priorities
- :mod:`engine.jobs.queue`  — :class:`JobQueue`: worker threads, cancel, timeout, supersede
- :mod:`engine.jobs.events` — what listeners receive
- :mod:`engine.jobs.take`   — :class:`Take` proposals, conflict detection, :func:`apply_take`
- :mod:`engine.jobs.takes`  — :class:`TakeSet` / :class:`TakeStore` bookkeeping (A/B/C…)
- :mod:`engine.jobs.saved_takes` — the mask and undecided takes as JSON a project keeps
- :mod:`engine.jobs.take_warnings` — what a take did not do as asked (off the key, …)
"""

from .events import (
    TERMINAL_EVENTS,
    JobCancelled,
    JobEvent,
    JobFailed,
    JobFinished,
    JobPartial,
    JobProgress,
    JobQueued,
    JobStarted,
)
from .job import CancelReason, Job, JobRequest, JobState, Priority, region_key
from .queue import JobQueue, Listener
from .take import (
    RECORDED,
    Take,
    TakeConflict,
    apply_take,
    make_take,
    recorded_take,
    take_from_result,
)
from .take_warnings import TakeWarning, result_warnings, take_warnings
from .takes import TakeSet, TakeStatus, TakeStore, take_letter

__all__ = [
    "RECORDED",
    "TERMINAL_EVENTS",
    "CancelReason",
    "Job",
    "JobCancelled",
    "JobEvent",
    "JobFailed",
    "JobFinished",
    "JobPartial",
    "JobProgress",
    "JobQueue",
    "JobQueued",
    "JobRequest",
    "JobStarted",
    "JobState",
    "Listener",
    "Priority",
    "Take",
    "TakeConflict",
    "TakeSet",
    "TakeStatus",
    "TakeStore",
    "TakeWarning",
    "apply_take",
    "make_take",
    "recorded_take",
    "region_key",
    "result_warnings",
    "take_from_result",
    "take_letter",
    "take_warnings",
]
