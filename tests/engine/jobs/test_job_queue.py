"""The job queue: ordering, cancel, timeout, supersede, failures and shutdown."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from engine.jobs import (
    CancelReason,
    JobCancelled,
    JobFailed,
    JobFinished,
    JobPartial,
    JobProgress,
    JobQueue,
    JobQueued,
    JobRequest,
    JobStarted,
    JobState,
    Priority,
    region_key,
)
from engine.plugins import GenerateOptions, PluginError, Registry
from engine.plugins.api import CancelToken, Progress
from engine.score import Mask, Note, Region
from tests.engine.jobs.toy_models import StepModel, toy_song

WAIT = 10.0  # generous: only reached when something is broken


class Recorder:
    def __init__(self) -> None:
        self.events = []
        self.lock = threading.Lock()

    def __call__(self, event) -> None:
        with self.lock:
            self.events.append(event)

    def of(self, job):
        return [e for e in self.events if e.job_id == job.id]

    def kinds(self, job):
        return [type(e).__name__ for e in self.of(job)]


@pytest.fixture
def song_and_mask():
    song, piano, _ = toy_song()
    return song, Mask.of(Region({piano.id}, 960, 1920))


@pytest.fixture
def queue():
    q = JobQueue()
    rec = Recorder()
    q.add_listener(rec)
    q.rec = rec
    yield q
    assert q.shutdown(5.0)


def wait_running(job) -> None:
    for _ in range(5000):
        if job.state is JobState.RUNNING:
            return
        threading.Event().wait(0.002)
    raise AssertionError(f"{job} never started")


def request(song_and_mask, model, **kw) -> JobRequest:
    song, mask = song_and_mask
    return JobRequest(song, mask, model, "repaint", **kw)


def test_a_job_runs_and_proposes_a_take(queue, song_and_mask):
    model = StepModel(steps=3)
    job = queue.submit(request(song_and_mask, model, revision=7))
    assert job.wait(WAIT) and queue.join(WAIT)
    assert job.state is JobState.FINISHED
    kinds = queue.rec.kinds(job)
    assert kinds == ["JobQueued", "JobStarted", *["JobProgress"] * 3, "JobFinished"]
    progress = [e for e in queue.rec.of(job) if isinstance(e, JobProgress)]
    assert [(p.step, p.total) for p in progress] == [(1, 3), (2, 3), (3, 3)]
    # The time left comes from the pace between reports: none from the first alone (a
    # model that reports step 1 at once, then hangs, showed "< 1 s left").
    assert progress[0].eta is None and progress[1].eta >= 0 and progress[-1].eta == 0
    take = queue.rec.of(job)[-1].take
    assert take is job.take and take.job_id == job.id and take.base_revision == 7
    assert take.model == "stepper" and take.task == "repaint"
    song, mask = song_and_mask
    (tid,) = mask.track_ids
    assert [n.pitch for n in take.notes[tid]] == [64]
    # A proposal only: the song it came from is untouched.
    assert take.base_song is song


def test_priority_then_fifo(queue, song_and_mask):
    gate = threading.Event()
    order = []
    queue.add_listener(lambda e: order.append(e.job.request.label)
                       if isinstance(e, JobStarted) else None)
    blocker = queue.submit(request(song_and_mask, StepModel("blocker", gate=gate),
                                   label="blocker"))
    wait_running(blocker)
    model = StepModel(steps=1)
    for label, prio in [("batch1", Priority.BATCH), ("normal1", Priority.NORMAL),
                        ("batch2", Priority.BATCH), ("interactive", Priority.INTERACTIVE),
                        ("normal2", Priority.NORMAL)]:
        queue.submit(request(song_and_mask, model, priority=prio, label=label))
    assert [j.request.label for j in queue.pending()][1:] == [
        "interactive", "normal1", "normal2", "batch1", "batch2"]
    gate.set()
    assert blocker.wait(WAIT) and queue.join(WAIT)
    assert order == ["blocker", "interactive", "normal1", "normal2", "batch1", "batch2"]


def test_cancel_a_queued_job(queue, song_and_mask):
    gate = threading.Event()
    queue.submit(request(song_and_mask, StepModel("blocker", gate=gate)))
    model = StepModel()
    job = queue.submit(request(song_and_mask, model))
    assert job.cancel()
    gate.set()
    assert queue.join(WAIT)
    assert job.state is JobState.CANCELLED and job.cancel_reason is CancelReason.USER
    assert queue.rec.kinds(job) == ["JobQueued", "JobCancelled"]
    assert model.calls == 0
    assert not job.cancel()  # already over


def test_cancelled_queued_jobs_let_go_of_their_songs(queue, song_and_mask):
    # A soak test: after Cancel All, 58 cancelled jobs (each holding its song) stayed in
    # the queue's heap until something new was queued.
    gate = threading.Event()
    blocker = queue.submit(request(song_and_mask, StepModel("blocker", gate=gate)))
    wait_running(blocker)
    for _ in range(5):
        queue.submit(request(song_and_mask, StepModel()))
    queue.cancel_all()
    assert queue._heap == []
    gate.set()
    assert queue.join(WAIT)


def test_cancel_a_running_job_within_one_step(queue, song_and_mask):
    model = StepModel(steps=100_000, delay=0.001)
    started = threading.Event()
    queue.add_listener(lambda e: started.set() if isinstance(e, JobProgress) else None)
    job = queue.submit(request(song_and_mask, model))
    assert started.wait(WAIT)
    assert queue.cancel(job)
    assert job.wait(WAIT) and queue.join(WAIT)
    assert job.state is JobState.CANCELLED
    assert model.steps_after_cancel <= 1
    assert isinstance(queue.rec.of(job)[-1], JobCancelled)
    assert job.take is None


def test_a_cancel_while_the_take_is_made_wins_and_a_delivered_take_is_not_cancelled(
        queue, song_and_mask, monkeypatch):
    # A soak QA: Ctrl+. said "Cancelled 1 job", then "Take A ready": the cancel came
    # between the model's last step and the take's delivery.
    import engine.jobs.queue as queue_module

    make_take = queue_module.make_take
    jobs = []

    def cancelled_meanwhile(**kw):
        assert queue.cancel(jobs[0])  # the user's Ctrl+. while the take is made
        return make_take(**kw)

    monkeypatch.setattr(queue_module, "make_take", cancelled_meanwhile)
    jobs.append(queue.submit(request(song_and_mask, StepModel(steps=2))))
    assert jobs[0].wait(WAIT) and queue.join(WAIT)
    assert jobs[0].state is JobState.CANCELLED and jobs[0].take is None
    assert not any(isinstance(e, JobFinished) for e in queue.rec.of(jobs[0]))
    # A take already delivered cannot be cancelled (it stays listed until its worker is
    # free): cancel says so, and "Cancelled 1 job" is not said of it.
    monkeypatch.setattr(queue_module, "make_take", make_take)
    answers = []
    queue.add_listener(lambda e: answers.append((queue.cancel(e.job), queue.cancel_all()))
                       if isinstance(e, JobFinished) else None)
    done = queue.submit(request(song_and_mask, StepModel(steps=2)))
    assert done.wait(WAIT) and queue.join(WAIT)
    assert done.state is JobState.FINISHED and answers == [(False, 0)]


def test_removing_a_model_cancels_its_jobs_only(queue, song_and_mask):
    gate = threading.Event()
    doomed = StepModel("doomed", gate=gate)
    running = queue.submit(request(song_and_mask, doomed))
    wait_running(running)
    waiting = queue.submit(request(song_and_mask, doomed))
    other = queue.submit(request(song_and_mask, StepModel("kept", steps=1)))
    assert [j.id for j in queue.pending("doomed")] == [running.id, waiting.id]
    assert queue.cancel_model("doomed") == 2
    assert queue.join(WAIT)
    for job in (running, waiting):
        last = queue.rec.of(job)[-1]
        assert isinstance(last, JobCancelled) and last.reason is CancelReason.MODEL_REMOVED
        assert last.message == "cancelled: its model was removed"
    assert doomed.calls == 1  # the waiting job never reached the model
    assert other.state is JobState.FINISHED
    assert queue.cancel_model("doomed") == 0


def test_timeout_cancels_and_says_so(queue, song_and_mask):
    model = StepModel(steps=100_000, delay=0.001)
    job = queue.submit(request(song_and_mask, model, timeout=0.05))
    assert job.wait(WAIT) and queue.join(WAIT)
    last = queue.rec.of(job)[-1]
    assert isinstance(last, JobCancelled) and last.reason is CancelReason.TIMEOUT
    assert last.message == "timed out after 0.05 s"


def test_a_newer_request_supersedes_the_queued_one(queue, song_and_mask):
    gate = threading.Event()
    queue.submit(request(song_and_mask, StepModel("blocker", gate=gate)))
    mask = song_and_mask[1]
    key = region_key("repaint", mask)
    model = StepModel(steps=1)
    old = queue.submit(request(song_and_mask, model, supersede_key=key))
    variation = queue.submit(request(song_and_mask, model))  # no key: never superseded
    new = queue.submit(request(song_and_mask, model, supersede_key=key))
    gate.set()
    assert queue.join(WAIT)
    assert old.state is JobState.CANCELLED and old.cancel_reason is CancelReason.SUPERSEDED
    assert "superseded" in queue.rec.of(old)[-1].message
    assert variation.state is JobState.FINISHED and new.state is JobState.FINISHED


def test_a_crashing_model_fails_its_job_and_the_queue_goes_on(queue, song_and_mask):
    bad = queue.submit(request(song_and_mask, StepModel("crasher", fail_at=1)))
    good = queue.submit(request(song_and_mask, StepModel("fine")))
    assert queue.join(WAIT)
    failed = queue.rec.of(bad)[-1]
    assert isinstance(failed, JobFailed)
    assert failed.message == "crasher: RuntimeError: crasher blew up at step 1"
    assert "Traceback" in failed.details and "generate" in failed.details
    assert bad.error == failed.message
    assert good.state is JobState.FINISHED


def test_notes_outside_the_mask_are_rejected(queue, song_and_mask):
    job = queue.submit(request(song_and_mask, StepModel("sloppy", outside=True)))
    assert queue.join(WAIT)
    assert job.state is JobState.FAILED and job.take is None
    assert "outside the mask" in job.error and "sloppy" in job.error


def test_partial_results_are_reported(queue, song_and_mask):
    job = queue.submit(request(song_and_mask, StepModel(partial=True, steps=2)))
    assert queue.join(WAIT)
    partials = [e for e in queue.rec.of(job) if isinstance(e, JobPartial)]
    assert len(partials) == 2 and all(partials[0].notes.values())


@pytest.mark.parametrize("report, message", [
    (lambda notes: Progress(1, 1, partial=[n for ns in notes.values() for n in ns]),
     "model 'qa' reported a draft (Progress.partial) as list: give a mapping of track id "
     "→ notes, like its result, or none"),
    (lambda notes: 0.5, "model 'qa' reported progress with float 0.5: pass Progress(step, "
                        "total, message)"),
])
def test_a_progress_report_given_wrongly_fails_saying_what_the_plugin_did(
        queue, song_and_mask, report, message):
    """QA: Progress(partial=[…]) failed the job with "AttributeError: 'list' object has no
    attribute 'items'"; the command line's tasks say the same as the queue."""
    from engine.plugins.result import ModelFailed
    from engine.tasks import repaint_mask
    from tests.engine.jobs.toy_models import Answers

    class Drafts(Answers):
        def generate(self, song, mask, options, progress, cancel):
            notes = self.answer(song, mask)
            progress(report(notes))
            return notes

    model = Drafts(lambda s, m: {min(m.track_ids): (Note(60, m.span[0], 10),)})
    job = queue.submit(request(song_and_mask, model))
    assert queue.join(WAIT)
    assert job.state is JobState.FAILED and job.error == message
    song, mask = song_and_mask
    with pytest.raises(ModelFailed) as failed:
        repaint_mask(song, mask, model=model)
    assert str(failed.value) == message


