"""What a .partita project keeps of the window beside the song: the view (snap, zoom,
scroll, the active tracks, loop, playhead, tool) and the work in progress (the painted
mask, the takes not yet accepted), saved with the project and in the autosave.

:class:`StudioState` is a mixin of :class:`~studio.mainwindow.MainWindow` (its methods
are the window's: ``window.studio_state()``), read by the file commands and the
autosaver and put back when a song is shown. A saved value is checked before it is
used: the file may be damaged or hand-edited.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer

from engine.score import plural

from . import dialogs
from .pianoroll import Tool
from .pianoroll.viewport import EMPTY_SONG_BARS, MAX_TICKS, clamped

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from .cocompose import CoComposer
    from .document import Document
    from .pianoroll import PianoRoll
    from .selection import Selection
    from .transport import Transport


class StudioState:
    """The window's state kept in projects (a mixin; the attributes below are the window's)."""

    if TYPE_CHECKING:
        document: Document
        selection: Selection
        transport: Transport
        pianoroll: PianoRoll
        composer: CoComposer
        _work_note: str

        def statusBar(self) -> QStatusBar: ...
        def set_snap(self, name: str) -> None: ...

    def studio_state(self, deferred: bool = False) -> dict[str, Any]:
        """What a project keeps of this window: the view, and the work beside the song
        (the painted mask, the takes not yet accepted: engine.jobs.saved_takes). With
        ``deferred`` the takes are a function that builds their JSON (the autosave calls
        it on its worker thread)."""
        from engine.jobs.saved_takes import mask_to_json

        vp = self.pianoroll.viewport
        song = self.document.song
        ids = [t.id for t in song.tracks]
        tr = self.transport
        state: dict[str, Any] = {
            "snap": self.pianoroll.snap.name,
            "px_per_beat": round(vp.px_per_beat, 3),
            "key_height": vp.key_h,
            "scroll": [round(vp.left), round(vp.top)],
            "active_tracks": [ids.index(t) for t in self.selection.track_ids if t in ids],
            "loop": [tr.loop_start, tr.loop_end, tr.loop_enabled],
            "playhead": tr.position,
            "tool": self.pianoroll.tool.value,
        }
        if self.document.score_source is not None:  # the score the song came from
            state["score"] = str(self.document.score_source)
        if not self.document.mask.is_empty:
            state["mask"] = mask_to_json(self.document.mask)
        takes = self.composer.saved_takes()
        if takes is not None:
            state["takes"] = takes if deferred else takes()
        return state

    def _recovery_state(self) -> dict[str, Any]:
        """What the autosave keeps: the project's studio state and, for the recovery
        only, the requests still computing (a crash loses them; recovery says which)."""
        state = self.studio_state(deferred=True)
        running = self.composer.running_requests()
        if running:
            state["interrupted"] = list(running)
        return state

    def _restore_work(self, state: dict[str, Any]) -> None:
        """Put back the painted mask and the takes not yet accepted that a project kept;
        what no longer fits the song is skipped, and the status bar says so."""
        from engine.jobs.saved_takes import mask_from_json

        self._work_note = ""
        # A damaged mask is only a painted area: start without one.
        with contextlib.suppress(ValueError):
            self.document.restore_mask(mask_from_json(state.get("mask", []),
                                                      self.document.song))
        self._tell_interrupted(state.get("interrupted"))
        if "takes" not in state:
            return
        restored = self.composer.restore_takes(state["takes"])
        parts = []
        if restored.count:
            parts.append(f"{plural(restored.count, 'take')} waiting for a decision")
        if restored.problems:
            skipped = plural(restored.skipped, "saved take") if restored.skipped else "saved takes"
            parts.append(f"{skipped} no longer fit the song: {restored.problems[0]}")
        self._work_note = "; ".join(parts)
        if self._work_note:
            self.statusBar().showMessage(self._work_note, 10000)

    def _tell_interrupted(self, lost: Any) -> None:
        """After a recovery: the requests that were computing when the session ended."""
        if not isinstance(lost, list) or not lost:
            return
        lines = "\n".join(f"• {x}" for x in lost[:5]) + ("\n• …" if len(lost) > 5 else "")
        dialogs.show_info(self, "Generations not finished",
                          f"When Partita stopped, {plural(len(lost), 'generation')} "
                          f"{'was' if len(lost) == 1 else 'were'} still running and did "
                          f"not finish:\n\n{lines}\n\nAsk again from the Generate panel. "
                          "If Partita closed by itself, the model named in brackets may "
                          "have caused it: choose another one there before asking again.")

    def _apply_studio_state(self, state: dict[str, Any]) -> None:
        """Restore what a project saved; every value is checked, as the file may be damaged
        or hand-edited (a bad value gives the default, an absurd one is clamped)."""
        vp = self.pianoroll.viewport
        song = self.document.song
        last_tick = min(self.document.end, MAX_TICKS)
        try:
            if "snap" in state:
                self.set_snap(str(state["snap"]))
            if "active_tracks" in state:
                ids = [song.tracks[i].id for i in state["active_tracks"]
                       if isinstance(i, int) and 0 <= i < len(song.tracks)]
                if ids:
                    self.selection.set_tracks(ids)
            if "loop" in state:
                s, e, on = state["loop"]
                start = int(clamped(s, 0, MAX_TICKS, 0))
                end = int(clamped(e, start, MAX_TICKS, start))
                self.transport.set_loop(start, end, bool(on))
            if "tool" in state and state["tool"] in {t.value for t in Tool}:
                self.pianoroll.set_tool(Tool(state["tool"]))
            if "playhead" in state:
                self.transport.position = int(clamped(state["playhead"], 0, last_tick, 0))
            if "px_per_beat" in state:
                left, top = state.get("scroll", [0, 0])
                vp.restore(state["px_per_beat"], state.get("key_height", vp.key_h), left, top)
                return
        except (TypeError, ValueError, IndexError, KeyError):
            pass  # a hand-edited or older studio dict: fall back to defaults
        QTimer.singleShot(0, self._initial_view)
        self._initial_view()

    def _initial_view(self) -> None:
        roll = self.pianoroll
        tm = self.document.time_map
        roll.viewport.fit_ticks(0, max(tm.bar_to_tick(EMPTY_SONG_BARS),
                                       min(self.document.song.end, tm.bar_to_tick(16))))
        roll.center_on_notes()
