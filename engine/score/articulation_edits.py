"""Writing articulations and slurs onto notes: the edits behind the studio's Shift+S
(staccato), Shift+V (accent) … and its slurs.

Each builder is pure: notes in, one invertible :class:`~.edits.ChangeNotes` (or a group
of them) out, the same notes with their marks changed (:func:`~.edits.update_notes`), or
None where nothing would change (no empty undo step). Marks are out of a note's equality
(:mod:`.articulations`), so an edit is checked against the notes' marks, not the song's.

An articulation is toggled as a score editor toggles it: on every selected note, or off
them all where every one has it already. A note keeps one length mark (staccato,
staccatissimo, tenuto, detached-legato) and one accent (accent, strong accent): writing
one takes the other of its kind off, as a score would not print a dot under a wedge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import NamedTuple

from .articulations import MAX_SLUR_NUMBER, SLUR_KINDS, Slur, check_articulations, in_order
from .edits import ChangeNotes, Edit, EditGroup, plural, update_notes
from .song import Note, Song, Track

# A note keeps one of each: writing one takes its rivals off.
KINDS = (frozenset({"staccato", "staccatissimo", "tenuto", "detached-legato"}),
         frozenset({"accent", "strong-accent"}))
# How an undo step names each ("Staccato on 4 notes").
TITLES = {"staccato": "Staccato", "staccatissimo": "Staccatissimo", "accent": "Accent",
          "strong-accent": "Strong accent", "tenuto": "Tenuto",
          "detached-legato": "Detached legato"}


class SlurSpan(NamedTuple):
    """A slur of one track: its MusicXML number and its first and last notes."""

    number: int
    first: Note
    last: Note


def _grouped(edits: list[ChangeNotes], label: str) -> Edit | None:
    edits = [replace(e, label=label) for e in edits]
    if not edits:
        return None
    return edits[0] if len(edits) == 1 else EditGroup(tuple(edits), label)


def toggle_articulation(notes: Mapping[int, Sequence[Note]], mark: str) -> Edit | None:
    """``mark`` written on every one of ``notes`` (per track id) that lacks it, taking off
    the mark of its kind it had (:data:`KINDS`), or off them all where all have it: one
    undo step, "Staccato on 4 notes" / "Staccato off 4 notes", counting the notes that
    change. None where there are no notes. ValueError for a mark a note does not keep."""
    check_articulations((mark,))
    every = [n for v in notes.values() for n in v]
    if not every:
        return None
    off = all(mark in n.articulations for n in every)
    rivals = next(kind for kind in KINDS if mark in kind) - {mark}
    edits, changed = [], 0
    for tid, v in notes.items():
        before, after = [], []
        for n in v:
            marks = n.articulations - {mark} if off else (n.articulations - rivals) | {mark}
            if marks != n.articulations:
                before.append(n)
                after.append(replace(n, articulations=marks))
        if after:
            changed += len(after)
            edits.append(update_notes(tid, before, after, ""))
    return _grouped(edits, f"{TITLES[mark]} {'off' if off else 'on'} "
                           f"{plural(changed, 'note')}")


def replaced_marks(notes: Mapping[int, Sequence[Note]], mark: str) -> list[str]:
    """The marks :func:`toggle_articulation` of ``mark`` takes off ``notes`` for being of
    its kind (a tenuto over a staccato: ``["staccato"]``), in a score's order; none when
    it takes ``mark`` off them all. The studio says them: "Tenuto on 1 note (was
    staccato)"."""
    every = [n for v in notes.values() for n in v]
    if not every or all(mark in n.articulations for n in every):
        return []
    rivals = next(kind for kind in KINDS if mark in kind) - {mark}
    return in_order({m for n in every for m in n.articulations & rivals})


def marks_said(notes: Iterable[Note]) -> str:
    """The articulations and slur ends of ``notes`` (a note, or a chord) as a screen
    reader says them with the note: "staccato, accent, slur start"; "" for none."""
    notes = list(notes)
    words = [TITLES[m].lower() for m in in_order({m for n in notes for m in n.articulations})]
    kinds = {kind for n in notes for kind, _number in n.slurs}
    words += [f"slur {'end' if kind == 'stop' else kind}" for kind in SLUR_KINDS
              if kind in kinds]
    return ", ".join(words)


