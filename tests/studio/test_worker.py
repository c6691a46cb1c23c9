"""Background tasks: results come back on the GUI thread, and nothing is kept after."""

from __future__ import annotations

import gc
import threading
import weakref

from studio.worker import Worker


class Payload:
    """Stands for what a task's function holds (a playback's audio buffer)."""


def test_a_finished_or_cancelled_task_keeps_nothing_it_held(qtbot):
    """Each task kept its function, and all the function held, for ever (a cycle through
    Qt's connections): a soak test's playbacks added 26 MB each."""
    worker = Worker(2)
    held, results, errors = [], [], []

    gate = threading.Event()  # job 9 waits on it: still running when it is cancelled

    def job(i: int):
        payload = Payload()
        held.append(weakref.ref(payload))

        def fn():
            assert payload is not None  # held, as a render holds its buffer
            if i == 9:
                gate.wait(5)
            if i == 3:
                raise ValueError("a failing task")
            return i

        return fn

    for i in range(5):
        worker.start(job(i), on_done=results.append,
                     on_error=lambda e: errors.append(str(e)))  # not its traceback
    qtbot.waitUntil(lambda: len(results) + len(errors) == 5, timeout=5000)
    cancelled = worker.start(job(9), on_done=results.append)
    worker.cancel_all()
    gate.set()  # (it finished before cancel_all at times: a flaky 9 in the results)
    qtbot.waitUntil(lambda: not worker._tasks, timeout=5000)
    gc.collect()
    assert sorted(results) == [0, 1, 2, 4] and errors == ["a failing task"]
    alive = [i for i, ref in enumerate(held) if ref() is not None]
    assert alive == [], alive
    assert cancelled.fn is None and 9 not in results
