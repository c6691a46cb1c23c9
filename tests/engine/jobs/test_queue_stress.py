"""1,000 jobs with random priorities, supersedes and cancels: no deadlock, no leaked thread."""

from __future__ import annotations

import random
import threading
from collections import Counter

from engine.jobs import (
    TERMINAL_EVENTS,
    JobCancelled,
    JobFinished,
    JobQueue,
    JobQueued,
    JobRequest,
    JobStarted,
    JobState,
    Priority,
)
from engine.score import Mask, Region
from tests.engine.jobs.toy_models import StepModel, toy_song


def test_thousand_jobs_with_random_cancels():
    rng = random.Random(1234)
    song, piano, bass = toy_song()
    masks = [Mask.of(Region({piano.id}, 0, 960)), Mask.of(Region({bass.id}, 960, 1920)),
             Mask.of(Region({piano.id, bass.id}, 0, 3840))]
    models = [StepModel("quick", steps=2), StepModel("slower", steps=6, delay=0.0002),
              StepModel("crashy", steps=3, fail_at=2)]
    events: list = []
    lock = threading.Lock()

    def listener(event):
        with lock:
            events.append(event)

    before = set(threading.enumerate())
    queue = JobQueue(workers=3)
    queue.add_listener(listener)
    jobs: list = []
    stop = threading.Event()

    def canceller():  # cancels from another thread while jobs are queued and running
        r = random.Random(99)
        while not stop.is_set():
            if jobs and r.random() < 0.5:
                r.choice(jobs).cancel()
            stop.wait(0.0005)

    other = threading.Thread(target=canceller)
    other.start()
    for i in range(1000):
        mask = rng.choice(masks)
        key = ("repaint", mask) if rng.random() < 0.2 else None
        jobs.append(queue.submit(JobRequest(
            song, mask, rng.choice(models), "repaint", revision=i,
            priority=rng.choice(list(Priority)), supersede_key=key,
            timeout=0.5 if rng.random() < 0.05 else None)))
        if rng.random() < 0.3:
            rng.choice(jobs).cancel()  # queued, running or already over
    assert queue.join(60.0), "the queue did not drain"
    stop.set()
    other.join()
    assert queue.shutdown(5.0)

    assert all(j.done and j.state not in (JobState.QUEUED, JobState.RUNNING) for j in jobs)
    terminal = Counter(e.job_id for e in events if isinstance(e, TERMINAL_EVENTS))
    assert all(terminal[j.id] == 1 for j in jobs), "every job ends exactly once"
    queued = Counter(e.job_id for e in events if isinstance(e, JobQueued))
    assert all(queued[j.id] == 1 for j in jobs)
    started = {e.job_id for e in events if isinstance(e, JobStarted)}
    finished = [j for j in jobs if j.state is JobState.FINISHED]
    assert finished and all(j.id in started and j.take is not None for j in finished)
    assert any(isinstance(e, JobCancelled) for e in events)
    states = Counter(j.state for j in jobs)
    assert states[JobState.FAILED] > 0 and states[JobState.CANCELLED] > 0
    assert sum(isinstance(e, JobFinished) for e in events) == states[JobState.FINISHED]
    leaked = [t for t in threading.enumerate() if t not in before]
    assert not leaked, f"threads left running: {leaked}"
