"""Regions and masks: where the model may write.

A :class:`Region` is a rectangle of time × a set of tracks (× an optional pitch range);
a :class:`Mask` is a union of regions, as a user paints them. Every generation request
carries a mask. A note belongs to the mask when its *onset* lies inside a region of its
track and its pitch lies in that region's range; notes that start before a region and
sound into it stay outside (they are context the model must respect, and are never
changed). A note the mask covers that sounds on past it keeps that part: the music after
the mask must sound as before (:meth:`Mask.covered_until`,
:func:`engine.score.edits.mask_tails`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .song import Note, Song, Track


@dataclass(frozen=True, slots=True)
class Region:
    """Ticks ``[start, end)`` of ``track_ids``, pitches ``[pitch_lo, pitch_hi]`` inclusive."""

    track_ids: frozenset[int]
    start: int
    end: int
    pitch_lo: int = 0
    pitch_hi: int = 127

    def __post_init__(self) -> None:
        object.__setattr__(self, "track_ids", frozenset(self.track_ids))
        if self.end < self.start:
            raise ValueError(f"region ends ({self.end}) before it starts ({self.start})")
        if not 0 <= self.pitch_lo <= self.pitch_hi <= 127:
            raise ValueError(f"bad pitch range {self.pitch_lo}..{self.pitch_hi}")

    @property
    def is_empty(self) -> bool:
        return not self.track_ids or self.end <= self.start

    @property
    def full_pitch_range(self) -> bool:
        return self.pitch_lo == 0 and self.pitch_hi == 127

    def contains(self, track_id: int, tick: int, pitch: int) -> bool:
        return (
            track_id in self.track_ids
            and self.start <= tick < self.end
            and self.pitch_lo <= pitch <= self.pitch_hi
        )

    def contains_note(self, track_id: int, note: Note) -> bool:
        return self.contains(track_id, note.start, note.pitch)


@dataclass(frozen=True, slots=True)
class Mask:
    """A union of regions: the painted area a generation may rewrite."""

    regions: tuple[Region, ...] = ()

    @classmethod
    def of(cls, *regions: Region) -> Mask:
        return cls(tuple(r for r in regions if not r.is_empty))

    def __or__(self, other: Mask) -> Mask:
        return Mask(self.regions + other.regions)

    def subtract_tracks(self, track_ids: Iterable[int]) -> Mask:
        drop = frozenset(track_ids)
        kept = (
            Region(r.track_ids - drop, r.start, r.end, r.pitch_lo, r.pitch_hi) for r in self.regions
        )
        return Mask.of(*kept)

    @property
    def is_empty(self) -> bool:
        return all(r.is_empty for r in self.regions)

    @property
    def track_ids(self) -> frozenset[int]:
        return frozenset().union(*(r.track_ids for r in self.regions))

    @property
    def span(self) -> tuple[int, int]:
        """(first tick, end tick) covered by any region; (0, 0) when empty."""
        if self.is_empty:
            return (0, 0)
        live = [r for r in self.regions if not r.is_empty]
        return (min(r.start for r in live), max(r.end for r in live))

    def contains(self, track_id: int, tick: int, pitch: int) -> bool:
        return any(r.contains(track_id, tick, pitch) for r in self.regions)

    def contains_note(self, track_id: int, note: Note) -> bool:
        return any(r.contains_note(track_id, note) for r in self.regions)

    def covered_until(self, track_id: int, tick: int, pitch: int) -> int:
        """Where the mask stops covering ``pitch`` of ``track_id`` from ``tick`` on (the
        end of the regions that cover it, joined where they touch or overlap); ``tick``
        itself when none covers it."""
        end, grown = tick, True
        while grown:
            grown = False
            for r in self.regions:
                if r.contains(track_id, end, pitch):
                    end, grown = r.end, True
        return end

    def notes_inside(self, song: Song) -> dict[int, tuple[Note, ...]]:
        """Notes of each masked track that the mask covers (by onset and pitch), in the
        track's order."""
        ids = self.track_ids
        return {track.id: tuple(track.notes[i] for i in sorted(self._covered(track)))
                for track in song.tracks if track.id in ids}

    def notes_outside(self, song: Song) -> dict[int, tuple[Note, ...]]:
        """Every note the mask does not cover, for every track (what must never change);
        an unmasked track is kept whole."""
        out: dict[int, tuple[Note, ...]] = {}
        for track in song.tracks:
            drop = self._covered(track)
            out[track.id] = (tuple(n for i, n in enumerate(track.notes) if i not in drop)
                             if drop else track.notes)
        return out

    def _covered(self, track: Track) -> set[int]:
        """Indices into ``track.notes`` of the notes the mask covers. Tracks keep notes in
        onset order, so each region looks only at its own span (a take's conflict check
        reads this on every edit of a long song)."""
        notes = track.notes
        return {i for r in self.regions if track.id in r.track_ids
                for i in track.onset_range(r.start, r.end)
                if r.pitch_lo <= notes[i].pitch <= r.pitch_hi}

    def holds_already(self, song: Song, notes: Mapping[int, Iterable[Note]]) -> bool:
        """Whether ``notes`` (per track) are the very notes the mask covers in ``song``,
        ids aside: a take that would change nothing (a keep-rhythm repaint can draw the
        voice it replaces)."""
        known = {t.id for t in song.tracks}
        if not notes or any(tid not in known for tid in notes):
            return False
        notes = {tid: tuple(v) for tid, v in notes.items()}
        inside = self.subtract_tracks(self.track_ids - set(notes)).notes_inside(song)
        if any(len(v) != len(inside.get(tid, ())) for tid, v in notes.items()):
            return False  # the usual answer, without sorting a long take
        return all(sorted(n.key() for n in notes[tid]) == sorted(n.key() for n in
                                                                 inside.get(tid, ()))
                   for tid in notes)

    def changed_between(self, before: Song, after: Song) -> bool:
        """True when the notes inside the mask differ between two songs (ids included).

        Songs and tracks are immutable, so a track that is the same object in both songs is
        unchanged: only the others are read (a take's check runs after every edit)."""
        ids = self.track_ids
        old = {t.id: t for t in before.tracks if t.id in ids}
        new = {t.id: t for t in after.tracks if t.id in ids}
        changed = {tid for tid in old.keys() | new.keys() if old.get(tid) is not new.get(tid)}
        if not changed:
            return False
        part = self.subtract_tracks(ids - changed)

        def snapshot(song: Song) -> dict[int, set[tuple[int, tuple[int, int, int, int]]]]:
            return {tid: {(n.id, n.key()) for n in notes}
                    for tid, notes in part.notes_inside(song).items()}

        return snapshot(before) != snapshot(after)
