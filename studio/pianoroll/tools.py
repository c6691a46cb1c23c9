"""Piano-roll tools and the edits a gesture turns into.

A gesture (drag, click) is previewed on screen while the mouse moves and becomes one
engine edit — one undo step — on release. The builders here are pure: selected notes
per track in, an engine :class:`~engine.score.Edit` out.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from engine.score import (
    Edit,
    EditGroup,
    Note,
    clamp_velocity,
    duplicate_notes,
    join_notes,
    legato_notes,
    move_notes,
    plural,
    quantize_notes,
    remove_notes,
    resize_note_starts,
    resize_notes,
    split_notes,
    swing_notes,
    transpose_notes,
    update_notes,
)
from engine.score.snap import STRAIGHT, strength_text, swing_text

Selected = Mapping[int, Sequence[Note]]


class Tool(enum.Enum):
    """The piano roll's tools; keys are documented in docs/studio.md."""

    SELECT = "select"  # P: pointer — click, rubber band, move, resize
    DRAW = "draw"  # B: brush/pencil — click to add a note, drag to set its length
    ERASE = "erase"  # E: eraser — click or drag over notes to delete them
    MASK = "mask"  # M: paint where the model may write (studio.mask.tool)

    @property
    def label(self) -> str:
        return {"select": "Pointer", "draw": "Brush", "erase": "Eraser",
                "mask": "Mask"}[self.value]


class NoteColumns(NamedTuple):
    """Some notes of one track as numpy columns."""

    start: np.ndarray
    duration: np.ndarray
    pitch: np.ndarray
    id: np.ndarray


def note_columns(notes: Sequence[Note]) -> NoteColumns:
    a = np.array([(n.start, n.duration, n.pitch, n.id) for n in notes],
                 dtype=np.int64).reshape(-1, 4)
    return NoteColumns(a[:, 0], a[:, 1], a[:, 2], a[:, 3])


@dataclass
class Drag:
    """The gesture in progress on the canvas."""

    kind: str  # "move", "copy", "resize" (right edge), "resize_start", "draw", "rubber", "erase"
    x0: float
    y0: float
    tick0: float
    pitch0: int
    anchor: Note | None = None  # the note that was grabbed
    notes: dict[int, list[Note]] = field(default_factory=dict)
    dticks: int = 0
    dpitch: int = 0
    started: bool = False  # moved past the click threshold
    x1: float = 0.0
    y1: float = 0.0
    erased: set[tuple[int, int]] = field(default_factory=set)
    extend: bool = False  # rubber band adds to the selection
    toggle: tuple[int, int] | None = None  # Ctrl-pressed selected note: deselect on a click
    only: tuple[int, int] | None = None  # pressed in a larger selection: a click keeps it alone
    row0: float = 0.0  # a rubber band's press, in rows below pitch 127's top (scroll-proof)
    # ``notes`` as columns, with the dict they were built from (see :meth:`columns`).
    _columns: tuple[dict, dict[int, NoteColumns]] | None = field(default=None, repr=False,
                                                                  compare=False)

    def columns(self) -> dict[int, NoteColumns]:
        """``notes`` per track as numpy columns, built once per drag (a new ``notes``, as
        the Brush's growing note, builds them again): every frame of the drag draws the
        notes where they are going and hides them where they were, and with thousands
        selected a loop over them per frame was most of the frame."""
        if self._columns is None or self._columns[0] is not self.notes:
            self._columns = (self.notes, {tid: note_columns(v) for tid, v in self.notes.items()
                                          if v})
        return self._columns[1]


def _count(notes: Selected) -> int:
    return sum(len(v) for v in notes.values())


def _group(edits: list[Edit], label: str) -> Edit:
    if len(edits) == 1:
        return edits[0]
    return EditGroup(tuple(edits), label)


def _clamped(notes: Selected, dticks: int, dpitch: int) -> tuple[int, int]:
    """The shift that keeps every note of the group at tick 0 or later and in 0..127."""
    all_notes = [n for v in notes.values() for n in v]
    dticks = max(dticks, -min(n.start for n in all_notes))
    dpitch = max(min(dpitch, 127 - max(n.pitch for n in all_notes)),
                 -min(n.pitch for n in all_notes))
    return dticks, dpitch


