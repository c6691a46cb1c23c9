"""Track ▸ Add, Remove, Move Up / Down, Previous / Next, Mute, Solo, Rename and
Instrument from the keyboard: the window's track commands.

:class:`TrackCommands` is a mixin of :class:`~studio.mainwindow.MainWindow` (its methods
are the window's: ``window.add_track()``, ``window.move_track(-1)``), working on the
piano roll's current track; each change is one undo step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.score import Track, set_track_props
from engine.score.track_edits import add_track_edit, delete_track_edit, move_track_edit

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from .document import Document
    from .pianoroll import PianoRoll
    from .selection import Selection

NO_TRACK = "no track selected: click one in the track list, or add one (Ctrl+T)"


def toggled_text(track: Track, prop: str) -> str:
    """What Ctrl+Alt+M / S did to ``track`` (as it is now): "Muted Drums", "Unmuted Drums",
    "Solo Lead", "Solo off: Lead"; a soloed track that is muted too says it stays silent."""
    name = track.name or "the track"
    if prop == "mute":
        return f"{'Muted' if track.mute else 'Unmuted'} {name}"
    if not track.solo:
        return f"Solo off: {name}"
    if track.mute:
        return f"Solo {name} — it is muted, so it stays silent (Ctrl+Alt+M unmutes)"
    return f"Solo {name}"


class TrackCommands:
    """The window's track commands (a mixin; the attributes below are the window's)."""

    if TYPE_CHECKING:
        document: Document
        selection: Selection
        pianoroll: PianoRoll

        def statusBar(self) -> QStatusBar: ...

    def toggle_track(self, prop: str) -> None:
        """Ctrl+Alt+M / S: mute or solo the current track from the keyboard (the header's
        buttons take no focus); the status bar says what it did ("Muted Drums", "Solo
        Lead"): the header's M / S light up out of sight of the keys."""
        tid = self.current_track_or_say(prop.title())
        if tid is None:
            return
        track = self.document.song.track(tid)
        on = not getattr(track, prop)
        if self.pianoroll.commit(set_track_props(
                self.document.song, tid, f"{prop.title() if on else 'Un' + prop} {track.name}",
                **{prop: on})):
            self.statusBar().showMessage(toggled_text(self.document.song.track(tid), prop), 4000)

    def current_track_or_say(self, doing: str = "") -> int | None:
        """The current track's id; None when there is none, and the status bar says so
        ("Record: no track selected: click one …"): a key that did nothing says why."""
        tid = self.pianoroll.current_track_id()
        if tid is None:
            self.statusBar().showMessage(
                f"{doing}: {NO_TRACK}" if doing else NO_TRACK[0].upper() + NO_TRACK[1:], 6000)
        return tid

    def _with_current_track(self, fn: Callable[[int], object]) -> None:
        tid = self.current_track_or_say()
        if tid is not None:
            fn(tid)

    def add_track(self) -> None:
        edit = add_track_edit(self.document.song, self.pianoroll.current_track_id())
        if self.pianoroll.commit(edit):
            self.selection.set_tracks([edit.track.id])

    def remove_track(self) -> None:
        tid = self.pianoroll.current_track_id()
        if tid is None:
            return
        song = self.document.song
        i = song.track_index(tid)
        if self.pianoroll.commit(delete_track_edit(song, tid)):
            tracks = self.document.song.tracks
            if tracks:
                self.selection.set_tracks([tracks[min(i, len(tracks) - 1)].id])

    def move_track(self, step: int) -> None:
        tid = self.pianoroll.current_track_id()
        if tid is None:
            return
        edit = move_track_edit(self.document.song, tid, step)
        if edit is not None:
            self.pianoroll.commit(edit)

    def step_track(self, step: int) -> None:
        song = self.document.song
        tid = self.pianoroll.current_track_id()
        if tid is None or not song.tracks:
            return
        i = max(0, min(len(song.tracks) - 1, song.track_index(tid) + step))
        self.selection.set_tracks([song.tracks[i].id])