def slur_spans(notes: Iterable[Note]) -> list[SlurSpan]:
    """The slurs written on ``notes`` (one track's), in the order they start: a start mark
    paired with the next stop of its number after it (on one note the stop comes first:
    the slur ending there). A start with no stop, or a stop with no start, is left out."""
    open_: dict[int, Note] = {}
    spans: list[SlurSpan] = []
    for n in sorted((n for n in notes if n.slurs), key=lambda n: (n.start, n.pitch)):
        for kind, number in n.slurs:
            if kind == "start":
                open_[number] = n
            elif (first := open_.pop(number, None)) is not None:
                spans.append(SlurSpan(number, first, n))
    spans.sort(key=lambda s: (s.first.start, s.first.pitch, s.number))
    return spans


def _ends(notes: Sequence[Note]) -> tuple[Note, Note] | None:
    """The notes a slur over ``notes`` is written on: the top of the first onset's chord
    and of the last's (a slur is drawn above); None for fewer than two onsets."""
    onsets = sorted({n.start for n in notes})
    if len(onsets) < 2:
        return None
    first = max((n for n in notes if n.start == onsets[0]), key=lambda n: n.pitch)
    last = max((n for n in notes if n.start == onsets[-1]), key=lambda n: n.pitch)
    return first, last


def _marked(track: Track, marks: Mapping[int, tuple[set[Slur], set[Slur]]],
            label: str) -> ChangeNotes:
    """``track``'s notes with slur marks taken off and put on: ``{id: (drop, add)}``."""
    before = [n for n in track.notes if n.id in marks]
    after = [replace(n, slurs=tuple((set(n.slurs) - marks[n.id][0]) | marks[n.id][1]))
             for n in before]
    return update_notes(track.id, before, after, label)


def slur_over(track: Track, notes: Sequence[Note]) -> ChangeNotes | None:
    """A slur over ``notes`` (some of ``track``'s): a start mark on the first (a chord's
    top note) and a stop on the last, "Slur over 6 notes"; where a slur over just these
    is there already, it is taken off instead ("Remove slur over 6 notes"). Its number is
    the lowest that no slur of the track holds over the span (MusicXML pairs marks by
    it). None for notes at fewer than two onsets; ValueError where all 16 numbers are
    held there."""
    ends = _ends(notes)
    if ends is None:
        return None
    first, last = ends
    spans = slur_spans(track.notes)
    count = plural(len(notes), "note")
    for s in spans:
        if s.first.id == first.id and s.last.id == last.id:
            return _marked(track, {first.id: ({("start", s.number)}, set()),
                                   last.id: ({("stop", s.number)}, set())},
                           f"Remove slur over {count}")
    held = {s.number for s in spans
            if s.first.start <= last.start and s.last.start >= first.start}
    number = next((k for k in range(1, MAX_SLUR_NUMBER + 1) if k not in held), None)
    if number is None:
        raise ValueError(f"{MAX_SLUR_NUMBER} slurs already cross there: no more can be "
                         "written over them")
    return _marked(track, {first.id: (set(), {("start", number)}),
                           last.id: (set(), {("stop", number)})}, f"Slur over {count}")


def remove_slurs(song: Song, notes: Mapping[int, Sequence[Note]]) -> Edit | None:
    """Every slur over one of ``notes`` (per track id of ``song``): starting, ending or
    held over its onset, both its marks taken off; one undo step, "Remove 2 slurs". None
    where no slur is over them."""
    edits, removed = [], 0
    for tid, v in notes.items():
        track = song.track(tid)
        onsets = [n.start for n in v]
        marks: dict[int, tuple[set[Slur], set[Slur]]] = {}
        for s in slur_spans(track.notes):
            if any(s.first.start <= t <= s.last.start for t in onsets):
                marks.setdefault(s.first.id, (set(), set()))[0].add(("start", s.number))
                marks.setdefault(s.last.id, (set(), set()))[0].add(("stop", s.number))
                removed += 1
        if marks:
            edits.append(_marked(track, marks, ""))
    return _grouped(edits, f"Remove {plural(removed, 'slur')}")
