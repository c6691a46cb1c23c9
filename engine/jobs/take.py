"""Takes: a model's proposal for a region, applied only when the user accepts it.

A :class:`Take` remembers the song and revision it was computed from, the notes the model
wrote and the :class:`~engine.score.EditGroup` that puts them in (after the request's
preparatory edits, if any: new tracks, a longer song — one undo step in all). If the user has since
edited *inside* the take's region, the take conflicts (:meth:`Take.conflicts_with`) and
:func:`apply_take` refuses it unless forced; edits outside the region never conflict.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from engine.plugins.api import GenerateOptions
from engine.plugins.result import (
    checked_result,
    written_mask,
)
from engine.score import (
    ControlEvent,
    Edit,
    EditError,
    EditGroup,
    InsertTrack,
    Mask,
    Note,
    Region,
    SetSongProps,
    SetTrackProps,
    Song,
    notes_signature,
    replace_in_mask,
    set_song_props,
)

from .take_warnings import TakeWarning

if TYPE_CHECKING:
    from engine.tasks import TaskResult

_take_ids = itertools.count(1)


class TakeConflict(EditError):
    """The take's region was edited after the take was computed."""


@dataclass(frozen=True, slots=True, eq=False)
class Take:
    """One proposal. ``notes`` holds the new notes of each track the model wrote; masked
    tracks the model left out of its result are left unchanged. ``warnings``: what the
    model did not do that it was asked to (:mod:`engine.jobs.take_warnings`). Compared by
    identity."""

    id: int
    job_id: int
    model: str
    task: str
    mask: Mask
    base_song: Song
    base_revision: int
    notes: Mapping[int, tuple[Note, ...]]
    edit: EditGroup
    created: float
    label: str
    options: GenerateOptions = field(default_factory=GenerateOptions)
    prep: tuple[Edit, ...] = ()
    warnings: tuple[TakeWarning, ...] = ()

    @property
    def write_mask(self) -> Mask:
        """The part of the mask this take rewrites (the tracks the model answered for)."""
        return written_mask(self.mask, self.notes)

    @property
    def note_count(self) -> int:
        return sum(len(v) for v in self.notes.values())

    def signature(self) -> frozenset:
        """The music written, without ids: equal for two takes that sound the same."""
        return notes_signature(self.notes)

    def conflicts_with(self, song: Song) -> bool:
        """True if the notes inside the take's region differ from those it was computed on."""
        return self.write_mask.changed_between(self.base_song, song)

    def relabel(self, label: str) -> Take:
        """The same take under another label (its edit's label follows)."""
        return replace(self, label=label, edit=replace(self.edit, label=label))


def make_take(
    *,
    job_id: int,
    model: str,
    task: str,
    mask: Mask,
    song: Song,
    revision: int,
    result: object,
    options: GenerateOptions | None = None,
    label: str = "",
    prep: tuple[Edit, ...] = (),
    prepared_song: Song | None = None,
    warnings: tuple[TakeWarning, ...] = (),
) -> Take:
    """Validate a model's result and build the take; :class:`InvalidResult` if it is bad
    (the checks: :func:`engine.plugins.result.checked_result`).

    ``song`` is the song before ``prep``; ``mask`` and the result refer to the song after,
    ``prepared_song`` when the caller has it (the prep is applied here otherwise).
    ``warnings``: the take's, when the caller has them (a saved take's); the job queue
    works them out from the take (:func:`engine.jobs.take_warnings.take_warnings`).
    """
    base = song
    if prepared_song is not None:
        song = prepared_song
    elif prep:
        song = EditGroup(tuple(prep)).apply(song)
    clean = checked_result(result, model=model, song=song, mask=mask)
    label = label or f"{task.capitalize()} · {model}"
    edit = _with_prep(tuple(prep), replace_in_mask(song, written_mask(mask, clean), clean,
                                                   label))
    return Take(
        id=next(_take_ids), job_id=job_id, model=model, task=task, mask=mask,
        base_song=base, base_revision=revision, notes=MappingProxyType(clean), edit=edit,
        created=time.time(), label=label, options=options or GenerateOptions(),
        prep=tuple(prep), warnings=tuple(warnings),
    )


