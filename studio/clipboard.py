"""Copy and paste of notes, across tracks and bars.

Copied notes are kept relative to the earliest copied onset, with the track they came
from. Pasting puts them at a tick: notes from one track go into the current track;
notes from several tracks go back into their own tracks when those still exist.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from engine.score import Edit, EditGroup, Note, Song, add_notes


@dataclass(frozen=True, slots=True)
class Clip:
    """Copied notes: ``(source track id, note with start relative to the clip)``."""

    notes: tuple[tuple[int, Note], ...]
    length: int  # span from the first onset to the last note-off

    @property
    def track_ids(self) -> list[int]:
        return list(dict.fromkeys(tid for tid, _ in self.notes))


def copy_notes(selected: dict[int, list[Note]]) -> Clip | None:
    """A clip of the selected notes (``None`` when nothing is selected)."""
    pairs = [(tid, n) for tid, notes in selected.items() for n in notes]
    if not pairs:
        return None
    origin = min(n.start for _, n in pairs)
    end = max(n.end for _, n in pairs)
    rel = tuple((tid, replace(n, start=n.start - origin)) for tid, n in pairs)
    return Clip(rel, end - origin)


def paste_edit(song: Song, clip: Clip, at: int, current_track: int | None) -> tuple[Edit, list]:
    """The edit that pastes ``clip`` at tick ``at``, and the ``(track, note id)`` keys added.

    Fresh note ids are given to every pasted note, so pasting twice gives two copies.
    """
    known = {t.id for t in song.tracks}
    multi = len(clip.track_ids) > 1
    per_track: dict[int, list[Note]] = {}
    for tid, n in clip.notes:
        target = tid if (multi and tid in known) else current_track
        if target is None or target not in known:
            continue
        per_track.setdefault(target, []).append(Note(n.pitch, n.start + at, n.duration,
                                                     n.velocity))
    edits = [add_notes(tid, notes) for tid, notes in per_track.items()]
    count = sum(len(v) for v in per_track.values())
    label = f"Paste {count} note" + ("" if count == 1 else "s")
    keys = [(tid, n.id) for tid, notes in per_track.items() for n in notes]
    return EditGroup(tuple(edits), label), keys
