"""One sounding note per pitch in a track: what any model's notes are held to.

A polyphonic track may get two notes of one pitch at once — two lanes of the built-in
models sampling it, or a plugin writing a note twice — and in MIDI that cuts notes short
or leaves them hanging. :func:`resolve_overlaps` settles it as a piano roll would. The
built-in models apply it as they decode; every model's result passes through it again
(:func:`engine.plugins.result.checked_result`), so no take puts such notes in a song.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import replace
from itertools import pairwise

from .song import Note, Song


def resolve_overlaps(notes: Iterable[Note], kept: Iterable[Note] = ()) -> tuple[Note, ...]:
    """One track's generated ``notes`` with at most one note sounding per pitch at a time.

    A polyphonic track spreads over several lanes, and two lanes may sample one pitch at
    overlapping times; in MIDI that cuts notes short or leaves them hanging. The
    piano-roll rule settles it, per pitch: notes that start together become one (the
    longest, at the loudest velocity); a note that starts while another still sounds cuts
    that one off at its onset. The track's ``kept`` notes (those that stay as they are,
    outside the mask) are never changed: a generated note that starts while a kept note of
    its pitch sounds (or with it) is dropped, and one that sounds on into a kept note's
    onset ends there. Nothing comes out zero-length; drum hits follow the same rule, so a
    class struck twice at one step is one hit.
    """
    notes = [n for n in notes if n.duration > 0]
    if not notes:
        return ()
    # Only kept notes sounding inside the generated notes' span can meet one (the kept
    # notes are the whole track's, and a long song has thousands).
    lo, hi = min(n.start for n in notes), max(n.end for n in notes)
    kept_by_pitch: dict[int, list[Note]] = {}
    for k in kept:
        if k.start < hi and max(k.end, k.start + 1) > lo:
            kept_by_pitch.setdefault(k.pitch, []).append(k)
    by_pitch: dict[int, dict[int, Note]] = {}  # pitch → start → the note starting there
    for n in notes:
        ks = kept_by_pitch.get(n.pitch, ())
        if any(k.start <= n.start < max(k.end, k.start + 1) for k in ks):
            continue  # a kept note of this pitch is sounding (or starts) here
        end = min([n.end, *(k.start for k in ks if n.start < k.start < n.end)])
        if end != n.end:
            n = replace(n, duration=end - n.start)
        at = by_pitch.setdefault(n.pitch, {})
        other = at.get(n.start)
        if other is not None:  # one onset, two lanes: one note, the longer and louder
            longer = n if n.duration > other.duration else other
            n = replace(longer, velocity=max(n.velocity, other.velocity))
        at[n.start] = n
    out: list[Note] = []
    for at in by_pitch.values():
        chain = [at[s] for s in sorted(at)]
        for cur, nxt in pairwise(chain):
            if nxt.start < cur.end:  # re-struck while sounding: the earlier one stops
                cur = replace(cur, duration=nxt.start - cur.start)
            out.append(cur)
        out.append(chain[-1])
    return tuple(sorted(out, key=Note.key))


def write_over(sounding: Iterable[Note], notes: Iterable[Note],
               flam: Callable[[Note], int] | None = None) -> list[Note]:
    """The one-note-per-pitch walk of notes written by hand (drawn, moved, entered,
    recorded): ``notes`` written in turn over ``sounding`` (a track's notes), each over
    what sounds at its pitch by then — the earlier of ``notes`` included. A note of its
    pitch held from before ends where it starts (a whole note C, then C on beat 3: two
    halves); one starting inside it, or with it, is removed (a passage entered twice is
    not doubled). ``flam``: how many ticks before a written note one of its pitch may
    start and still be replaced, not cut to a sliver (a key recorded a hair after the
    note it plays again: :func:`~.edits.add_notes_replacing`'s ``flam_s``); none without
    it. A zero-length note still strikes its onset. Returns the notes at the
    pitches of ``notes`` as they end up, each keeping its id; other pitches are left out.

    Each pitch's notes are kept in onset order, and a written note looks only at those
    that can reach it (no longer ago than the pitch's longest note): dropping all 12,188
    notes of a big song after a drag walked every note of a pitch for each one, 4.2 s of
    the release (``benchmarks/bench_pianoroll.py``)."""
    notes = list(notes)
    pitches = {n.pitch for n in notes}
    at: dict[int, list[Note]] = {}  # per pitch, in onset order, as the notes are written
    for n in sounding:
        if n.pitch in pitches:
            at.setdefault(n.pitch, []).append(n)
    for line in at.values():
        line.sort(key=_start)
    reach = {p: max(_sounds_until(n) - n.start for n in line) for p, line in at.items()}
    for new in notes:
        line = at.setdefault(new.pitch, [])
        end = _sounds_until(new)
        lo = bisect.bisect_right(line, new.start - reach.get(new.pitch, 1), key=_start)
        hi = bisect.bisect_left(line, end, key=_start)
        kept = []
        early = new.start - (flam(new) if flam is not None else 0)
        for n in line[lo:hi]:
            if not new.start < _sounds_until(n):
                kept.append(n)
            elif n.start < early:  # held from before: ends where the new one starts
                kept.append(replace(n, duration=new.start - n.start))
        line[lo:hi] = kept  # trims keep their onsets: still in order
        line.insert(bisect.bisect_right(line, new.start, key=_start), new)
        reach[new.pitch] = max(reach.get(new.pitch, 1), end - new.start)
    return [n for line in at.values() for n in line]


def _start(n: Note) -> int:
    return n.start


def _sounds_until(n: Note) -> int:
    return max(n.end, n.start + 1)  # a zero-length note (as in MIDI) still has an onset


def make_room(song: Song, edit: object) -> tuple[object, int]:
    """``edit`` (note changes of the piano roll: a move, a drawn or pasted note, a
    resize, a quantize), with the one-sounding-note-per-pitch rule of :func:`write_over`:
    the notes it writes win over the notes it does not write. A note of their pitch held
    from before one of them ends where it starts (E4 0–4 beats under an E4 moved to 2–5:
    0–2); one that starts while it sounds, or with it, is removed. The notes it writes
    settle among themselves the same way, in time order: the earlier ends where the
    later starts (C4 0–1 and 1–2 beats both lengthened by half a beat: 0–1 and 1–2.5),
    and of two starting together the longer stays (two notes quantized onto one grid
    line). Returns the edit (an ``EditGroup`` with the trims, one undo step) and how many
    notes were trimmed or removed (0: ``edit`` itself)."""
    from .edits import ChangeNotes, EditGroup

    def changes(e: object) -> list[ChangeNotes]:
        if isinstance(e, ChangeNotes):
            return [e]
        if isinstance(e, EditGroup):
            return [c for sub in e.edits for c in changes(sub)]
        return []

    written: dict[int, set[int]] = {}
    for c in changes(edit):
        written.setdefault(c.track_id, set()).update(n.id for n in c.added)
    if not any(written.values()):
        return edit, 0
    after = edit.apply(song)  # type: ignore[attr-defined]
    trims = []
    for tid, ids in written.items():
        notes = after.track(tid).notes
        new = sorted((n for n in notes if n.id in ids), key=lambda n: (n.start, n.duration))
        pitches = {n.pitch for n in new}
        before = {n.id: n for n in notes if n.pitch in pitches}
        settled = {n.id: n for n in write_over((n for n in notes if n.id not in ids), new)}
        removed = tuple(n for i, n in before.items()
                        if i not in settled or settled[i].key() != n.key())
        added = tuple(settled[n.id] for n in removed if n.id in settled)
        if removed:
            trims.append(ChangeNotes(tid, removed, added, "Trim notes"))
    if not trims:
        return edit, 0
    count = sum(len(t.removed) for t in trims)
    return EditGroup((edit, *trims), edit.label), count  # type: ignore[attr-defined]


__all__ = ["make_room", "resolve_overlaps", "write_over"]