def take_from_result(result: TaskResult, model: str) -> Take:
    """The take a task run directly (``engine.tasks``, the CLI) makes: the same as the job
    queue's for that request, so it can be kept with a project and decided later
    (``partita repaint … --as-takes``, ``partita takes``)."""
    return make_take(job_id=0, model=model, task=result.task, mask=result.mask,
                     song=result.before, revision=0, result=dict(result.new_notes),
                     options=result.options, prep=result.prep)


RECORDED = "Recorded"  # a recorded take's "model": the takes bar's tooltip names it


def recorded_take(song: Song, revision: int, track_id: int, span: tuple[int, int],
                  notes: tuple[Note, ...], controls: tuple[ControlEvent, ...] | None,
                  label: str) -> Take:
    """A take made of notes played, not by a model: one loop pass of a recording (a DAW's
    take of a take folder), replacing what track ``track_id`` has over ``span`` (every
    pitch) with ``notes``; ``controls``, when given, are the track's controllers with the
    pass's sustain pedal, set with the notes (a preparatory edit: one undo step)."""
    mask = Mask.of(Region(frozenset({track_id}), *span))
    prep: tuple[Edit, ...] = ()
    if controls is not None:
        before = song.track(track_id).controls
        prep = (SetTrackProps(track_id, (("controls", before),), (("controls", controls),),
                              label),)
    return make_take(job_id=0, model=RECORDED, task="record", mask=mask, song=song,
                     revision=revision, result={track_id: notes}, label=label, prep=prep)


def _with_prep(prep: tuple[Edit, ...], swap: EditGroup) -> EditGroup:
    return EditGroup((*prep, *swap.edits), swap.label) if prep else swap


def fit_prep(prep: tuple[Edit, ...], song: Song) -> tuple[Edit, ...]:
    """``prep`` for ``song`` as it is now: a track the take adds goes at its place, or
    after the last track when the user removed tracks since (Harmonize's new Strings was
    refused: "position 3 is out of range"); a song property the user changed since the
    take was made is fitted to what the song holds now — a song made longer stays as
    long, a key signature the user set stays (a compose take's drawn key gives way)."""
    return _fitted(prep, song)[0]


def _fitted(prep: tuple[Edit, ...], song: Song) -> tuple[tuple[Edit, ...], Song]:
    """:func:`fit_prep` and the song with the fitted prep applied (worked out on the way)."""
    out: list[Edit] = []
    for e in prep:
        if isinstance(e, InsertTrack):
            if e.index > len(song.tracks):
                e = replace(e, index=len(song.tracks))
        elif isinstance(e, SetSongProps):
            changed = {k for k, v in e.before if getattr(song, k) != v}
            if changed:
                after = dict(e.after)
                if "length" in changed:
                    after["length"] = max(after["length"], song.length)
                if "key_signatures" in changed:
                    del after["key_signatures"]
                after = {k: v for k, v in after.items() if getattr(song, k) != v}
                if not after:
                    continue  # the song already is what the take needs
                e = set_song_props(song, e.label, **after)
        song = e.apply(song)
        out.append(e)
    return tuple(out), song


def apply_take(song: Song, take: Take, force: bool = False,
               conflicts: bool | None = None) -> tuple[Song, Edit]:
    """Apply an accepted take to the current song: ``(new song, the edit for undo)``.

    A conflicting take raises :class:`TakeConflict`; with ``force`` it overwrites whatever
    is now inside its region. ``conflicts``: the caller's answer of
    ``take.conflicts_with(song)`` when it has one (the check reads the whole region).
    """
    if conflicts is None:
        conflicts = take.conflicts_with(song)
    if conflicts and not force:
        raise TakeConflict(f"{take.label}: the region was edited after this take was "
                           "made; apply it anyway to overwrite those edits")
    prep, prepared = _fitted(take.prep, song)
    if conflicts or prep != take.prep:  # made again for the song as it is now
        swap = replace_in_mask(prepared, take.write_mask, take.notes, take.label)
        return swap.apply(prepared), _with_prep(prep, swap)
    return take.edit.apply(song), take.edit
