"""The generation tasks a musician asks for, over any :class:`ModelPlugin`.

Each task builds a mask (and, where needed, preparatory edits: new empty tracks, a longer
song), asks the model for notes inside the mask and returns a :class:`TaskResult` whose
``edit`` does everything as **one** :class:`EditGroup` — one take, one undo step. Nothing
outside the mask changes: the model's result is checked by
:func:`engine.plugins.result.checked_result` (a model that raises or returns anything
else fails with :class:`~engine.plugins.result.ModelFailed`, one line naming it), and
only the masked tracks the model answered for are rewritten.

Bars are 0-based here (the CLI converts from the user's 1-based bars); spans are whole
bars, except :func:`repaint_mask`'s, which are any ticks.
"""

from __future__ import annotations

import secrets
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from engine.plugins.api import (
    Cancelled,
    CancelToken,
    CannotGenerate,
    GenerateOptions,
    ModelPlugin,
    Progress,
    ProgressCallback,
    cannot_write,
)
from engine.plugins.errors import failure
from engine.plugins.result import ModelFailed, checked_progress, checked_result, written_mask
from engine.score import (
    Edit,
    EditGroup,
    InsertTrack,
    KeySignature,
    Mask,
    Meter,
    Note,
    Region,
    Song,
    TempoChange,
    TimeMap,
    TimeSignature,
    notes_signature,
    plural,
    replace_in_mask,
    set_song_props,
    track_labels,
)
from engine.score.song import BPM_RANGE
from engine.score.spelling import key_name

from .chorale import chorale_options
from .errors import CannotWrite, TaskError
from .instruments import (
    TrackSpec,
    accompaniment_kind,
    accompaniment_specs,
    kit_band_mask,
    new_track_edits,
    range_out_of_reach,
    soprano_edits,
    unreachable_band,
)
from .keys import AUTO, named_key_signature, new_piece_signature, resolve_key
from .loop import generate_looped
from .texture import continuation_prep, melody_span, still_playing


@dataclass(frozen=True, slots=True)
class TaskResult:
    """One take: the song before, where the model wrote, what it wrote, and the edit."""

    task: str
    before: Song
    mask: Mask
    new_notes: Mapping[int, tuple[Note, ...]]
    edit: EditGroup
    seed: int | None = None
    key: str | None = None  # the key new notes were kept in (a named or the context's)
    prep: tuple[Edit, ...] = ()  # the edits before the notes: new tracks, a longer song
    options: GenerateOptions | None = None  # as the model ran them (key and voicing settled)

    @property
    def after(self) -> Song:
        return self.edit.apply(self.before)

    def counts(self) -> dict[str, int]:
        """Notes written per track, in the song's track order, keyed by the track's name;
        a name that several tracks share gets the track's number (``"Piano (3)"``), a
        blank one is ``"track 3"``."""
        labels = track_labels(self.after)
        return {labels[t.id]: len(self.new_notes[t.id]) for t in self.after.tracks
                if t.id in self.new_notes}

    def signature(self) -> frozenset:
        """The music written (without ids): equal for two takes that sound the same."""
        return notes_signature(self.new_notes)

    @property
    def empty(self) -> bool:
        """The model wrote no notes at all: its answer, not chance (never drawn again)."""
        return not any(self.new_notes.values())

    @property
    def unchanged(self) -> bool:
        """The take writes back the very notes it replaces (nothing would change)."""
        return self.mask.holds_already(self.before, self.new_notes)


# -- the common path --------------------------------------------------------------------------


def _bar_span(song: Song, first_bar: int, end_bar: int) -> tuple[int, int]:
    tm = TimeMap.of(song)
    return tm.bar_to_tick(first_bar), tm.bar_to_tick(end_bar)


def check_can_write(model: ModelPlugin, song: Song, track_ids: Iterable[int]) -> None:
    """Refuse (:class:`CannotWrite`, a :class:`TaskError`) a job asking ``model`` to
    write a track it cannot (:func:`engine.plugins.api.cannot_write`)."""
    ids = list(track_ids)
    problem = cannot_write(model.info, song, ids)
    if problem:
        raise CannotWrite(problem, song, ids)