def test_a_broken_listener_does_not_stop_the_queue(queue, song_and_mask):
    def broken(event):
        raise ValueError("listener bug")

    queue.add_listener(broken)
    job = queue.submit(request(song_and_mask, StepModel()))
    assert queue.join(WAIT)
    assert isinstance(queue.rec.of(job)[-1], JobFinished)


def test_failures_reach_the_registry(song_and_mask, tmp_path):
    registry = Registry(entry_points=False, plugin_dirs=[], user_dir=tmp_path, failure_limit=2)
    registry.add(StepModel("crasher", fail_at=0))
    registry.add(StepModel("fine"))
    with JobQueue(registry) as q:
        q.submit(request(song_and_mask, "crasher"))
        q.join(WAIT)
        assert registry.entry("crasher").ok and registry.entry("crasher").failures == 1
        q.submit(request(song_and_mask, "crasher"))
        q.join(WAIT)
        entry = registry.entry("crasher")
        assert not entry.ok
        assert entry.reason.startswith("failed 2 requests in a row, last: crasher: RuntimeError")
        with pytest.raises(PluginError, match="'crasher' is disabled"):
            q.submit(request(song_and_mask, "crasher"))
        assert q.submit(request(song_and_mask, "fine")).wait(WAIT)
    assert registry.enable("crasher").ok


