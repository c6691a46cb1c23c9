"""A note's articulations and slur marks (``Note.articulations``, ``Note.slurs``), and
how the marked notes sound.

A copyist's score writes a dot, a wedge, a line or an accent over a note, and slurs over
phrases. A note keeps them as notation, as it keeps its fermata: through the project file,
edits that copy or move it, and the MusicXML import and export (MusicXML's own names:
``<staccato/>``, ``<strong-accent/>`` …). Unlike a fermata they are played: where notes
become sound (the render, playback, the MIDI export: :func:`performed`), a staccato note
sounds half its written length, a staccatissimo a third, a detached-legato (a tenuto with
a dot, portato) two thirds, a tenuto all of it, and an accent or a strong accent (marcato)
is played louder, a strong accent a third shorter too — MuseScore's playback of them (its
instruments' gate times and velocities). The written lengths stay as they are.

A slur is written as MusicXML writes it: a ``start`` mark on its first note and a
``stop`` mark on its last, each with the slur's number (1–16), which pairs them where
slurs overlap (two voices on one track). Slurs are notation only: not played.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .song import Note

# In the order a score writes them (MusicXML's element names).
ARTICULATIONS = ("accent", "strong-accent", "staccato", "tenuto", "detached-legato",
                 "staccatissimo")
# The share of its written length a note with the mark sounds (MuseScore's gate times);
# of several, the first here that the note has (a tenuto over a marcato is held full).
GATES = (("staccatissimo", Fraction(1, 3)), ("staccato", Fraction(1, 2)),
         ("detached-legato", Fraction(2, 3)), ("tenuto", Fraction(1)),
         ("strong-accent", Fraction(2, 3)))
# How much louder a note with the mark is played (MuseScore's 120 %), at most 127.
LOUDER = {"accent": Fraction(6, 5), "strong-accent": Fraction(6, 5)}
SLUR_KINDS = ("stop", "start")  # on one note, the slur ending before the one beginning
MAX_SLUR_NUMBER = 16  # MusicXML numbers overlapping slurs 1 to 16

Slur = tuple[str, int]


def check_articulations(marks: Iterable[str]) -> frozenset[str]:
    """``marks`` as a note keeps them; ValueError naming one that is not an articulation
    a note keeps (:data:`ARTICULATIONS`)."""
    out = frozenset(marks)
    for mark in out:
        if mark not in ARTICULATIONS:
            raise ValueError(f"note articulation {mark!r:.30} is not one of "
                             f"{', '.join(ARTICULATIONS)}")
    return out


def check_slurs(marks: Iterable[Slur]) -> tuple[Slur, ...]:
    """``marks`` as a note keeps them: each ``(kind, number)`` once, stops before starts;
    ValueError naming one that is not a slur mark."""
    out = set()
    for mark in marks:
        if (type(mark) is not tuple or len(mark) != 2 or mark[0] not in SLUR_KINDS
                or type(mark[1]) is not int or not 1 <= mark[1] <= MAX_SLUR_NUMBER):
            raise ValueError(f"note slur mark {mark!r:.30} is not (start or stop, "
                             f"1..{MAX_SLUR_NUMBER})")
        out.add(mark)
    return tuple(sorted(out, key=lambda m: (SLUR_KINDS.index(m[0]), m[1])))


def in_order(marks: Iterable[str]) -> list[str]:
    """A note's articulations in the order a score writes them (:data:`ARTICULATIONS`)."""
    return sorted(marks, key=ARTICULATIONS.index)


def joined_slurs(pieces: Iterable[Iterable[Slur]]) -> tuple[Slur, ...]:
    """The slur marks of one note made of pieces with these marks, in time order (tied
    notes, a join's run): their marks in turn, less each slur that starts and stops
    within them (it was over the one note: a slur over a tie)."""
    open_: set[int] = set()
    marks: list[Slur] = []
    for piece in pieces:
        for kind, number in piece:
            if kind == "stop" and number in open_:
                open_.discard(number)
                marks.remove(("start", number))
                continue
            if kind == "start":
                open_.add(number)
            marks.append((kind, number))
    return check_slurs(marks)


def sounding(note: Note) -> tuple[int, int]:
    """``(duration, velocity)`` that ``note`` is played with (its written ones where it
    has no articulation): a share of its length (:data:`GATES`, at least a tick of a note
    with any), louder for an accent (:data:`LOUDER`)."""
    marks = note.articulations
    if not marks:
        return note.duration, note.velocity
    duration, velocity = note.duration, note.velocity
    gate = next((share for mark, share in GATES if mark in marks), None)
    if gate is not None and duration:
        duration = max(1, int(duration * gate))
    louder = max((LOUDER[m] for m in marks if m in LOUDER), default=None)
    if louder is not None:
        velocity = max(1, min(127, round(velocity * louder)))
    return duration, velocity


def performed(notes: Sequence[Note]) -> tuple[Note, ...]:
    """``notes`` as they are played: each with its :func:`sounding` length and velocity,
    and no articulations left (so performing them again changes nothing). Notes without
    any are the same objects."""
    out = []
    for n in notes:
        if n.articulations:
            duration, velocity = sounding(n)
            n = replace(n, duration=duration, velocity=velocity, articulations=frozenset())
        out.append(n)
    return tuple(out)