def move_edit(notes: Selected, dticks: int, dpitch: int) -> Edit:
    """Move notes of several tracks by the same amount, clamped as one group."""
    dticks, dpitch = _clamped(notes, dticks, dpitch)
    edits = [move_notes(tid, v, dticks, dpitch) for tid, v in notes.items() if v]
    return _group(edits, f"Move {plural(_count(notes), 'note')}")


def copy_edit(notes: Selected, dticks: int, dpitch: int) -> tuple[Edit, list[tuple[int, int]]]:
    """Copies of the notes, shifted (clamped as one group, as a move is); returns the edit
    and the new notes' keys."""
    dticks, dpitch = _clamped(notes, dticks, dpitch)  # a Ctrl+drag before bar 1 raised
    edits: list[Edit] = []
    keys: list[tuple[int, int]] = []
    for tid, v in notes.items():
        dup = duplicate_notes(tid, v, dticks)
        added = tuple(replace(n, pitch=n.pitch + dpitch) for n in dup.added)
        edits.append(replace(dup, added=added, label=f"Copy {plural(_count(notes), 'note')}"))
        keys += [(tid, n.id) for n in added]
    return _group(edits, f"Copy {plural(_count(notes), 'note')}"), keys


def duplicate_edit(notes: Selected, dticks: int) -> tuple[Edit, list[tuple[int, int]]]:
    """Duplicates placed ``dticks`` later (Ctrl+D); returns the edit and the new keys."""
    edits: list[Edit] = []
    keys: list[tuple[int, int]] = []
    for tid, v in notes.items():
        dup = duplicate_notes(tid, v, dticks)
        edits.append(dup)
        keys += [(tid, n.id) for n in dup.added]
    return _group(edits, f"Duplicate {plural(_count(notes), 'note')}"), keys


def resize_edit(notes: Selected, dticks: int, min_duration: int = 1) -> Edit:
    edits = [resize_notes(tid, v, dticks, min_duration) for tid, v in notes.items() if v]
    return _group(edits, f"Resize {plural(_count(notes), 'note')}")


def resize_start_edit(notes: Selected, dticks: int, min_duration: int = 1) -> Edit:
    """A left-edge drag: starts move, ends stay."""
    edits = [resize_note_starts(tid, v, dticks, min_duration) for tid, v in notes.items() if v]
    return _group(edits, f"Resize {plural(_count(notes), 'note')}")


def delete_edit(notes: Selected) -> Edit:
    edits = [remove_notes(tid, v) for tid, v in notes.items() if v]
    return _group(edits, f"Delete {plural(_count(notes), 'note')}")


def transpose_edit(notes: Selected, semitones: int, spell: int = 0) -> Edit:
    """``spell``: see :func:`~engine.score.edits.transpose_notes` (step entry's # and −)."""
    edits = [transpose_notes(tid, v, semitones, spell) for tid, v in notes.items() if v]
    return _group(edits, f"Transpose {plural(_count(notes), 'note')}")


def quantize_edit(notes: Selected, grid: int, line: Callable[[int], int] | None = None,
                  end_limit: int | None = None, swing: float = STRAIGHT,
                  strength: float = 1.0) -> Edit:
    """Onsets to the nearest grid line: ``line(tick)`` where given (the studio's grid
    counts from each bar line; with ``swing``, its swung lines), else a multiple of
    ``grid``; no note moved later ends past ``end_limit``. With a ``swing``
    (:func:`~engine.score.edits.swing_notes`) a note also ends where the next of its
    pitch starts. ``strength``: the share of the way each note moves to its line (said in
    the undo step when under 100 %)."""
    swung = ("" if swing == STRAIGHT else f" with {swing_text(swing)} swing") + \
        strength_text(strength)
    edits, moved = [], 0
    for tid, v in notes.items():
        if not v:
            continue
        whole = (quantize_notes(tid, v, grid, strength, line=line, end_limit=end_limit)
                 if swing == STRAIGHT else
                 swing_notes(tid, v, grid, swing, line=line, end_limit=end_limit,
                             strength=strength))
        pairs = [(a, b) for a, b in zip(whole.removed, whole.added, strict=True) if a != b]
        if pairs:  # only the notes that move: the undo step says how many did
            moved += len(pairs)
            edits.append(update_notes(tid, [a for a, _ in pairs], [b for _, b in pairs],
                                      f"Quantize {plural(len(pairs), 'note')}{swung}"))
    return _group(edits, f"Quantize {plural(moved, 'note')}{swung}")