def _run(
    task: str,
    before: Song,
    prep: Sequence[Edit],
    mask: Mask,
    model: ModelPlugin,
    options: GenerateOptions | None,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
    label: str,
) -> TaskResult:
    prepared = EditGroup(tuple(prep)).apply(before)
    options = options or GenerateOptions()
    options = replace(options, extra=model.info.settle_options(options.extra))
    problem = options.problem() or model.info.option_problem(options.extra)
    if problem:  # the request's error, not the model's
        raise TaskError(f"bad generation options: {problem}")
    named = options.key
    # A range on a kit picks its drums: the others keep their hits (and are context).
    mask = kit_band_mask(prepared, mask, options.pitch_range)
    if mask.is_empty:
        raise TaskError("the pitch range and the painted pitch band share no pitch on the "
                        "drum tracks: nothing to write")
    # ... and on a pitched track it is where new notes go, within what the part plays.
    problem = range_out_of_reach(prepared, mask.track_ids, options.pitch_range)
    if problem:
        raise TaskError(problem)
    options = settle_options(options, prepared, mask, task)
    # A key the user named is the song's key signature from then on, where it declares
    # none (compose wrote its own already), as part of the take.
    signature = None if task == "compose" else named_key_signature(named, options,
                                                                   prepared, mask)
    if signature is not None:
        prep = (*prep, signature)
        prepared = signature.apply(prepared)
    check_can_write(model, prepared, mask.track_ids)
    problem = keep_rhythm_problem(task, prepared, mask) if options.keep_rhythm else None
    if problem:  # it would write silence and call it a take
        raise TaskError(problem)
    name = model.info.name

    def report(p: Progress) -> None:  # checked as the job queue checks it
        p = checked_progress(name, p)
        if progress is not None:
            progress(p)

    result = _generate(model, prepared, mask, options, report, cancel or CancelToken())
    new = checked_result(result, model=model.info.name, song=prepared, mask=mask)
    # Only the tracks the model answered for are rewritten: the others keep their notes.
    swap = replace_in_mask(prepared, written_mask(mask, new), new, label)
    return TaskResult(task, before, mask, new, EditGroup((*prep, *swap.edits), label),
                      options.seed, options.key, tuple(prep), options)


def keep_rhythm_problem(task: str, song: Song, mask: Mask) -> str | None:
    """Why *keep rhythm* cannot mean anything for ``task`` over ``mask``, or None. It keeps
    the onsets and lengths of the notes being replaced: continue and compose write new
    bars, which have none (continue --keep-rhythm wrote 8 silent bars and called them a
    take), and a region without notes has no rhythm to keep either."""
    if task in ("continue", "compose"):
        return (f"keep rhythm keeps the rhythm of the notes a take replaces, and {task} "
                "writes new bars, which have none: leave it off (repaint or regenerate "
                "bars that have notes to keep their rhythm)")
    if not any(mask.notes_inside(song).values()):
        return ("keep rhythm keeps the rhythm of the notes a take replaces, and the region "
                "has none: leave it off, or choose a region with notes")
    return None


def settle_options(options: GenerateOptions, song: Song, mask: Mask,
                   task: str) -> GenerateOptions:
    """The options the music implies, settled before a model runs: chorale voice leading
    for a four-part chorale, the key around the mask for an ``"auto"`` key. Every path to
    a model applies them (the tasks here, the job queue), so one request writes the same
    music through either; applying them twice changes nothing."""
    options = chorale_options(song, mask.track_ids, options)
    return resolve_key(options, song, mask, task)