def test_the_variations_of_one_request_count_as_one_failure(song_and_mask, tmp_path):
    # One Repaint click with Variations = 3 on a plugin that raises made three failed
    # jobs, and the model was disabled "after 3 failures in a row" by a single click.
    registry = Registry(entry_points=False, plugin_dirs=[], user_dir=tmp_path)
    registry.add(StepModel("crasher", fail_at=0))
    with JobQueue(registry) as q:
        for click in (1, 2):
            jobs = [q.submit(request(song_and_mask, "crasher", group=("click", click)))
                    for _ in range(3)]
            q.join(WAIT)
            assert all(j.state is JobState.FAILED for j in jobs)
            entry = registry.entry("crasher")
            assert entry.ok and entry.failures == click
        q.submit(request(song_and_mask, "crasher", group=("click", 3)))
        q.join(WAIT)
        entry = registry.entry("crasher")
        assert not entry.ok
        assert entry.reason.startswith("failed 3 requests in a row, last: crasher:")


def test_the_registry_knows_of_a_failure_before_listeners_and_waiters_do(
        song_and_mask, tmp_path, monkeypatch):
    # The studio reads the registry as JobFailed arrives ("crasher is now disabled", the
    # model list greyed): the failure was recorded after the event went out, so a quick
    # GUI thread could say "Generation failed" alone and leave the model looking fine.
    registry = Registry(entry_points=False, plugin_dirs=[], user_dir=tmp_path, failure_limit=1)
    registry.add(StepModel("crasher", fail_at=0))
    real = registry.record_failure

    def record_failure(*args, **kwargs):  # a worker thread the scheduler sets aside
        threading.Event().wait(0.2)
        return real(*args, **kwargs)

    monkeypatch.setattr(registry, "record_failure", record_failure)
    seen = []

    def listener(event):
        if isinstance(event, JobFailed):
            entry = registry.entry(event.job.model_name)
            seen.append((entry.ok, entry.failures))

    with JobQueue(registry) as q:
        q.add_listener(listener)
        job = q.submit(request(song_and_mask, "crasher"))
        assert job.wait(WAIT) and not registry.entry("crasher").ok  # a waiter too
        assert q.join(WAIT)
    assert seen == [(False, 1)]


