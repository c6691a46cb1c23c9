"""One sounding note per pitch in a track: what any model's notes are held to.

A polyphonic track may get two notes of one pitch at once — two lanes of the built-in
models sampling it, or a plugin writing a note twice — and in MIDI that cuts notes short
or leaves them hanging. :func:`resolve_overlaps` settles it as a piano roll would. The
built-in models apply it as they decode; every model's result passes through it again
(:func:`engine.plugins.result.checked_result`), so no take puts such notes in a song.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def make_room(song: Song, edit: object) -> tuple[object, int]:
    """``edit`` (note changes of the piano roll: a move, a drawn or pasted note, a
    resize), with the same one-sounding-note-per-pitch rule applied to the notes it does
    not write: the notes it writes win. A note of their pitch held from before one of
    them ends where it starts (E4 0–4 beats under an E4 moved to 2–5: 0–2); one that
    starts while it sounds, or with it, is removed, as :func:`resolve_overlaps` keeps a
    kept note and as a recorded note is written over what it covers. Returns the edit
    (an ``EditGroup`` with the trims, one undo step) and how many notes were trimmed or
    removed (0: ``edit`` itself)."""
    from .edits import ChangeNotes, EditGroup

    def changes(e: object) -> list[ChangeNotes]:
        if isinstance(e, ChangeNotes):
            return [e]
        if isinstance(e, EditGroup):
            return [c for sub in e.edits for c in changes(sub)]
        return []

    written: dict[int, list[Note]] = {}
    for c in changes(edit):
        written.setdefault(c.track_id, []).extend(c.added)
    if not any(written.values()):
        return edit, 0
    after = edit.apply(song)  # type: ignore[attr-defined]
    trims = []
    for tid, new in written.items():
        ids = {n.id for n in new}
        by_pitch: dict[int, list[Note]] = {}
        for n in new:
            by_pitch.setdefault(n.pitch, []).append(n)
        removed, added = [], []
        for n in after.track(tid).notes:
            winners = by_pitch.get(n.pitch)
            if n.id in ids or not winners or not any(
                    w.start < n.end and n.start < max(w.end, w.start + 1) for w in winners):
                continue
            settled = resolve_overlaps([n], winners)
            removed.append(n)
            added += [replace(m, id=n.id) for m in settled]
        if removed:
            trims.append(ChangeNotes(tid, tuple(removed), tuple(added), "Trim notes"))
    if not trims:
        return edit, 0
    count = sum(len(t.removed) for t in trims)
    return EditGroup((edit, *trims), edit.label), count  # type: ignore[attr-defined]


__all__ = ["make_room", "resolve_overlaps"]
