"""The in-process job queue: the studio never waits on a model.

>>> queue = JobQueue(registry)
>>> queue.add_listener(print)                      # called on the queue's event thread
>>> job = queue.submit(JobRequest(song, mask, "drumkit", "repaint",
...                               priority=Priority.INTERACTIVE,
...                               supersede_key=region_key("repaint", mask)))
>>> job.cancel()                                   # takes effect within one model step
>>> queue.shutdown(timeout=5)                      # cancels, joins, returns True if clean

Threads: ``workers`` worker threads (default 1: a model already uses every core) run
jobs in priority order, then submission order. Listeners are plain callables taking one
:mod:`~engine.jobs.events` event; they are called on one dedicated event thread (never
the submitter's, never two at once), in the order the events happened, so a slow
listener never slows a model. A listener must not block on the queue (``join`` from it
raises); it may submit or cancel. Its exceptions are logged and ignored. The studio's Qt
bridge re-emits events as signals (queued connections) to reach the GUI thread.

Failures: a model that raises, or returns notes outside its mask, fails its job with a
one-line message (the traceback is kept for a details view) and the queue carries on;
with a registry, it is reported through :meth:`Registry.record_failure` (disabled after
the registry's ``failure_limit`` failures in a row; the jobs of one request's ``group``,
its variations, count as one). The registry hears of a job's end before the job ends
and before its event goes out: a listener (the studio saying "… is now disabled") and a
caller of ``job.wait()`` read the registry as that end left it.

Stuck models: a watchdog thread trips timeouts even for a model that never looks at its
token, and a model still running ``stuck_after`` seconds after its job was cancelled is
left behind: the job ends as cancelled (saying the model did not stop), the failure is
reported to the registry, and a fresh worker takes its place, so one plugin that ignores
cancel cannot stall everyone's jobs. Python cannot stop the abandoned thread; whatever it
returns is dropped.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import queue as stdqueue
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from engine.pace import Pace
from engine.plugins.api import Cancelled, CannotGenerate, ModelPlugin, Progress, cannot_write
from engine.plugins.errors import PluginError, one_line
from engine.plugins.registry import Registry
from engine.plugins.result import InvalidResult, checked_progress
from engine.score import Mask, Note, Song
from engine.tasks import generate_looped, kit_band_mask, range_out_of_reach, settle_options

from .events import (
    JobCancelled,
    JobEvent,
    JobFailed,
    JobFinished,
    JobPartial,
    JobProgress,
    JobQueued,
    JobStarted,
)
from .job import CancelReason, Job, JobRequest, JobState
from .take import Take, make_take
from .take_warnings import take_warnings

log = logging.getLogger(__name__)

Listener = Callable[[JobEvent], Any]
_STOP = object()

_CANCEL_MESSAGES = {
    CancelReason.USER: "cancelled",
    CancelReason.SUPERSEDED: "superseded by a newer request for the same region",
    CancelReason.TIMEOUT: "timed out",
    CancelReason.SHUTDOWN: "cancelled: the queue is shutting down",
    CancelReason.MODEL_REMOVED: "cancelled: its model was removed",
}


class JobQueue:
    """Runs generation jobs on worker threads and reports events to listeners."""

    def __init__(
        self,
        registry: Registry | None = None,
        *,
        workers: int = 1,
        default_timeout: float | None = None,
        stuck_after: float = 5.0,
    ) -> None:
        if workers < 1:
            raise ValueError("a job queue needs at least one worker")
        self.registry = registry
        self.default_timeout = default_timeout
        self.stuck_after = stuck_after
        self._lock = threading.Condition()
        self._heap: list[Job] = []
        self._queued: dict[int, Job] = {}
        self._running: dict[int, Job] = {}
        self._seq = itertools.count()
        self._closed = False
        self._listeners: list[Listener] = []
        self._events: stdqueue.SimpleQueue[object] = stdqueue.SimpleQueue()
        self._undelivered = 0  # events put but not yet delivered (guarded by _lock)
        self._dispatcher = threading.Thread(target=self._dispatch, name="partita-job-events",
                                            daemon=True)
        self._workers: list[threading.Thread] = []
        # The workers left behind with a model that ignored a cancel: never waited for at
        # shutdown (closing the studio after one froze it 5 s, with nothing in flight).
        self._abandoned: list[threading.Thread] = []
        self._threads: dict[int, threading.Thread] = {}  # job id → the worker running it
        self._watchdog = threading.Thread(target=self._watch, name="partita-job-watchdog",
                                          daemon=True)
        self._dispatcher.start()
        for _ in range(workers):
            self._start_worker()
        self._watchdog.start()

    def _start_worker(self) -> None:
        number = len(self._workers) + len(self._abandoned)
        t = threading.Thread(target=self._work, name=f"partita-job-worker-{number}", daemon=True)
        self._workers.append(t)
        t.start()

    # -- listeners -----------------------------------------------------------------------------
    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` for every event; returns a function that removes it."""
        with self._lock:
            self._listeners = [*self._listeners, listener]
        return lambda: self.remove_listener(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self._lock:
            self._listeners = [x for x in self._listeners if x is not listener]

    def _emit(self, event: JobEvent) -> None:  # caller holds self._lock or is a worker
        with self._lock:
            self._undelivered += 1
        self._events.put(event)

    def _dispatch(self) -> None:
        while True:
            event = self._events.get()
            if event is _STOP:
                return
            for listener in self._listeners:
                try:
                    listener(event)
                except Exception:
                    log.exception("job queue listener %r failed on %r", listener, event)
            with self._lock:
                self._undelivered -= 1
                self._lock.notify_all()

    # -- submitting and cancelling ---------------------------------------------------------------
    def submit(self, request: JobRequest) -> Job:
        """Queue a job and return its handle at once.

        Raises :class:`PluginError` for an unknown or disabled model name or a task the
        model does not do, ``ValueError`` for an empty mask, one naming tracks not in the
        song or tracks the model cannot write (drums for a pitched-only model, ...),
        ``RuntimeError`` after :meth:`shutdown`.
        """
        problem = request.options.problem()
        if problem:  # the request's error, not the model's: never counted against it
            raise ValueError(f"bad generation options: {problem}")
        model = self._resolve(request.model)
        if request.task not in model.info.tasks:
            raise PluginError(f"model {model.info.name!r} cannot {request.task} "
                              f"(it does: {', '.join(model.info.tasks)})")
        # A model's own settings in their declared types (8.0 for a whole number is 8),
        # as engine.tasks reads them: one request, the same music through either path.
        request = replace(request, options=replace(
            request.options, extra=model.info.settle_options(request.options.extra)))
        problem = model.info.option_problem(request.options.extra)
        if problem:  # a model's own option the user typed: the request's error too
            raise ValueError(f"bad generation options: {problem}")
        if request.mask.is_empty:
            raise ValueError("nothing to generate: the mask is empty")
        song = request.prepared_song  # raises EditError when the prep does not fit
        missing = request.mask.track_ids - {t.id for t in song.tracks}
        if missing:
            raise ValueError(f"the mask names tracks that are not in the song: {sorted(missing)}")
        # A range on a kit picks its drums, as engine.tasks reads it: the others keep
        # their hits (the take's mask is the narrowed one).
        request = replace(request, mask=kit_band_mask(song, request.mask,
                                                      request.options.pitch_range))
        if request.mask.is_empty:
            raise ValueError("nothing to generate: the pitch range and the painted pitch "
                             "band share no pitch on the drum tracks")
        problem = range_out_of_reach(song, request.mask.track_ids,
                                     request.options.pitch_range)
        if problem:  # a part whose range it misses would be written as nothing
            raise ValueError(problem)
        problem = cannot_write(model.info, song, request.mask.track_ids)
        if problem:  # the model would delete what it cannot write: refuse before queuing
            raise ValueError(problem)
        # The options the music implies, as engine.tasks settles them for the CLI: the
        # key around the mask for an "auto" key, chorale voice leading (no-ops when the
        # caller settled them already, as the studio does once per request).
        request = replace(request, options=settle_options(request.options, song,
                                                          request.mask, request.task))
        with self._lock:
            if self._closed:
                raise RuntimeError("the job queue is shut down")
            job = Job(request, model, next(self._seq), self.cancel, song)
            self._emit(JobQueued(job))
            if request.supersede_key is not None:
                for old in list(self._queued.values()):
                    if old.request.supersede_key == request.supersede_key:
                        self._cancel_queued(old, CancelReason.SUPERSEDED)
            heapq.heappush(self._heap, job)
            self._queued[job.id] = job
            self._lock.notify_all()
        return job

    def _resolve(self, model: ModelPlugin | str) -> ModelPlugin:
        if not isinstance(model, str):
            return model
        if self.registry is None:
            raise PluginError(f"cannot find model {model!r}: this queue has no registry")
        return self.registry.get(model)

    def cancel(self, job: Job | int, reason: CancelReason = CancelReason.USER) -> bool:
        """Cancel a queued job now, or a running one at its next step; False if it ended."""
        with self._lock:
            job_id = job if isinstance(job, int) else job.id
            if job_id in self._queued:
                self._cancel_queued(self._queued[job_id], reason)
                return True
            running = self._running.get(job_id)
            if running is not None and running.state is JobState.RUNNING:
                running.token.cancel(reason)
                return True
            return False  # ended (its take delivered, it stays listed until its worker is free)

    def _cancel_queued(self, job: Job, reason: CancelReason) -> None:  # holds self._lock
        del self._queued[job.id]  # stays in the heap; workers skip it
        if not self._queued:  # all left there are cancelled: they held their songs
            self._heap.clear()
        job.cancel_reason = reason
        job._end(JobState.CANCELLED)
        self._emit(JobCancelled(job, reason, _CANCEL_MESSAGES[reason]))
        self._lock.notify_all()

    def cancel_all(self, reason: CancelReason = CancelReason.USER) -> int:
        """Cancel every queued and running job; returns how many."""
        with self._lock:
            jobs = [*self._queued.values(), *self._running.values()]
            return sum(self.cancel(job, reason) for job in jobs)

    def cancel_model(self, name: str,
                     reason: CancelReason = CancelReason.MODEL_REMOVED) -> int:
        """Cancel every queued and running job of the model ``name`` (before it is removed:
        a queued job would fail on its missing files); returns how many."""
        with self._lock:
            jobs = [j for j in (*self._queued.values(), *self._running.values())
                    if j.model_name == name]
            return sum(self.cancel(job, reason) for job in jobs)

    # -- state -----------------------------------------------------------------------------
    def pending(self, model: str | None = None) -> list[Job]:
        """Queued and running jobs (of the model named ``model``, if given), running
        first, then in the order they will run."""
        with self._lock:
            jobs = [*self._running.values(), *sorted(self._queued.values())]
        return [j for j in jobs if model is None or j.model_name == model]

    @property
    def idle(self) -> bool:
        with self._lock:
            return not self._queued and not self._running and self._undelivered == 0

    def join(self, timeout: float | None = None) -> bool:
        """Wait until every job has ended and its events were delivered; True if so."""
        if threading.current_thread() is self._dispatcher:
            raise RuntimeError("JobQueue.join() called from a listener would deadlock")
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while self._queued or self._running or self._undelivered:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._lock.wait(left)
            return True

    def shutdown(self, timeout: float = 5.0) -> bool:
        """Cancel everything, stop the threads and join them within ``timeout`` seconds
        (not the workers already left behind: nothing comes back from them).

        Returns True when every thread has ended. A model that never checks its cancel
        token can keep its (daemon) worker alive; that is reported by returning False.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            if not self._closed:
                self._closed = True
                self.cancel_all(CancelReason.SHUTDOWN)
                self._lock.notify_all()
        for t in [*self._workers, self._watchdog]:
            t.join(max(0.0, deadline - time.monotonic()))
        if self._dispatcher.is_alive():
            self._events.put(_STOP)
            if threading.current_thread() is not self._dispatcher:
                self._dispatcher.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in [*self._workers, self._dispatcher,
                                               *self._abandoned])

    def __enter__(self) -> JobQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # -- workers ---------------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._closed and not self._queued:
                    self._lock.wait()
                if self._closed:
                    return
                job = heapq.heappop(self._heap)
                if self._queued.pop(job.id, None) is None:
                    continue  # cancelled while queued
                job.state = JobState.RUNNING
                self._running[job.id] = job
                self._threads[job.id] = threading.current_thread()
                self._emit(JobStarted(job))
                self._lock.notify_all()  # wakes the watchdog
            try:
                self._run(job)
            finally:
                with self._lock:
                    self._threads.pop(job.id, None)
                    if not job.abandoned:
                        self._running.pop(job.id, None)
                        self._lock.notify_all()
            if job.abandoned:  # the watchdog gave up on it and a new worker took over
                return

    def _watch(self) -> None:
        """Trip timeouts and leave behind models that ignore a cancel (module docstring)."""
        with self._lock:
            while not self._closed:
                now = time.monotonic()
                for job in list(self._running.values()):
                    token = job.token
                    if token.cancelled and now - (token.cancelled_at or now) >= self.stuck_after:
                        self._abandon(job)
                self._lock.wait(0.2 if self._running else None)

    def _abandon(self, job: Job) -> None:  # holds self._lock
        del self._running[job.id]
        job.abandoned = True
        thread = self._threads.get(job.id)
        if thread in self._workers:
            self._workers.remove(thread)
            self._abandoned.append(thread)
        timeout = job.request.timeout if job.request.timeout is not None else self.default_timeout
        reason = job.token.reason or CancelReason.USER
        said = (f"timed out after {timeout:g} s" if reason is CancelReason.TIMEOUT
                else _CANCEL_MESSAGES[reason])
        message = (f"{said}; model {job.model_name!r} did not stop within "
                   f"{self.stuck_after:g} s, so it was left running in the background")
        job.cancel_reason = reason
        if self.registry is not None:  # before the event: see the module docstring
            self.registry.record_failure(job.model_name, f"ignored a cancel request ({said})",
                                         job.request.group)
        job._end(JobState.CANCELLED)
        self._emit(JobCancelled(job, reason, message))
        log.warning("job %d: %s", job.id, message)
        if not self._closed:
            self._start_worker()
        self._lock.notify_all()

    def _run(self, job: Job) -> None:
        req = job.request
        token = job.token
        timeout = req.timeout if req.timeout is not None else self.default_timeout
        token.start_clock(timeout)
        name = job.model_name
        pace: Pace | None = None  # from the first report on (engine.pace)

        def progress(p: Progress) -> None:
            # Models that report progress but forget the token still stop here.
            token.raise_if_cancelled()
            p = checked_progress(name, p)  # what a model passed wrongly fails it, said so
            nonlocal pace
            step, total = int(p.step), int(p.total)
            if pace is None:
                pace = Pace(total)
            pace.seen(step)
            self._emit(JobProgress(job, step, total, pace.eta(step, total), p.message))
            if p.partial:
                self._emit(JobPartial(job, _inside(req, p.partial)))

        try:
            token.raise_if_cancelled()  # cancelled between dequeue and start
            def generate(song: Song, mask: Mask) -> object:
                return job.model.generate(song, mask, req.options, progress, token)

            result = (generate_looped(generate, job.prepared_song, req.mask)
                      if req.options.loop else generate(job.prepared_song, req.mask))
            token.raise_if_cancelled()  # a cancel beats a late result
            take = make_take(job_id=job.id, model=name, task=req.task, mask=req.mask,
                             song=req.song, revision=req.revision, result=result,
                             options=req.options, label=req.label, prep=req.prep,
                             prepared_song=job.prepared_song)
            take = _with_warnings(take, job.model, job.prepared_song, job.request.key_found)
        except Cancelled:
            self._end_cancelled(job, timeout)
        except InvalidResult as e:
            self._end_failed(job, str(e), traceback.format_exc())
        except CannotGenerate as e:  # about the song or the request: not the model's fault
            self._end_failed(job, f"{name}: {one_line(e)}", traceback.format_exc(),
                             model_at_fault=False)
        except BaseException as e:  # a plugin may raise anything; keep the worker alive
            if token.cancelled:
                self._end_cancelled(job, timeout)
            else:
                self._end_failed(job, f"{name}: {one_line(e)}", traceback.format_exc())
        else:
            with self._lock:
                if job.abandoned:
                    return
                if token.cancelled:  # cancelled while its take was made: a cancel wins
                    self._end_cancelled(job, timeout)
                    return
                job.take = take
                if self.registry is not None:
                    self.registry.record_success(name)
                job._end(JobState.FINISHED)
                self._emit(JobFinished(job, take))

    def _end_cancelled(self, job: Job, timeout: float | None) -> None:
        reason = job.token.reason or CancelReason.USER
        message = _CANCEL_MESSAGES[reason]
        if reason is CancelReason.TIMEOUT:
            message = f"timed out after {timeout:g} s"
        with self._lock:
            if job.abandoned:
                return
            job.cancel_reason = reason
            job._end(JobState.CANCELLED)
            self._emit(JobCancelled(job, reason, message))

    def _end_failed(self, job: Job, message: str, details: str,
                    model_at_fault: bool = True) -> None:
        with self._lock:
            if job.abandoned:
                return
            job.error, job.details = message, details
            # Counted before the event: the studio reads the registry as JobFailed arrives
            # (emitted first, its "… is now disabled" and the model list could miss it).
            if self.registry is not None and model_at_fault:
                self.registry.record_failure(job.model_name, message, job.request.group)
            job._end(JobState.FAILED)
            self._emit(JobFailed(job, message, details))


def _with_warnings(take: Take, model: ModelPlugin, prepared: Song,
                   key_found: bool = False) -> Take:
    """``take`` with what its model did not do that it was asked to (notes off the key,
    parallels…), worked out here, off the GUI thread. A check that fails costs the user
    no take and the model no failure: the take comes without warnings, and the log says
    why."""
    try:
        return replace(take, warnings=take_warnings(take, model.info, prepared,
                                                    key_found=key_found))
    except Exception:
        log.exception("checking take %d of %s for warnings failed", take.id, model.info.name)
        return take


def _inside(req: JobRequest, partial: Mapping[int, Iterable[Note]]) -> dict[int, tuple[Note, ...]]:
    """A partial result trimmed to valid notes inside the mask (drafts are for display)."""
    out: dict[int, tuple[Note, ...]] = {}
    for tid, notes in partial.items():
        try:
            out[tid] = tuple(n for n in notes
                             if isinstance(n, Note) and req.mask.contains_note(tid, n))
        except TypeError:
            continue  # a draft is optional: skip what cannot be read
    return out