def test_a_success_starts_the_count_again_for_a_request_already_counted(tmp_path):
    registry = Registry(entry_points=False, plugin_dirs=[], user_dir=tmp_path,
                        failure_limit=2)
    registry.add(StepModel("flaky"))
    registry.record_failure("flaky", "boom", group=1)
    registry.record_failure("flaky", "boom again", group=1)  # the same request: not counted
    assert registry.entry("flaky").failures == 1
    assert registry.entry("flaky").reason == "boom again"
    registry.record_failure("flaky", "boom", group=2)  # another request: counted
    assert not registry.entry("flaky").ok
    assert registry.enable("flaky").ok
    registry.record_failure("flaky", "boom", group=2)  # enable forgets what was counted
    assert registry.entry("flaky").failures == 1
    registry.record_success("flaky")
    registry.record_failure("flaky", "boom", group=2)
    assert registry.entry("flaky").ok and registry.entry("flaky").failures == 1


def test_submit_checks_its_request(queue, song_and_mask):
    song, mask = song_and_mask
    with pytest.raises(PluginError, match="no registry"):
        queue.submit(request(song_and_mask, "stepper"))
    with pytest.raises(PluginError, match="cannot harmonize"):
        queue.submit(JobRequest(song, mask, StepModel(), "harmonize"))
    with pytest.raises(ValueError, match="mask is empty"):
        queue.submit(JobRequest(song, Mask(), StepModel()))
    with pytest.raises(ValueError, match="not in the song"):
        queue.submit(JobRequest(song, Mask.of(Region({99999}, 0, 480)), StepModel()))


def test_a_model_is_never_asked_to_write_tracks_it_cannot(queue, song_and_mask):
    # It would return nothing for them, and the take would delete their notes.
    song, mask = song_and_mask
    drums_only = StepModel(name="kit")
    drums_only.info = replace(drums_only.info, instruments=("drums",))
    with pytest.raises(ValueError, match="kit writes only drum tracks; it cannot write 'Piano'"):
        queue.submit(JobRequest(song, mask, drums_only))
    assert drums_only.calls == 0 and not queue.rec.events


