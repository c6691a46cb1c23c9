"""Co-composition: turns the user's actions into jobs, and finished jobs into takes.

:class:`CoComposer` owns the engine :class:`~engine.jobs.JobQueue` (models run on its
worker thread, never the GUI thread), the :class:`~studio.jobbridge.JobBridge` that
brings its events to the GUI thread, and the :class:`~engine.jobs.TakeStore` of
proposals. A request (Repaint, Continue, …) is planned by :mod:`engine.tasks.requests` and
sent as one job per variation with seeds ``seed, seed+1, …``; a variation whose notes
repeat an earlier take of the same region is drawn again with a further seed.

Takes are auditioned over the score and accepted as one undo step
(:class:`AcceptTakeCommand`); a take whose region was edited since it was asked for is
flagged and never applied without the user confirming.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QWidget

from engine.jobs import (
    CancelReason,
    Job,
    JobCancelled,
    JobEvent,
    JobFailed,
    JobFinished,
    JobProgress,
    JobQueue,
    JobRequest,
    Priority,
    Take,
    TakeSet,
    TakeStatus,
    TakeStore,
    apply_take,
    take_letter,
)
from engine.jobs.saved_takes import RestoredTakes, takes_from_json, takes_to_json
from engine.pace import time_left as time_left_text
from engine.plugins import GenerateOptions, ModelPlugin, PluginError
from engine.score import (
    EditError,
    EditGroup,
    InsertTrack,
    Mask,
    Song,
    TimeMap,
    plural,
    track_label,
    track_labels,
)
from engine.score.mask_geometry import describe
from engine.score.spelling import key_text
from engine.tasks import (
    AUTO,
    CHORALE_MODEL,
    REDRAWS,
    auto_key_note,
    chorale_options,
    is_chorale,
    keep_rhythm_problem,
    kit_band_mask,
    named_key_signature,
    new_piece_signature,
    range_narrowed,
    range_on_drums,
    range_out_of_reach,
    requests,
    resolve_key,
    variation_seed,
)
from engine.tasks.loop import LOOP_TASKS
from engine.tasks.requests import Plan, PlanError

from . import dialogs
from .jobbridge import JobBridge
from .models import ModelCatalog
from .selection import Selection
from .undo import EditCommand

if TYPE_CHECKING:
    from .document import Document

# Said whenever a take comes on screen.
# The most used first: a status bar too narrow for them all ends the last ones in "…".
TAKE_KEYS = "Enter accepts, Del rejects, Space plays, [ ] switch, 0 original"
SILENT_TAKE_KEYS = "no audio output; Enter accepts, Del rejects, [ ] switch, 0 original"
# Said when the Original (the song without any take) comes on screen, and when Enter or
# Delete finds it there: nothing is applied or dropped, the takes wait.
ORIGINAL_KEYS = "Space plays it, 1–9 or [ ] choose a take"
SILENT_ORIGINAL_KEYS = "no audio output; 1–9 or [ ] choose a take"


_request_groups = itertools.count(1)


def warning_text(take: Take) -> str:
    """``" — ⚠ …"``: the take's first warning (and how many more) for the status bar, as
    it arrives or comes on screen; "" for a take without."""
    if not take.warnings:
        return ""
    more = len(take.warnings) - 1
    return (f" — ⚠ {take.warnings[0].message}"
            + (f" (+{more} more: hover the take's button)" if more else ""))


@dataclass(frozen=True, slots=True)
class GenerationSettings:
    """What the generation panel says: model, options, how many variations, bars."""

    model: str | None = None
    options: GenerateOptions = field(default_factory=lambda: GenerateOptions(steps=8))
    variations: int = 3
    continue_bars: int = 4
    compose_bars: int = 8


@dataclass
class _Request:
    """One user request: its plan and the variations in flight."""

    plan: Plan
    model: ModelPlugin
    options: GenerateOptions
    song: Song
    revision: int
    count: int
    base_seed: int
    session: int  # the document session it belongs to (see CoComposer.reset)
    attempts: dict[int, int] = field(default_factory=dict)  # variation → redraws so far
    arrived: int = 0  # its takes on offer so far
    # Its jobs' JobRequest.group: all its variations failing count as one failure.
    group: int = field(default_factory=lambda: next(_request_groups))
    key_found: bool = False  # the Key box's Auto found the key (JobRequest.key_found)


class AcceptTakeCommand(EditCommand):
    """Applies a take's edit (one undo step) and marks the take accepted; undo reverts
    the song and puts the take back in the choice."""

    def __init__(self, composer: CoComposer, take_set: TakeSet, take: Take, edit: Any,
                 result: Song) -> None:
        super().__init__(composer.document, edit, result)
        self.composer = composer
        self.take_set = take_set
        self.take_id = take.id
        self.done_once = False  # the first redo() is the push itself

    def redo(self) -> None:
        again = self.done_once
        super().redo()
        self.take_set.accept(self.take_id)
        self.composer.takesChanged.emit()
        if again:  # a redo: the undo's "back on screen" message would be wrong now
            stack = self.composer.document.undo_stack  # at this step until it is redone
            self.composer.stepSaid.emit(f"{self.text().replace('Accept', 'Accepted', 1)} "
                                        "again", stack.index() + 1)
        self.done_once = True

    def undo(self) -> None:
        super().undo()
        self.take_set.unaccept(self.take_id)
        letter = self.take_set.letter(self.take_id)
        sets = self.composer.takes.sets
        if sets.setdefault(self.take_set.mask, self.take_set) is not self.take_set:
            # The region was asked again since: its newer takes stay on screen.
            self.composer.takesChanged.emit()
            self.composer.message.emit(f"Undid accepting take {letter}: the song is as it "
                                       "was; the region's newer takes stay on screen")
            return
        self.take_set.select(self.take_id)  # the take is what is shown, not the Original
        self.composer.active = self.take_set.mask
        self.composer.attend()
        self.composer.takesChanged.emit()
        # The status bar still said "Accepted take A": say what the undo did.
        name = self.composer.take_name(self.take_set.get(self.take_id))  # "Pass 2" too
        self.composer.message.emit(f"{name} is back on screen, not in the song: "
                                   "Enter accepts it again")


class RejectTakeCommand(QUndoCommand):
    """Drops a take from the choice as an undo step: Ctrl+Z puts it back, on screen (the
    song is not changed, so the document does not become modified)."""

    def __init__(self, composer: CoComposer, take_set: TakeSet, take: Take) -> None:
        super().__init__(f"Reject take {take_set.letter(take.id)}")
        self.composer = composer
        self.take_set = take_set
        self.take_id = take.id

    def redo(self) -> None:
        self.take_set.reject(self.take_id)
        self.composer.takesChanged.emit()

    def undo(self) -> None:
        self.take_set.unreject(self.take_id)  # back on screen, heard
        self.composer.active = self.take_set.mask
        self.composer.attend()
        self.composer.takesChanged.emit()
        take = self.take_set.get(self.take_id)
        self.composer.message.emit(f"{self.composer.take_name(take)} is back")


class CoComposer(QObject):
    """The studio's side of generation. ``settings`` returns the panel's current values."""

    takesChanged = Signal()
    takeShown = Signal(object)  # the first take of a region, now auditioned
    # The user switched to this take (1–9, [ ], a click), or None: to the Original (0).
    takeSelected = Signal(object)
    message = Signal(str)  # for the status bar
    # For the status bar too, about an undo step ("Accepted take A") and the undo stack's
    # index once it is done: it goes with the next edit (it stayed said through later
    # edits, QA).
    stepSaid = Signal(str, int)
    failed = Signal(str, str)  # one-line message, details (a job failed)
    # The requests in flight (running_requests), emitted on this thread as one is about
    # to start and after one ends: the recovery record of what a crash would interrupt.
    runningChanged = Signal(object)

    def __init__(self, document: Document, selection: Selection, catalog: ModelCatalog,
                 settings: Callable[[], GenerationSettings], playhead: Callable[[], int],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.selection = selection
        self.catalog = catalog
        self.settings = settings
        self.playhead = playhead
        self.window = parent
        # Whether takes can be heard (the window asks its transport): with no audio
        # output the status bar says a take is shown, not that it is heard.
        self.audible: Callable[[], bool] = lambda: True
        # Whether a take (or the Original) is playing: a take arriving then never replaces
        # the one heard (the window asks its transport).
        self.auditioning: Callable[[], bool] = lambda: False
        self.queue = JobQueue(catalog.registry)
        self.bridge = JobBridge(self.queue, self)
        self.bridge.finished.connect(self._finished)
        self.bridge.failed.connect(self._failed)
        self.bridge.cancelled.connect(self._ended)
        # For time_left: when each running job started, its latest estimate (seconds
        # left, when said), and how long the latest finished job took.
        self._started: dict[int, float] = {}
        self._eta: dict[int, tuple[float, float]] = {}  # job id → (seconds left, said at)
        self._last_job_s: float | None = None
        self.bridge.started.connect(lambda e: self._started.__setitem__(e.job_id,
                                                                        time.monotonic()))
        self.bridge.progress.connect(self._note_eta)
        for ended in (self.bridge.finished, self.bridge.failed, self.bridge.cancelled):
            ended.connect(self._forget_eta)
        self.takes = TakeStore()
        self.active = None  # the mask whose takes are on screen
        self.last_action: str | None = None
        self._requests: dict[int, _Request] = {}  # job id → request
        self._variation: dict[int, int] = {}  # job id → variation index
        self._plan_labels: dict[int, str] = {}  # take id → the request's label ("Repaint")
        self._session = 0
        self.deferred: str | None = None  # an action asked for while the models load
        self._deferred_plan: Plan | None = None  # and its plan (with the dialog's answers)
        self._conflicts: dict[int, tuple[int, bool]] = {}  # take id → (revision, answer)
        self._answers: dict[str, Any] = {}  # action → its instruments dialog's last answer
        self._last_plan: tuple[Plan, Song] | None = None  # last submitted, and its song
        self._takes_json: dict[int, Any] = {}  # take id → its saved JSON (takes never change)
        # What the user turned to last, for a take arriving while another region's takes
        # are on screen (:meth:`_comes_on_screen`): ("request", its group) for a button
        # pressed, ("mask", the mask) for one painted, None once they act on the takes on
        # screen (switch, play, reject).
        self._focus: tuple[str, Any] | None = None
        document.songChanged.connect(self.takesChanged)  # conflict badges follow edits
        # A take's label names the settings not at its model's defaults: a plugin's are
        # known once the models are listed.
        catalog.changed.connect(self.takesChanged)
        document.maskChanged.connect(self._follow_mask)

    # -- requests --------------------------------------------------------------------------------
    def request(self, action: str, again: bool = False) -> list[Job]:
        """Run an action (``repaint``, ``regenerate``, ``continue``, ``harmonize``, ``compose``)
        on the current mask with the panel's settings; returns the jobs submitted.
        ``again``: Generate Again — the instruments asked for last time are used again."""
        if action not in requests.ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        self.last_action = action
        try:  # what is wrong with the request is said now, not after the models load
            plan = self._plan(action, again)
        except PlanError as e:
            text = str(e)
            self.message.emit(text[:1].upper() + text[1:])
            return []
        if plan is None:
            return []  # the user cancelled a dialog
        note = self._regenerate_note() if action == "regenerate" else ""
        if not self.catalog.loaded:
            # One request waits (a second press replaces it, never queues a duplicate),
            # and Cancel All (Ctrl+.) drops it.
            if self.deferred is None:
                self.catalog.when_ready(self._run_deferred)
            self.deferred = action
            self._deferred_plan = plan
            # With why Regenerate rewrites the masked track (keyboard QA: the first
            # Ctrl+Shift+R said only "Loading models…", the second the mask's note).
            self.message.emit(f"Loading models… {requests.TITLES[action]} starts when they are "
                              f"ready (Ctrl+. cancels){f'; {note}' if note else ''}")
            self.takesChanged.emit()
            return []
        return self.submit(plan, note)

    def _regenerate_note(self) -> str:
        """Why Regenerate rewrites a masked track, not the current one, when they differ
        ("the mask is on Piano; Esc Esc clears it to regenerate Drums"): with the piano
        masked and the drums selected, the piano's take was drawn over the kit's rows."""
        song, current = self.document.song, self.selection.current_track_id
        labels = track_labels(song)
        masked = [t.id for t in song.tracks if t.id in self.document.mask.track_ids]
        if not masked or current not in labels or current in masked:
            return ""
        return (f"the mask is on {', '.join(labels[t] for t in masked)}; Esc Esc clears it "
                f"to regenerate {labels[current]}")

    def _ask_instruments(self, action: str, again: bool, title: str, prompt: str,
                         default: str, bars: int | None) -> tuple[str, int | None] | None:
        """The instruments dialog of Harmonize and Compose; Generate Again reuses the last
        answer instead of asking twice."""
        if again and action in self._answers:
            return self._answers[action]
        answer = dialogs.ask_instruments(self.window, title, prompt, default, bars)
        if answer:
            self._answers[action] = answer
        return answer

    def _plan(self, action: str, again: bool = False) -> Plan | None:
        doc = self.document
        song, mask = doc.song, doc.mask
        current = self.selection.current_track_id
        s = self.settings()
        if action == "repaint":
            return requests.repaint(song, mask)
        if action == "regenerate":
            return requests.regenerate(song, mask, current)
        if action == "continue":
            return requests.continue_(song, mask, s.continue_bars)
        if action in ("harmonize", "compose") and s.model and self.catalog.loaded:
            try:  # a chosen model that cannot: said before asking anything, as submit says it
                self.model_for(action)
            except PlanError as e:
                self.message.emit(str(e))
                return None
        if action == "harmonize":
            melody = requests.melody_track(song, current)
            alone = len(song.tracks) == 1
            prompt = ("Harmonize the melody with new tracks for these instruments "
                      "(comma-separated):")
            if not alone:
                # The tracks to write are there (painted, or empty over the bars): rewritten
                # without a question, as the Doodle's "change a note, Harmonize" does (QA:
                # the instruments dialog came up at every re-harmonization of an SATB).
                # Generate Again after such a request does not ask either.
                try:
                    return requests.harmonize(song, mask, current)
                except PlanError:  # they have notes and are not painted: say so, then ask
                    prompt = ("The other tracks have notes here, and Harmonize keeps what "
                              "you wrote: paint the ones to rewrite (M) first, or add new "
                              "tracks for these instruments (comma-separated):")
            answer = self._ask_instruments(
                action, again, f"Harmonize {track_label(song, melody.id)}", prompt,
                requests.default_accompaniment(melody, lead_sheet=bool(song.chords))
                if alone else "", None)
            if not answer:
                return None
            add, chorale = requests.accompaniment(melody, answer[0], alone)
            return requests.harmonize(song, mask, current, add, chorale)
        requests.check_compose(song)  # before asking what to compose (QA: after)
        answer = self._ask_instruments(
            action, again, "Compose", "Instruments of the new piece (comma-separated):",
            "Piano, Bass, Drums", s.compose_bars)
        if not answer:
            return None
        return requests.compose(song, requests.parse_instruments(answer[0]), answer[1])

    def _run_deferred(self) -> None:
        action, self.deferred = self.deferred, None
        plan, self._deferred_plan = self._deferred_plan, None
        if action in ("harmonize", "compose") and plan is not None:
            self.submit(plan)  # its question was answered already: not asked twice
        elif action is not None:
            self.request(action)  # on the mask and the song as they are now
        self.takesChanged.emit()

    def model_for(self, task: str, chorale: bool = False) -> ModelPlugin:
        """The panel's model. Under *Auto* (the panel names none): the default model, or
        for ``chorale`` writing the chorale model when it is installed. A chosen model
        that cannot run ``task`` is refused (PlanError), never silently replaced."""
        return self.choose_model(task, chorale)[0]

    def choose_model(self, task: str, chorale: bool = False, song: Song | None = None,
                     track_ids: Iterable[int] = ()) -> tuple[ModelPlugin, str]:
        """:meth:`model_for`, for a request to write ``track_ids`` of ``song``, and a note
        for the status bar ("" for none): under *Auto*, a default model that cannot write
        some of those tracks (a melody model, drums asked) gives way to the built-in
        default (:meth:`Registry.default_for`), which the note says; a model chosen in the
        panel is refused instead, as before (the queue says why)."""
        name = self.settings().model
        if not name and chorale:
            entry = self.catalog.chorale_entry(task)
            if entry is not None and entry.plugin is not None:
                return entry.plugin, ""
        if name:
            entry = self.catalog.usable(name)
            if entry is None:
                raise PlanError(f"{name} is not available (see Generate ▸ Model Manager): "
                                "choose another model in the Generate panel")
            tasks = entry.info.tasks if entry.info else ()
            if task not in tasks:
                does = ", ".join(tasks) or "nothing"
                raise PlanError(f"{name} cannot {task} (it does: {does}): choose another "
                                "model in the Generate panel")
        else:
            default = self.catalog.default_name(task)
            entry = self.catalog.usable(default) if default else None
            if entry is not None and song is not None and self.catalog.loaded:
                instead, note = self.catalog.registry.default_for(task, song, track_ids)
                if note and instead is not None and instead.plugin is not None:
                    return instead.plugin, f"Auto: {note}"
        if entry is None or entry.plugin is None:
            raise PlanError(f"no usable model can {task}: see Generate ▸ Model Manager")
        return entry.plugin, ""

    def submit(self, plan: Plan, note: str = "") -> list[Job]:
        """Send a plan to the queue as one job per variation; ``note`` ends the status
        bar's "computing" message."""
        s = self.settings()
        song = self.document.song
        try:  # the key around the mask, once per request (it reads the whole context)
            prepared = EditGroup(plan.prep).apply(song) if plan.prep else song
        except EditError as e:
            self.message.emit(f"Cannot start {plan.label}: {e}")
            return []
        # A range on a kit picks its drums (the others keep their hits): the plan's mask
        # is the take's, so Generate Again finds its takes (the queue narrows it alike).
        plan = replace(plan, mask=kit_band_mask(prepared, plan.mask, s.options.pitch_range))
        if plan.mask.is_empty:
            self.message.emit(f"Cannot start {plan.label}: the pitch range and the painted "
                              "pitch band share no pitch on the drum tracks")
            return []
        chorale = plan.chorale or is_chorale(prepared, plan.mask.track_ids)
        try:
            model, auto_note = self.choose_model(plan.task, chorale, prepared,
                                                 plan.mask.track_ids)
        except PlanError as e:
            self.message.emit(str(e))
            return []
        # The task's settings where the panel leaves them on Auto (None): an unchecked
        # "No parallel 5ths / 8ves" box writes a chorale with parallels.
        options = replace(s.options, **{k: v for k, v in plan.options
                                        if getattr(s.options, k) is None})
        # The panel shows the settings of the model it names (Auto: the one it runs for the
        # song on screen); the model that runs gets those it declares (Auto may run the
        # chorale model for the voices Harmonize adds).
        declared = {o.name for o in model.info.options}
        options = replace(options, extra={k: v for k, v in options.extra.items()
                                          if k in declared})
        options = chorale_options(prepared, plan.mask.track_ids, options)
        named = options.key  # the Key box's: a key named, or Auto, or none
        auto = options.key == AUTO
        options = resolve_key(options, prepared, plan.mask, plan.task)
        # The key Auto settled on (or that it found none), as the CLI says it: a sketch's
        # takes were once out of key with nothing said (QA).
        key_note = (auto_key_note(plan.task, options.key, prepared, plan.mask,
                                  chords=options.follow_chords) if auto else None)
        # Keep rhythm over bars with no notes (Continue, Compose, an empty mask) would
        # write silence: the panel's box is one for every action, so it is left out here
        # and the status bar says so.
        left_off = ""  # the settings left off, said
        if options.keep_rhythm and keep_rhythm_problem(plan.task, prepared, plan.mask):
            options = replace(options, keep_rhythm=False)
            left_off = ("Keep rhythm off: new bars have no rhythm to keep"
                        if plan.task in ("continue", "compose")
                        else "Keep rhythm off: the mask has no notes whose rhythm to keep")
        # Seamless loop, as `--loop`: the tasks that write into the loop there is
        # (Harmonize and Compose leave it off, as the panel's tooltip says), said as Keep
        # rhythm's is (it was dropped silently: QA).
        if options.loop and plan.task not in LOOP_TASKS:
            options = replace(options, loop=False)
            left_off = " · ".join(filter(None, (left_off, (
                "Seamless loop off: Compose writes a new piece, with no loop to lead into"
                if plan.task == "compose" else
                "Seamless loop off: Harmonize adds parts to the loop's own melody"))))
        problem = range_out_of_reach(prepared, plan.mask.track_ids, options.pitch_range)
        if problem:  # the Pitch range box misses a part: its notes would go, none come
            self.message.emit(f"Cannot start {plan.label}: {problem} (the Pitch range box)")
            return []
        drums = range_on_drums(prepared, plan.mask.track_ids, options.pitch_range)
        narrowed = range_narrowed(prepared, plan.mask.track_ids, options.pitch_range)
        # What the status bar calls it: Regenerate names its tracks as its jobs do
        # ("Regenerate Bass", "Regenerate 4 tracks"), not "Regenerate track" for four.
        title = plan.label if plan.task == "regenerate" else requests.TITLES[plan.task]
        # A new piece's key, or a key named for a song that declares none there, is the
        # song's key signature from then on (as the CLI's --key writes it).
        signature = (new_piece_signature(options, prepared) if plan.task == "compose"
                     else named_key_signature(named, options, prepared, plan.mask))
        if signature is not None:  # with the take: rejected, it leaves nothing behind
            plan = replace(plan, label=f"{plan.label} in {key_text(options.key)}",
                           prep=(*plan.prep, signature))
        count = max(1, s.variations)
        base = options.seed if options.seed is not None else secrets.randbits(31)
        if options.seed is not None:
            base = self._unused_seeds(plan.mask, base, count)
        req = _Request(plan, model, options, song, self.document.revision, count, base,
                       self._session, key_found=auto)
        jobs = []
        for i in range(req.count):
            job = self._submit_variation(req, i, variation_seed(base, req.count, i))
            if job is None:
                break
            jobs.append(job)
        if jobs:
            self._last_plan = (plan, song)
            self._focus = ("request", req.group)  # its takes come on screen as they arrive
            where = describe(plan.mask, self.document.song) if plan.task == "repaint" else ""
            n = len(jobs)
            tip = self._chorale_tip(plan.task, chorale, model)
            in_key = (f" in {key_text(options.key)}" if options.key and (
                plan.task == "compose" or signature is not None) else "")
            # What is asked, while it runs (not as if done: it stayed so through a slow
            # plugin's jobs and up to their failure, a plugin author's QA).
            self.message.emit(f"{title}: computing {n} take{'s' * (n > 1)}"
                              f"{in_key} with {model.info.name}"
                              + (" (Auto: a four-part chorale)" if chorale and not s.model
                                 else "")
                              + (f" · {where}" if where else "")
                              + (f" · {left_off}" if left_off else "")
                              + (f" · Pitch range: {drums}" if drums else "")
                              + (f" · Pitch range {narrowed}" if narrowed else "")
                              + (f" · new notes {key_note} (the Key box sets "
                                 f"{'another' if options.key else 'one'})" if key_note else "")
                              + (f" · {tip}" if tip else "")
                              + (f" · {auto_note}" if auto_note else "")
                              + (f" · {note}" if note else ""))
        return jobs

    def _chorale_tip(self, task: str, chorale: bool, model: ModelPlugin) -> str:
        """A hint to pick the chorale model for four-part voices (a model chosen in the
        panel is never switched behind the user's back; *Auto* picks it itself)."""
        name = CHORALE_MODEL
        if not chorale or model.info.name == name:
            return ""
        entry = self.catalog.usable(name)
        if entry is None or entry.info is None or task not in entry.info.tasks:
            return ""
        return (f"Tip: {name} writes four-part chorales better: choose it (or Auto) in the "
                "Generate panel")

    def _unused_seeds(self, mask: Mask, base: int, count: int) -> int:
        """The first base from ``base`` on (in steps of ``count``) whose variations' seeds
        made none of the region's takes: a fixed seed asked again for a region drew the
        same takes, each then drawn again (Generate Again cost 6, 9, 12, 15 jobs a press
        and still added repeats); now each press gives ``count`` new seeds, as repeatable
        as the first."""
        take_set = self.takes.sets.get(mask)
        used = {t.options.seed for t in take_set} if take_set is not None else set()
        while any(variation_seed(base, count, i) in used for i in range(count)):
            base += count
        return base

    def _submit_variation(self, req: _Request, index: int, seed: int) -> Job | None:
        n = req.count
        label = req.plan.label + (f" · variation {index + 1}/{n}" if n > 1 else "")
        # Said before the job can start: a model that ends the process at once is named.
        self.runningChanged.emit(self.running_requests(req))
        try:
            job = self.queue.submit(JobRequest(
                req.song, req.plan.mask, req.model, req.plan.task,
                replace(req.options, seed=seed), req.revision,
                Priority.INTERACTIVE if index == 0 else Priority.NORMAL,
                label=label, prep=req.plan.prep, group=req.group, key_found=req.key_found))
        except (PluginError, ValueError, EditError, RuntimeError) as e:
            self.message.emit(f"Cannot start {req.plan.label}: {e}")
            self.runningChanged.emit(self.running_requests())
            return None
        self._requests[job.id] = req
        self._variation[job.id] = index
        self.takesChanged.emit()  # the takes bar says takes are coming
        return job

    def again(self) -> list[Job]:
        """Ctrl+G: the last action again (new seeds unless the seed is fixed)."""
        if self.last_action is None:
            self.message.emit("Nothing to repeat yet: try Repaint (Ctrl+R) first")
            return []
        if self.last_action in ("harmonize", "compose") and self._last_plan is not None \
                and self.catalog.loaded:
            # The same new tracks, so the new takes join the ones still on offer (B, C…)
            # instead of making a region of their own.
            plan, song = self._last_plan
            take_set = self.takes.sets.get(plan.mask)
            # The song as it was (an edit undone counts as none: the revision moved on).
            if self.document.song == song and (take_set is None or take_set.accepted is None):
                return self.submit(plan)
        return self.request(self.last_action, again=True)

    def cancel(self, job_id: int) -> bool:
        return self.queue.cancel(job_id)

    def cancel_all(self) -> int:
        """Cancel every queued and running job (and a request waiting for the models to
        load); the status bar says how many."""
        n = self.queue.cancel_all()
        if self.deferred is not None:
            self.deferred = None
            n += 1
            self.takesChanged.emit()
        self.message.emit(f"Cancelled {n} job{'s' * (n != 1)}" if n else "No jobs to cancel")
        return n

    # -- job events ------------------------------------------------------------------------------
    def _finished(self, e: JobFinished) -> None:
        req = self._requests.pop(e.job_id, None)
        index = self._variation.pop(e.job_id, 0)
        self.runningChanged.emit(self.running_requests())
        take = e.take
        if req is None or req.session != self._session:
            return  # asked for a song that is no longer open
        take_set = self.takes.for_mask(take.mask)
        if take_set.accepted is not None:  # asked again after accepting: a new choice (the
            # closed one hid its new takes: "Take C ready" and nothing to see)
            self.takes.discard(take.mask)
            take_set = self.takes.for_mask(take.mask)
        # Only takes with as many notes can sound the same (a long take's signature is
        # thousands of tuples, built on the GUI thread).
        same_size = [t for t in take_set if t.note_count == take.note_count]
        repeats = same_size and take.signature() in {t.signature() for t in same_size}
        if repeats or take.mask.holds_already(take.base_song, take.notes):
            tries = req.attempts.get(index, 0)
            if tries < REDRAWS:  # the same music again: draw this variation anew
                req.attempts[index] = tries + 1
                self._submit_variation(
                    req, index, variation_seed(req.base_seed, req.count, index, tries + 1))
                return
            # A model that writes this region only one way: a repeat is no new take.
            self.takesChanged.emit()
            self.message.emit(f"{req.plan.label}: variation {index + 1} drew the music "
                              f"this region already has {REDRAWS + 1} times: no new take")
            return
        take = take_set.add(take)
        req.arrived += 1
        self._plan_labels[take.id] = req.plan.label
        shown = self.active_set()
        letter = take_set.letter(take.id)
        song = self.document.song
        elsewhere = shown is not None and shown is not take_set
        if elsewhere and not self._comes_on_screen(req, take):
            # Another region's takes are on screen (Enter would accept one) and the user
            # has turned to them, or to another region, since asking: they stay; the new
            # take waits, its region named.
            self.takesChanged.emit()
            heard = ("the original" if self.original_shown() else
                     f"take {shown.letter(shown.selected) if shown.selected else '?'}")
            still = "still playing" if self.auditioning() else "still showing"
            self.message.emit(
                f"Take {letter} ready for {describe(take.write_mask, song)} "
                f"({plural(take.note_count, 'note')}){warning_text(take)} — {still} "
                f"{heard} of {describe(self.active, song)}; Ctrl+] shows the new one")
            return
        # The latest request's takes (or the region painted last's) come on screen; the
        # ones there wait, and both are named (two regions' "take A" are otherwise one).
        ready = (f"Take {letter} ready for {describe(take.write_mask, song)}" if elsewhere
                 else f"Take {letter} ready")
        waits = (f"; the takes of {describe(self.active, song)} wait (Ctrl+])" if elsewhere
                 else "")
        if elsewhere:  # the new take is heard, not one its region had waiting from before
            take_set.select(take.id)
        self.active = take.mask
        self.takesChanged.emit()
        if take_set.selected == take.id:
            self.takeShown.emit(take)
            self.message.emit(f"{ready} ({plural(take.note_count, 'note')})"
                              f"{warning_text(take)} — {self._take_keys()}{waits}")
        else:  # a later take never takes over the audition: say which one is heard
            heard = ("the original" if self.original_shown() else
                     f"take {take_set.letter(take_set.selected) if take_set.selected else '?'}")
            now = (f"you are hearing {heard}" if self.audible()
                   else f"{heard} shown; no audio output")
            self.message.emit(f"{ready} ({plural(take.note_count, 'note')})"
                              f"{warning_text(take)} — {now}; "
                              f"] switches{waits}")

    def _comes_on_screen(self, req: _Request, take: Take) -> bool:
        """Whether ``take``, arriving while another region's takes are on screen, replaces
        them: it does when its request is the latest one the user made (the last button
        pressed: Regenerate's whole track is no region painted, and its takes stayed
        hidden behind a Repaint's, Enter accepting the old take), or its region the one
        painted last — unless the user has acted on the takes on screen since (switched,
        played, rejected one), or is playing one now (never yanked mid-audition)."""
        if self.auditioning():
            return False
        return self._focus in (("request", req.group), ("mask", take.mask))

    def attend(self) -> None:
        """The user acts on the takes on screen (switches, plays, rejects one): takes of
        an earlier request arriving now wait instead of replacing them."""
        self._focus = None

    def _failed(self, e: JobFailed) -> None:
        req = self._requests.pop(e.job_id, None)
        self._variation.pop(e.job_id, None)
        self.runningChanged.emit(self.running_requests())
        self.takesChanged.emit()
        self.catalog.update()  # a model may have been disabled after failing again
        name = req.model.info.name if req is not None else ""
        disabled = next((x for x in self.catalog.entries() if x.name == name and not x.ok),
                        None)
        if disabled is not None:  # said now: the next request is refused, never replaced
            self.message.emit(f"Generation failed: {e.message} — {name} is now disabled "
                              f"({disabled.reason}); choose another model")
        else:
            self.message.emit(f"Generation failed: {e.message}")
        self.failed.emit(e.message, e.details)

    def _ended(self, e: JobCancelled) -> None:
        req = self._requests.pop(e.job_id, None)
        self._variation.pop(e.job_id, None)
        self.runningChanged.emit(self.running_requests())
        self.takesChanged.emit()
        if req is None or req.session != self._session or e.reason is CancelReason.SUPERSEDED:
            return  # another song's, or a newer request for the region says its own
        if any(r is req for r in self._requests.values()):
            return  # its other variations are still coming
        # The status bar still said "Repaint: 1 take with …": say how the request ended.
        arrived = (f" ({plural(req.arrived, 'take')} arrived before)" if req.arrived
                   else "")
        self.message.emit(f"{req.plan.label}: {e.message}{arrived}")

    def running_requests(self, starting: _Request | None = None) -> tuple[str, ...]:
        """One line per request of this song still computing ("Repaint — Lead · bars 5–8
        (partita-base)"), with ``starting`` (one about to start): what an autosave says
        was lost if the session ends now."""
        lines: dict[int, str] = {}
        for r in (*self._requests.values(), *([starting] if starting else [])):
            if r.session == self._session and id(r) not in lines:
                where = describe(r.plan.mask, r.song)
                lines[id(r)] = f"{r.plan.label} — {where} ({r.model.info.name})"
        return tuple(lines.values())

    def _note_eta(self, e: JobProgress) -> None:
        if e.eta is not None:
            self._eta[e.job_id] = (e.eta, time.monotonic())

    def _forget_eta(self, e: JobEvent) -> None:
        started = self._started.pop(e.job_id, None)
        self._eta.pop(e.job_id, None)
        if isinstance(e, JobFinished) and started is not None:
            self._last_job_s = time.monotonic() - started

    def time_left(self) -> float | None:
        """Roughly how long until every job in flight has its take, in seconds: what the
        running job says it has left, and for each job after it as long as one job takes
        (the running job's pace, else the last finished job's); None until there is
        something to go on. Approximate: variations of one request take about as long as
        each other, and one model runs at a time."""
        now = time.monotonic()
        per_job = self._last_job_s
        for jid, (eta, said) in self._eta.items():
            if jid in self._started:  # the running job's whole time: its pace
                per_job = (said - self._started[jid]) + eta
        if per_job is None:
            return None
        left = 0.0
        for jid, r in self._requests.items():
            if r.session != self._session:
                continue
            if jid in self._eta:
                eta, said = self._eta[jid]
                left += max(0.0, eta - (now - said))
            elif jid in self._started:
                left += max(0.0, per_job - (now - self._started[jid]))
            else:
                left += per_job
        return left

    @property
    def jobs_in_flight(self) -> int:
        """Jobs of this song still computing a take."""
        return sum(1 for r in self._requests.values() if r.session == self._session)

    # -- takes -----------------------------------------------------------------------------------
    def active_set(self) -> TakeSet | None:
        """The takes on screen: the latest region's, while none of them is accepted."""
        if self.active is None or self.active not in self.takes.sets:
            return None
        s = self.takes.sets[self.active]
        if s.accepted is not None or not s.pending():
            return None
        return s

    def _follow_mask(self) -> None:
        """Painting (or undoing back to) a region that has takes waiting shows them."""
        mask = self.document.mask
        self._focus = ("mask", mask)  # the region painted last: its takes come on screen
        s = self.takes.sets.get(mask)
        if s is not None and s.accepted is None and s.pending() and self.active != mask:
            self.active = mask
            self.takesChanged.emit()

    def waiting_regions(self) -> list[Mask]:
        """Regions other than the one on screen whose takes wait for a decision."""
        return [m for m, s in self.takes.sets.items()
                if m != self.active and s.accepted is None and s.pending()]

    def show_region(self, step: int = 1) -> Mask | None:
        """Bring the takes of the next (``step`` 1) or previous (-1) waiting region on
        screen, and paint its mask (one undo step) so the view and the mask agree."""
        undecided = [m for m, s in self.takes.sets.items() if s.accepted is None and s.pending()]
        if not undecided or undecided == [self.active]:
            self.message.emit("No takes wait in other regions")
            return None
        i = undecided.index(self.active) if self.active in undecided else -step
        mask = undecided[(i + step) % len(undecided)]
        self.active = mask
        self.document.set_mask(mask, "Show takes of a region")
        self.attend()
        self.takesChanged.emit()
        s = self.takes.sets[mask]
        self.message.emit(f"{plural(len(s.pending()), 'take')} of "
                          f"{describe(mask, self.document.song)}")
        return mask

    def unaccepted_count(self) -> int:
        """Takes waiting for a decision: the pending ones of regions with none accepted."""
        return sum(len(s.pending()) for s in self.takes.sets.values() if s.accepted is None)

    def selected_take(self) -> Take | None:
        """The take selected in the region on screen, also while the Original is shown
        (it comes back with the next switch, and names the region and its tracks)."""
        s = self.active_set()
        if s is None or s.selected is None:
            return None
        take = s.get(s.selected)
        return take if s.status[take.id] is TakeStatus.PENDING else None

    def preview_take(self) -> Take | None:
        """The take drawn over the score and heard: None while the Original is shown."""
        return None if self.original_shown() else self.selected_take()

    def original_shown(self) -> bool:
        """Whether the region on screen shows its Original (TakeSet.original, key 0): the
        song as it is, its takes waiting beside it."""
        s = self.active_set()
        return s is not None and s.original

    def choosing(self) -> bool:
        """Whether a choice is on screen: a take, or the Original beside the takes."""
        return self.preview_take() is not None or self.original_shown()

    def conflicts(self, take: Take) -> bool:
        """Whether the take's region was edited since it was made; once per take and song
        revision (the views ask on every paint, and the check reads the whole region)."""
        revision = self.document.revision
        hit = self._conflicts.get(take.id)
        if hit is None or hit[0] != revision:
            hit = (revision, take.conflicts_with(self.document.song))
            self._conflicts[take.id] = hit
        return hit[1]

    def select(self, index: int) -> Take | None:
        """Audition take A + ``index`` (keys 1–9), lettered as the takes bar shows them;
        a take that is not there, or was rejected, is said, never another one picked."""
        s = self.active_set()
        if s is None:
            self.message.emit("No takes on screen: paint a mask (M), then Repaint (Ctrl+R)")
            return None
        if not 0 <= index < len(s.takes):
            self.message.emit(f"There is no take {take_letter(index)}: this region has "
                              f"takes A–{take_letter(len(s.takes) - 1)}")
            return None
        take = s.takes[index]
        if s.status[take.id] is not TakeStatus.PENDING:
            self.message.emit(f"Take {take_letter(index)} was rejected (Ctrl+Z brings it "
                              "back)")
            return None
        return self._audition(s, take)

    def _audition(self, s: TakeSet, take: Take) -> Take:
        self.attend()
        s.select(take.id)
        self.takesChanged.emit()
        self.takeSelected.emit(take)  # a take being played switches to this one
        # The "Take C ready — you are hearing take A" message must not outlive the switch.
        self.message.emit(f"{self.take_name(take)} on screen "
                          f"({plural(take.note_count, 'note')}){warning_text(take)} — "
                          f"{self._take_keys()}")
        return take

    def take_keys(self) -> str:
        """The keys that decide a take on screen, as the status bar says them."""
        return TAKE_KEYS if self.audible() else SILENT_TAKE_KEYS

    _take_keys = take_keys

    def take_name(self, take: Take) -> str:
        """"Take B"; a recorded loop pass by its own name ("Pass 2")."""
        s, _ = self.takes.find(take.id)
        letter = f"Take {s.letter(take.id)}"
        return self._plan_labels.get(take.id, letter) if take.task == "record" else letter

    def offer_recorded(self, made: list[tuple[Take, str]]) -> TakeSet:
        """Put takes played, not computed (the passes of a loop recording, each with its
        name: "Pass 3"), on the takes bar as one region's, the first on screen: they are
        auditioned, accepted (one undo step) and rejected as a model's are."""
        mask = made[0][0].mask
        take_set = self.takes.sets.get(mask)
        if take_set is not None and take_set.accepted is not None:
            self.takes.discard(mask)  # decided before: a new choice
        take_set = self.takes.for_mask(mask)
        added = []
        for take, name in made:
            added.append(take_set.add(take))
            self._plan_labels[added[-1].id] = name
        take_set.select(added[0].id)
        self.active = mask
        self.takesChanged.emit()
        self.takeShown.emit(added[0])
        return take_set

    def _original_keys(self) -> str:
        return ORIGINAL_KEYS if self.audible() else SILENT_ORIGINAL_KEYS

    def show_original(self) -> bool:
        """Audition the Original (key 0): the song without any take, to compare a take
        with what was there. Nothing is drawn over the score and Space plays the song as
        it is; the takes wait, and the next switch brings one back."""
        s = self.active_set()
        if s is None:
            self.message.emit("No takes on screen: paint a mask (M), then Repaint (Ctrl+R)")
            return False
        self.attend()
        s.show_original()
        self.takesChanged.emit()
        self.takeSelected.emit(None)  # a take being played switches to the song as it is
        self.message.emit(f"Original on screen: the song without the takes "
                          f"({plural(len(s.pending()), 'take')} wait) — "
                          f"{self._original_keys()}")
        return True

    def step(self, delta: int) -> Take | None:
        """Next / previous take (wraps around). The Original sits before take A, as the
        first button of the takes bar: [ on A shows it, ] on it shows A (None then)."""
        s = self.active_set()
        if s is None:
            return None
        pending = s.pending()
        ids = [t.id for t in pending]
        i = 0 if self.original_shown() else 1 + (ids.index(s.selected)
                                                 if s.selected in ids else 0)
        i = (i + delta) % (len(pending) + 1)
        if i == 0:
            self.show_original()
            return None
        return self._audition(s, pending[i - 1])

    def accept_label(self, take: Take) -> str:
        """``"Accept take B (Repaint)"``: the undo step's name."""
        s, _ = self.takes.find(take.id)
        if take.task == "record":
            return f"Accept {self.take_name(take)} (Record)"
        return f"Accept take {s.letter(take.id)} ({self.request_label(take)})"

    def request_label(self, take: Take) -> str:
        return self._plan_labels.get(take.id, take.task.capitalize())

    def accept(self, take: Take | None = None) -> bool:
        """Apply the take (default: the one on screen) as one undo step.

        A conflicting take asks first, explaining what would be overwritten. With the
        Original shown there is nothing to apply: the song stays, the takes wait (one
        Enter must not drop takes that took minutes to compute), and the status bar says so.
        """
        if take is None and self.original_shown():
            self.message.emit("Original on screen: nothing to accept, the song stays as it "
                              "is — choose a take (1–9 or [ ]) to accept it")
            return False
        take = take or self.preview_take()
        if take is None:
            self.message.emit(self.no_take_to("accept"))
            return False
        take_set, _ = self.takes.find(take.id)
        song = self.document.song
        label = self.accept_label(take)
        if self._writes_a_deleted_track(take, "accept"):
            return False
        force = False
        if self.conflicts(take):
            where = describe(take.write_mask, song)
            letter = take_set.letter(take.id)
            ok = dialogs.confirm_take_conflict(
                self.window, f"Take {letter} conflicts with your edits",
                f"You edited {where} after asking for take {letter}. Accepting it replaces "
                "what is there now with the take, and your edits there are lost (Undo "
                "brings them back).\n\nAccept the take anyway?")
            if not ok:
                self.message.emit(f"Take {letter} not applied: its region was edited since")
                return False
            force = True
        try:
            result, edit = apply_take(song, take, force=force, conflicts=force)
        except EditError as e:
            self.message.emit(f"Cannot apply the take: {e}")
            return False
        edit = replace(edit, label=label) if isinstance(edit, EditGroup) else edit
        self.document.undo_stack.push(AcceptTakeCommand(self, take_set, take, edit, result))
        said = label.replace("Accept", "Accepted", 1)
        written, kept = take.options.key, result.key_at(0)  # the queue settled "auto"
        if take.task == "compose" and written and kept and kept != written:
            # A key set (Ctrl+K) after a new piece was written keeps its place over the
            # take's: the notes are then in another key than the song declares.
            said += f" — written in {key_text(written)}; the song keeps your {key_text(kept)}"
        self.stepSaid.emit(said, self.document.undo_stack.index())
        return True

    def takes_coming(self) -> bool:
        """Whether a request of this song is still computing, or waits for the models."""
        return bool(self.jobs_in_flight) or self.deferred is not None

    def no_take_to(self, doing: str) -> str:
        """Why Accept (or Reject: ``doing``) finds no take on screen: what is still
        coming, or where the takes are. A Ctrl+Enter while Harmonize ran had left "Loading
        models…" in the status bar, as if the press had gone unheard (a jazz pianist's QA)."""
        if self.deferred is not None:
            return (f"No take to {doing} yet: {requests.TITLES[self.deferred]} starts when "
                    "the models are loaded (Ctrl+. cancels)")
        labels = list(dict.fromkeys(r.plan.label for r in self._requests.values()
                                    if r.session == self._session))
        if labels:
            running = (f"{labels[0]} is" if len(labels) == 1
                       else f"{labels[0]} and {len(labels) - 1} more are")
            left = self.time_left()
            about = f"about {time_left_text(max(1.0, left))} left; " if left is not None else ""
            return (f"No take to {doing} yet: {running} still running ({about}Ctrl+. "
                    "cancels)")
        if self.waiting_regions():
            return "No take on screen: takes wait in another region — Ctrl+] shows them"
        return f"No take to {doing} — paint a mask (M), then Repaint (Ctrl+R)"

    def reject(self, take: Take | None = None) -> bool:
        if take is None and self.original_shown():  # the Original is no take to drop
            self.message.emit("Original on screen: no take to reject — choose one (1–9 or "
                              "[ ]) first")
            return False
        take = take or self.preview_take()
        if take is None:
            self.message.emit(self.no_take_to("reject"))
            return False
        take_set, _ = self.takes.find(take.id)
        self.attend()
        self.document.undo_stack.push(RejectTakeCommand(self, take_set, take))
        name = self.take_name(take)
        self.message.emit(f"Rejected {name[0].lower()}{name[1:]} (Ctrl+Z brings it back)")
        return True

    def discard(self) -> None:
        """Close the takes on screen (all of them)."""
        if self.active is not None:
            self.takes.discard(self.active)
            self.active = None
            self.takesChanged.emit()

    def _writes_a_deleted_track(self, take: Take, doing: str) -> bool:
        """Whether ``take`` writes a track the song no longer has (deleted after the take
        was made); says so, and what to do, when it does."""
        made = {e.track.id for e in take.prep if isinstance(e, InsertTrack)}
        if not take.write_mask.track_ids - made - {t.id for t in self.document.song.tracks}:
            return False
        take_set, _ = self.takes.find(take.id)
        self.message.emit(f"Cannot {doing} take {take_set.letter(take.id)}: it writes a "
                          "track that was deleted since; reject it (Delete), or undo the "
                          "deletion")
        return True

    def audition_song(self, take: Take | None,
                      solo: bool = False) -> tuple[Song, int] | None:
        """The song with ``take`` applied (``solo``: only the take's tracks sound), and
        where to start playing (the region's first bar); None (and a message) for a take
        that writes a deleted track. ``take`` None, with the Original shown: the song as
        it is (``solo``: the tracks the selected take writes, as they are now)."""
        written = take if take is not None else self.selected_take()
        if written is None or (take is None and not self.original_shown()):
            return None
        self.attend()  # heard: a take of an earlier request no longer replaces it
        if take is None:
            song = self.document.song
            if solo and not written.notes.keys() & {t.id for t in song.tracks}:
                self.message.emit("The original has none of the take's tracks (the take "
                                  "adds them): nothing to hear alone")
                return None
        else:
            if self._writes_a_deleted_track(take, "play"):
                return None
            try:
                song, _ = apply_take(self.document.song, take, force=True,
                                     conflicts=self.conflicts(take))
            except EditError as e:  # a recorded pass's pedal over controllers edited since
                self.message.emit(f"Cannot play the take: {e}")
                return None
        if solo:
            ids = written.notes.keys()
            song = song.with_tracks(replace(t, solo=t.id in ids) for t in song.tracks)
        tm = TimeMap.of(song)
        start = tm.bar_to_tick(tm.tick_to_bar(written.mask.span[0]))
        return song, start

    # -- saved with the project ----------------------------------------------------------------
    def saved_takes(self) -> Callable[[], dict[str, Any]] | None:
        """The undecided takes as the project keeps them, as a function another thread may
        call (it builds the JSON from a snapshot); None when there are none."""
        if not self.unaccepted_count():
            return None
        store, labels, active = self.takes.copy(), dict(self._plan_labels), self.active
        cache = self._takes_json
        return lambda: takes_to_json(store, labels, active, cache)

    def restore_takes(self, data: Any) -> RestoredTakes:
        """Put back the takes a project saved, over the song just opened (after
        :meth:`reset`); what no longer fits is skipped and listed in ``problems``."""
        restored = takes_from_json(data, self.document.song, self.document.revision)
        self.takes = restored.store
        self._plan_labels.update(restored.request_labels)
        self.active = restored.active  # the Original is not saved: its take is shown
        shown = restored.store.sets.get(restored.active)
        self._last_plan = self._plan_of(shown)
        # Ctrl+G repeats the request the takes on screen came from (QA: after a recovery
        # it said "Nothing to repeat yet" over them); Harmonize and Compose with the same
        # new tracks, the others on the mask as it is, as within a session.
        pending = shown.pending() if shown is not None else []
        if pending and pending[0].task in requests.ACTIONS:
            self.last_action = pending[0].task
        self.takesChanged.emit()
        return restored

    def _plan_of(self, take_set: TakeSet | None) -> tuple[Plan, Song] | None:
        """The plan a restored Harmonize or Compose region came from, so Generate Again
        adds to its takes (with the same new tracks) instead of copying the tracks."""
        pending = take_set.pending() if take_set is not None else []
        if not pending or pending[0].task not in ("harmonize", "compose"):
            return None
        take = pending[0]
        chorale = (("avoid_parallels", True),) if take.options.avoid_parallels else ()
        label = self._plan_labels.get(take.id, take.task.capitalize())
        return Plan(take.task, take.mask, take.prep, label, chorale), self.document.song

    def pending_key(self) -> tuple:
        """Changes whenever the undecided takes change (which is auditioned does not count)."""
        return tuple((mask, tuple(t.id for t in s.pending()))
                     for mask, s in self.takes.sets.items() if s.accepted is None)

    def reset(self) -> None:
        """A new song was opened: drop its takes and cancel the jobs asked for the old one."""
        self._session += 1
        self._last_plan = None
        self.queue.cancel_all()
        self._conflicts.clear()
        self._takes_json.clear()
        self._plan_labels.clear()
        self.takes = TakeStore()
        self.active = None
        self.takesChanged.emit()

    # -- lifetime --------------------------------------------------------------------------------
    def shutdown(self, timeout: float = 5.0) -> bool:
        """Cancel every job and stop the queue's threads (on close)."""
        self.bridge.detach()
        return self.queue.shutdown(timeout)