def lengthen_edit(notes: Selected, new_end: Callable[[Note], int]) -> Edit | None:
    """Each note ending at ``new_end(note)`` (Alt+→ / Alt+←), except one that would then
    end on or before its start; None when no note changes (no undo step)."""
    edits = []
    for tid, v in notes.items():
        pairs = [(n, new_end(n)) for n in v]
        changed = [(n, end) for n, end in pairs if end > n.start and end != n.end]
        if changed:
            edits.append(update_notes(tid, [n for n, _ in changed],
                                      [replace(n, duration=end - n.start) for n, end in changed],
                                      ""))
    count = sum(len(e.added) for e in edits)
    if not count:
        return None
    label = f"Resize {plural(count, 'note')}"
    return _group([replace(e, label=label) for e in edits], label)


def legato_edit(notes: Selected) -> tuple[Edit, int]:
    """Each track's selected notes end where its next selected onset starts; returns the
    edit and how many notes changed (0: nothing to do, no undo step)."""
    edits = [e for tid, v in notes.items() if v and (e := legato_notes(tid, v)).added]
    changed = sum(len(e.added) for e in edits)
    return _group(edits, f"Legato {plural(changed, 'note')}"), changed


def split_edit(notes: Selected, tick: int) -> tuple[Edit, list[tuple[int, int]]]:
    """Cut the notes sounding across ``tick`` in two; returns the edit and both halves'
    keys (empty: no note crosses ``tick``)."""
    edits = [e for tid, v in notes.items() if v and (e := split_notes(tid, v, tick)).added]
    keys = [(e.track_id, n.id) for e in edits for n in e.added]
    return _group(edits, f"Split {plural(len(keys) // 2, 'note')}"), keys


def join_edit(notes: Selected) -> tuple[Edit, list[tuple[int, int]]]:
    """Join each run of repeated selected notes into one; returns the edit and the joined
    notes' keys (empty: nothing to join)."""
    edits = [e for tid, v in notes.items() if v and (e := join_notes(tid, v)).added]
    keys = [(e.track_id, n.id) for e in edits for n in e.added]
    removed = sum(len(e.removed) for e in edits)
    return _group(edits, f"Join {plural(removed, 'note')} into {len(keys)}"), keys


def velocity_edit(changes: Mapping[int, Sequence[tuple[Note, int]]]) -> Edit:
    """Set each note's own new velocity (velocity-lane drawing)."""
    edits: list[Edit] = []
    total = 0
    for tid, pairs in changes.items():
        pairs = [(n, v) for n, v in ((n, clamp_velocity(v)) for n, v in pairs)
                 if n.velocity != v]
        if not pairs:
            continue
        total += len(pairs)
        before = [n for n, _ in pairs]
        after = [replace(n, velocity=v) for n, v in pairs]
        edits.append(update_notes(tid, before, after, ""))
    label = f"Set velocity of {plural(total, 'note')}"
    edits = [replace(e, label=label) for e in edits]
    return _group(edits, label)



def velocity_shift_edit(notes: Selected, delta: int) -> tuple[Edit | None, int]:
    """Every note ``delta`` louder (softer when negative), kept within 1..127 (Alt+↑ ↓);
    the edit and how many notes change (``None, 0``: all are at the limit already)."""
    changes = {tid: [(n, n.velocity + delta) for n in v] for tid, v in notes.items()}
    moved = sum(1 for v in changes.values() for n, new in v
                if clamp_velocity(new) != n.velocity)
    if not moved:
        return None, 0
    label = f"Velocity {delta:+d} ({plural(moved, 'note')})"  # "Undo Velocity +8 (3 notes)"
    return replace(velocity_edit(changes), label=label), moved