def test_shutdown_with_running_jobs_is_clean(song_and_mask):
    # Only this queue's threads: another test's model left behind may still be ending.
    before = {t for t in threading.enumerate() if t.name.startswith("partita-job")}
    q = JobQueue(workers=2)
    running = [q.submit(request(song_and_mask, StepModel(steps=100_000, delay=0.001)))
               for _ in range(2)]
    queued = q.submit(request(song_and_mask, StepModel()))
    for j in running:
        wait_running(j)
    assert q.shutdown(5.0)
    assert all(j.cancel_reason is CancelReason.SHUTDOWN for j in [*running, queued])
    assert not [t for t in threading.enumerate()
                if t.name.startswith("partita-job") and t not in before]
    with pytest.raises(RuntimeError, match="shut down"):
        q.submit(request(song_and_mask, StepModel()))


def test_options_reach_the_model(queue, song_and_mask):
    job = queue.submit(request(song_and_mask, StepModel(), options=GenerateOptions(seed=5)))
    assert job.wait(WAIT)
    assert {n.pitch for notes in job.take.notes.values() for n in notes} == {69}
    assert job.take.options.seed == 5


def test_events_follow_the_documented_order(queue, song_and_mask):
    assert queue.rec.events == []
    job = queue.submit(request(song_and_mask, StepModel(steps=1)))
    queue.join(WAIT)
    assert isinstance(queue.rec.of(job)[0], JobQueued)


class StuckModel(StepModel):
    """A badly behaved model: never looks at its token, returns when ``release`` is set."""

    def __init__(self, release: threading.Event) -> None:
        super().__init__("stuck")
        self.release = release

    def generate(self, song, mask, options, progress, cancel):
        self.release.wait(WAIT)
        return super().generate(song, mask, options, progress, CancelToken())


def test_a_model_that_ignores_cancel_is_left_behind_and_the_queue_goes_on(song_and_mask,
                                                                          tmp_path):
    registry = Registry(entry_points=False, plugin_dirs=[], user_dir=tmp_path)
    release = threading.Event()
    registry.add(StuckModel(release))
    registry.add(StepModel("fine"))
    q = JobQueue(registry, stuck_after=0.2)
    rec = Recorder()
    q.add_listener(rec)
    stuck = q.submit(request(song_and_mask, "stuck"))
    wait_running(stuck)
    after = q.submit(request(song_and_mask, "fine"))
    stuck.cancel()
    assert after.wait(WAIT) and after.state is JobState.FINISHED  # a fresh worker ran it
    assert q.join(WAIT)  # job.wait() does not wait for the listeners (see Job.wait)
    last = rec.of(stuck)[-1]
    assert isinstance(last, JobCancelled) and stuck.state is JobState.CANCELLED
    assert last.message == ("cancelled; model 'stuck' did not stop within 0.2 s, so it was "
                            "left running in the background")
    assert registry.entry("stuck").failures == 1
    assert "ignored a cancel request" in registry.entry("stuck").reason
    release.set()  # its late result is dropped: no event after the cancel
    q.shutdown(5.0)
    assert rec.of(stuck)[-1] is last and stuck.take is None


def test_shutdown_does_not_wait_for_a_model_already_left_behind(song_and_mask):
    # Plugin QA: closing the studio after a stuck model was cancelled and left behind
    # froze the window for the whole 5 s, with no job in flight to say so.
    release = threading.Event()
    q = JobQueue(stuck_after=0.1)
    stuck = q.submit(request(song_and_mask, StuckModel(release)))
    wait_running(stuck)
    stuck.cancel()
    assert stuck.wait(WAIT) and stuck.state is JobState.CANCELLED  # left behind
    started = time.monotonic()
    assert not q.shutdown(5.0)  # its thread still runs: said, not waited for
    assert time.monotonic() - started < 2.5  # not the 5 s it was
    release.set()


def test_a_timeout_ends_a_job_whose_model_never_checks_its_token(song_and_mask):
    release = threading.Event()
    with JobQueue(stuck_after=0.2) as q:
        rec = Recorder()
        q.add_listener(rec)
        job = q.submit(request(song_and_mask, StuckModel(release), timeout=0.1))
        assert job.wait(WAIT) and q.join(WAIT)
        last = rec.of(job)[-1]
        assert last.reason is CancelReason.TIMEOUT
        assert last.message.startswith("timed out after 0.1 s; model 'stuck' did not stop")
        release.set()


