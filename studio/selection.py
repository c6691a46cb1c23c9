"""What the user has selected: the active track(s) and a set of notes."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine.score import Note, Song

_NONE = np.zeros(0, np.int64)


class Selection(QObject):
    """Active tracks (shown editable in the piano roll) and selected notes.

    Notes are identified by ``(track_id, note_id)``: ids are stable across edits, so a
    selection survives moves, resizes and undo.
    """

    tracksChanged = Signal()
    notesChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tracks: list[int] = []
        self._notes: frozenset[tuple[int, int]] = frozenset()
        self._by_track: dict[int, np.ndarray] | None = None  # note ids per track, cached

    # -- tracks -------------------------------------------------------------------------------
    @property
    def track_ids(self) -> list[int]:
        return list(self._tracks)

    @property
    def current_track_id(self) -> int | None:
        """The track new notes go to: the first active one."""
        return self._tracks[0] if self._tracks else None

    def set_tracks(self, track_ids: Iterable[int]) -> None:
        ids = list(dict.fromkeys(track_ids))
        if ids != self._tracks:
            self._tracks = ids
            self.tracksChanged.emit()

    def toggle_track(self, track_id: int) -> None:
        if track_id in self._tracks:
            if len(self._tracks) > 1:
                self.set_tracks(t for t in self._tracks if t != track_id)
        else:
            self.set_tracks([*self._tracks, track_id])

    # -- notes --------------------------------------------------------------------------------
    @property
    def notes(self) -> frozenset[tuple[int, int]]:
        return self._notes

    def __len__(self) -> int:
        return len(self._notes)

    def contains(self, track_id: int, note_id: int) -> bool:
        return (track_id, note_id) in self._notes

    def note_ids_of(self, track_id: int) -> np.ndarray:
        """The selected notes' ids in one track, as an array for ``np.isin`` (built once
        per selection: views paint with every frame, and Ctrl+A on a big song selects
        tens of thousands of notes)."""
        if self._by_track is None:
            groups: dict[int, list[int]] = {}
            for tid, nid in self._notes:
                groups.setdefault(tid, []).append(nid)
            self._by_track = {tid: np.array(ids, np.int64) for tid, ids in groups.items()}
        return self._by_track.get(track_id, _NONE)

    def set_notes(self, keys: Iterable[tuple[int, int]]) -> None:
        keys = frozenset(keys)
        if keys != self._notes:
            self._notes = keys
            self._by_track = None
            self.notesChanged.emit()

    def add_notes(self, keys: Iterable[tuple[int, int]]) -> None:
        self.set_notes(self._notes | frozenset(keys))

    def toggle_notes(self, keys: Iterable[tuple[int, int]]) -> None:
        self.set_notes(self._notes ^ frozenset(keys))

    def clear_notes(self) -> None:
        self.set_notes(())

    def selected_notes(self, song: Song) -> dict[int, list[Note]]:
        """Selected notes that exist in ``song``, per track id (in song track order)."""
        out: dict[int, list[Note]] = {}
        if not self._notes:
            return out
        wanted = {}
        for tid, nid in self._notes:
            wanted.setdefault(tid, set()).add(nid)
        for track in song.tracks:
            ids = wanted.get(track.id)
            if ids:
                notes = [n for n in track.notes if n.id in ids]
                if notes:
                    out[track.id] = notes
        return out

    def prune(self, song: Song) -> None:
        """Forget tracks and notes that are no longer in ``song`` (after an edit or undo)."""
        known = {t.id for t in song.tracks}
        tracks = [t for t in self._tracks if t in known]
        if not tracks and song.tracks:
            tracks = [song.tracks[0].id]
        self.set_tracks(tracks)
        if self._notes:
            present = {(t.id, n.id) for t in song.tracks for n in t.notes}
            self.set_notes(self._notes & present)