def _generate(model: ModelPlugin, song: Song, mask: Mask, options: GenerateOptions,
              progress: ProgressCallback, cancel: CancelToken) -> object:
    """``model.generate(...)``; whatever it raises (``sys.exit`` too) becomes one
    :class:`ModelFailed` naming the model. A cancel or Ctrl-C passes through."""
    try:
        if options.loop:
            return generate_looped(
                lambda s, m: model.generate(s, m, options, progress, cancel), song, mask)
        return model.generate(song, mask, options, progress, cancel)
    except Cancelled:
        raise
    except CannotGenerate as e:  # about the song or the request, not the model's fault
        raise TaskError(f"{model.info.name}: {e}") from None
    except ModelFailed:  # said already, naming the model (a progress report it got wrong)
        raise
    except (Exception, SystemExit) as e:
        raise ModelFailed(f"model {model.info.name!r} failed: {failure(e, 'generating')}",
                          detail="".join(traceback.format_exception(e))) from e


# -- tasks --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SongParams:
    """What a new piece should be: instruments, length, tempo, meter, key."""

    tracks: tuple[TrackSpec, ...] = field(
        default_factory=lambda: (TrackSpec("Piano", 0), TrackSpec("Bass", 33),
                                 TrackSpec("Drums", 0, True)))
    bars: int = 8
    tempo: float = 120.0
    meter: Meter = (4, 4)  # (7, 8, (3, 2, 2)): 7/8 counted 3+2+2
    key: str | None = None
    ppq: int = 480
    title: str = "Untitled"