@pytest.mark.parametrize("options, problem", [
    (GenerateOptions(key="Zm"), "unknown key 'Zm'"),
    (GenerateOptions(precision="fp16"), "precision must be auto, fp32, int8, int4"),
    (GenerateOptions(steps=0), "steps must be a whole number ≥ 1"),
    (GenerateOptions(temperature=-1), "temperature must be > 0"),
    (GenerateOptions(pitch_range=(80, 60)), "pitch_range must be (low, high)"),
    (GenerateOptions(density=3), "density must be in 0..1"),
])
def test_bad_options_are_the_requests_error_and_never_count_against_the_model(
        song_and_mask, tmp_path, options, problem):
    # Three jobs with a typo in the key disabled the built-in model ("failed 3 jobs").
    registry = Registry(entry_points=False, plugin_dirs=[], user_dir=tmp_path)
    registry.add(StepModel(name="stepper"))
    q = JobQueue(registry=registry)
    try:
        for _ in range(4):
            with pytest.raises(ValueError, match="bad generation options: ") as e:
                q.submit(request(song_and_mask, "stepper", options=options))
            assert problem in str(e.value)
        assert registry.entry("stepper").ok and registry.entry("stepper").failures == 0
    finally:
        assert q.shutdown(5.0)


def test_an_auto_key_is_settled_before_the_model_runs_as_the_tasks_settle_it(queue):
    # Through the queue an "auto" key reached the model unresolved: another request's
    # music than engine.tasks.repaint's for the same options.
    from engine.plugins.api import GenerateOptions as Options
    from engine.score import Note, Song, Track

    seen = []

    class Spy(StepModel):
        def generate(self, song, mask, options, progress, cancel):
            seen.append(options.key)
            return super().generate(song, mask, options, progress, cancel)

    scale = (62, 64, 65, 67, 69, 70, 73, 74)  # D minor with its C#: enough to say so
    lead = Track("Lead", notes=tuple(Note(scale[i % 8], i * 240, 240) for i in range(64)))
    song = Song((lead,))
    job = queue.submit(JobRequest(song, Mask.of(Region({lead.id}, 0, 1920)), Spy(),
                                  "repaint", Options(key="auto")))
    assert job.wait(WAIT)
    assert seen == ["Dm"]


def test_a_models_own_settings_reach_it_in_their_declared_types(queue, song_and_mask):
    # The tasks read a typed 8.0 for a whole-number option as 8; the queue passed 8.0 on
    # (or refused it): the same request must mean the same through either path.
    from engine.plugins.api import ModelOption

    seen = []

    class Phrased(StepModel):
        def __init__(self):
            super().__init__(name="phrased")
            self.info = replace(self.info, options=(
                ModelOption("bars", 4, minimum=1, maximum=16),
                ModelOption("swing", False)))

        def generate(self, song, mask, options, progress, cancel):
            seen.append(dict(options.extra))
            return super().generate(song, mask, options, progress, cancel)

    options = GenerateOptions(extra={"bars": 8.0, "swing": "true"})
    job = queue.submit(request(song_and_mask, Phrased(), options=options))
    assert job.wait(WAIT) and job.take is not None
    assert seen == [{"bars": 8, "swing": True}] and type(seen[0]["bars"]) is int
    with pytest.raises(ValueError, match="bars must be a whole number"):
        queue.submit(request(song_and_mask, Phrased(), options=GenerateOptions(
            extra={"bars": 8.5})))


def test_a_song_the_model_cannot_take_fails_its_job_without_blaming_the_model(tmp_path):
    # A 1-PPQ MIDI file failed three jobs of the grid model and disabled it for every
    # song (found by a monkey test).
    from engine.plugins import CannotGenerate
    from tests.engine.jobs.toy_models import Answers

    def refuse(song, mask):
        raise CannotGenerate("the song's resolution (1 PPQ) is too coarse")

    registry = Registry(entry_points=False, plugin_dirs=[], user_dir=tmp_path)
    registry.add(Answers(refuse, name="picky"))
    q = JobQueue(registry=registry)
    song, piano, _ = toy_song()
    try:
        for _ in range(4):
            job = q.submit(JobRequest(song, Mask.of(Region({piano.id}, 0, 960)), "picky"))
            assert job.wait(WAIT) and job.state is JobState.FAILED
            assert "too coarse" in job.error
        assert registry.entry("picky").ok and registry.entry("picky").failures == 0
    finally:
        assert q.shutdown(5.0)
