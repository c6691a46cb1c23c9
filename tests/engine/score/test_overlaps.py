"""One sounding note per pitch for notes written by hand (write_over, make_room)."""

from __future__ import annotations

import random
from dataclasses import replace

from engine.score import Note
from engine.score.overlaps import write_over


def walked(sounding, notes):
    """write_over as first written: each note against every note of its pitch."""
    notes = list(notes)
    pitches = {n.pitch for n in notes}
    at: dict[int, list[Note]] = {}
    for n in sounding:
        if n.pitch in pitches:
            at.setdefault(n.pitch, []).append(n)
    until = lambda n: max(n.end, n.start + 1)  # noqa: E731
    for new in notes:
        kept = []
        for n in at.get(new.pitch, ()):
            if not (n.start < until(new) and new.start < until(n)):
                kept.append(n)
            elif n.start < new.start:
                kept.append(replace(n, duration=new.start - n.start))
        kept.append(new)
        at[new.pitch] = kept
    return [n for kept in at.values() for n in kept]


def test_writing_over_notes_trims_what_was_held_and_removes_what_it_covers():
    whole = Note(60, 0, 1920)
    half = Note(60, 960, 960)
    out = {n.id: n for n in write_over([whole, Note(62, 0, 480)], [half])}
    assert out[whole.id].duration == 960 and out[half.id] == half  # two halves
    assert all(n.pitch == 60 for n in out.values())  # other pitches are left out
    again = Note(60, 960, 480)  # entered twice: not doubled
    assert {n.id for n in write_over([whole, half], [again])} == {whole.id, again.id}


def test_the_fast_walk_ends_as_the_note_by_note_walk_did():
    # The release of a drag of a big song's 12,188 notes spent 4.2 s walking every note
    # of a pitch for each one; looking only at those that can reach it changes nothing.
    rng = random.Random(7)
    for _ in range(200):
        def some(k):
            return [Note(rng.choice((60, 62, 64)), rng.randrange(0, 4000),
                         rng.choice((0, 10, 120, 480, 1920, 5000)), 80) for _ in range(k)]
        sounding = some(rng.randrange(0, 40))
        written = sorted(some(rng.randrange(1, 30)), key=lambda n: (n.start, n.duration))
        if rng.random() < 0.3:
            rng.shuffle(written)  # in any order, not only time order
        fast = {n.id: n for n in write_over(sounding, written)}
        slow = {n.id: n for n in walked(sounding, written)}
        assert fast == slow