def compose(
    params: SongParams,
    *,
    model: ModelPlugin,
    options: GenerateOptions | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> TaskResult:
    """A new piece: empty tracks of ``params`` filled for ``params.bars`` bars."""
    if not params.tracks:
        raise TaskError("compose needs at least one track")
    if params.bars < 1:
        raise TaskError("compose needs at least one bar")
    low, high = BPM_RANGE
    if not low <= params.tempo <= high:
        raise TaskError(f"tempo {params.tempo:g} BPM is outside {low:g}..{high:g}")
    try:  # the meters a saved song can hold (MIDI's limits, which projects share)
        meter = TimeSignature(0, *params.meter)
    except ValueError as e:
        raise TaskError(str(e)) from None
    try:
        key = key_name(params.key) if params.key else None
    except ValueError as e:
        raise TaskError(str(e)) from e
    before = Song(
        ppq=params.ppq,
        tempos=(TempoChange(0, round(60_000_000 / params.tempo)),),
        time_signatures=(meter,),
        key_signatures=(KeySignature(0, key),) if key else (),
        title=params.title,
    )
    adds = new_track_edits(before, params.tracks)
    _, end = _bar_span(before, 0, params.bars)
    prep = [*adds, set_song_props(before, "Set length", length=end)]
    mask = Mask.of(Region(frozenset(e.track.id for e in adds), 0, end))
    options = options if options is not None else GenerateOptions(key=AUTO)
    if key and options.key in (None, AUTO):
        options = replace(options, key=key)
    # No key named: one drawn from the seed (resolve_key), written as the key signature.
    prepared = EditGroup(tuple(prep)).apply(before)
    options = resolve_key(options, prepared, mask, "compose")
    signature = new_piece_signature(options, prepared)
    if signature is not None:
        prep.append(signature)
    return _run("compose", before, prep, mask, model, options, progress, cancel, "Compose")


def regenerate(
    song: Song,
    track_id: int,
    *,
    model: ModelPlugin,
    options: GenerateOptions | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> TaskResult:
    """Rewrite one whole track over the song's length, the other tracks as context (to
    the song's end, not its last bar line: a song ending mid-bar keeps its length)."""
    track = song.track(track_id)
    if TimeMap.of(song).whole_bars(song.end) == 0:
        raise TaskError("the song is empty: there is nothing to regenerate (use compose)")
    start, _ = _bar_span(song, 0, 1)
    mask = Mask.of(Region({track_id}, start, song.end))
    return _run("regenerate", song, (), mask, model, options, progress, cancel,
                f"Regenerate {track.name}")


def continue_(
    song: Song,
    bars: int,
    *,
    track_ids: Iterable[int] | None = None,
    model: ModelPlugin,
    options: GenerateOptions | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> TaskResult:
    """``bars`` more bars after the music's last bar (``texture.continuation_prep``), for
    ``track_ids`` or the tracks still playing at the end
    (:func:`~engine.tasks.texture.still_playing`: a tacet one stays out)."""
    if bars < 1:
        raise TaskError("continue needs at least one bar")
    ids = (list(still_playing(song)) if track_ids is None
           else [song.track(t).id for t in track_ids])
    if not ids:
        raise TaskError("the song has no tracks to continue")
    prep, start, end = continuation_prep(song, bars)
    mask = Mask.of(Region(frozenset(ids), start, end))
    return _run("continue", song, prep, mask, model, options, progress, cancel,
                f"Continue {plural(bars, 'bar')}")


def repaint(
    song: Song,
    track_ids: Iterable[int],
    first_bar: int,
    end_bar: int,
    *,
    pitch_range: tuple[int, int] | None = None,
    model: ModelPlugin,
    options: GenerateOptions | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> TaskResult:
    """Rewrite bars ``[first_bar, end_bar)`` of some tracks (optionally a pitch band only).

    A span past the song's end lengthens the song (in the same take).
    """
    ids = frozenset(song.track(t).id for t in track_ids)
    if not ids:
        raise TaskError("repaint needs at least one track")
    if not 0 <= first_bar < end_bar:
        number = TimeMap.of(song).bar_number  # the user's numbers, not the indices
        raise TaskError(f"bad bar range {number(first_bar)}-{number(end_bar - 1)}")
    lo, hi = pitch_range or (0, 127)
    if not 0 <= lo <= hi <= 127:
        raise TaskError(f"bad pitch range {lo}-{hi} (MIDI pitches 0..127, low-high)")
    start, end = _bar_span(song, first_bar, end_bar)
    return repaint_mask(song, Mask.of(Region(ids, start, end, lo, hi)), model=model,
                        options=options, progress=progress, cancel=cancel)


def repaint_mask(
    song: Song,
    mask: Mask,
    *,
    model: ModelPlugin,
    options: GenerateOptions | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> TaskResult:
    """Rewrite any painted ``mask``: several regions, each its tracks, ticks (a beat, a
    bar and a half) and pitch band, as the studio's mask painting makes them. A mask past
    the song's end lengthens the song (in the same take)."""
    if mask.is_empty:
        raise TaskError("repaint needs a region of at least one track and some time")
    known = {t.id for t in song.tracks}
    if not mask.track_ids <= known:
        raise TaskError("the region names a track that is not in the song")
    end = mask.span[1]
    prep = [set_song_props(song, "Extend song", length=end)] if end > song.end else []
    problem = unreachable_band(song, mask)
    if problem:
        raise TaskError(problem)
    return _run("repaint", song, prep, mask, model, options, progress, cancel, "Repaint")


def harmonize(
    song: Song,
    melody_id: int,
    *,
    accompaniment: str = "auto",
    track_ids: Iterable[int] | None = None,
    model: ModelPlugin,
    options: GenerateOptions | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> TaskResult:
    """Fill every other track (or only ``track_ids``) around a melody, from the bar it
    comes in to its last note (:func:`~engine.tasks.texture.melody_span`).

    When the melody is alone, tracks are added first: ``"satb"`` adds Alto, Tenor and Bass
    voices in the melody's instrument (a chorale, written without parallel fifths or
    octaves unless ``options.avoid_parallels`` is False: None turns it on; a melody with
    no name of its own is named Soprano first, and on the default piano made a choir's,
    :func:`~engine.tasks.instruments.as_soprano`), ``"band"``
    adds Piano, Bass and Drums;
    ``"auto"`` picks SATB for sung or string melodies and for one named as the soprano
    part (:func:`~engine.tasks.chorale.soprano_name`), and Piano and Bass otherwise.
    """
    melody = song.track(melody_id)
    name = track_labels(song)[melody_id]  # (a blank name: "track 1")
    if melody.is_drum:
        raise TaskError(f"{name!r} is a drum track; a melody needs pitched notes")
    if not melody.notes:
        raise TaskError(f"{name!r} has no notes to harmonize")
    others = [t.id for t in song.tracks if t.id != melody_id]
    if track_ids is not None:
        chosen = {song.track(t).id for t in track_ids}
        if melody_id in chosen:
            raise TaskError(f"{name!r} is the melody: harmonize keeps it as it is")
        if not chosen:
            raise TaskError("harmonize needs at least one track to fill")
        others = [t for t in others if t in chosen]
    prep: list[Edit] = []
    if not others:
        chart = bool(song.chords)
        specs = accompaniment_specs(melody, accompaniment, lead_sheet=chart)
        inserts = new_track_edits(song, specs)
        others = [e.track.id for e in inserts]
        satb = accompaniment_kind(melody, accompaniment, lead_sheet=chart) == "satb"
        if satb:  # a nameless tune: Soprano
            prep = [*soprano_edits(song, melody_id)]
        prep += inserts
        if satb and (options is None or options.avoid_parallels is None):  # voice leading
            options = replace(options or GenerateOptions(), avoid_parallels=True)
    start, end = melody_span(song, melody)
    mask = Mask.of(Region(frozenset(others), start, end))
    return _run("harmonize", song, prep, mask, model, options, progress, cancel,
                f"Harmonize {name}")


# -- variations ---------------------------------------------------------------------------------


REDRAWS = 4  # how often a variation that repeats an earlier take is drawn again


def variation_seed(base: int, count: int, index: int, redraw: int = 0) -> int:
    """The seed of variation ``index`` of ``count`` (``base``, ``base + 1``, …), drawn
    again for the ``redraw``-th time: past every first seed, so no seed is used twice."""
    return base + count * redraw + index


def run_variations(
    run: Callable[[GenerateOptions], TaskResult],
    options: GenerateOptions,
    count: int,
    redraws: int = REDRAWS,
) -> list[TaskResult]:
    """``count`` takes of one request with seeds ``seed, seed+1, …``; a take that repeats
    an earlier one, or the notes it replaces, is drawn again with a further seed (up to
    ``redraws`` times) — not one with no notes at all: a model that finds nothing to write
    (a rule-based one, and the notes a sampled model might keep, are not an empty
    answer) gave the same nothing five times over."""
    base = options.seed if options.seed is not None else secrets.randbits(31)
    takes: list[TaskResult] = []
    seen: set[frozenset] = set()
    for i in range(count):
        for attempt in range(redraws + 1):
            take = run(replace(options, seed=variation_seed(base, count, i, attempt)))
            if takes:  # before comparing: the same music on other new tracks is the same
                take = _share_new_tracks(take, takes[0])
            if take.empty or (take.signature() not in seen and not take.unchanged) \
                    or attempt == redraws:
                break
        seen.add(take.signature())
        takes.append(take)
    return takes


def _share_new_tracks(take: TaskResult, first: TaskResult) -> TaskResult:
    """``take`` with the tracks its request adds (harmonize's Alto, Tenor, Bass; compose's
    instruments) being ``first``'s: each variation made its own, with new ids, so two
    variations of one request wrote different regions; now they are takes of one."""
    ids = {a.track.id: b.track.id for a, b in zip(take.prep, first.prep, strict=False)
           if isinstance(a, InsertTrack) and isinstance(b, InsertTrack)}
    if all(a == b for a, b in ids.items()):
        return take
    mask = Mask.of(*(replace(r, track_ids=frozenset(ids.get(t, t) for t in r.track_ids))
                     for r in take.mask.regions))
    new = {ids.get(t, t): notes for t, notes in take.new_notes.items()}
    # Only the new tracks are first's: the take's other prep is its own (compose's key
    # signature, drawn from this take's seed).
    shared = {e.track.id: e for e in first.prep if isinstance(e, InsertTrack)}
    prep = tuple(shared[ids[e.track.id]] if isinstance(e, InsertTrack) else e
                 for e in take.prep)
    prepared = EditGroup(prep).apply(take.before)
    swap = replace_in_mask(prepared, written_mask(mask, new), new, take.edit.label)
    return replace(take, mask=mask, new_notes=new, prep=prep,
                   edit=EditGroup((*prep, *swap.edits), take.edit.label))
